const r = new Int32Array(16);
const variant = process.argv[2];
const vals = [0n, 2n, 0xbadca11n, 0x80008000n];
const SMALLS = Array.from({ length: 256 }, (_, i) => BigInt(i));
const fns: Record<string, (v: bigint) => void> = {
  asUintN: (v) => { r[0] = Number(BigInt.asUintN(32, v)); },
  number: (v) => { r[0] = Number(v); },
  range: (v) => { r[0] = v >= 0n && v <= 0xffffffffn ? Number(v) : Number(BigInt.asUintN(32, v)); },
  noop: (v) => { r[0] = 1; },
  eq: (v) => { r[0] = v === 0n ? 0 : Number(BigInt.asUintN(32, v)); },
  lt: (v) => { r[0] = v < 256n ? 1 : 2; },
};
const f = fns[variant]!;
const N = 20_000_000; let best = 1e9;
for (let k = 0; k < 5; k++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) f(vals[i & 3]!);
  const cu = process.cpuUsage(c0);
  best = Math.min(best, ((cu.user + cu.system) * 1000) / N);
}
console.log(variant, best.toFixed(1), 'ns');

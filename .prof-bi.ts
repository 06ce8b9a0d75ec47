const r = new Int32Array(16);
function time(label: string, f: (v: bigint) => void) {
  const N = 10_000_000; let best = 1e9;
  const vals = [0n, 2n, 0xbadca11n, 0x80008000n];
  for (let k = 0; k < 5; k++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) f(vals[i & 3]!);
    const cu = process.cpuUsage(c0);
    best = Math.min(best, ((cu.user + cu.system) * 1000) / N);
  }
  console.log(label, best.toFixed(1), 'ns');
}
time('asUintN', (v) => { r[0] = Number(BigInt.asUintN(32, v)); });
time('range', (v) => { r[0] = v >= 0n && v <= 0xffffffffn ? Number(v) : Number(BigInt.asUintN(32, v)); });
time('safe', (v) => { const n = Number(v); r[0] = Number.isSafeInteger(n) ? n : Number(BigInt.asUintN(32, v)); });
time('asUintN64', (v) => { r[0] = Number(BigInt.asUintN(64, v) & 0xffffffffn); });
time('BigInt read', (v) => { BigInt(r[1]! >>> 0); });
time('Number only', (v) => { r[0] = Number(v); });
time('asIntN', (v) => { r[0] = Number(BigInt.asIntN(32, v)); });
time('noop', (v) => { r[0] = 1; });
time('eq small', (v) => { r[0] = v === 0n ? 0 : v === 2n ? 2 : Number(BigInt.asUintN(32, v)); });
const SMALLS = Array.from({ length: 256 }, (_, i) => BigInt(i));
const idx = new Map(SMALLS.map((b, i) => [b, i]));
time('map small', (v) => { const i = idx.get(v); r[0] = i !== undefined ? i : Number(BigInt.asUintN(32, v)); });

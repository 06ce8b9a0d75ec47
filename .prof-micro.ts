import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--max-inlined-bytecode-size=1000');
setFlagsFromString('--max-inlined-bytecode-size-cumulative=3000');
const { loadAbis, loadBackends } = await import('/work/main/src/di/container.ts');
const { installSpecFirmware } = await import('/work/main/src/firmware/firmware.ts');
const backend = loadBackends().get('arm32')!;
const abis = loadAbis();
const machine: any = backend.createMachine();
installSpecFirmware(machine, backend.firmware!, abis.get('linux-hyp-stub-v4.12')!, 0x4000);
machine.setRegister('hsr', 0x4a000000n);
machine.setRegister('spsr_hyp', 0x1d3n);
const overlay = machine.interpreter.overlays.get(0x4014);
const s = machine.state;
function time(label: string, f: () => void) {
  const N = 5_000_000;
  let best = 1e9;
  for (let k = 0; k < 5; k++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) f();
    const cu = process.cpuUsage(c0);
    best = Math.min(best, ((cu.user + cu.system) * 1000) / N);
  }
  console.log(label, best.toFixed(1), 'ns');
}
time('overlay', () => { s.r[0] = 2; overlay(); });
const port = backend.firmware!;
time('pendingTrap', () => { port.pendingTrap(machine, port.slots[5]!); });
const acc = port.registerAccess!(machine, 'r0')!;
time('read r0', () => { acc.read(); });
time('write r0', () => { acc.write(0n); });
const m = new Map([['r0', acc]]);
time('map get', () => { m.get('r0'); });
const abi = abis.get('linux-hyp-stub-v4.12')!;
const call = abi.calls[2]!;
const ctx = { get: (r: string) => 0n, set: (r: string, v: bigint) => {}, imm: 0, origin: { privilege: 'kernel', world: 'host' } } as any;
time('run', () => { call.spec.run(ctx); });

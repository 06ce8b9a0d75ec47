import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--max-inlined-bytecode-size=1000');
setFlagsFromString('--max-inlined-bytecode-size-cumulative=3000');
const { loadAbis, loadBackends } = await import('/work/main/src/di/container.ts');
const { installSpecFirmware } = await import('/work/main/src/firmware/firmware.ts');
const { assembleOrFail, loadProgram } = await import('/work/main/src/cli/run-program.ts');
const backend = loadBackends().get('arm32')!;
const abis = loadAbis();
const setups = ['trap-rtps', 'spec-trap-rtps'].map((metric) => {
  const bench = backend.benchmarks.find((b) => b.metric === metric)!;
  const program = assembleOrFail(backend, bench.source, 'x', backend.loadAddress);
  const machine = loadProgram(backend, program, bench.mode);
  if (bench.firmware) installSpecFirmware(machine, backend.firmware!, abis.get(bench.firmware.abi)!, bench.firmware.base);
  const start = machine.snapshot();
  machine.run(2_000_000);
  return { metric, bench, machine, start, best: 0 };
});
for (let i = 0; i < 4; i++) for (const s of setups) {
  s.machine.restore(s.start);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const r = s.machine.run(10_000_000);
  const cu = process.cpuUsage(c0); const sec = (cu.user + cu.system) / 1e6;
  s.best = Math.max(s.best, r.steps / s.bench.instructionsPerUnit / sec / 1e6);
}
for (const s of setups) console.log(s.metric, s.best.toFixed(2), 'M/s');

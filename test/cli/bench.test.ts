/**
 * The benchmark programs and measurements, checked for what they run rather
 * than how fast (tests never time anything): the spec-firmware round trip
 * really goes through linux-hyp-stub-v4.12 at HVBAR at 3.5 steps per round
 * trip, and the dispatcher and collision measurements run on every spec.
 */

import { describe, expect, it } from 'vitest';
import { collisionAnalysisMs, dispatchRate } from '../../src/cli/bench.ts';
import { assembleOrFail, loadProgram } from '../../src/cli/run-program.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { installSpecFirmware } from '../../src/firmware/firmware.ts';

const ARM32 = loadBackends().get('arm32')!;
const ABIS = loadAbis();

describe('arm32 spec-trap-rtps', () => {
  const bench = ARM32.benchmarks.find((b) => b.metric === 'spec-trap-rtps')!;

  it('installs the v4.12 stub spec as firmware', () => {
    expect(bench.firmware?.abi).toBe('linux-hyp-stub-v4.12');
    expect(ABIS.get(bench.firmware!.abi)).toBeDefined();
  });

  it('loops HVC_RESET_VECTORS through the firmware in svc: 14 steps per 4 round trips after 6 of setup', () => {
    const program = assembleOrFail(ARM32, bench.source, 'spec-trap-rtps', ARM32.loadAddress);
    const machine = loadProgram(ARM32, program, bench.mode);
    const firmware = installSpecFirmware(machine, ARM32.firmware!, ABIS.get(bench.firmware!.abi)!, bench.firmware!.base);
    const loop = Number(machine.register('pc')) + 6 * 4;
    const iterations = 1000;
    const result = machine.run(6 + iterations * 14);
    expect(result.reason).toBe('budget-exhausted');
    expect(result.pc).toBe(loop);
    expect(machine.mode()).toBe('svc');
    expect(machine.register('r1')).toBe(0x7fff_ffffn - BigInt(iterations));
    expect(machine.register('r0')).toBe(0n); // HVC_RESET_VECTORS returned 0
    expect(machine.register('hvbar')).toBe(BigInt(firmware.base));
    expect(machine.register('hsr')).toBe(0x4a00_0000n); // EC 0x12 (HVC), IL, imm 0
    expect(bench.instructionsPerUnit).toBe(14 / 4);
  });
});

describe('dispatcher and collision measurements', () => {
  it('have nothing to measure for an architecture without specs', () => {
    expect(dispatchRate(ABIS, 'no-such-arch')).toBeUndefined();
  });

  it('time one full analysis as a non-negative number of milliseconds', () => {
    const ms = collisionAnalysisMs(ABIS);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(0);
  });
});

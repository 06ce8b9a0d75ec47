/**
 * The arm32 scenario catalog: every scenario the backend ships, and what
 * the runner needs to know about arm32 (Hyp is the hypervisor's mode, svc
 * the kernel's; r0–r3 carry hypervisor calls; HIFAR and HDFAR hold the
 * address of an abort taken in Hyp).
 *
 * @module
 */

import type { FirmwareSlot } from '../../../src/firmware/firmware.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import type { Scenario, ScenarioCatalog, SmpScenario } from '../../../src/scenario/scenario.ts';
import { Vector } from '../exceptions.ts';
import { mmioScenarios, mmioSmpScenarios } from './mmio.scenario.ts';
import { resetScenarios } from './reset.scenario.ts';
import { smpScenarios } from './smp.scenario.ts';
import { arm32SpsrScenarios } from './spsr.scenario.ts';

export { ARM32_RESET_MATRIX } from './reset.scenario.ts';

let cache: readonly Scenario[] | undefined;
let smpCache: readonly SmpScenario[] | undefined;

/** Mode names as the ARM ARM writes them in prose (B1.3.1). */
const MODE_LABELS: Readonly<Record<string, string>> = { usr: 'User', fiq: 'FIQ', irq: 'IRQ', svc: 'SVC', mon: 'Monitor', abt: 'Abort', hyp: 'Hyp', und: 'Undefined', sys: 'System' };

/** The arm32 {@link ScenarioCatalog}. Scenarios are built (their assembly files read) on first use. */
export const ARM32_SCENARIOS: ScenarioCatalog = {
  scenarios(): readonly Scenario[] {
    cache ??= [...resetScenarios(), ...arm32SpsrScenarios(), ...mmioScenarios()];
    return cache;
  },
  smpScenarios(): readonly SmpScenario[] {
    smpCache ??= [...smpScenarios(), ...mmioSmpScenarios()];
    return smpCache;
  },
  hypervisorMode: 'hyp',
  kernelMode: 'svc',
  displayMode(mode: string): string {
    return MODE_LABELS[mode] ?? mode;
  },
  callRegisters: ['r0', 'r1', 'r2', 'r3'],
  faultAddress(machine: Machine, slot: FirmwareSlot): number | undefined {
    // An abort taken in Hyp mode records its address in HIFAR or HDFAR (ARM ARM B3.13.6, B4.1.71, B4.1.72).
    if (slot.offset === Vector.prefetchAbort) return Number(machine.register('hifar'));
    if (slot.offset === Vector.dataAbort) return Number(machine.register('hdfar'));
    return undefined;
  },
};

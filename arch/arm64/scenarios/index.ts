/**
 * The arm64 scenario catalog: every scenario the backend ships, and what
 * the runner needs to know about arm64 (EL2h is the hypervisor's mode,
 * EL1h the kernel's; x0–x4 carry hypervisor calls; FAR_EL2 holds the
 * address of an abort taken to EL2).
 *
 * @module
 */

import type { FirmwareSlot } from '../../../src/firmware/firmware.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import type { Scenario, ScenarioCatalog, SmpScenario } from '../../../src/scenario/scenario.ts';
import { Ec } from '../exceptions.ts';
import { arm64MmioScenarios } from './mmio.scenario.ts';
import { arm64ResetScenarios } from './reset.scenario.ts';
import { arm64SmpScenarios } from './smp.scenario.ts';
import { arm64SpsrScenarios } from './spsr.scenario.ts';

export { ARM64_RESET_MATRIX } from './reset.scenario.ts';

let cache: readonly Scenario[] | undefined;
let smpCache: readonly SmpScenario[] | undefined;

/** Exception classes whose FAR_EL2 holds the faulting address (ARM ARM D13.2.40): instruction and data aborts, PC alignment. */
const FAR_CLASSES: ReadonlySet<number> = new Set([Ec.iabtLower, Ec.iabtCurrent, Ec.pcAlignment, Ec.dabtLower, Ec.dabtCurrent]);

/** Synchronous exceptions by ESR_EL2.EC, as a crash detail names them (ARM ARM D13.2.37). */
const EXCEPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [Ec.unknown, 'undefined instruction'],
  [Ec.iabtLower, 'instruction abort'],
  [Ec.iabtCurrent, 'instruction abort'],
  [Ec.pcAlignment, 'PC alignment fault'],
  [Ec.dabtLower, 'data abort'],
  [Ec.dabtCurrent, 'data abort'],
  [Ec.spAlignment, 'SP alignment fault'],
]);

/** The arm64 {@link ScenarioCatalog}. Scenarios are built (their assembly files read) on first use. */
export const ARM64_SCENARIOS: ScenarioCatalog = {
  scenarios(): readonly Scenario[] {
    cache ??= [...arm64ResetScenarios(), ...arm64SpsrScenarios(), ...arm64MmioScenarios()];
    return cache;
  },
  smpScenarios(): readonly SmpScenario[] {
    smpCache ??= arm64SmpScenarios();
    return smpCache;
  },
  hypervisorMode: 'el2h',
  trapModes: ['el2t'],
  kernelMode: 'el1h',
  displayMode(mode: string): string {
    return mode.replace(/^el(\d)([th]?)$/, 'EL$1$2');
  },
  callRegisters: ['x0', 'x1', 'x2', 'x3', 'x4'],
  exceptionName(machine: Machine, slot: FirmwareSlot): string | undefined {
    if ((slot.offset & 0x180) !== 0) return undefined;
    return EXCEPTION_NAMES.get(Number(machine.register('esr_el2') >> 26n) & 0x3f);
  },
  faultAddress(machine: Machine, slot: FirmwareSlot): number | undefined {
    if ((slot.offset & 0x180) !== 0) return undefined; // IRQ, FIQ and SError record no address
    const ec = Number(machine.register('esr_el2') >> 26n) & 0x3f;
    return FAR_CLASSES.has(ec) ? Number(machine.register('far_el2')) : undefined;
  },
};

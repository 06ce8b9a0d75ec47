/**
 * The spsr-* scenarios on an AArch32 guest (abi-facts §7.6): the guest of
 * `spsr-guest.s` visits svc, und, abt, fiq and irq, leaving a distinct SPSR
 * in every bank, and stops in IRQ or System mode. Its state then travels as
 * an AArch32 EL1 guest of an arm64 host: through KVM arm64's ONE_REG core
 * registers, QEMU's kvm64 syncs and KVM's own accessors, all found by id in
 * the state catalog (the arm64 backend defines them; a backend never
 * imports another).
 * - `spsr-shifted-banks-aarch32`: QEMU 2014 puts SPSR_abt in bank 0 and
 *   SPSR_irq in bank 2 (abt's); QEMU 2015 in banks 2 and 4;
 * - `spsr-env-spsr-sync`: a debugger's write of `env->spsr` in IRQ mode
 *   reaches KVM's `spsr[3]` only with the fixed sync;
 * - `spsr-compat-swap-abort`: KVM injecting a data abort writes the return
 *   address into x21 (SP_abt) in the compat-swapped era, x20 (LR_abt) after;
 * - `spsr-usr-sys-refused`: the current-mode SPSR of a guest in System mode
 *   does not exist; KVM would BUG(), hyplay refuses.
 *
 * @module
 */

import { hexOf, StateError, type ArchitecturalState } from '../../../src/state/architectural-state.ts';
import { readWords, writeWords, type OneRegFormat } from '../../../src/state/one-reg.ts';
import { catalogFormat, catalogOperation, catalogRegisters, catalogSync, type StateCatalog } from '../../../src/state/state-catalog.ts';
import { coreFileOf } from '../../../src/state/state-format.ts';
import type { InspectionResult, Scenario, ScenarioInspection } from '../../../src/scenario/scenario.ts';
import { arm32MachineState } from '../state/architectural-state.ts';
import { scenarioSource } from './kernel-image.ts';

const GUEST_FILE = 'spsr-guest.s';
const BASE = 0x8000;
/** The arm64 host's KVM format and QEMU syncs, by id. */
const KVM_FORMAT = 'kvm-arm64-core';
const SYNC_BEFORE = 'qemu-2014';
const SYNC_AFTER = 'qemu-2015';
/** CPSR.M of the modes the guest may stop in. */
const STOP_MODES = { irq: 0x12, sys: 0x1f } as const;

function guestScenario(name: string, title: string, stop: keyof typeof STOP_MODES, inspection: ScenarioInspection): Scenario {
  return {
    name,
    arch: 'arm32',
    title,
    segments: [{ name: 'guest', base: BASE, source: `\t.equ\tSTOP_MODE, 0x${STOP_MODES[stop].toString(16)}\n${scenarioSource(GUEST_FILE)}`, origin: `arch/arm32/scenarios/${GUEST_FILE} (STOP_MODE ${stop})` }],
    regions: [],
    firmware: [],
    entry: { at: { segment: 'guest', symbol: 'start' }, mode: 'svc' },
    exits: [{ at: { segment: 'guest', symbol: 'done' }, kind: 'guest-done', what: `the guest visited every mode and stopped in ${stop}` }],
    errorExits: [],
    maxSteps: 200,
    expected: 'guest-done',
    inspection,
  };
}

function kvmFormat(catalog: StateCatalog): OneRegFormat {
  const format = catalogFormat(catalog, KVM_FORMAT).oneReg;
  if (format === undefined) throw new StateError(`${KVM_FORMAT} is not a ONE_REG format`);
  return format;
}

const word = (format: OneRegFormat, name: string): number => format.registers.find((r) => r.name === name)!.word;
const SPSRS = ['svc', 'abt', 'und', 'irq', 'fiq'] as const;

function spsrLine(state: ArchitecturalState): string {
  return `guest stopped: cpsr = ${hexOf(state.registers['cpsr']!, 32)}; ${SPSRS.map((m) => `spsr_${m} = ${hexOf(state.registers[`spsr_${m}`]!, 32)}`).join(', ')}`;
}

const SHIFTED: ScenarioInspection = {
  what: `export to ${KVM_FORMAT} (AArch32 EL1 guest), then ${SYNC_BEFORE} and ${SYNC_AFTER} get it into QEMU's banked_spsr[]`,
  expected: 'banks-shifted-before-fix',
  inspect(machine, context): InspectionResult {
    const state = arm32MachineState(machine);
    const format = kvmFormat(context.state);
    const lines = [spsrLine(state)];
    const banks = new Map<string, bigint[]>();
    for (const id of [SYNC_BEFORE, SYNC_AFTER]) {
      const { sync } = catalogSync(context.state, id);
      const env = sync.reset(state.arch);
      const log: Parameters<typeof sync.get>[2] = [];
      sync.get(coreFileOf(format, state), env, log);
      const values = [0, 1, 2, 3, 4, 5].map((i) => env.get('banked_spsr', i));
      banks.set(id, values);
      lines.push(`${id} get: ${log.filter((a) => a.register.startsWith('spsr[')).map((a) => `${a.register} -> ${a.expression}`).join(', ')}`);
      lines.push(`${id}: banked_spsr[0..5] = ${values.map((v) => hexOf(v, 32)).join(' ')}; uncached_cpsr = ${hexOf(env.get('uncached_cpsr'), 32)}`);
    }
    const value = (mode: string): bigint => state.registers[`spsr_${mode}`]!;
    const before = banks.get(SYNC_BEFORE)!;
    const after = banks.get(SYNC_AFTER)!;
    // KVM's spsr[i] (i = 1..4: abt, und, irq, fiq) lands in bank i - 1 before the fix and in bank i + 1 (its bank_number) after it.
    const shifted = SPSRS.every((m, i) => i === 0 || before[i - 1] === value(m));
    const fixed = SPSRS.every((m, i) => after[i + 1] === value(m));
    if (shifted && fixed) return { outcome: 'banks-shifted-before-fix', detail: `before the fix SPSR_abt (${hexOf(value('abt'), 32)}) sits in bank 0 and SPSR_irq (${hexOf(value('irq'), 32)}) in bank 2 (abt's), banks 4 and 5 never synced; after it they sit in banks 2 and 4`, lines };
    return { outcome: 'banks-not-shifted', detail: 'the banks do not show the one-bank shift', lines };
  },
};

/** What a debugger writes into `env->spsr` (IRQ mode is current). */
const DEBUGGER_SPSR = 0x6000_01d3n;

const ENV_SPSR: ScenarioInspection = {
  what: `get into QEMU, a debugger writes env->spsr = ${hexOf(DEBUGGER_SPSR, 32)} in IRQ mode, put back to KVM: ${SYNC_BEFORE} against ${SYNC_AFTER}`,
  expected: 'env-spsr-reaches-kvm-after-fix',
  inspect(machine, context): InspectionResult {
    const state = arm32MachineState(machine);
    const format = kvmFormat(context.state);
    const lines = [spsrLine(state)];
    const reached = new Map<string, bigint>();
    for (const id of [SYNC_BEFORE, SYNC_AFTER]) {
      const { sync } = catalogSync(context.state, id);
      const env = sync.reset(state.arch);
      const file = coreFileOf(format, state);
      sync.get(file, env, []);
      lines.push(`${id} get: env->spsr = ${hexOf(env.get('spsr'), 32)} (the current mode's SPSR as QEMU's debugger sees it)`);
      env.set('spsr', 0, DEBUGGER_SPSR);
      writeWords(file, word(format, 'spsr[3]'), 8, 0n);
      sync.put(env, file, []);
      const value = readWords(file, word(format, 'spsr[3]'), 8);
      reached.set(id, value);
      lines.push(`${id} put: KVM spsr[3] (SPSR_irq) = ${hexOf(value, 32)}; banked_spsr[4] = ${hexOf(env.get('banked_spsr', 4), 32)}`);
    }
    if (reached.get(SYNC_AFTER) === DEBUGGER_SPSR && reached.get(SYNC_BEFORE) !== DEBUGGER_SPSR) {
      return { outcome: 'env-spsr-reaches-kvm-after-fix', detail: `the fixed put copies env->spsr into banked_spsr[4] (BANK_IRQ) and so into KVM's spsr[3]; the 2014 put never reads env->spsr and sends ${hexOf(reached.get(SYNC_BEFORE)!, 32)}`, lines };
    }
    return { outcome: 'env-spsr-write-not-distinguished', detail: 'both syncs treat the env->spsr write alike', lines };
  },
};

const COMPAT_SWAP: ScenarioInspection = {
  what: 'KVM injects a data abort into the AArch32 vCPU, in the compat-swapped register-map era and in the architectural one',
  expected: 'sp-abt-clobbered-in-compat-era',
  inspect(machine, context): InspectionResult {
    const state = arm32MachineState(machine);
    const registers = catalogRegisters(context.state, 'arm32');
    const lines = [`guest stopped: pc = ${hexOf(state.registers['pc']!, 32)}, sp_abt = ${hexOf(state.registers['sp_abt']!, 32)}, lr_abt = ${hexOf(state.registers['lr_abt']!, 32)}`];
    const results = new Map<string, ArchitecturalState>();
    for (const era of ['compat-swapped', 'architectural']) {
      const done = catalogOperation(context.state, `kvm-arm64-inject-dabt32-${era}`).run(state, registers);
      results.set(era, done.state);
      lines.push(...done.lines.map((l) => `${era}: ${l}`));
      lines.push(`${era}: after the injection sp_abt = ${hexOf(done.state.registers['sp_abt']!, 32)}, lr_abt = ${hexOf(done.state.registers['lr_abt']!, 32)}, spsr_abt = ${hexOf(done.state.registers['spsr_abt']!, 32)}, pc = ${hexOf(done.state.registers['pc']!, 32)}`);
    }
    const ret = (state.registers['pc']! + 8n) & 0xffff_ffffn;
    const swapped = results.get('compat-swapped')!;
    const arch = results.get('architectural')!;
    if (swapped.registers['sp_abt'] === ret && swapped.registers['lr_abt'] === state.registers['lr_abt'] && arch.registers['lr_abt'] === ret && arch.registers['sp_abt'] === state.registers['sp_abt']) {
      return { outcome: 'sp-abt-clobbered-in-compat-era', detail: `the compat-swapped map writes the return address ${hexOf(ret, 32)} into x21 = SP_abt and leaves LR_abt stale; the architectural map writes x20 = LR_abt`, lines };
    }
    return { outcome: 'abort-return-address-elsewhere', detail: 'the return address did not land as the register maps predict', lines };
  },
};

const USR_SYS: ScenarioInspection = {
  what: "ask KVM arm64 for the current mode's SPSR of the AArch32 vCPU stopped in System mode",
  expected: 'spsr-request-refused',
  inspect(machine, context): InspectionResult {
    const state = arm32MachineState(machine);
    const registers = catalogRegisters(context.state, 'arm32');
    const lines = [`guest stopped: cpsr = ${hexOf(state.registers['cpsr']!, 32)} (System mode)`];
    try {
      const done = catalogOperation(context.state, 'kvm-arm64-vcpu-spsr').run(state, registers);
      return { outcome: 'spsr-returned', detail: done.lines.join('; '), lines: [...lines, ...done.lines] };
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return { outcome: 'spsr-request-refused', detail: error.message, lines };
    }
  },
};

/** The arm32 spsr-* scenarios. */
export function arm32SpsrScenarios(): readonly Scenario[] {
  return [
    guestScenario('spsr-shifted-banks-aarch32', "QEMU 2014's banked_spsr[i - 1] on an AArch32 guest: SPSR_abt and SPSR_irq one bank low; QEMU 2015 puts them right", 'irq', SHIFTED),
    guestScenario('spsr-env-spsr-sync', "QEMU 2015 copies env->spsr into the current mode's bank before a put: a debugger's SPSR write in IRQ mode reaches KVM", 'irq', ENV_SPSR),
    guestScenario('spsr-compat-swap-abort', "old arm64 KVM's swapped compat SP/LR: an injected data abort's return address lands in SP_abt", 'irq', COMPAT_SWAP),
    guestScenario('spsr-usr-sys-refused', "the SPSR of System mode does not exist: KVM's vcpu_spsr() would BUG(), hyplay refuses", 'sys', USR_SYS),
  ];
}

/**
 * The spsr-* scenarios on an AArch64 guest (abi-facts §7.6): a real EL1
 * guest takes an SVC, so its exception entry leaves SPSR_EL1 = 0x3c5, and
 * stops; the scenario's inspection then exports that machine state into
 * KVM's ONE_REG core registers and shows
 * - `spsr-negative-index-aarch64`: QEMU's 2014 sync stores SPSR_EL1 through
 *   `&env->banked_spsr[-1]` on `uncached_cpsr` and `env->spsr`; the round
 *   trip inside one QEMU hides it; migration loses it;
 * - `spsr-fixed-sync-aarch64`: the 2015 sync keeps it, in and across processes;
 * - `spsr-partial-width-write`: a U32 write at `spsr[0]` is accepted by
 *   v4.12 (half the register written; a U128 one spills into `spsr[1]`) and
 *   refused by v5.0.1;
 * - `spsr-documented-fiq-id`: the documented `0x6060…0050` is refused in
 *   both eras while the real `0x6030…0050` is accepted.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { hexOf } from '../../../src/state/architectural-state.ts';
import { formatChanges, migrate } from '../../../src/state/migrate.ts';
import { oneRegIdHex, readWords, setOneReg } from '../../../src/state/one-reg.ts';
import { coreFileOf } from '../../../src/state/state-format.ts';
import type { StateSync } from '../../../src/state/state-support.ts';
import { fieldsAt } from '../../../src/state/struct-layout.ts';
import type { InspectionResult, Scenario, ScenarioInspection } from '../../../src/scenario/scenario.ts';
import { ARM64_STATE_REGISTERS, arm64MachineState } from '../state/architectural-state.ts';
import { KVM_ARM64_CORE } from '../state/kvm-arm64-core.ts';
import { QEMU_MIGRATION_STREAM, QEMU_SYNC_2014, QEMU_SYNC_2015 } from '../state/qemu-kvm64-sync.ts';

const GUEST_FILE = 'spsr-guest.s';
const BASE = 0x8_0000;

function guestScenario(name: string, title: string, inspection: ScenarioInspection): Scenario {
  return {
    name,
    arch: 'arm64',
    title,
    segments: [{ name: 'guest', base: BASE, source: readFileSync(new URL(`./${GUEST_FILE}`, import.meta.url), 'utf8'), origin: `arch/arm64/scenarios/${GUEST_FILE}` }],
    regions: [],
    firmware: [],
    entry: { at: { segment: 'guest', symbol: 'start' }, mode: 'el1h' },
    exits: [{ at: { segment: 'guest', symbol: 'done' }, kind: 'guest-done', what: 'the guest took its SVC and stopped' }],
    errorExits: [],
    maxSteps: 100,
    expected: 'guest-done',
    inspection,
  };
}

const idOf = (name: string): bigint => KVM_ARM64_CORE.ids[KVM_ARM64_CORE.registers.findIndex((r) => r.name === name)]!;
const wordOf = (name: string): number => KVM_ARM64_CORE.registers.find((r) => r.name === name)!.word;

function migration(sync: StateSync, expected: string): ScenarioInspection {
  return {
    what: `export to ${KVM_ARM64_CORE.id}, then get/put through ${sync.id}: in one process, and across a migration stream`,
    expected,
    inspect(machine): InspectionResult {
      const state = arm64MachineState(machine);
      const report = migrate(sync, QEMU_MIGRATION_STREAM, state, ARM64_STATE_REGISTERS);
      const env = report.sourceEnv;
      const spsr0 = report.log.get.find((a) => a.register === 'spsr[0]')!;
      const lines = [
        `guest stopped in EL1h: spsr_el1 = ${hexOf(state.registers['spsr_el1']!, 32)}, elr_el1 = ${hexOf(state.registers['elr_el1']!, 64)}`,
        `${sync.id} get: spsr[0] (${oneRegIdHex(idOf('spsr[0]'))}) -> ${spsr0.expression} = bytes ${spsr0.offset}-${spsr0.offset + 7} (${fieldsAt(env.layout, spsr0.offset, 8).join(', ')})`,
        `QEMU after get: uncached_cpsr = ${hexOf(env.get('uncached_cpsr'), 32)}, spsr = ${hexOf(env.get('spsr'), 32)}, banked_spsr[0..5] = ${[0, 1, 2, 3, 4, 5].map((i) => hexOf(env.get('banked_spsr', i), 32)).join(' ')}`,
        `round trip in one QEMU: ${report.inProcess.length === 0 ? 'no register changed' : formatChanges(report.inProcess, ARM64_STATE_REGISTERS).join('; ')}`,
        `after migration (${QEMU_MIGRATION_STREAM.id}): ${report.migrated.length === 0 ? 'no register changed' : formatChanges(report.migrated, ARM64_STATE_REGISTERS).join('; ')}`,
      ];
      const lost = report.migrated.map((c) => c.name);
      if (report.inProcess.length > 0) return { outcome: 'changed-in-process', detail: `the round trip inside one QEMU already changes ${report.inProcess.map((c) => c.name).join(', ')}`, lines };
      if (lost.length === 0) return { outcome: 'spsr-preserved', detail: `${sync.id} keeps SPSR_EL1 (${hexOf(state.registers['spsr_el1']!, 32)}) in banked_spsr[1], in one process and across the migration`, lines };
      if (lost.length === 1 && lost[0] === 'spsr_el1') {
        return { outcome: 'spsr-el1-lost-in-migration', detail: `${sync.id} keeps SPSR_EL1 on uncached_cpsr/spsr: hidden by the round trip in one process, replaced by the destination's ${hexOf(report.after.registers['spsr_el1']!, 32)} after migration`, lines };
      }
      return { outcome: 'registers-changed-in-migration', detail: `migration changes ${lost.join(', ')}`, lines };
    },
  };
}

const PARTIAL: ScenarioInspection = {
  what: 'write SPSR_EL1 with a U32 and a U128 ONE_REG ID as v4.12 and v5.0.1 check it',
  expected: 'partial-write-v4.12-refused-v5.0.1',
  inspect(machine): InspectionResult {
    const state = arm64MachineState(machine);
    const u32 = (idOf('spsr[0]') & ~(0xfn << 52n)) | (2n << 52n);
    const u128 = (idOf('spsr[0]') & ~(0xfn << 52n)) | (4n << 52n);
    const lines: string[] = [`guest stopped in EL1h: spsr[0] = ${hexOf(state.registers['spsr_el1']!, 64)}, spsr[1] = ${hexOf(state.registers['spsr_abt']!, 64)}`];
    const accepted: Record<string, boolean> = {};
    for (const era of KVM_ARM64_CORE.eras.map((e) => e.era)) {
      const file = coreFileOf(KVM_ARM64_CORE, state);
      // The high word is made visible first, so a write that reaches only the low half shows.
      setOneReg(KVM_ARM64_CORE, era, 'arm64', file, idOf('spsr[0]'), 0xa5a5_a5a5_0000_03c5n);
      const narrow = setOneReg(KVM_ARM64_CORE, era, 'arm64', file, u32, 0x8000_03c4n);
      lines.push(`${era}: U32 ${oneRegIdHex(u32)} = 0x800003c4 over 0xa5a5a5a5000003c5: ${narrow.errno === 0 ? 'accepted' : `-${narrow.errno}`}, spsr[0] now ${hexOf(readWords(file, wordOf('spsr[0]'), 8), 64)} (${narrow.why})`);
      const wide = setOneReg(KVM_ARM64_CORE, era, 'arm64', file, u128, (0x1d7n << 64n) | 0x3c5n);
      lines.push(`${era}: U128 ${oneRegIdHex(u128)}: ${wide.errno === 0 ? 'accepted' : `-${wide.errno}`}, spsr[1] now ${hexOf(readWords(file, wordOf('spsr[1]'), 8), 64)} (${wide.why})`);
      accepted[era] = narrow.errno === 0;
    }
    if (accepted['v4.12'] === true && accepted['v5.0.1'] === false) return { outcome: 'partial-write-v4.12-refused-v5.0.1', detail: 'v4.12 copies the 4 bytes in place (the high half of SPSR_EL1 survives); v5.0.1 validate_core_offset requires the U64 ID', lines };
    return { outcome: 'same-in-both-eras', detail: `v4.12 ${accepted['v4.12'] === true ? 'accepts' : 'refuses'} and v5.0.1 ${accepted['v5.0.1'] === true ? 'accepts' : 'refuses'} the U32 write`, lines };
  },
};

const DOCUMENTED: ScenarioInspection = {
  what: 'write SPSR_FIQ through the documented ID and through the real one, as v4.12 and v5.0.1 check it',
  expected: 'documented-id-rejected',
  inspect(machine): InspectionResult {
    const state = arm64MachineState(machine);
    const documented = KVM_ARM64_CORE.documentedIds![0]!;
    const lines: string[] = [`${oneRegIdHex(documented.id)} is documented for ${documented.register} (${documented.source}): ${documented.why}`];
    let refused = true;
    let realAccepted = true;
    for (const era of KVM_ARM64_CORE.eras.map((e) => e.era)) {
      const file = coreFileOf(KVM_ARM64_CORE, state);
      const bad = setOneReg(KVM_ARM64_CORE, era, 'arm64', file, documented.id, 0x1d1n);
      const good = setOneReg(KVM_ARM64_CORE, era, 'arm64', file, idOf('spsr[4]'), 0x1d1n);
      lines.push(`${era}: ${oneRegIdHex(documented.id)}: ${bad.errno === 0 ? 'accepted' : `-${bad.errno}`} (${bad.why}); ${oneRegIdHex(idOf('spsr[4]'))}: ${good.errno === 0 ? 'accepted' : `-${good.errno}`}`);
      refused &&= bad.errno !== 0;
      realAccepted &&= good.errno === 0;
    }
    if (refused && realAccepted) return { outcome: 'documented-id-rejected', detail: `KVM refuses ${oneRegIdHex(documented.id)} with -EINVAL in every era and accepts ${oneRegIdHex(idOf('spsr[4]'))}`, lines };
    return { outcome: 'documented-id-accepted', detail: 'an era accepts the documented ID, or refuses the real one', lines };
  },
};

/** The arm64 spsr-* scenarios. */
export function arm64SpsrScenarios(): readonly Scenario[] {
  return [
    guestScenario('spsr-negative-index-aarch64', "QEMU 2014's banked_spsr[i - 1]: SPSR_EL1 of an AArch64 guest lands on uncached_cpsr/spsr, hidden in one process, lost by migration", migration(QEMU_SYNC_2014, 'spsr-el1-lost-in-migration')),
    guestScenario('spsr-fixed-sync-aarch64', "QEMU 2015's banked_spsr[i + 1]: SPSR_EL1 of an AArch64 guest survives the round trip and the migration", migration(QEMU_SYNC_2015, 'spsr-preserved')),
    guestScenario('spsr-partial-width-write', 'a U32 ONE_REG write at spsr[0]: accepted by KVM v4.12 (half the register), refused by v5.0.1', PARTIAL),
    guestScenario('spsr-documented-fiq-id', "the documented SPSR_FIQ ID 0x6060000000100050 (U512) is refused by KVM; the real U64 ID works", DOCUMENTED),
  ];
}

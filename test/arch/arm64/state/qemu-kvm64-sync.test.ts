/**
 * Property tests over random architectural states (seeded, so a failure
 * replays): export → import is the identity through every correct format
 * and through QEMU's fixed sync, in one process and across the migration
 * stream; QEMU's 2014 sync fails in exactly the registers the layout and
 * the slot function predict (derived here from the format description, the
 * structure layout and the reset state, not listed by hand).
 */

import { describe, expect, it } from 'vitest';
import { ARM32_STATE_REGISTERS } from '../../../../arch/arm32/state/architectural-state.ts';
import { KVM_ARM32_CORE_FORMAT } from '../../../../arch/arm32/state/kvm-arm32-core.ts';
import { ARM64_STATE_REGISTERS } from '../../../../arch/arm64/state/architectural-state.ts';
import { KVM_ARM64_CORE, KVM_ARM64_CORE_FORMAT } from '../../../../arch/arm64/state/kvm-arm64-core.ts';
import { QEMU_MIGRATION_STREAM, QEMU_SYNC_2014, QEMU_SYNC_2015, qemuReset, qemuView, SLOT_2014, SLOT_2015 } from '../../../../arch/arm64/state/qemu-kvm64-sync.ts';
import { QEMU_CPU_STATE } from '../../../../arch/arm64/state/qemu-cpu-state.ts';
import { QEMU_CPU_STATE_FORMAT } from '../../../../arch/arm64/state/qemu-view-format.ts';
import { fieldsAt, type StructImage } from '../../../../src/state/struct-layout.ts';
import { diffStates, type ArchitecturalRegister, type ArchitecturalState } from '../../../../src/state/architectural-state.ts';
import { migrate } from '../../../../src/state/migrate.ts';
import { coreFileOf } from '../../../../src/state/state-format.ts';
import type { StateFormat } from '../../../../src/state/state-format.ts';
import { generator, randomState, zeroed } from '../../../state/random-state.ts';

const RUNS = 60;
const AARCH64_MODES = [0x0, 0x4, 0x5];
const AARCH32_MODES = [0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f];

function randomAarch64(next: () => number): ArchitecturalState {
  const pstate = (next() & 0xf000_03c0) | (next() & 0x10_0000) | AARCH64_MODES[next() % 3]!;
  return randomState('arm64', ARM64_STATE_REGISTERS, next, { pstate: BigInt(pstate >>> 0) });
}

function randomAarch32(next: () => number): ArchitecturalState {
  const cpsr = (next() & ~0x1f) | AARCH32_MODES[next() % AARCH32_MODES.length]!;
  return randomState('arm32', ARM32_STATE_REGISTERS, next, { cpsr: BigInt(cpsr >>> 0) });
}

/** The canonical registers a format carries for `guest` (from its description: a ONE_REG table's `holds`, or every register of a structure format). */
function carried(format: StateFormat, guest: string, registers: readonly ArchitecturalRegister[]): ReadonlySet<string> {
  if (format.oneReg === undefined) return new Set(registers.map((r) => r.name));
  return new Set(format.oneReg.registers.flatMap((r) => (r.holds[guest] === undefined ? [] : [r.holds[guest]!])));
}

const CASES: readonly { format: StateFormat; guest: string; registers: readonly ArchitecturalRegister[]; random: (next: () => number) => ArchitecturalState }[] = [
  { format: KVM_ARM64_CORE_FORMAT, guest: 'arm64', registers: ARM64_STATE_REGISTERS, random: randomAarch64 },
  { format: KVM_ARM64_CORE_FORMAT, guest: 'arm32', registers: ARM32_STATE_REGISTERS, random: randomAarch32 },
  { format: KVM_ARM32_CORE_FORMAT, guest: 'arm32', registers: ARM32_STATE_REGISTERS, random: randomAarch32 },
  { format: QEMU_CPU_STATE_FORMAT, guest: 'arm64', registers: ARM64_STATE_REGISTERS, random: randomAarch64 },
  { format: QEMU_CPU_STATE_FORMAT, guest: 'arm32', registers: ARM32_STATE_REGISTERS, random: randomAarch32 },
];

describe('export -> import is the identity through every correct format', () => {
  for (const { format, guest, registers, random } of CASES) {
    it(`${format.id}, ${guest} guest: the registers it carries come back, the others come back 0`, () => {
      const next = generator(0x5e5e + format.id.length + guest.length);
      const keeps = carried(format, guest, registers);
      expect(keeps.size).toBeGreaterThan(10);
      for (let run = 0; run < RUNS; run++) {
        const state = random(next);
        const back = format.import(format.export(state), registers);
        const expected = zeroed(state, registers.map((r) => r.name).filter((n) => !keeps.has(n)));
        expect(diffStates(expected, back.state, registers)).toEqual([]);
        expect(back.dropped).toEqual([]);
      }
    });
  }
});

/** Registers the KVM format does not carry for `guest` (zeroed before a migration, which goes through it). */
function notCarried(guest: string, registers: readonly ArchitecturalRegister[]): string[] {
  const keeps = carried(KVM_ARM64_CORE_FORMAT, guest, registers);
  return registers.map((r) => r.name).filter((n) => !keeps.has(n));
}

describe('QEMU 2015 sync: the identity in one process and across the migration stream', () => {
  for (const [guest, registers, random] of [['arm64', ARM64_STATE_REGISTERS, randomAarch64], ['arm32', ARM32_STATE_REGISTERS, randomAarch32]] as const) {
    it(`${guest} guest`, () => {
      const next = generator(guest === 'arm64' ? 64 : 32);
      for (let run = 0; run < RUNS; run++) {
        const state = zeroed(random(next), notCarried(guest, registers));
        const report = migrate(QEMU_SYNC_2015, QEMU_MIGRATION_STREAM, state, registers);
        expect(report.inProcess).toEqual([]);
        expect(report.migrated).toEqual([]);
      }
    });
  }
});

describe('QEMU 2014 sync fails where the layout predicts', () => {
  const spsrRegisters = KVM_ARM64_CORE.registers.filter((r) => r.name.startsWith('spsr['));

  it('AArch64 guest: nothing changes in one process; after migration exactly the registers synced through a negative index change, to the destination\'s bytes there', () => {
    // Derived: the KVM registers whose 2014 slot is below banked_spsr[0], and what a reset destination holds at that offset.
    const negative = spsrRegisters.filter((_, i) => SLOT_2014(i) < 0);
    expect(negative.map((r) => r.name)).toEqual(['spsr[0]']);
    // At that offset the destination holds its own reset bytes, except for fields the stream carries byte for byte.
    const raw = new Set(QEMU_MIGRATION_STREAM.fields.flatMap((f) => (f.raw === undefined ? [] : [f.raw])));
    const destinationBytes = (source: StructImage, offset: number): bigint => {
      const destination = qemuReset('arm64');
      for (const field of QEMU_CPU_STATE.fields) {
        const end = field.offset + field.bytes * field.count;
        if (raw.has(field.name) && field.offset < offset + 8 && end > offset) for (let b = field.offset; b < end; b++) destination.bytes[b] = source.bytes[b]!;
      }
      return destination.read(offset, 8);
    };
    const reset = qemuReset('arm64');
    const offsets = negative.map((_, i) => reset.offsetOf('banked_spsr', SLOT_2014(i)));
    expect(offsets.map((o) => fieldsAt(QEMU_CPU_STATE, o, 8))).toEqual([['uncached_cpsr', 'spsr']]);
    const next = generator(2014);
    for (let run = 0; run < RUNS; run++) {
      const state = zeroed(randomAarch64(next), notCarried('arm64', ARM64_STATE_REGISTERS));
      const report = migrate(QEMU_SYNC_2014, QEMU_MIGRATION_STREAM, state, ARM64_STATE_REGISTERS);
      expect(report.inProcess).toEqual([]);
      expect(report.migrated.map((c) => c.name)).toEqual(negative.map((r) => r.holds['arm64']));
      expect(report.migrated.map((c) => c.after)).toEqual(offsets.map((o) => destinationBytes(report.sourceEnv, o)));
    }
  });

  it("AArch64 guest: what QEMU's own view (TCG, gdbstub) sees after a get is every SPSR shifted by two banks", () => {
    const next = generator(7);
    for (let run = 0; run < RUNS; run++) {
      const state = randomAarch64(next);
      const env = qemuReset('arm64');
      QEMU_SYNC_2014.get(coreFileOf(KVM_ARM64_CORE, state), env, []);
      const view = qemuView(env, 'arm64', ARM64_STATE_REGISTERS);
      const reset = qemuView(qemuReset('arm64'), 'arm64', ARM64_STATE_REGISTERS);
      // The register QEMU reads from bank SLOT_2015(i) got KVM's spsr[j] with SLOT_2014(j) = SLOT_2015(i), or nothing.
      spsrRegisters.forEach((register, i) => {
        const j = spsrRegisters.findIndex((_, k) => SLOT_2014(k) === SLOT_2015(i));
        const name = register.holds['arm64']!;
        expect(view.registers[name], name).toBe(j < 0 ? reset.registers[name] : state.registers[spsrRegisters[j]!.holds['arm64']!]! & (name === 'spsr_el1' ? ~0n : 0xffff_ffffn));
      });
      const changed = diffStates(state, view, ARM64_STATE_REGISTERS).map((d) => d.name);
      for (const name of changed) expect(spsrRegisters.some((r) => r.holds['arm64'] === name) || !carried(KVM_ARM64_CORE_FORMAT, 'arm64', ARM64_STATE_REGISTERS).has(name), name).toBe(true);
    }
  });

  it('AArch32 guest: after a get each KVM SPSR sits one bank low, banks never synced keep their reset value, SPSR_svc lies on uncached_cpsr/spsr', () => {
    const next = generator(15);
    for (let run = 0; run < RUNS; run++) {
      const state = randomAarch32(next);
      const env = qemuReset('arm32');
      QEMU_SYNC_2014.get(coreFileOf(KVM_ARM64_CORE, state), env, []);
      const written = new Set<number>();
      spsrRegisters.forEach((register, i) => {
        const value = state.registers[register.holds['arm32']!]!;
        const slot = SLOT_2014(i);
        if (slot >= 0) {
          written.add(slot);
          expect(env.get('banked_spsr', slot)).toBe(value);
        } else {
          expect(env.read(env.offsetOf('banked_spsr', slot), 8)).toBe(value);
          expect([env.get('uncached_cpsr'), env.get('spsr')]).toEqual([value, 0n]);
        }
      });
      for (let bank = 0; bank < 8; bank++) if (!written.has(bank)) expect(env.get('banked_spsr', bank)).toBe(0n);
    }
  });
});

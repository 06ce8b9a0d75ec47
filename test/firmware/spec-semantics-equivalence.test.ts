/**
 * Every shipped spec's semantics answer alike through the two contexts that
 * run them: the dispatcher's `RecordingContext` (bigints over a map) and
 * spec firmware's `FirmwareContext` (handles resolved to typed-array words
 * of a live machine). Every example of every spec, and on arm32 every
 * conformance case, runs through both, in order, with hypervisor state kept
 * across the calls of a spec (so CPU_ON twice is ALREADY_ON on both sides);
 * for each call the outcome, the register writes (the recorded writes,
 * applied to an identical machine through `setRegister`, against the
 * machine the firmware context wrote), the guest memory writes and the
 * state must be equal.
 *
 * The only calls that cannot run on a backend's machine are those whose
 * semantics touch a register it does not have (BookE's ESR and IVPR on a
 * Book3S machine); the test pins that list.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { PPC64_BACKEND } from '../../arch/ppc64/backend.ts';
import { bigIntOutcome, exampleTrap, MapHypervisorState, registerName, type Abi, type CallOutcome, type Origin, type RegisterOperand } from '../../src/abi/spec.ts';
import { loadAbis } from '../../src/di/container.ts';
import { findCall, RecordingContext, RecordingMemory } from '../../src/dispatch/dispatcher.ts';
import { generateSuite, patternValue, suiteSelectorValues } from '../../src/firmware/conformance.ts';
import { FirmwareContext } from '../../src/firmware/firmware.ts';
import type { ArchBackend } from '../../src/interp/backend.ts';
import { MachineError, type Machine } from '../../src/interp/machine.ts';

const ABIS = loadAbis();

/** A RecordingContext that also notes every register the semantics read. */
class ReadingContext extends RecordingContext {
  readonly reads = new Set<string>();
  override get(register: RegisterOperand): bigint {
    this.reads.add(registerName(register));
    return super.get(register);
  }
}

interface Case {
  readonly label: string;
  readonly imm: number;
  readonly origin: Origin;
  readonly registers: Readonly<Record<string, bigint>>;
}

/**
 * Every call from every origin the spec allows, at the selector values a
 * conformance suite would try, on patterned registers (r0–r12 distinct,
 * with high words too, which a 32-bit machine drops) that meet the spec's
 * conditions: a case per call even where no driver runs suites (ppc64).
 */
function everyCall(abi: Abi): Case[] {
  const cases: Case[] = [];
  const values = suiteSelectorValues(abi);
  const byImmediate = abi.spec.selector.register === 'imm';
  const base: Record<string, bigint> = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`r${i}`, (BigInt(0xc0de + i) << 48n) | patternValue(i)]));
  for (const [register, set] of abi.conditions) base[register] = set.first()!;
  for (const privilege of abi.spec.origin.privilege) {
    for (const world of abi.spec.origin.world) {
      for (const call of abi.calls) {
        for (const value of values.get(call.spec.name) ?? []) {
          const imm = byImmediate ? Number(value) : Number(abi.imm.first() ?? 0n);
          const registers = byImmediate ? base : { ...base, [abi.spec.selector.register]: value };
          cases.push({ label: `${call.spec.name} at ${value} from ${privilege}/${world}`, imm, origin: { privilege, world }, registers });
        }
      }
    }
  }
  return cases;
}

function casesOf(abi: Abi, backend: ArchBackend): Case[] {
  const cases: Case[] = abi.spec.examples.map((example) => {
    const trap = exampleTrap(abi, example);
    return { label: `example '${example.title}'`, imm: trap.imm, origin: trap.origin, registers: trap.registers };
  });
  cases.push(...everyCall(abi));
  const driver = backend.firmware?.conformance;
  if (driver !== undefined) {
    let suite;
    try {
      suite = generateSuite(abi, backend.firmware!, driver);
    } catch {
      suite = undefined; // no case the driver can run (a conduit it cannot drive): the examples still count
    }
    for (const kase of suite?.cases ?? []) cases.push({ label: `case ${kase.name}`, imm: kase.trap.imm, origin: kase.trap.origin, registers: kase.registers });
  }
  return cases;
}

/** A machine in the hypervisor's mode with `registers` set (as the firmware sees them after the trap). */
function machineWith(backend: ArchBackend, mode: string, registers: Readonly<Record<string, bigint>>): Machine {
  const machine = backend.createMachine();
  machine.setMode(mode);
  for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
  return machine;
}

function dump(machine: Machine): Record<string, bigint> {
  return Object.fromEntries(Object.entries(machine.registers()).map(([name, value]) => [name, BigInt(value)]));
}

interface Unrunnable {
  readonly abi: string;
  readonly call: string;
  readonly registers: readonly string[];
}

function compareSpec(abi: Abi, backend: ArchBackend, mode: string): { compared: number; unrunnable: Unrunnable[] } {
  const recordedState = new MapHypervisorState();
  const firmwareState = new MapHypervisorState();
  const unrunnable: Unrunnable[] = [];
  let compared = 0;
  for (const kase of casesOf(abi, backend)) {
    const where = `${abi.spec.id} ${kase.label}`;
    const firmwareMachine = machineWith(backend, mode, kase.registers);
    const recordedMachine = machineWith(backend, mode, kase.registers);
    const recording = new ReadingContext(dump(recordedMachine), kase.imm, kase.origin, recordedState);
    const found = findCall(abi, kase.imm, kase.origin, (r) => recording.get(r));
    if (typeof found === 'string') throw new Error(`${where}: reaches no call: ${found}`);
    recording.reads.clear();
    const expected: CallOutcome = bigIntOutcome(found.spec.run(recording));
    const memory = new RecordingMemory();
    const context = new FirmwareContext(firmwareMachine, backend.firmware!, { state: firmwareState, memory });
    context.imm = kase.imm;
    context.origin = kase.origin;
    let outcome: CallOutcome;
    try {
      outcome = bigIntOutcome(found.spec.run(context));
    } catch (error) {
      if (!(error instanceof MachineError)) throw error;
      // The firmware can only fail on a register the machine does not have; the recording must have touched one.
      const missing = [...recording.reads, ...recording.writes.keys()].filter((name) => {
        try {
          firmwareMachine.register(name);
          return false;
        } catch {
          return true;
        }
      });
      expect(missing, where).not.toEqual([]);
      unrunnable.push({ abi: abi.spec.id, call: found.spec.name, registers: [...new Set(missing)].sort() });
      continue;
    }
    expect(outcome, where).toEqual(expected);
    for (const [name, value] of recording.writes) recordedMachine.setRegister(name, value);
    expect(firmwareMachine.registers(), where).toEqual(recordedMachine.registers());
    expect([...memory.writes], where).toEqual([...recording.memory.writes]);
    expect([...firmwareState.values], where).toEqual([...recordedState.values]);
    compared++;
  }
  return { compared, unrunnable };
}

describe.each([
  ['arm32', ARM32_BACKEND, 'hyp'],
  ['ppc64', PPC64_BACKEND, 'hv'],
] as const)('%s spec semantics through the recording and the firmware context', (arch, backend, mode) => {
  const abis = ABIS.all(arch);

  it('has specs to compare', () => {
    expect(abis.length).toBeGreaterThan(5);
  });

  const unrunnable: Unrunnable[] = [];
  let compared = 0;
  it.each(abis.map((abi) => [abi.spec.id, abi] as const))('%s: every example and conformance case answers alike', (_, abi) => {
    const result = compareSpec(abi, backend, mode);
    compared += result.compared;
    unrunnable.push(...result.unrunnable);
    expect(result.compared + result.unrunnable.length).toBeGreaterThan(0);
  });

  it('compared many calls, and only BookE calls cannot run (on the Book3S machine, for want of ESR/IVPR/IVOR6)', () => {
    // Every call of every spec at least once (the syscall tables and PAPR's opcode list are most of them).
    expect(compared).toBeGreaterThan(arch === 'arm32' ? 2000 : 1500);
    const byCall = [...new Set(unrunnable.map((u) => `${u.abi} ${u.call}: ${u.registers.join(' ')}`))].sort();
    if (arch === 'arm32') expect(byCall).toEqual([]);
    else {
      expect(byCall.length).toBeGreaterThan(0);
      for (const line of byCall) expect(line).toMatch(/^epapr-kvm-booke-hv-v3\.[58] \S+: esr ivor6 ivpr$/);
    }
  });
});

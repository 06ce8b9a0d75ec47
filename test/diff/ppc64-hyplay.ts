/**
 * Run a ppc64 differential case in hyplay: a fresh machine of the case's
 * byte order in problem state (64-bit, MSR[LE] as the byte order), the
 * sequence at its slot, the data page mapped, and a `wait` at every
 * interrupt vector so that an interrupt ends the run where it can be read:
 * SRR0 is the instruction that raised it, and GPRs, CR, XER, LR and CTR are
 * what that instruction saw.
 *
 * @module
 */

import { createPpc64Machine } from '../../arch/ppc64/core.ts';
import type { Ppc64State } from '../../arch/ppc64/registers.ts';
import { restoreState, snapshotState } from '../../src/cpu/plain-state.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import type { Endian } from '../../src/memory/guest-memory.ts';
import { copyIn, copyOut, type DiffCase, type Outcome } from './differential.ts';
import { DATA, DATA_SIZE, SEQUENCES, SLOT, SLOTS } from './ppc64-generator.ts';

/** `wait`, which ends a hyplay run (reason `wfi`). */
const WAIT = 0x7c00_003c;
const EMPTY_DATA = new Uint8Array(DATA_SIZE);

/** The registers compared on ppc64, in listing order. */
export const PPC64_COMPARED = [...Array.from({ length: 32 }, (_, i) => `r${i}`), 'cr', 'xer', 'lr', 'ctr', 'pc'] as const;

/** Program-interrupt kinds by SRR1 bit (Book III 6.5.9): 44 illegal, 45 privileged, 46 trap. */
function programKind(srr1: bigint): string {
  if ((srr1 & 0x2_0000n) !== 0n) return 'trap';
  if ((srr1 & 0x4_0000n) !== 0n) return 'privileged';
  if ((srr1 & 0x8_0000n) !== 0n) return 'illegal';
  return 'program';
}

const VECTORS: ReadonlyMap<number, string> = new Map([
  [0x300, 'data-storage'],
  [0x400, 'instruction-storage'],
  [0x600, 'alignment'],
  [0x700, 'program'],
  [0xc00, 'system-call'],
]);

/** One machine per byte order serves every case: its pristine state is restored and the memory a case uses rewritten. */
interface Runner {
  readonly machine: CoreMachine<Ppc64State>;
  readonly pristine: Ppc64State;
  /** The code the previous case left, to clear. */
  previous: { readonly code: number; readonly length: number } | undefined;
}

const runners = new Map<Endian, Runner>();

function setUp(endian: Endian): Runner {
  const machine = createPpc64Machine({ endian });
  const memory = machine.memory;
  memory.map(0, 0x1000);
  // Instructions are stored in the machine's byte order, which GuestMemory.write32 uses.
  for (const vector of VECTORS.keys()) memory.write32(vector, WAIT);
  memory.map(SEQUENCES, SLOTS * SLOT);
  memory.map(DATA, DATA_SIZE);
  machine.setMode('problem');
  return { machine, pristine: snapshotState(machine.state), previous: undefined };
}

/** Run `c` in a machine of byte order `endian`. */
export function runPpc64InHyplay(c: DiffCase, endian: Endian): Outcome {
  let runner = runners.get(endian);
  if (runner === undefined) {
    runner = setUp(endian);
    runners.set(endian, runner);
  }
  const { machine } = runner;
  const memory = machine.memory;
  restoreState(machine.state, runner.pristine);
  if (runner.previous !== undefined) for (let i = 0; i <= runner.previous.length; i++) memory.write32(runner.previous.code + 4 * i, 0);
  c.instructions.forEach((instruction, i) => memory.write32(c.code + 4 * i, instruction.word));
  const end = c.code + 4 * c.instructions.length;
  memory.write32(end, WAIT);
  runner.previous = { code: c.code, length: c.instructions.length };
  copyIn(memory, DATA, EMPTY_DATA);
  for (const block of c.memory) copyIn(memory, block.base, block.bytes);
  machine.interpreter.flush();
  for (const [name, value] of Object.entries(c.registers)) machine.setRegister(name, value);
  machine.pc = c.code;
  const result = machine.run(c.instructions.length + 2);
  const registers: Record<string, bigint> = {};
  for (const name of PPC64_COMPARED) registers[name] = machine.register(name);
  const data = [{ base: DATA, bytes: copyOut(memory, DATA, DATA_SIZE) }];
  if (machine.mode() === 'problem') {
    if (result.reason === 'wfi' && result.pc === end + 4) {
      registers.pc = BigInt(end);
      return { end: { kind: 'completed' }, registers, memory: data };
    }
    return { end: { kind: 'stopped', reason: result.reason, detail: result.detail }, registers, memory: data };
  }
  const vector = VECTORS.get(result.pc - 4);
  if (result.reason !== 'wfi' || vector === undefined) {
    return { end: { kind: 'stopped', reason: result.reason, detail: `${result.detail} (in ${machine.mode()} state)` }, registers, memory: data };
  }
  const at = Number(machine.register('srr0'));
  registers.pc = BigInt(at);
  const srr1 = machine.register('srr1');
  const exception = vector === 'program' ? programKind(srr1) : vector;
  return { end: { kind: 'exception', exception, at, detail: `SRR1 0x${srr1.toString(16)}` }, registers, memory: data };
}

/**
 * Run an A32 differential case in hyplay: a fresh arm32 machine in usr
 * mode, the code region and data page mapped as the generator lays them
 * out, and a PL1 vector table of `wfi`s so that an exception ends the run
 * at a known place. The outcome is the usr-mode view: on an exception, the
 * registers the faulting instruction saw (the banked SP/LR of usr, the CPSR
 * from the SPSR of the mode the exception entered).
 *
 * @module
 */

import { createArm32Machine } from '../../arch/arm32/core.ts';
import { Mode, Psr, type Arm32State } from '../../arch/arm32/registers.ts';
import { restoreState, snapshotState } from '../../src/cpu/plain-state.ts';
import type { RunResult } from '../../src/interp/interpreter.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import { CODE_REGION, CODE_REGION_SIZE, DATA, DATA_SIZE, TERMINATOR } from './arm32-generator.ts';
import { copyIn, copyOut, type DiffCase, type Outcome } from './differential.ts';

/** Where the PL1 vectors go (only hyplay has them; the reference reports exceptions itself). */
const VBAR = 0x3_0000;
const WFI = 0xe320_f003;
const EMPTY_CODE = new Uint8Array(CODE_REGION_SIZE);
const EMPTY_DATA = new Uint8Array(DATA_SIZE);

/** The registers compared on A32, in listing order. */
export const ARM32_COMPARED = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc', 'cpsr', 'tpidrurw', 'tpidruro'] as const;

/** The exception at each vector offset, with how far past the faulting instruction its LR points. */
const VECTORS: ReadonlyMap<number, { readonly name: string; readonly mode: string; readonly lrOffset: number }> = new Map([
  [0x04, { name: 'undefined', mode: 'und', lrOffset: 4 }],
  [0x08, { name: 'svc', mode: 'svc', lrOffset: 4 }],
  [0x0c, { name: 'prefetch-abort', mode: 'abt', lrOffset: 4 }],
  [0x10, { name: 'data-abort', mode: 'abt', lrOffset: 8 }],
]);

function hex(value: bigint | number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** One machine serves every case: its pristine state is restored and all memory it uses rewritten. */
interface Runner {
  readonly machine: CoreMachine<Arm32State>;
  readonly pristine: Arm32State;
}

let runner: Runner | undefined;

function setUp(): Runner {
  const machine = createArm32Machine();
  const memory = machine.memory;
  memory.map(CODE_REGION, CODE_REGION_SIZE);
  memory.map(DATA, DATA_SIZE);
  memory.map(VBAR, 0x1000);
  for (let offset = 0; offset < 0x20; offset += 4) memory.write32(VBAR + offset, WFI);
  machine.setRegister('vbar', BigInt(VBAR));
  return { machine, pristine: snapshotState(machine.state) };
}

/**
 * Run one instruction at a time, applying the case's adjustments after the
 * instructions they name: `keep-cpsr-e` puts CPSR.E back as it was before
 * the instruction (what a reference that ignores the write does).
 */
function runAdjusted(machine: CoreMachine<Arm32State>, c: DiffCase): RunResult {
  const state = machine.state;
  for (let steps = 0; ; steps++) {
    const index = (state.pc - c.code) / 4;
    const keepE = c.adjustments!.some((a) => a.index === index && a.kind === 'keep-cpsr-e');
    const e = state.psrRest & Psr.E;
    const result = machine.run(1);
    if (keepE && state.mode === Mode.usr) state.psrRest = (state.psrRest & ~Psr.E) | e;
    if (result.reason !== 'budget-exhausted' || steps > c.instructions.length) return result;
  }
}

/** Run `c` to its end (or its first exception) and read the state. */
export function runArm32InHyplay(c: DiffCase): Outcome {
  runner ??= setUp();
  const { machine } = runner;
  const memory = machine.memory;
  restoreState(machine.state, runner.pristine);
  copyIn(memory, CODE_REGION, EMPTY_CODE);
  c.instructions.forEach((instruction, i) => memory.write32(c.code + 4 * i, instruction.word));
  const end = c.code + 4 * c.instructions.length;
  memory.write32(end, TERMINATOR);
  copyIn(memory, DATA, EMPTY_DATA);
  for (const block of c.memory) copyIn(memory, block.base, block.bytes);
  machine.interpreter.flush();
  // The CPSR first: it selects usr mode, whose banked SP and LR the later writes set.
  machine.setRegister('cpsr', c.registers.cpsr!);
  for (const [name, value] of Object.entries(c.registers)) if (name !== 'cpsr') machine.setRegister(name, value);
  machine.pc = c.code;
  const result = c.adjustments === undefined ? machine.run(c.instructions.length + 2) : runAdjusted(machine, c);
  const read = (name: string): bigint => machine.register(name);
  const data = [{ base: DATA, bytes: copyOut(memory, DATA, DATA_SIZE) }];
  const registers: Record<string, bigint> = {};
  if (machine.mode() === 'usr') {
    for (const name of ARM32_COMPARED) registers[name] = read(name);
    if (result.reason === 'wfi' && result.pc === end + 4) {
      registers.pc = BigInt(end);
      return { end: { kind: 'completed' }, registers, memory: data };
    }
    return { end: { kind: 'stopped', reason: result.reason, detail: result.detail }, registers, memory: data };
  }
  const vector = VECTORS.get(result.pc - 4 - VBAR);
  if (result.reason !== 'wfi' || vector === undefined || machine.mode() !== vector.mode) {
    for (const name of ARM32_COMPARED) registers[name] = read(name);
    return { end: { kind: 'stopped', reason: result.reason, detail: `${result.detail} (in ${machine.mode()} mode)` }, registers, memory: data };
  }
  const at = Number(read(`lr_${vector.mode}`)) - vector.lrOffset;
  for (const name of ARM32_COMPARED) {
    if (name === 'sp' || name === 'lr') registers[name] = read(`${name}_usr`);
    else if (name === 'pc') registers[name] = BigInt(at);
    else if (name === 'cpsr') registers[name] = read(`spsr_${vector.mode}`);
    else registers[name] = read(name);
  }
  const detail = vector.name === 'data-abort' ? `DFSR ${hex(read('dfsr'))}, DFAR ${hex(read('dfar'))}` : undefined;
  return { end: { kind: 'exception', exception: vector.name, at, ...(detail === undefined ? {} : { detail }) }, registers, memory: data };
}

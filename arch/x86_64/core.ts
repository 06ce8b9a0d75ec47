/**
 * The x86-64 execution core: predecoding (byte-by-byte fetch, the table's
 * variable-length decode, the row's semantics), the register view and the
 * machine factory.
 *
 * Instructions are byte-aligned and up to 15 bytes long, so the predecode
 * cache and the block walk step one byte at a time (`alignShift` 0) and an
 * instruction may cross a page: each byte is fetched on its own, and a
 * byte that cannot be fetched is a #PF on that byte's page (fact sheet
 * §9; SDM vol. 3 §4.7), with RIP on the instruction's first byte.
 *
 * Once the guest loads CR3 (`paging.ts`: before that the reset state's
 * identity map applies), the core translates: each instruction is
 * predecoded through the translating view (`translated-memory.ts`), its
 * bytes fetched through the TLB (`tlb.ts`), and its accesses made through
 * the same view; the block loop then steps one instruction at a time
 * through {@link X86Core.decode}, which keeps translated ops by linear
 * address and reuses one only while its first and last bytes still
 * translate to the physical addresses it was fetched from (and no code
 * write has happened since).
 *
 * @module
 */

import type { EngineName, RegisterAlias } from '../../src/interp/backend.ts';
import type { DecodedOp, Handler } from '../../src/interp/decoded-op.ts';
import type { ExecutionCore, LoopHost, RunLoop } from '../../src/interp/interpreter.ts';
import { CoreMachine, type MachineSnapshot, type RegisterView } from '../../src/interp/machine.ts';
import { hexAddress, RETIRED, stop, type ExceptionReturn, type Retired, type StepResult, type Stop, type Trap } from '../../src/interp/step-result.ts';
import { instanceCopy } from '../../src/interp/instance-code.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { Jit } from '../../src/jit/jit.ts';
import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { X86Translator, type X86TranslatorOptions } from './jit/translator.ts';
import { PageAccess, walk } from './paging.ts';
import { pagingActive, X86Tlb } from './tlb.ts';
import { X86TranslatedMemory } from './translated-memory.ts';
import { cplName, deliverHypercallExit, deliverSyscall, deliverX86, exceptionReturnX86, hypercallExitAt, returnSysret, type X86Host } from './exceptions.ts';
import {
  addressValue,
  codeSizeOf,
  createX86State,
  linearAddress,
  enterMode,
  GPR16_NAMES,
  GPR32_NAMES,
  GPR8_REX_NAMES,
  GPR_NAMES,
  MODE_NAMES,
  MSR_SLOT_BY_NAME,
  MSRS,
  RFLAGS_WRITABLE,
  Flag,
  Seg,
  SEG_NAMES,
  VENDORS,
  type Vendor,
  type X86State,
} from './registers.ts';
import { COMPAT_UNMODELLED_HANDLERS, conditionOf, endsX86Block, resolveOperands, undefinedOp, X86Op, type X86Handler } from './semantics/common.ts';
import { X86_SEMANTICS } from './semantics/index.ts';
import { addFlags32, addFlags64, numberForm, NUMBER_FORMS, subFlags32, subFlags64, szp32, szp64 } from './semantics/number-forms.ts';
import { decodeX86, isInsn, MAX_INSTRUCTION_BYTES, X86_TABLE, type X86Insn } from './table.ts';
import { formatInsn, X86_INSTRUCTION_SETS } from './operands.ts';

/** Runs an op's fixed trap (fetch faults, undefined encodings). */
const raiseFixed: X86Handler = (_s, op) => op.fixed as StepResult;

/** An x86 handler as the step loop calls it: every op an x86 core makes is an {@link X86Op}. */
function asHandler(handler: X86Handler): Handler<X86State> {
  return handler as unknown as Handler<X86State>;
}

/** The name of the pseudo-op that stops at a form compatibility mode has that is not modelled. */
export const COMPAT_UNSUPPORTED_OP = 'compat-unsupported';

/** An op that stops the run with `compat-unsupported` at `address`, naming `what` (and keeping `insn`, when it decoded, for the disassembly). */
function unmodelledOp(memory: GuestMemory, address: number, length: number, what: string, insn?: X86Insn): X86Op {
  const reason = stop('compat-unsupported', `${what} at ${hexAddress(address)}: not modelled in compatibility mode`);
  // RIP stays on the instruction.
  const stopHere: X86Handler = (s, o) => {
    s.pc = o.address;
    return reason;
  };
  const op = new X86Op(COMPAT_UNSUPPORTED_OP, address, Math.max(1, length), 0, asHandler(stopHere), memory);
  op.insn = insn;
  return op;
}

/**
 * Predecode the instruction at `address` as code of `codeSize` (from
 * `codeSizeOf` in `registers.ts`: 8 in 64-bit mode, 4 in compatibility mode
 * with CS.D = 1, 2 with CS.D = 0), in a code segment based at `csBase`.
 * Never throws: a byte that cannot be fetched is a fetch fault carrying
 * that byte's address (`address` of the trap) and the instruction's first
 * byte (`next`, where the exception model puts RIP); an unknown encoding
 * is #UD. In compatibility mode, what hyplay does not model (16-bit code,
 * a CS base other than 0, the forms the decoder names, and the rows of
 * `COMPAT_UNMODELLED_HANDLERS`) is an op that stops the run with
 * `compat-unsupported`; the rest runs the rows' own handlers (never the
 * number-typed forms of `number-forms.ts`, which the JIT translates).
 */
export function predecodeX86(memory: GuestMemory, address: number, codeSize: 8 | 4 | 2 = 8, csBase = 0n): X86Op {
  if (codeSize === 2) return unmodelledOp(memory, address, 1, '16-bit code (CS.D = 0)');
  if (codeSize === 4 && csBase !== 0n) return unmodelledOp(memory, address, 1, `code in a segment based at 0x${csBase.toString(16)}`);
  const result = decodeX86((i) => memory.fetch8(address + i), X86_TABLE, codeSize);
  if (!isInsn(result)) {
    if (result.kind === 'unmodelled') return unmodelledOp(memory, address, result.length, result.what);
    if (result.kind === 'fetch-fault') {
      const op = new X86Op('fetch-fault', address, 1, 0, asHandler(raiseFixed), memory);
      op.fixed = { kind: 'trap', cause: 'fetch-fault', address: address + result.offset, next: address };
      op.cacheable = false;
      return op;
    }
    const op = new X86Op('undefined', address, Math.max(1, result.length), 0, asHandler(raiseFixed), memory);
    op.fixed = undefinedOp(op, result.reason);
    return op;
  }
  const row = result.row;
  if (codeSize === 4 && COMPAT_UNMODELLED_HANDLERS.has(row.handler)) return unmodelledOp(memory, address, result.length, `'${formatInsn(result, 'att', address).replace(/\t+/g, ' ')}'`, result);
  const word = firstWord(memory, address, result.length);
  const handler = X86_SEMANTICS[row.handler];
  const op = new X86Op(row.name, address, result.length, word, asHandler(handler ?? raiseFixed), memory);
  op.insn = result;
  op.opsize = result.opsize;
  op.variant = row.variant;
  op.operands = resolveOperands(result);
  if (handler === undefined) op.fixed = undefinedOp(op, `no semantics for ${row.name}`);
  // The hot forms (32/64-bit register and immediate ALU, MOV, TEST, INC/DEC; near branches) run on numbers, decided once here.
  const fast = codeSize === 8 ? numberForm(op) : undefined;
  if (fast !== undefined) op.exec = op.inner = asHandler(fast);
  // What the interpreter's block loop performs inline, or hands to the exception model directly (X86FastKind).
  // Only in 64-bit code: 32-bit code runs its rows' handlers, and its traps and returns go through X86Core.deliver and
  // exceptionReturn (a SYSCALL from compatibility mode leaves it).
  op.fast = codeSize === 8 ? x86FastKind(op, fast) : 0;
  return op;
}

/** Up to the first four bytes as a little-endian word (what a trace record keeps of an op). */
function firstWord(memory: GuestMemory, address: number, length: number): number {
  let word = 0;
  for (let i = Math.min(4, length) - 1; i >= 0; i--) word = (word << 8) | (memory.fetch8(address + i) ?? 0);
  return word >>> 0;
}

/**
 * `op.fast` of the forms the interpreter's block loop (`interpretX86Blocks`)
 * performs inline, chosen once at predecode (`x86FastKind`) from the op's number-typed
 * handler (`semantics/number-forms.ts`) and its slots: 1–8 the ALU
 * operations ADD, OR, ADC, SBB, AND, SUB, XOR, CMP (the handlers'
 * `variant`) on 32-bit registers, 9–16 the same with an immediate, 17–24
 * and 25–32 on 64-bit registers; then TEST, MOV, INC/DEC, the near branches,
 * and the instructions that leave for the exception model.
 */
export const X86FastKind = {
  /** ADD r32, r32 (`+ variant` for OR … CMP). */
  alu32: 1,
  /** ADD r32, imm. */
  alu32Imm: 9,
  /** ADD r64, r64. */
  alu64: 17,
  /** ADD r64, imm. */
  alu64Imm: 25,
  /** TEST r32, r32. */
  test32: 33,
  /** TEST r32, imm. */
  test32Imm: 34,
  /** TEST r64, r64. */
  test64: 35,
  /** TEST r64, imm. */
  test64Imm: 36,
  /** MOV r32, r32. */
  mov32: 37,
  /** MOV r32, imm. */
  mov32Imm: 38,
  /** MOV r64, r64. */
  mov64: 39,
  /** MOV r64, imm. */
  mov64Imm: 40,
  /** INC r32. */
  inc32: 41,
  /** DEC r32. */
  dec32: 42,
  /** INC r64. */
  inc64: 43,
  /** DEC r64. */
  dec64: 44,
  /** Jcc rel (the target in `imm`). */
  jcc: 45,
  /** JMP rel. */
  jmp: 46,
  /** SYSCALL: where its handler lets it through (its own trap), straight to the exception model's entry. */
  syscall: 47,
  /** SYSRET: where its handler lets it through (its own request), straight to the exception model's return. */
  sysret: 48,
  /** VMCALL without a prefix: where its handler lets it through (a VMX guest), straight to the VM exit. */
  vmcall: 49,
  /** VMMCALL without a prefix: where its handler lets it through (an SVM guest), straight to the VM exit. */
  vmmcall: 50,
} as const;

const F = NUMBER_FORMS;

/**
 * {@link DecodedOp.fast} of `op` (see {@link X86FastKind}), whose
 * number-typed handler, if it has one, is `form`; 0: the op runs through
 * `op.exec`.
 */
function x86FastKind(op: X86Op, form: X86Handler | undefined): number {
  const insn = op.insn;
  if (insn === undefined || op.fixed !== undefined) return 0;
  const imm = op.src1 < 0;
  switch (form) {
    case undefined:
      break;
    case F.alu32:
      return (imm ? X86FastKind.alu32Imm : X86FastKind.alu32) + op.variant;
    case F.alu64:
      return (imm ? X86FastKind.alu64Imm : X86FastKind.alu64) + op.variant;
    case F.test32:
      return imm ? X86FastKind.test32Imm : X86FastKind.test32;
    case F.test64:
      return imm ? X86FastKind.test64Imm : X86FastKind.test64;
    case F.mov32:
      return imm ? X86FastKind.mov32Imm : X86FastKind.mov32;
    case F.mov64:
      return imm ? X86FastKind.mov64Imm : X86FastKind.mov64;
    case F.incdec32:
      return op.variant === 0 ? X86FastKind.inc32 : X86FastKind.dec32;
    case F.incdec64:
      return op.variant === 0 ? X86FastKind.inc64 : X86FastKind.dec64;
    default:
      // The near branches, in and beyond the JIT's range alike (jccNear, jccNearFar, jmpNear, jmpNearFar).
      if (insn.row.handler === 'jcc') return X86FastKind.jcc;
      if (insn.row.handler === 'jmp') return X86FastKind.jmp;
      return 0;
  }
  switch (insn.row.handler) {
    case 'syscall':
      return X86FastKind.syscall;
    case 'sysret':
      return X86FastKind.sysret;
    case 'vmcall':
    case 'vmmcall':
      // A prefix makes either #UD (the handler's), whatever the vendor.
      if (insn.operandPrefix || insn.rep !== 0 || insn.lock) return 0;
      return insn.row.handler === 'vmcall' ? X86FastKind.vmcall : X86FastKind.vmmcall;
    default:
      return 0;
  }
}

/**
 * By {@link X86FastKind}, 1 for the inline ops that write all six status
 * flags and read none (ADD, OR, AND, SUB, XOR, CMP and TEST; not ADC and SBB,
 * which read CF, nor INC and DEC, which keep it): an inline ALU op followed
 * in its block by one of these leaves RFLAGS alone, since nothing can see
 * the flags it would write before they are written again (neither op
 * traps, and the budget check is the block's `count`).
 */
const FLAG_KILLERS: Uint8Array = (() => {
  const kills = new Uint8Array(64);
  for (const first of [X86FastKind.alu32, X86FastKind.alu32Imm, X86FastKind.alu64, X86FastKind.alu64Imm]) {
    for (const variant of [0, 1, 4, 5, 6, 7]) kills[first + variant] = 1;
  }
  for (const kind of [X86FastKind.test32, X86FastKind.test32Imm, X86FastKind.test64, X86FastKind.test64Imm]) kills[kind] = 1;
  return kills;
})();

/** What the interpreter's loop ({@link interpretX86Blocks}) calls, passed in because the loop is closed (see {@link instanceCopy}). */
interface X86LoopKit {
  /** {@link RETIRED}. */
  readonly retired: Retired;
  /** The core's {@link X86Core.deliver}. */
  readonly deliver: (s: X86State, trap: Trap, trace: TraceSink | undefined) => Stop | undefined;
  /** The core's {@link X86Core.exceptionReturn}. */
  readonly exceptionReturn: (s: X86State, request: ExceptionReturn, trace: TraceSink | undefined) => Stop | undefined;
  /** {@link deliverSyscall}. */
  readonly syscall: typeof deliverSyscall;
  /** {@link returnSysret} on this core. */
  readonly sysret: (s: X86State, request: ExceptionReturn, trace: TraceSink | undefined) => Stop | undefined;
  /** The hypercall VM exit of `op` ({@link hypercallExitAt}) to this core's host ({@link deliverHypercallExit}). */
  readonly hypercall: (s: X86State, op: X86Op, trace: TraceSink | undefined) => Stop | undefined;
  /** By {@link X86FastKind}: 1 for the inline ops that write every status flag and read none ({@link FLAG_KILLERS}). */
  readonly kills: Uint8Array;
  /** The flag functions the number-typed handlers use. */
  readonly addFlags32: typeof addFlags32;
  /** See {@link subFlags32}. */
  readonly subFlags32: typeof subFlags32;
  /** See {@link addFlags64}. */
  readonly addFlags64: typeof addFlags64;
  /** See {@link subFlags64}. */
  readonly subFlags64: typeof subFlags64;
  /** See {@link szp32}. */
  readonly szp32: typeof szp32;
  /** See {@link szp64}. */
  readonly szp64: typeof szp64;
  /** See {@link conditionOf}. */
  readonly conditionOf: typeof conditionOf;
}

/**
 * The interpreter engine's hot loop, in this backend's source so that V8's
 * type feedback sees only x86 ops (each machine runs a copy of its own
 * once it has run a while): it runs the blocks of `host.blocks` (one
 * budget check per block). Ops with a {@link X86FastKind} below
 * SYSCALL run inline, exactly as their number-typed handlers compute
 * (the flags through the same functions), without setting RIP or the
 * step counter, which are brought up to date where anything could read
 * them: before any other op runs, at a trap, at the block's end. Every
 * other op runs through `op.exec`, its trap or return to the exception
 * model; SYSCALL, SYSRET, VMCALL and VMMCALL, where their handlers let
 * them through, straight to their own entries there. While
 * paging is on, one instruction at a time through the translating decode
 * (`host.step`).
 *
 * A run traced into a recorder registers a block's ops before the block
 * first runs and records the steps that started as a block (one copy of
 * the block's records, `TraceRecorder.blockRecords`); where an op may
 * emit events of its own (every op run through `exec` or the exception
 * model), the steps up to and including it are recorded before it runs,
 * so that events keep their order. Closed (see {@link instanceCopy}):
 * everything it calls comes in `kit`.
 */
function interpretX86Blocks(kit: X86LoopKit, host: LoopHost<X86State>, s: X86State, maxSteps: number): number {
  const retired = kit.retired;
  const addFlags32 = kit.addFlags32;
  const subFlags32 = kit.subFlags32;
  const addFlags64 = kit.addFlags64;
  const subFlags64 = kit.subFlags64;
  const szp32 = kit.szp32;
  const szp64 = kit.szp64;
  const conditionOf = kit.conditionOf;
  const kills = kit.kills;
  const blocks = host.blocks;
  const slots = blocks.slots;
  const mask = blocks.mask;
  const recorder = host.recorder;
  const g = s.gpr32;
  let steps = 0;
  blocks: while (steps < maxSteps) {
    if (s.paging !== 0) {
      // Paging is on: one instruction at a time through the translating decode (X86Core.decode).
      steps++;
      if (host.step()) return steps;
      continue;
    }
    const pc = s.pc;
    let block = slots[pc & mask]!;
    if (block.address !== pc) block = blocks.find(pc);
    const ops = block.ops;
    const room = maxSteps - steps;
    let count = block.count < room ? block.count : room;
    // Every op of a block runs at the CPL it started at: what changes the CPL ends the block.
    const mode = s.cpl;
    if (recorder !== undefined && (block.tracedBy !== recorder || block.traceMode !== mode)) {
      recorder.registerAll(ops);
      block.tracedBy = recorder;
      block.traceMode = mode;
      block.traceRecords = recorder.blockRecords(ops, mode);
    }
    // A block that branched back to its own start runs again from here, while it is still valid and the budget holds all of it.
    for (;;) {
      // Steps of the block recorded so far (traced), and the step counter less the ops started (inline ops leave it).
      let recorded = 0;
      let base = s.tsc;
      let i = 0;
      for (;;) {
        if (i >= count) {
          // The block ran out (its end, or the budget): RIP after its last op, which the inline ops leave unset.
          s.pc = ops[i - 1]!.next;
          break;
        }
        const op = ops[i++]!;
        const fast = op.fast;
        if (fast !== 0 && fast <= 46) {
          switch (fast) {
            case 1: {
              // add r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const full = a + b;
              g[d] = full;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags32(a, b, full);
              continue;
            }
            case 2: {
              // or r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const r = (a | b) >>> 0;
              g[d] = r;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32(r);
              continue;
            }
            case 3: {
              // adc r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const full = a + b + (s.rflags & 1);
              g[d] = full;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags32(a, b, full);
              continue;
            }
            case 4: {
              // sbb r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const diff = a - b - (s.rflags & 1);
              g[d] = diff;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags32(a, b, diff);
              continue;
            }
            case 5: {
              // and r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const r = (a & b) >>> 0;
              g[d] = r;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32(r);
              continue;
            }
            case 6: {
              // sub r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const diff = a - b;
              g[d] = diff;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags32(a, b, diff);
              continue;
            }
            case 7: {
              // xor r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const r = (a ^ b) >>> 0;
              g[d] = r;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32(r);
              continue;
            }
            case 8: {
              // cmp r32, r32
              const d = op.dest;
              const a = g[d]!;
              const b = g[op.src1]!;
              const diff = a - b;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags32(a, b, diff);
              continue;
            }
            case 9: {
              // add r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const full = a + b;
              g[d] = full;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags32(a, b, full);
              continue;
            }
            case 10: {
              // or r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const r = (a | b) >>> 0;
              g[d] = r;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32(r);
              continue;
            }
            case 11: {
              // adc r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const full = a + b + (s.rflags & 1);
              g[d] = full;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags32(a, b, full);
              continue;
            }
            case 12: {
              // sbb r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const diff = a - b - (s.rflags & 1);
              g[d] = diff;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags32(a, b, diff);
              continue;
            }
            case 13: {
              // and r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const r = (a & b) >>> 0;
              g[d] = r;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32(r);
              continue;
            }
            case 14: {
              // sub r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const diff = a - b;
              g[d] = diff;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags32(a, b, diff);
              continue;
            }
            case 15: {
              // xor r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const r = (a ^ b) >>> 0;
              g[d] = r;
              g[d + 1] = 0;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32(r);
              continue;
            }
            case 16: {
              // cmp r32, imm
              const d = op.dest;
              const a = g[d]!;
              const b = op.imm;
              const diff = a - b;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags32(a, b, diff);
              continue;
            }
            case 17: {
              // add r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const lo = al + bl;
              const hi = ah + bh + (lo > 0xffff_ffff ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 18: {
              // or r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const rl = (al | bl) >>> 0;
              const rh = (ah | bh) >>> 0;
              g[d] = rl;
              g[d + 1] = rh;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64(rl, rh);
              continue;
            }
            case 19: {
              // adc r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const lo = al + bl + (s.rflags & 1);
              const hi = ah + bh + (lo > 0xffff_ffff ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 20: {
              // sbb r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const lo = al - bl - (s.rflags & 1);
              const hi = ah - bh - (lo < 0 ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 21: {
              // and r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const rl = (al & bl) >>> 0;
              const rh = (ah & bh) >>> 0;
              g[d] = rl;
              g[d + 1] = rh;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64(rl, rh);
              continue;
            }
            case 22: {
              // sub r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const lo = al - bl;
              const hi = ah - bh - (lo < 0 ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 23: {
              // xor r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const rl = (al ^ bl) >>> 0;
              const rh = (ah ^ bh) >>> 0;
              g[d] = rl;
              g[d + 1] = rh;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64(rl, rh);
              continue;
            }
            case 24: {
              // cmp r64, r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const src = op.src1;
              const bl = g[src]!;
              const bh = g[src + 1]!;
              const lo = al - bl;
              const hi = ah - bh - (lo < 0 ? 1 : 0);
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 25: {
              // add r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const lo = al + bl;
              const hi = ah + bh + (lo > 0xffff_ffff ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 26: {
              // or r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const rl = (al | bl) >>> 0;
              const rh = (ah | bh) >>> 0;
              g[d] = rl;
              g[d + 1] = rh;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64(rl, rh);
              continue;
            }
            case 27: {
              // adc r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const lo = al + bl + (s.rflags & 1);
              const hi = ah + bh + (lo > 0xffff_ffff ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | addFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 28: {
              // sbb r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const lo = al - bl - (s.rflags & 1);
              const hi = ah - bh - (lo < 0 ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 29: {
              // and r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const rl = (al & bl) >>> 0;
              const rh = (ah & bh) >>> 0;
              g[d] = rl;
              g[d + 1] = rh;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64(rl, rh);
              continue;
            }
            case 30: {
              // sub r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const lo = al - bl;
              const hi = ah - bh - (lo < 0 ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 31: {
              // xor r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const rl = (al ^ bl) >>> 0;
              const rh = (ah ^ bh) >>> 0;
              g[d] = rl;
              g[d + 1] = rh;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64(rl, rh);
              continue;
            }
            case 32: {
              // cmp r64, imm
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const bl = op.imm;
              const bh = op.imm2;
              const lo = al - bl;
              const hi = ah - bh - (lo < 0 ? 1 : 0);
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | subFlags64(al, ah, bl, bh, lo, hi);
              continue;
            }
            case 33: // test r32, r32
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32((g[op.dest]! & g[op.src1]!) >>> 0);
              continue;
            case 34: // test r32, imm
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp32((g[op.dest]! & op.imm) >>> 0);
              continue;
            case 35: {
              // test r64, r64
              const d = op.dest;
              const src = op.src1;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64((g[d]! & g[src]!) >>> 0, (g[d + 1]! & g[src + 1]!) >>> 0);
              continue;
            }
            case 36: {
              // test r64, imm
              const d = op.dest;
              if (i >= count || kills[ops[i]!.fast] === 0) s.rflags = (s.rflags & ~0x8d5) | szp64((g[d]! & op.imm) >>> 0, (g[d + 1]! & op.imm2) >>> 0);
              continue;
            }
            case 37: {
              // mov r32, r32 (zero-extended)
              const d = op.dest;
              g[d] = g[op.src1]!;
              g[d + 1] = 0;
              continue;
            }
            case 38: {
              // mov r32, imm
              const d = op.dest;
              g[d] = op.imm;
              g[d + 1] = 0;
              continue;
            }
            case 39: {
              // mov r64, r64
              const d = op.dest;
              const src = op.src1;
              const lo = g[src]!;
              g[d + 1] = g[src + 1]!;
              g[d] = lo;
              continue;
            }
            case 40: {
              // mov r64, imm
              const d = op.dest;
              g[d] = op.imm;
              g[d + 1] = op.imm2;
              continue;
            }
            case 41: {
              // inc r32 (CF kept)
              const d = op.dest;
              const a = g[d]!;
              const full = a + 1;
              g[d] = full;
              g[d + 1] = 0;
              s.rflags = (s.rflags & ~0x8d4) | (addFlags32(a, 1, full) & 0x8d4);
              continue;
            }
            case 42: {
              // dec r32
              const d = op.dest;
              const a = g[d]!;
              const diff = a - 1;
              g[d] = diff;
              g[d + 1] = 0;
              s.rflags = (s.rflags & ~0x8d4) | (subFlags32(a, 1, diff) & 0x8d4);
              continue;
            }
            case 43: {
              // inc r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const lo = al + 1;
              const hi = ah + (lo > 0xffff_ffff ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              s.rflags = (s.rflags & ~0x8d4) | (addFlags64(al, ah, 1, 0, lo, hi) & 0x8d4);
              continue;
            }
            case 44: {
              // dec r64
              const d = op.dest;
              const al = g[d]!;
              const ah = g[d + 1]!;
              const lo = al - 1;
              const hi = ah - (lo < 0 ? 1 : 0);
              g[d] = lo;
              g[d + 1] = hi;
              s.rflags = (s.rflags & ~0x8d4) | (subFlags64(al, ah, 1, 0, lo, hi) & 0x8d4);
              continue;
            }
            case 45: // jcc rel (the target resolved at predecode)
              s.pc = conditionOf(s.rflags, op.variant) ? op.imm : op.next;
              break;
            default: // 46, jmp rel
              s.pc = op.imm;
              break;
          }
          // A near branch: the last op of its block.
          break;
        }
        const next = op.next;
        s.pc = next;
        s.tsc = base + i;
        if (recorder !== undefined) {
          // The steps so far, this one included, before anything it does is seen.
          while (recorded < i) recorder.step(ops[recorded++]!, mode);
        }
        const result = op.exec(s, op);
        base = s.tsc - i;
        if (result !== retired) {
          let halted: Stop | undefined;
          if (fast > 46 && result === op.fixed) {
            // SYSCALL, SYSRET, VMCALL, VMMCALL that their handlers let through (the op's own trap or request, which the handler
            // keeps in `fixed`): straight to their entries in the exception model, as deliverX86 and exceptionReturnX86 send them.
            if (fast === 47) halted = kit.syscall(s, op.address, next, recorder);
            else if (fast === 48) halted = kit.sysret(s, result as ExceptionReturn, recorder);
            else halted = kit.hypercall(s, op as X86Op, recorder);
          } else if (result.kind === 'trap') halted = kit.deliver(s, result, recorder);
          else if (result.kind === 'return') halted = kit.exceptionReturn(s, result, recorder);
          else halted = result as Stop;
          if (halted !== undefined && host.settle(halted)) return steps + i;
          steps += i;
          continue blocks;
        }
        if (s.pc !== next || block.count === 0) break;
      }
      s.tsc = base + i;
      if (recorder !== undefined) {
        if (recorded === 0 && block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, i);
        else while (recorded < i) recorder.step(ops[recorded++]!, mode);
      }
      steps += i;
      if (s.pc !== pc || block.count === 0 || steps + block.count > maxSteps || s.paging !== 0 || s.cpl !== mode) break;
      count = block.count;
    }
  }
  return steps;
}

/** Steps a machine asks of the interpreter's loop before it gets a copy of its own (see {@link X86Core.interpretBlocks}). */
const OWN_LOOP_AFTER = 1 << 20;

/**
 * Guest memory for an x86 core: {@link GuestMemory}, and a way to tell every
 * code listener (the interpreter's op and block caches, the JIT's blocks,
 * the translated ops) that all code changed, which the core does when the
 * code size changes (the same bytes decode differently in compatibility
 * mode).
 */
export class X86Memory extends GuestMemory {
  /** Every code listener, kept so that {@link X86Memory.invalidateAllCode} can reach them. */
  private readonly codeListeners: ((address: number, length: number) => void)[] = [];

  /** Register a listener for writes to code. */
  override onCodeWrite(listener: (address: number, length: number) => void): void {
    super.onCodeWrite(listener);
    this.codeListeners.push(listener);
  }

  /** Tell every code listener that all code changed. */
  invalidateAllCode(): void {
    for (const listener of this.codeListeners) listener(0, Number.MAX_SAFE_INTEGER);
  }
}

/** What of the state predecoded ops depend on: the code size ({@link codeSizeOf}), and in 32-bit code whether CS has a base (which stops). */
function decodeKey(s: X86State): number {
  const size = codeSizeOf(s);
  return size === 8 || s.segBase[Seg.cs] === 0n ? size : size + 16;
}

/** The x86-64 {@link ExecutionCore}. */
export class X86Core implements ExecutionCore<X86State> {
  /** Architectural state. */
  readonly state: X86State;
  /** Instructions are byte-aligned. */
  readonly alignShift = 0;
  /** Instructions are at most 15 bytes. */
  readonly maxInstructionBytes = MAX_INSTRUCTION_BYTES;
  /**
   * Ops depend on the code bytes and the code size: the same bytes decode
   * differently in compatibility mode ({@link predecodeX86}). The caches
   * (the interpreter's ops and blocks, the JIT's blocks, the translated ops)
   * hold ops of one code size, the one they were decoded under: whenever the
   * mode may have changed (an exception delivered or returned from, a run
   * starting, the interpreter about to step, the JIT handing over to the
   * interpreter) {@link X86Core.syncCodeSize} drops them all if it did.
   * The CPL and vendor checks happen when ops run.
   */
  readonly decodeReadsState = true;
  /** The {@link decodeKey} the cached ops were decoded under. */
  private decodedKey: number;
  /** The block loop records runs traced into a recorder itself. */
  readonly runLoopTraces = true;
  /** The run loop of the machine's engine: the interpreter's blocks ({@link X86Core.interpretBlocks}) or the JIT's. */
  readonly runLoop: RunLoop<X86State>;
  /** The JIT, when it is the engine. */
  readonly jit: Jit<X86State> | undefined;
  /** The hypervisor model VM exits go to; none means every hypercall exit stops the run and #UD is reinjected. */
  host: X86Host | undefined = undefined;
  /** The machine's TLB over the 4-level walk (`tlb.ts`); the identity until the guest loads CR3. */
  readonly tlb: X86Tlb;
  /** Memory as ops predecoded under paging see it (`translated-memory.ts`). */
  readonly translatedMemory: X86TranslatedMemory;
  /** Ops predecoded under paging, direct-mapped by linear address. */
  private readonly translatedOps: (X86Op | undefined)[] = new Array<X86Op | undefined>(TRANSLATED_OPS).fill(undefined);
  /** The physical address each translated op's first byte was fetched from. */
  private readonly translatedFirst = new Float64Array(TRANSLATED_OPS);
  /** The physical address each translated op's last byte was fetched from. */
  private readonly translatedLast = new Float64Array(TRANSLATED_OPS);
  /** The fetch kind ({@link PageAccess}) each translated op was fetched with. */
  private readonly translatedKind = new Int8Array(TRANSLATED_OPS);

  /**
   * @param memory guest memory (little-endian).
   * @param vendor the virtualization vendor.
   * @param engine the interpreter, or the JIT (which falls back to it).
   * @param translation the JIT's translation choices.
   */
  constructor(
    readonly memory: X86Memory,
    vendor: Vendor,
    readonly engine: EngineName = 'interp',
    translation: X86TranslatorOptions = {},
  ) {
    this.state = createX86State(vendor);
    this.decodedKey = decodeKey(this.state);
    this.tlb = new X86Tlb(this.state, memory);
    this.translatedMemory = new X86TranslatedMemory(memory, this.tlb);
    // A write to a page holding fetched code makes every translated op suspect (they are checked by physical address, not by bytes).
    memory.onCodeWrite(() => this.dropTranslated());
    if (engine === 'jit') {
      const jit = new Jit(new X86Translator(this.state, translation, this), this.state, memory);
      this.jit = jit;
      // The JIT's blocks read physical memory: while paging is on, the interpreter's loop runs instead (it steps through the
      // translating decode); the JIT yields to it when paging starts (X86Translator.yields).
      this.runLoop = (host, s, maxSteps) => {
        this.syncCodeSize();
        const counted = this.countingHost(host);
        let done = 0;
        for (;;) {
          // The JIT declines 32-bit code (X86Translator.yields): the interpreter runs it, and the rest of the run.
          if (s.paging !== 0 || codeSizeOf(s) !== 8) {
            this.syncCodeSize();
            return done + this.interpretBlocks(host, s, maxSteps - done);
          }
          done += jit.run(counted, s, maxSteps - done);
          if (!jit.yielded || done >= maxSteps) return done;
        }
      };
    } else {
      this.jit = undefined;
      this.runLoop = (host, s, maxSteps) => {
        this.syncCodeSize();
        return this.interpretBlocks(host, s, maxSteps);
      };
    }
  }

  /** Drop every cached op if the code size changed since they were decoded (see {@link X86Core.decodeReadsState}). */
  syncCodeSize(): void {
    const key = decodeKey(this.state);
    if (key === this.decodedKey) return;
    this.decodedKey = key;
    this.memory.invalidateAllCode();
  }

  /** The code size ops are decoded for, plus 16 when 32-bit code has a CS base (which stops): a restore that changes it drops the caches. */
  decodeDependency(): number {
    return decodeKey(this.state);
  }

  /** The host the JIT was last given, and its counting wrapper ({@link X86Core.countingHost}). */
  private counted: [LoopHost<X86State>, LoopHost<X86State>] | undefined = undefined;

  /**
   * `host` with a step that also counts the instruction in the step counter
   * RDTSC reads, as {@link X86Core.interpretBlocks} counts every op it runs:
   * what the JIT falls back to (translated blocks count their own).
   */
  private countingHost(host: LoopHost<X86State>): LoopHost<X86State> {
    if (this.counted !== undefined && this.counted[0] === host) return this.counted[1];
    const s = this.state;
    const counted: LoopHost<X86State> = {
      cache: host.cache,
      mask: host.mask,
      miss: (address) => host.miss(address),
      settle: (result) => host.settle(result),
      blocks: host.blocks,
      step: () => {
        s.tsc++;
        return host.step();
      },
      opAt: (address) => host.opAt(address),
      get recorder() {
        return host.recorder;
      },
      onInvalidate: (listener) => host.onInvalidate(listener),
    };
    this.counted = [host, counted];
    return counted;
  }

  /** Forget every translated op (a code write, a restore). */
  dropTranslated(): void {
    this.translatedOps.fill(undefined);
  }

  /**
   * True once the guest has loaded CR3: every access translates (see
   * `ExecutionCore.translating`). The interpreter asks before each step it
   * takes outside the block loop, so the code size is checked here too
   * ({@link X86Core.syncCodeSize}).
   */
  translating(): boolean {
    this.syncCodeSize();
    return pagingActive(this.state);
  }

  /**
   * Code bytes at linear `address` as they are fetched now (a trace's bytes
   * column): once the guest has loaded CR3, each byte through a walk that
   * only looks (no A/D update, no TLB entry), so that tracing changes
   * nothing the guest can see.
   */
  codeBytes(address: number, length: number): Uint8Array | undefined {
    if (!pagingActive(this.state)) return this.memory.readBytes(address, length);
    const kind = this.state.cpl === 3 ? PageAccess.fetch | PageAccess.user : PageAccess.fetch;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const pa = walk(this.state, this.memory, address + i, kind, false);
      const byte = pa < 0 ? undefined : this.memory.read8(pa);
      if (byte === undefined) return undefined;
      out[i] = byte;
    }
    return out;
  }

  /**
   * The interpreter's hot loop (`interpretX86Blocks`), in a copy of
   * this machine's own ({@link instanceCopy}) once it has run a while, so
   * that V8's type feedback sees only this machine's ops and results.
   */
  interpretBlocks(host: LoopHost<X86State>, s: X86State, maxSteps: number): number {
    // A copy starts cold (V8 compiles it afresh): a machine that runs little (a test, a short command) keeps the shared loop.
    if (this.loop === interpretX86Blocks && (this.budgets += maxSteps) >= OWN_LOOP_AFTER) this.loop = instanceCopy(interpretX86Blocks, 'x86_64 interpreter loop');
    return this.loop(this.kit, host, s, maxSteps);
  }

  /** What the loop uses, for this machine. */
  private readonly kit: X86LoopKit = {
    retired: RETIRED,
    deliver: (_s, trap, trace) => this.deliver(trap, trace),
    exceptionReturn: (_s, request, trace) => this.exceptionReturn(request, trace),
    syscall: deliverSyscall,
    sysret: (s, request, trace) => {
      // SYSRETL enters compatibility mode: the ops decoded for 64-bit code go (syncCodeSize), as after any return.
      const halted = returnSysret(s, this, request, trace);
      this.syncCodeSize();
      return halted;
    },
    hypercall: (s, op, trace) => deliverHypercallExit(s, this, hypercallExitAt(s.vendor, op.address, op.size), trace),
    kills: FLAG_KILLERS,
    addFlags32,
    subFlags32,
    addFlags64,
    subFlags64,
    szp32,
    szp64,
    conditionOf,
  };
  /** The loop this machine runs: the shared one, then (once it has asked for {@link OWN_LOOP_AFTER} steps) a copy of its own. */
  private loop: typeof interpretX86Blocks = interpretX86Blocks;
  /** Steps asked of the interpreter's loop so far (until it has its own copy). */
  private budgets = 0;

  /** Whether an op ends its block. */
  endsBlock(op: DecodedOp<X86State>): boolean {
    return endsX86Block(op as X86Op);
  }

  /** Predecode at `address`: from physical memory until the guest loads CR3, then through the translation (see the module comment). */
  decode(address: number): X86Op {
    if (this.state.paging === 0) return predecodeX86(this.memory, address, codeSizeOf(this.state), this.state.segBase[Seg.cs]);
    return this.decodeTranslated(address);
  }

  private decodeTranslated(address: number): X86Op {
    const kind = this.state.cpl === 3 ? PageAccess.fetch | PageAccess.user : PageAccess.fetch;
    const first = this.tlb.translate(address, kind);
    const index = address & (TRANSLATED_OPS - 1);
    if (first >= 0) {
      const cached = this.translatedOps[index];
      if (cached !== undefined && cached.address === address && this.translatedFirst[index] === first && this.translatedKind[index] === kind) {
        const last = address + cached.size - 1;
        if (this.tlb.translate(last, kind) === this.translatedLast[index]) return cached;
      }
    }
    const op = predecodeX86(this.translatedMemory, address, codeSizeOf(this.state), this.state.segBase[Seg.cs]);
    op.cacheable = false;
    if (first >= 0 && op.name !== 'fetch-fault') {
      this.translatedOps[index] = op;
      this.translatedFirst[index] = first;
      this.translatedLast[index] = this.tlb.translate(address + op.size - 1, kind);
      this.translatedKind[index] = kind;
    }
    return op;
  }

  /** Deliver a trap through the exception model. */
  deliver(trap: Trap, trace: TraceSink | undefined): Stop | undefined {
    const halted = deliverX86(this.state, this, trap, trace);
    this.syncCodeSize();
    return halted;
  }

  /** Perform an exception return through the exception model. */
  exceptionReturn(request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
    const halted = exceptionReturnX86(this.state, this, request, trace);
    this.syncCodeSize();
    return halted;
  }

  /** The current mode's name (`cpl0`, `cpl3`, or `cpl1`/`cpl2` where a guest put itself). */
  modeName(): string {
    return cplName(this.state.cpl);
  }

  /** The trace code of the mode: the CPL. */
  traceMode(): number {
    return this.state.cpl;
  }

  /** The name of a mode code. */
  traceModeName(code: number): string {
    return cplName(code);
  }

  /** Disassembly of an op (AT&T, as llvm-mc prints it). */
  describe(op: DecodedOp<X86State>): string {
    const x = op as X86Op;
    if (x.insn === undefined) return op.name === 'fetch-fault' ? '<unmapped>' : '(bad)';
    return formatInsn(x.insn, 'att', op.address).replace(/\t+/g, ' ');
  }
}

/** Slots of the translated-op cache (a power of two). */
const TRANSLATED_OPS = 1 << 12;

/** Named registers beyond the general ones and the MSRs, in dump order. */
const SYSTEM_NAMES = ['rip', 'rflags', ...SEG_NAMES, 'cr0', 'cr2', 'cr3', 'cr4', 'efer', 'fs_base', 'gs_base', 'gdtr_base', 'gdtr_limit', 'idtr_base', 'idtr_limit', 'tr', 'tr_base', 'tr_limit', 'cpl'];

/** Register names in dump order: RAX–R15, RIP, RFLAGS, the selectors, the control registers, EFER, the segment bases, the descriptor tables, the MSRs. */
const NAMES: readonly string[] = [...GPR_NAMES, ...SYSTEM_NAMES, ...MSRS.map((m) => m.name)];

/** Names the view also takes but does not dump: the 32-bit and 16-bit halves, the 8-bit low bytes, the hidden segment parts (`cs_attr`, `cs_base`, `cs_limit`). */
const EXTRA_NAMES: readonly string[] = [...GPR32_NAMES, ...GPR16_NAMES, ...GPR8_REX_NAMES, ...SEG_NAMES.flatMap((n) => [`${n}_attr`, `${n}_base`, `${n}_limit`])];

/** The low-half aliases the command line accepts for each 64-bit register (`eax` → `rax`, 32 bits). */
export const X86_REGISTER_ALIASES: Readonly<Record<string, RegisterAlias>> = Object.fromEntries([
  ...GPR32_NAMES.map((n, i) => [n, { register: GPR_NAMES[i]!, bits: 32 }]),
  ...GPR16_NAMES.map((n, i) => [n, { register: GPR_NAMES[i]!, bits: 16 }]),
  ...GPR8_REX_NAMES.map((n, i) => [n, { register: GPR_NAMES[i]!, bits: 8 }]),
  ['eip', { register: 'rip', bits: 32 }],
  ['eflags', { register: 'rflags', bits: 32 }],
]);

const INDEX = new Map<string, number>([...GPR_NAMES.map((n, i) => [n, i] as const)]);
const SEG_INDEX = new Map(SEG_NAMES.map((n, i) => [n, i] as const));
/** The hidden segment parts by name (`cs_attr`, `cs_base`, `cs_limit`, …): the segment and the part. */
const HIDDEN = new Map<string, readonly [number, 'attr' | 'base' | 'limit']>(SEG_NAMES.flatMap((n, i) => (['attr', 'base', 'limit'] as const).map((part) => [`${n}_${part}`, [i, part]] as const)));

function readNamed(s: X86State, name: string): bigint | undefined {
  const gpr = INDEX.get(name);
  if (gpr !== undefined) return s.gpr[gpr]!;
  const alias = X86_REGISTER_ALIASES[name];
  if (alias !== undefined) {
    const full = readNamed(s, alias.register)!;
    return full & ((1n << BigInt(alias.bits)) - 1n);
  }
  const seg = SEG_INDEX.get(name);
  if (seg !== undefined) return BigInt(s.sel[seg]!);
  const hidden = HIDDEN.get(name);
  if (hidden !== undefined) {
    const [i, part] = hidden;
    return part === 'attr' ? BigInt(s.segAttr[i]!) : part === 'base' ? s.segBase[i]! : BigInt(s.segLimit[i]!);
  }
  switch (name) {
    case 'rip':
      // RIP is kept in the signed representation (`registers.ts`): the view shows the 64-bit value.
      return addressValue(s.pc);
    case 'rflags':
      return BigInt(s.rflags);
    case 'cr0':
      return BigInt(s.cr0 >>> 0);
    case 'cr2':
      return s.cr2;
    case 'cr3':
      return s.cr3;
    case 'cr4':
      return BigInt(s.cr4);
    case 'efer':
      return BigInt(s.efer);
    case 'fs_base':
      return s.segBase[4]!;
    case 'gs_base':
      return s.segBase[5]!;
    case 'gdtr_base':
      return s.gdtrBase;
    case 'gdtr_limit':
      return BigInt(s.gdtrLimit);
    case 'idtr_base':
      return s.idtrBase;
    case 'idtr_limit':
      return BigInt(s.idtrLimit);
    case 'tr':
      return BigInt(s.tr);
    case 'tr_base':
      return s.trBase;
    case 'tr_limit':
      return BigInt(s.trLimit);
    case 'cpl':
      return BigInt(s.cpl);
    default:
      break;
  }
  const msr = MSR_SLOT_BY_NAME.get(name);
  return msr === undefined ? undefined : s.msr[msr]!;
}

function writeNamed(s: X86State, name: string, value: bigint): boolean {
  const v = BigInt.asUintN(64, value);
  const gpr = INDEX.get(name);
  if (gpr !== undefined) {
    s.gpr[gpr] = v;
    return true;
  }
  const alias = X86_REGISTER_ALIASES[name];
  if (alias !== undefined) {
    const mask = (1n << BigInt(alias.bits)) - 1n;
    // A 32-bit name writes the low half and clears the upper half, as a 32-bit MOV does (SDM vol. 1 §3.4.1.1); 16- and 8-bit names merge.
    const old = readNamed(s, alias.register)!;
    return writeNamed(s, alias.register, alias.bits === 32 ? v & mask : (old & ~mask) | (v & mask));
  }
  const seg = SEG_INDEX.get(name);
  if (seg !== undefined) {
    s.sel[seg] = Number(v & 0xffffn);
    return true;
  }
  const hidden = HIDDEN.get(name);
  if (hidden !== undefined) {
    const [i, part] = hidden;
    if (part === 'attr') s.segAttr[i] = Number(v & 0xf0ffn);
    else if (part === 'base') s.segBase[i] = v;
    else s.segLimit[i] = Number(v & 0xffff_ffffn);
    return true;
  }
  const low = Number(v & 0xffff_ffffn);
  switch (name) {
    case 'rip':
      s.pc = linearAddress(v);
      return true;
    case 'rflags':
      s.rflags = (low & RFLAGS_WRITABLE) | Flag.FIXED;
      return true;
    case 'cr0':
      s.cr0 = low;
      return true;
    case 'cr2':
      s.cr2 = v;
      return true;
    case 'cr3':
      s.cr3 = v;
      return true;
    case 'cr4':
      s.cr4 = low;
      return true;
    case 'efer':
      s.efer = low & 0x1d01;
      return true;
    case 'fs_base':
      s.segBase[4] = v;
      return true;
    case 'gs_base':
      s.segBase[5] = v;
      return true;
    case 'gdtr_base':
      s.gdtrBase = v;
      return true;
    case 'gdtr_limit':
      s.gdtrLimit = low & 0xffff;
      return true;
    case 'idtr_base':
      s.idtrBase = v;
      return true;
    case 'idtr_limit':
      s.idtrLimit = low & 0xffff;
      return true;
    case 'tr':
      s.tr = low & 0xffff;
      return true;
    case 'tr_base':
      s.trBase = v;
      return true;
    case 'tr_limit':
      s.trLimit = low;
      return true;
    case 'cpl':
      s.cpl = low & 3;
      return true;
    default:
      break;
  }
  const msr = MSR_SLOT_BY_NAME.get(name);
  if (msr === undefined) return false;
  s.msr[msr] = v;
  return true;
}

/**
 * The x86-64 register view: `rax`…`r15`, `rip`, `rflags`, the selectors
 * (`cs`…`gs`), `cr0`–`cr4`, `efer`, `fs_base`, `gs_base`, GDTR/IDTR/TR,
 * `cpl`, and the MSRs of the fact sheet by their Linux names (`star`,
 * `lstar`, `cstar`, `sfmask`, `kernel_gs_base`, `kvm_*`,
 * `hv_x64_msr_*`). `eax`…`r15d` read the low half and write it
 * zero-extended; `ax`…, `al`… merge; `cs_attr`/`cs_base`/`cs_limit` reach a
 * segment's hidden part. Writes are setup, not instructions: no checks.
 */
export const X86_REGISTERS: RegisterView<X86State> = {
  digits: 16,
  modes: MODE_NAMES,
  names: () => NAMES,
  read: readNamed,
  write: (s, name, value) => writeNamed(s, name, value),
  mode: (s) => cplName(s.cpl),
  setMode(s, mode) {
    if (mode !== 'cpl0' && mode !== 'cpl3') return false;
    enterMode(s, mode === 'cpl0' ? 0 : 3);
    return true;
  },
};

/** Every name the view accepts (dumped or not), for tests. */
export const X86_REGISTER_NAMES: readonly string[] = [...NAMES, ...EXTRA_NAMES];

/** Options for a new x86-64 machine. */
export interface X86MachineOptions {
  /** The engine: the JIT (the default, as on the other backends) or the interpreter. */
  readonly engine?: EngineName;
  /** The virtualization vendor (default Intel). */
  readonly vendor?: Vendor;
  /** The JIT's translation choices (the defaults are the fast ones). */
  readonly translation?: X86TranslatorOptions;
}

/** An x86-64 machine: the core machine, plus the host model its VM exits go to. */
export class X86Machine extends CoreMachine<X86State> {
  /** The execution core. */
  readonly x86: X86Core;

  /** @param core the execution core. */
  constructor(core: X86Core) {
    super('x86_64', core, X86_REGISTERS, core.engine);
    this.x86 = core;
  }

  /** The vendor whose virtualization the guest runs under. */
  get vendor(): Vendor {
    return VENDORS[this.x86.state.vendor]!;
  }

  /** Put the machine back as `snapshot` was taken; the TLB and the translated ops start empty. */
  override restore(snapshot: MachineSnapshot): void {
    super.restore(snapshot);
    this.x86.tlb.flush();
    this.x86.dropTranslated();
  }

  /** Install the host model (or remove it with `undefined`). */
  setHost(host: X86Host | undefined): void {
    this.x86.host = host;
  }
}

/** A new x86-64 machine over empty little-endian memory, at CPL 0 in 64-bit mode. */
export function createX86Machine(options: X86MachineOptions = {}): X86Machine {
  return new X86Machine(new X86Core(new X86Memory('little'), options.vendor ?? 'intel', options.engine ?? 'jit', options.translation));
}

/** The instruction sets (AT&T, the default, and Intel) for the assembler and disassembler. */
export { X86_INSTRUCTION_SETS };

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
import { hexAddress, RETIRED, stop, type ExceptionReturn, type StepResult, type Stop, type Trap } from '../../src/interp/step-result.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { Jit } from '../../src/jit/jit.ts';
import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { X86Translator, type X86TranslatorOptions } from './jit/translator.ts';
import { PageAccess, walk } from './paging.ts';
import { pagingActive, X86Tlb } from './tlb.ts';
import { X86TranslatedMemory } from './translated-memory.ts';
import { cplName, deliverX86, exceptionReturnX86, type X86Host } from './exceptions.ts';
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
import { COMPAT_UNMODELLED_HANDLERS, endsX86Block, resolveOperands, undefinedOp, X86Op, type X86Handler } from './semantics/common.ts';
import { X86_SEMANTICS } from './semantics/index.ts';
import { numberForm } from './semantics/number-forms.ts';
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
  return op;
}

/** Up to the first four bytes as a little-endian word (what a trace record keeps of an op). */
function firstWord(memory: GuestMemory, address: number, length: number): number {
  let word = 0;
  for (let i = Math.min(4, length) - 1; i >= 0; i--) word = (word << 8) | (memory.fetch8(address + i) ?? 0);
  return word >>> 0;
}

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
   * x86's own copy of the interpreter's hot loop (in this backend's source,
   * so V8's feedback sees only x86 ops): blocks of `host.blocks`, traps and
   * returns straight to the exception model, each op recorded as it
   * starts when the run is traced into a recorder.
   */
  interpretBlocks(host: LoopHost<X86State>, s: X86State, maxSteps: number): number {
    const blocks = host.blocks;
    const slots = blocks.slots;
    const mask = blocks.mask;
    const recorder = host.recorder;
    let steps = 0;
    while (steps < maxSteps) {
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
      const count = block.count < room ? block.count : room;
      let i = 0;
      while (i < count) {
        const op = ops[i++]!;
        if (recorder !== undefined) recorder.step(op, s.cpl);
        const next = op.next;
        s.pc = next;
        s.tsc++;
        const result = op.exec(s, op);
        if (result !== RETIRED) {
          let halted: Stop | undefined;
          if (result.kind === 'trap') halted = this.deliver(result, recorder);
          else if (result.kind === 'return') halted = this.exceptionReturn(result, recorder);
          else halted = result as Stop;
          if (halted !== undefined && host.settle(halted)) return steps + i;
          break;
        }
        if (s.pc !== next || block.count === 0) break;
      }
      steps += i;
    }
    return steps;
  }

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

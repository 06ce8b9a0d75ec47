/**
 * The x86-64 exception model, the one place traps are delivered: exceptions
 * and software interrupts through the 16-byte-gate IDT (SDM vol. 3 §6.14),
 * with the gate's DPL check for INT n / INT3, the stack switch from the
 * TSS (RSP0–RSP2, IST1–IST7), IRETQ; SYSCALL and SYSRET (fact sheet §9.4,
 * SDM vol. 2 SYSCALL/SYSRET); and the VM exits of a VMX non-root or SVM
 * guest, which go to the host model ({@link X86Host}) instead of the guest.
 *
 * What the guest sees of virtualization: on Intel, VMCALL is an
 * unconditional VM exit with basic reason 18 (taken before any CPL check);
 * on AMD, VMMCALL is #VMEXIT 0x81; each vendor's other instruction is #UD.
 * KVM intercepts #UD (VMX exception bitmap / SVM `INTERCEPT_EXCEPTION`
 * for vector 6), so every #UD is an exit too (VMX reason 0 with vector 6,
 * SVM exit code 0x46) that the host model may handle (emulate, patch the
 * guest's code and resume without advancing RIP) or reinject.
 *
 * Once the guest has loaded CR3 (`paging.ts`), the IDT, GDT and TSS are
 * read, and the exception frame pushed and IRETQ's popped, at linear
 * addresses through the machine's TLB: descriptor-table and TSS reads are
 * implicit supervisor accesses (SDM vol. 3 §4.6.1), the stack accesses are
 * made at the privilege of the stack (the new CPL when pushing, the
 * current one when IRETQ pops). A #PF during delivery is delivered as the
 * SDM's table 6-5 says: a #PF while delivering a contributory exception or
 * a #PF is a double fault (#DF, vector 8, error code 0), and a fault while
 * delivering #DF is a triple fault (the run stops with `recursive-fault`,
 * the shutdown); CR2 holds the address of the #PF that was detected. The
 * #PF error code comes from the walk (P, W/R, U/S, RSVD, I/D); a fault on
 * memory that translated but holds no RAM keeps hyplay's unmapped-memory
 * #PF (P = 0).
 *
 * Addresses are the signed representation of `registers.ts` (the upper
 * canonical half negative; CR2 and the pushed frames hold the unsigned
 * 64-bit values). A non-canonical address where the architecture checks
 * one is #GP: an instruction fetch, a gate's target (#GP with the EXT
 * bit), a system-table read, IRETQ's RIP; a non-canonical stack (the frame
 * pushed, IRETQ's pops) is #SS(0). Intel's SYSRETQ checks RCX at CPL 0.
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { hexAddress, stop, type ExceptionReturn, type Stop, type Trap } from '../../src/interp/step-result.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { buildDirect, type StateCode } from '../../src/jit/state-code.ts';
import {
  addressValue,
  Attr,
  Efer,
  Flag,
  Gpr,
  isCanonical,
  isCanonicalNumber,
  linearAddress,
  MsrSlot,
  NON_CANONICAL_PC,
  Seg,
  UPPER_HALF_START,
  VENDORS,
  X86Slot,
  x86SlotPlace,
  codeAttr,
  dataAttr,
  type Vendor,
  type X86State,
} from './registers.ts';
import { PageAccess, PfError } from './paging.ts';
import type { X86Tlb } from './tlb.ts';

/** Exception vectors (SDM vol. 3 table 6-1). */
export const Vector = {
  /** #DE: divide error. */
  DE: 0,
  /** #DB: debug. */
  DB: 1,
  /** NMI: non-maskable interrupt. */
  NMI: 2,
  /** #BP: breakpoint (INT3). */
  BP: 3,
  /** #OF: overflow (INTO). */
  OF: 4,
  /** #BR: BOUND range exceeded. */
  BR: 5,
  /** #UD: invalid opcode. */
  UD: 6,
  /** #NM: device not available. */
  NM: 7,
  /** #DF: double fault. */
  DF: 8,
  /** #TS: invalid TSS. */
  TS: 10,
  /** #NP: segment not present. */
  NP: 11,
  /** #SS: stack-segment fault. */
  SS: 12,
  /** #GP: general protection. */
  GP: 13,
  /** #PF: page fault. */
  PF: 14,
} as const;

/** Mnemonics of the vectors, for traces. */
const VECTOR_NAMES: Readonly<Record<number, string>> = { 0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF' };

/** VMX basic exit reasons and SVM exit codes hyplay raises (fact sheet §9.6). */
export const ExitReason = {
  /** VMX EXCEPTION_NMI (the vector is in the exit's interruption information). */
  vmxException: 0,
  /** VMX VMCALL. */
  vmxVmcall: 18,
  /** SVM EXCP_BASE: exception `n` exits with 0x40 + n. */
  svmExceptionBase: 0x40,
  /** SVM VMMCALL. */
  svmVmmcall: 0x81,
} as const;

/** A VM exit as the host model sees it (the VMCS exit fields / the VMCB EXITCODE). */
export interface VmExit {
  /** The vendor whose exit this is. */
  readonly vendor: Vendor;
  /** VMX basic exit reason, or SVM exit code. */
  readonly reason: number;
  /** The reason's name as Linux's `vmx.h` / `svm.h` spell it (`VMCALL`, `EXCEPTION_NMI`, `VMMCALL`, `EXCP_BASE+6`). */
  readonly name: string;
  /** Guest RIP: the instruction that exited (RIP is not advanced). */
  readonly address: number;
  /** Its length (VM-exit instruction length; on SVM next_rip − rip). */
  readonly length: number;
  /** The exception vector for exception exits, else −1. */
  readonly vector: number;
  /** The exception's error code, or −1. */
  readonly errorCode: number;
}

/**
 * An event the host injects into the guest on the next VM entry (the VMX
 * VM-entry interruption-information field, SVM EVENTINJ): the CPU delivers
 * it through the guest's IDT as if it had happened at the guest's RIP, as
 * the host left it (SDM vol. 3 §26.6). The gate's DPL is not checked: that
 * check is for software interrupts only (§6.12.1.1).
 */
export interface InjectVector {
  /** Discriminant. */
  readonly kind: 'inject';
  /** `exception` (a hardware exception: #GP, #UD, …, vector ≤ 31) or `interrupt` (an external interrupt, which needs RFLAGS.IF = 1). */
  readonly type: 'exception' | 'interrupt';
  /** The vector, 0–255. */
  readonly vector: number;
  /** The error code to push, or −1 for none: exactly the exceptions 8, 10–14 and 17 have one. */
  readonly errorCode: number;
  /** Why the host injects it, one line (the trace's cause). */
  readonly why: string;
}

/** What the host model does after an exit: resume the guest as it left it, reinject the exception into the guest, inject an event of its own, or stop the run. */
export type HostAction = 'resume' | 'reinject' | InjectVector | Stop;

/** The exceptions that push an error code (SDM vol. 3 table 6-1: #DF, #TS, #NP, #SS, #GP, #PF, #AC). */
const HAS_ERROR_CODE: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17]);

/** RFLAGS.IF. */
const IF_FLAG = 1 << 9;

/**
 * Why VM entry with `event` injected fails, or `undefined` when it may go
 * ahead: the checks on the VM-entry interruption-information field and the
 * guest's RFLAGS (SDM vol. 3 §26.2.1.3, §26.3.1.4).
 */
export function injectionError(event: InjectVector, rflags: number): string | undefined {
  if (!Number.isInteger(event.vector) || event.vector < 0 || event.vector > 255) return `vector ${event.vector} is not 0–255`;
  if (event.type === 'exception') {
    if (event.vector > 31) return `a hardware exception has a vector ≤ 31, not ${event.vector}`;
    if (event.vector === Vector.NMI) return 'vector 2 is injected as an NMI, not as a hardware exception';
    const wants = HAS_ERROR_CODE.has(event.vector);
    if (wants !== event.errorCode >= 0) return `${vectorName(event.vector)} ${wants ? 'pushes an error code, and none was given' : 'pushes no error code, and one was given'}`;
    return undefined;
  }
  if (event.errorCode >= 0) return 'an external interrupt pushes no error code';
  if ((rflags & IF_FLAG) === 0) return 'an external interrupt is injected with RFLAGS.IF = 0';
  return undefined;
}

/** The hypervisor side of the machine: it sees every VM exit (the spec firmware's x86 form implements it). */
export interface X86Host {
  /** Handle one exit; the guest state and memory are the machine's own. */
  exit(exit: VmExit): HostAction;
}

/** What delivery needs besides the state. */
export interface DeliveryContext {
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** The host model, if one is installed. */
  readonly host: X86Host | undefined;
  /** The machine's TLB: linear addresses of the system tables and stacks translate through it (the identity until the guest loads CR3). */
  readonly tlb: X86Tlb;
}

/** The mode name of a CPL, for traces. */
export function cplName(cpl: number): string {
  return `cpl${cpl}`;
}

/** The linear address of the last failed {@link linearPhysical} (CR2 for the #PF it raises). */
let linearFaultAddress = 0;
/** The #PF error code of the last failed {@link linearPhysical}. */
let linearFaultCode = 0;
/** Whether the last failed access of the exception model was non-canonical (a #GP or #SS, not a #PF). */
let linearFaultNonCanonical = false;

/**
 * The physical address of the byte at linear `address` for an access of
 * `kind` ({@link PageAccess}) made by the exception model itself, or -1
 * (the fault's address and error code kept for the #PF it raises).
 */
function linearPhysical(context: DeliveryContext, address: number, kind: number): number {
  const pa = context.tlb.translate(address, kind);
  if (pa >= 0 && context.memory.isMapped(pa)) return pa;
  linearFaultAddress = address;
  linearFaultNonCanonical = false;
  // Translated but no RAM there: hyplay's unmapped-memory #PF (P = 0).
  linearFaultCode = pa >= 0 ? ((kind & 3) === PageAccess.write ? PfError.W : 0) | ((kind & PageAccess.user) !== 0 ? PfError.U : 0) : context.tlb.faultCode();
  return -1;
}

/** Scratch physical addresses of one access's bytes (delivery allocates no arrays). */
const bytePa = new Float64Array(8);

/** Translate `size` bytes from linear `address` into {@link bytePa} (first faulting byte wins); false with the fault kept. */
function linearBytes(context: DeliveryContext, address: bigint, size: number, kind: number): boolean {
  const a = linearAddress(address);
  if (!(a >= UPPER_HALF_START && a + size <= NON_CANONICAL_PC)) {
    linearFaultAddress = a;
    linearFaultNonCanonical = true;
    linearFaultCode = 0;
    return false;
  }
  for (let i = 0; i < size; i++) {
    const pa = linearPhysical(context, a + i, kind);
    if (pa < 0) return false;
    bytePa[i] = pa;
  }
  return true;
}

/** Read 8 bytes at a linear address (an implicit supervisor read unless `kind` says otherwise), or `undefined` with the fault kept. */
function read64(context: DeliveryContext, address: bigint, kind: number = PageAccess.read): bigint | undefined {
  if (!linearBytes(context, address, 8, kind)) return undefined;
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(context.memory.read8(bytePa[i]!)!);
  return value;
}

/** Read 4 bytes at a linear address, or `undefined` with the fault kept. */
function read32(context: DeliveryContext, address: bigint, kind: number): number | undefined {
  if (!linearBytes(context, address, 4, kind)) return undefined;
  let value = 0;
  for (let i = 3; i >= 0; i--) value = value * 256 + context.memory.read8(bytePa[i]!)!;
  return value;
}

/** Write 8 bytes at a linear address (every byte translated before any is written); false with the fault kept. */
function write64(context: DeliveryContext, address: bigint, value: bigint, kind: number): boolean {
  if (!linearBytes(context, address, 8, kind)) return false;
  for (let i = 0; i < 8; i++) context.memory.write8(bytePa[i]!, Number((value >> BigInt(8 * i)) & 0xffn));
  return true;
}

/** The access kind of the exception model's stack accesses at `cpl`. */
function stackKind(cpl: number, write: boolean): number {
  return (write ? PageAccess.write : PageAccess.read) | (cpl === 3 ? PageAccess.user : 0);
}

/** A segment descriptor read from the GDT (an implicit supervisor access): its access rights (VMCS layout), a reason it cannot be loaded, or -1 for a #PF on the read (its address and code kept). */
function descriptor(s: X86State, context: DeliveryContext, selector: number): number | string {
  if ((selector & 4) !== 0) return 'LDT selectors are not modelled';
  const offset = selector & ~7;
  if (offset === 0) return 'null selector';
  if (offset + 7 > s.gdtrLimit) return 'selector beyond the GDT limit';
  const raw = read64(context, s.gdtrBase + BigInt(offset));
  if (raw === undefined) return -1;
  return Number((raw >> 40n) & 0xf0ffn);
}

/** Why an event is being delivered: an exception, a software interrupt (INT n, INT3), or an external event. */
interface Delivery {
  readonly vector: number;
  /** Error code to push, or −1. */
  readonly errorCode: number;
  /** The return address pushed (the faulting instruction for faults, the next one for traps and INT n). */
  readonly returnAddress: number;
  /** INT n / INT3 / INTO: the gate DPL is checked against CPL. */
  readonly software: boolean;
  /** What raised it, for the trace. */
  readonly cause: string;
}

/**
 * Deliver an event through the IDT in IA-32e mode (SDM vol. 3 §6.14, QEMU
 * `do_interrupt64`): gate at IDTR.base + 16·vector; type 14 (interrupt) or
 * 15 (trap); DPL < CPL for a software interrupt is #GP(vector·8 + 2); not
 * present is #NP(vector·8 + 2); the target CS must be a present 64-bit code
 * segment; a change to a more privileged level, or IST ≠ 0, loads RSP from
 * the TSS; RSP is aligned down to 16; SS, RSP, RFLAGS, CS, RIP and the error
 * code are pushed; TF, NT, RF and VM are cleared, and IF for an interrupt
 * gate. A fault while delivering is a double fault, and one while
 * delivering that a triple fault (shutdown: the run stops).
 */
function deliverThroughIdt(s: X86State, context: DeliveryContext, event: Delivery, trace: TraceSink | undefined, depth = 0): Stop | undefined {
  const nested = (vector: number, code: number, why: string): Stop | undefined => {
    if (depth >= 1 || event.vector === Vector.DF) return stop('recursive-fault', `triple fault: ${why} while delivering ${vectorName(event.vector)} (shutdown)`);
    const contributory = (v: number): boolean => v === 0 || (v >= 10 && v <= 13);
    // A contributory fault or #PF during a contributory one or #PF is #DF (SDM vol. 3 table 6-5); otherwise the second is delivered.
    const asDouble = (contributory(event.vector) || event.vector === Vector.PF) && (contributory(vector) || vector === Vector.PF);
    const second: Delivery = asDouble
      ? { vector: Vector.DF, errorCode: 0, returnAddress: event.returnAddress, software: false, cause: `double fault: ${why} while delivering ${vectorName(event.vector)}` }
      : { vector, errorCode: code, returnAddress: event.returnAddress, software: false, cause: `${why} while delivering ${vectorName(event.vector)}` };
    return deliverThroughIdt(s, context, second, trace, depth + 1);
  };
  // A #PF on one of delivery's own accesses: CR2 is the address the walk faulted on (SDM vol. 3 §4.7), the code the walk's.
  // A non-canonical address instead is #GP, or #SS for the new stack (SDM vol. 3 §6.14.3), with the EXT bit.
  const pageFault = (why: string, stack = false): Stop | undefined => {
    if (linearFaultNonCanonical) return nested(stack ? Vector.SS : Vector.GP, event.software ? 0 : 1, `${why} (non-canonical ${hexAddress(linearFaultAddress)})`);
    s.cr2 = addressValue(linearFaultAddress);
    return nested(Vector.PF, linearFaultCode, why);
  };
  const vector = event.vector;
  const gateCode = vector * 8 + 2 + (event.software ? 0 : 1);
  if (vector * 16 + 15 > s.idtrLimit) return nested(Vector.GP, gateCode, `IDT limit ${s.idtrLimit} below vector ${vector}`);
  const gateAddress = s.idtrBase + BigInt(vector * 16);
  const low = read64(context, gateAddress);
  const high = low === undefined ? undefined : read64(context, gateAddress + 8n);
  if (low === undefined || high === undefined) return pageFault(`#PF reading IDT gate ${vector} at ${hexAddress(linearFaultAddress)}`);
  const type = Number((low >> 40n) & 0xfn);
  const dpl = Number((low >> 45n) & 3n);
  const present = ((low >> 47n) & 1n) === 1n;
  const ist = Number((low >> 32n) & 7n);
  const selector = Number((low >> 16n) & 0xffffn);
  const offset = (low & 0xffffn) | ((low >> 32n) & 0xffff_0000n) | ((high & 0xffff_ffffn) << 32n);
  if (type !== 14 && type !== 15) return nested(Vector.GP, gateCode, `IDT gate ${vector} has type ${type}, not an interrupt or trap gate`);
  // A software interrupt through a gate of lower privilege than CPL: #GP with the IDT bit set (error code vector·8 + 2; fact sheet §9.4).
  if (event.software && dpl < s.cpl) {
    const gp: Delivery = { vector: Vector.GP, errorCode: vector * 8 + 2, returnAddress: event.returnAddress === 0 ? 0 : softwareFaultAddress, software: false, cause: `${event.cause}: gate DPL ${dpl} < CPL ${s.cpl}` };
    return deliverThroughIdt(s, context, gp, trace, depth);
  }
  if (!present) return nested(Vector.NP, gateCode, `IDT gate ${vector} not present`);
  const target = descriptor(s, context, selector);
  if (target === -1) return pageFault(`#PF reading the GDT entry of gate ${vector}'s selector 0x${selector.toString(16)}`);
  if (typeof target === 'string') return nested(Vector.GP, selector & ~3, `gate ${vector} selector 0x${selector.toString(16)}: ${target}`);
  if ((target & Attr.P) === 0 || (target & 0x18) !== 0x18 || (target & Attr.L) === 0) return nested(Vector.GP, selector & ~3, `gate ${vector} selector 0x${selector.toString(16)} is not a present 64-bit code segment`);
  const newCpl = (target >> Attr.DPL_SHIFT) & 3;
  if (newCpl > s.cpl) return nested(Vector.GP, selector & ~3, `gate ${vector} targets a less privileged CPL ${newCpl}`);
  const from = s.cpl;
  const oldSs = s.sel[Seg.ss]!;
  const oldRsp = s.gpr[Gpr.rsp]!;
  let rsp = oldRsp;
  if (ist !== 0) {
    const slot = read64(context, s.trBase + BigInt(0x24 + 8 * (ist - 1)));
    if (slot === undefined) return pageFault(`#PF reading TSS IST${ist}`);
    rsp = slot;
  } else if (newCpl < s.cpl) {
    const slot = read64(context, s.trBase + BigInt(4 + 8 * newCpl));
    if (slot === undefined) return pageFault(`#PF reading TSS RSP${newCpl}`);
    rsp = slot;
  }
  rsp &= ~0xfn;
  // The gate's target must be canonical (SDM vol. 3 §6.14.1: #GP(EXT)), checked before anything is pushed.
  if (!isCanonical(offset)) return nested(Vector.GP, event.software ? 0 : 1, `IDT gate ${vector} targets non-canonical ${hexBig(offset)}`);
  const frame = [BigInt(oldSs), oldRsp, BigInt(s.rflags), BigInt(s.sel[Seg.cs]!), addressValue(event.returnAddress)];
  if (event.errorCode >= 0) frame.push(BigInt(event.errorCode));
  let sp = rsp;
  for (const value of frame) {
    sp = BigInt.asUintN(64, sp - 8n);
    if (!write64(context, sp, value, stackKind(newCpl, true))) return pageFault(`stack write at ${hexBig(sp)} faulted`, true);
  }
  // Everything checked: commit (the SDM's order of checks, then the state change).
  if (newCpl !== s.cpl) {
    s.sel[Seg.ss] = newCpl;
    s.segBase[Seg.ss] = 0n;
    s.segLimit[Seg.ss] = 0xffff_ffff;
    s.segAttr[Seg.ss] = dataAttr(newCpl);
  }
  s.sel[Seg.cs] = (selector & ~3) | newCpl;
  s.segAttr[Seg.cs] = target;
  s.cpl = newCpl;
  s.gpr[Gpr.rsp] = sp;
  s.rflags &= ~(Flag.TF | Flag.NT | Flag.RF | Flag.VM | (type === 14 ? Flag.IF : 0));
  if (vector === Vector.PF) {
    // CR2 was written by the caller before delivery.
  }
  s.pc = linearAddress(offset);
  if (trace !== undefined) {
    trace.emit({ kind: 'exception', exception: vectorName(vector), cause: event.cause, from: cplName(from), to: cplName(newCpl), vector: s.pc, returnAddress: event.returnAddress, syndrome: event.errorCode >= 0 ? event.errorCode : undefined });
  }
  return undefined;
}

/** The address a #GP raised by a software interrupt's gate check reports: the INT instruction itself (set before delivery). */
let softwareFaultAddress = 0;

function vectorName(vector: number): string {
  return VECTOR_NAMES[vector] ?? `vector ${vector}`;
}

function hexBig(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}

/** What a walk's #PF error code says, for traces. */
function pageFaultWhy(code: number): string {
  if ((code & PfError.RSVD) !== 0) return 'reserved bit set in a paging entry';
  if ((code & PfError.P) === 0) return 'page not present';
  return (code & PfError.ID) !== 0 ? 'protection: no execute' : (code & PfError.W) !== 0 ? 'protection: no write' : 'protection: supervisor page';
}

/** #PF error code bits (SDM vol. 3 §4.7): P, W/R, U/S, I/D. */
const PF_WRITE = 2;
const PF_USER = 4;
const PF_FETCH = 16;

/** Deliver an exception for `trap`, or exit to the host where the guest's VMX/SVM controls say so. */
export function deliverX86(s: X86State, context: DeliveryContext, trap: Trap, trace: TraceSink | undefined): Stop | undefined {
  switch (trap.cause) {
    case 'call': {
      switch (trap.conduit) {
        case 'vmcall':
        case 'vmmcall':
          return vmExit(s, context, hypercallExitAt(s.vendor, trap.address, trap.next - trap.address), trace, undefined);
        case 'syscall':
          return deliverSyscall(s, trap.address, trap.next, trace);
        case 'int':
        case 'int80':
        case 'int3': {
          softwareFaultAddress = trap.address;
          const vector = trap.imm;
          const cause = trap.conduit === 'int3' ? 'int3' : `int $0x${vector.toString(16)}`;
          return deliverThroughIdt(s, context, { vector, errorCode: -1, returnAddress: trap.next, software: true, cause }, trace);
        }
        default:
          return stop('unpredictable', `x86_64 has no conduit '${trap.conduit}'`);
      }
    }
    case 'undefined':
      return exception(s, context, Vector.UD, -1, trap.address, `#UD at ${hexAddress(trap.address)} (${trap.reason})`, trace);
    case 'privileged':
      return exception(s, context, Vector.GP, 0, trap.address, `#GP(0) at ${hexAddress(trap.address)}: ${trap.reason} at CPL ${s.cpl}`, trace);
    case 'exception':
      return exception(s, context, trap.vector, trap.errorCode, trap.address, `${vectorName(trap.vector)}${trap.errorCode >= 0 ? `(0x${trap.errorCode.toString(16)})` : ''} at ${hexAddress(trap.address)}: ${trap.reason}`, trace);
    case 'fetch-fault': {
      // A fetch beyond canonical space is #GP(0); an unmapped page is #PF with I/D set and CR2 the byte that faulted (SDM vol. 3 §4.7).
      if (!isCanonicalNumber(trap.address)) return exception(s, context, Vector.GP, 0, trap.next, `#GP(0): instruction fetch at non-canonical ${hexAddress(trap.address)}`, trace, trap.address);
      // CR2 holds the 64-bit address; without paging an upper-half one (negative) is unmapped, as no physical address reaches it.
      s.cr2 = addressValue(trap.address);
      const kind = PageAccess.fetch | (s.cpl === 3 ? PageAccess.user : 0);
      const walked = context.tlb.probe(trap.address, kind);
      if (walked >= 0) return exception(s, context, Vector.PF, walked, trap.next, `#PF(0x${walked.toString(16)}): instruction fetch at ${hexAddress(trap.address)} (${pageFaultWhy(walked)})`, trace);
      // No RAM behind the address: P = 0; I/D as the SDM gives it (§4.7: only with CR4.SMEP or EFER.NXE under PAE paging).
      const fetchBit = (s.efer & Efer.NXE) !== 0 || (s.cr4 & 0x10_0000) !== 0 ? PF_FETCH : 0;
      return exception(s, context, Vector.PF, fetchBit | (s.cpl === 3 ? PF_USER : 0), trap.next, `#PF: instruction fetch from unmapped ${hexAddress(trap.address)}`, trace);
    }
    case 'data-fault': {
      if (trap.fault === 'non-canonical') return exception(s, context, Vector.GP, 0, trap.address, `#GP(0) at ${hexAddress(trap.address)}: non-canonical ${trap.write ? 'write' : 'read'} address`, trace);
      s.cr2 = addressValue(trap.faultAddress);
      const kind = (trap.write ? PageAccess.write : PageAccess.read) | (s.cpl === 3 ? PageAccess.user : 0);
      const walked = context.tlb.probe(trap.faultAddress, kind);
      if (walked >= 0) return exception(s, context, Vector.PF, walked, trap.address, `#PF(0x${walked.toString(16)}) at ${hexAddress(trap.address)}: ${trap.write ? 'write to' : 'read from'} ${hexAddress(trap.faultAddress)} (${pageFaultWhy(walked)})`, trace);
      return exception(s, context, Vector.PF, (trap.write ? PF_WRITE : 0) | (s.cpl === 3 ? PF_USER : 0), trap.address, `#PF at ${hexAddress(trap.address)}: ${trap.write ? 'write to' : 'read from'} unmapped ${hexAddress(trap.faultAddress)}`, trace);
    }
    case 'breakpoint':
      softwareFaultAddress = trap.address;
      return deliverThroughIdt(s, context, { vector: Vector.BP, errorCode: -1, returnAddress: trap.next, software: true, cause: 'int3' }, trace);
    case 'wait':
      return stop('wfi', `${trap.instruction} at ${hexAddress(trap.address)}`);
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
}

/**
 * A fault: the guest RIP is the faulting instruction. #UD first exits to
 * the host (KVM intercepts it), which may resume (having emulated or
 * patched) or reinject it.
 */
function exception(s: X86State, context: DeliveryContext, vector: number, errorCode: number, address: number, cause: string, trace: TraceSink | undefined, fetchAddress?: number): Stop | undefined {
  // A fetch fault reports the instruction's start: `address` is the start for a fetch (trap.next carries it) — see deliverX86.
  const rip = fetchAddress === undefined ? address : address;
  if (vector === Vector.UD) {
    const vendor = VENDORS[s.vendor]!;
    const exit: VmExit = vendor === 'intel'
      ? { vendor, reason: ExitReason.vmxException, name: 'EXCEPTION_NMI', address: rip, length: 0, vector, errorCode }
      : { vendor, reason: ExitReason.svmExceptionBase + vector, name: `EXCP_BASE+${vector}`, address: rip, length: 0, vector, errorCode };
    return vmExit(s, context, exit, trace, { vector, errorCode, returnAddress: rip, software: false, cause });
  }
  return deliverThroughIdt(s, context, { vector, errorCode, returnAddress: rip, software: false, cause }, trace);
}

/** The VM exit of the vendor's hypercall instruction (VMCALL: VMX basic reason 18; VMMCALL: SVM 0x81) at `address`, `length` bytes long. */
export function hypercallExit(vendor: Vendor, address: number, length: number): VmExit {
  return vendor === 'intel'
    ? { vendor, reason: ExitReason.vmxVmcall, name: 'VMCALL', address, length, vector: -1, errorCode: -1 }
    : { vendor, reason: ExitReason.svmVmmcall, name: 'VMMCALL', address, length, vector: -1, errorCode: -1 };
}

/** Slots of the hypercall exits kept by address ({@link hypercallExitAt}); a power of two. */
const HYPERCALL_EXITS = 256;
/** The hypercall exits made so far, direct-mapped by the instruction's address. */
const hypercallExits: (VmExit | undefined)[] = new Array<VmExit | undefined>(HYPERCALL_EXITS).fill(undefined);

/**
 * {@link hypercallExit} of the vendor numbered `vendor` (an index of
 * `VENDORS`), kept by address: a VM exit is read-only, so the exit of the
 * same instruction is made once and every later exit there reuses it (a
 * hypercall allocates nothing on its way to the host).
 */
export function hypercallExitAt(vendor: number, address: number, length: number): VmExit {
  const index = address & (HYPERCALL_EXITS - 1);
  const kept = hypercallExits[index];
  const name = VENDORS[vendor]!;
  if (kept !== undefined && kept.address === address && kept.length === length && kept.vendor === name) return kept;
  const exit = hypercallExit(name, address, length);
  hypercallExits[index] = exit;
  return exit;
}

/**
 * A hypercall's VM exit to the host model: what {@link deliverX86} does
 * with a VMCALL or VMMCALL trap once the semantics let it through, with
 * the exit made beforehand ({@link hypercallExit}: translated code keeps
 * one per instruction; the interpreter's block loop takes
 * {@link hypercallExitAt}'s), traced into `trace` when given. Returns the
 * stop that ends the run, if any.
 */
export function deliverHypercallExit(s: X86State, context: DeliveryContext, exit: VmExit, trace?: TraceSink): Stop | undefined {
  return vmExit(s, context, exit, trace, undefined);
}

/** Exit to the host model; `reinject` is the guest exception to deliver if the host asks for it. */
function vmExit(s: X86State, context: DeliveryContext, exit: VmExit, trace: TraceSink | undefined, reinject: Delivery | undefined): Stop | undefined {
  s.pc = exit.address;
  if (trace !== undefined) {
    const detail = exit.vector >= 0 ? ` (${vectorName(exit.vector)})` : '';
    trace.emit({ kind: 'note', address: exit.address, message: `vm exit ${exit.vendor === 'intel' ? exit.reason : `0x${exit.reason.toString(16)}`} ${exit.name}${detail} to the host` });
  }
  const host = context.host;
  if (host === undefined) {
    if (reinject !== undefined) return deliverThroughIdt(s, context, reinject, trace);
    return stop('firmware', `VM exit ${exit.name} (${exit.vendor === 'intel' ? `basic reason ${exit.reason}` : `exit code 0x${exit.reason.toString(16)}`}) at ${hexAddress(exit.address)}: no host model is installed`);
  }
  const action = host.exit(exit);
  if (action === 'resume') return undefined;
  if (action === 'reinject') {
    if (reinject !== undefined) return deliverThroughIdt(s, context, reinject, trace);
    return undefined;
  }
  if (action.kind === 'inject') return inject(s, context, action, trace);
  return action;
}

/**
 * VM entry with an injected event: a failed entry check stops the run
 * (KVM would report KVM_EXIT_FAIL_ENTRY); otherwise the event is delivered
 * through the guest's IDT at the guest's RIP, as the CPU delivers its own.
 */
function inject(s: X86State, context: DeliveryContext, event: InjectVector, trace: TraceSink | undefined): Stop | undefined {
  const failure = injectionError(event, s.rflags);
  if (failure !== undefined) return stop('firmware', `VM entry failed: ${failure} (injecting ${vectorName(event.vector)} at ${hexAddress(s.pc)}: ${event.why})`);
  const code = event.errorCode >= 0 ? `(0x${event.errorCode.toString(16)})` : '';
  return deliverThroughIdt(s, context, { vector: event.vector, errorCode: event.errorCode, returnAddress: s.pc, software: false, cause: `host injects ${vectorName(event.vector)}${code}: ${event.why}` }, trace);
}

/**
 * The SYSCALL entry as a template over the state slots ({@link X86Slot}),
 * the one definition the interpreter (through `syscall`) and
 * translated code both run (fact sheet §9.4; SDM vol. 2 SYSCALL): RCX ←
 * `next` (an expression, the next RIP, below 2^53), R11 ← RFLAGS, RFLAGS
 * &= ~SFMASK (and RF cleared), CS ← STAR[47:32] & 0xFFFC (flat 64-bit, DPL
 * 0), SS ← STAR[47:32] + 8, CPL 0; returns an expression for the new RIP,
 * LSTAR. With `slow` (the statement that leaves for the exception model,
 * the JIT's way out), the semantics' guard comes first: EFER.SCE clear
 * (#UD) takes it, before anything changes.
 */
export function emitSyscallEntry(code: StateCode, next: string, slow?: string): string {
  if (slow !== undefined) code.emit(`if ((${code.get(X86Slot.efer)} & ${Efer.SCE}) === 0) ${slow}`);
  const msr = (k: number): string => code.get(X86Slot.msr + k);
  const selector = code.temp(`${msr(2 * MsrSlot.star + 1)} & 0xffff`);
  code.set(2 * Gpr.rcx, `${next} % ${TWO_32}`);
  code.set(2 * Gpr.rcx + 1, `Math.floor(${next} / ${TWO_32})`);
  code.set(2 * Gpr.r11, code.get(X86Slot.rflags));
  code.set(2 * Gpr.r11 + 1, '0');
  code.set(X86Slot.rflags, `(${code.get(X86Slot.rflags)} & ~${msr(2 * MsrSlot.sfmask)} & ${~Flag.RF}) | ${Flag.FIXED}`);
  emitFlatSegments(code, `${selector} & 0xfffc`, codeAttr(0), `(${selector} + 8) & 0xffff`, dataAttr(0));
  code.set(X86Slot.cpl, '0');
  // LSTAR holds a canonical address (WRMSR checks it), in the signed representation (the kernel's upper half negative); one
  // written through the register view unchecked stays non-canonical, and the fetch at it is #GP.
  return emitAddressOfWords(code, msr(2 * MsrSlot.lstar), msr(2 * MsrSlot.lstar + 1));
}

/**
 * The SYSRET return as a template (SDM vol. 2 SYSRET; QEMU `helper_sysret`),
 * once the model has refused what it refuses (Intel's non-canonical RCX,
 * see `sysret`). With REX.W (`wide`): RIP ← RCX, CS ← (STAR[63:48] +
 * 16) | 3, 64-bit; without: RIP ← ECX, CS ← STAR[63:48] | 3, compatibility
 * mode. SS ← (STAR[63:48] + 8) | 3, CPL 3, RFLAGS ← R11 with RF and VM
 * clear and bit 1 set. Returns an expression for the new RIP (a
 * non-canonical RCX, AMD, gives 2^47: the next fetch faults). With `slow`,
 * the guards come first and take it before anything changes: the
 * semantics' (EFER.SCE clear: #UD; CPL ≠ 0: #GP(0)) and, for SYSRETQ, any
 * RCX outside the lower canonical half (the model decides those).
 */
export function emitSysretReturn(code: StateCode, wide: boolean, slow?: string): string {
  const rcxLow = code.get(2 * Gpr.rcx);
  const rcxHigh = code.get(2 * Gpr.rcx + 1);
  if (slow !== undefined) {
    code.emit(`if ((${code.get(X86Slot.efer)} & ${Efer.SCE}) === 0 || ${code.get(X86Slot.cpl)} !== 0${wide ? ` || (${rcxHigh} >>> 15) !== 0` : ''}) ${slow}`);
  }
  const star = code.temp(`${code.get(X86Slot.msr + 2 * MsrSlot.star + 1)} >>> 16`);
  emitFlatSegments(code, wide ? `((${star} + 16) | 3) & 0xffff` : `(${star} | 3) & 0xffff`, codeAttr(3, wide), `((${star} + 8) | 3) & 0xffff`, dataAttr(3));
  code.set(X86Slot.cpl, '3');
  code.set(X86Slot.rflags, `(${code.get(2 * Gpr.r11)} & ${0x3f_7fd7 & ~(Flag.RF | Flag.VM)}) | ${Flag.FIXED}`);
  // A non-canonical target (AMD) faults on the next fetch, at CPL 3: RIP keeps it (exactly within ±2^53).
  return wide ? emitAddressOfWords(code, rcxLow, rcxHigh) : code.temp(`${rcxLow}`);
}

/** An expression for `linearAddressOfWords(low, high)` (registers.ts): the signed representation of a 64-bit value's unsigned words. */
function emitAddressOfWords(code: StateCode, low: string, high: string): string {
  const h = code.temp(`${high} | 0`);
  // |value| < 2^53 exactly when the signed high word is within ±2^21; otherwise the non-canonical placeholder.
  return code.temp(`${h} >= ${-0x20_0000} && ${h} < ${0x20_0000} ? ${h} * ${TWO_32} + (${low} >>> 0) : ${NON_CANONICAL_PC}`);
}

/** CS and SS loaded flat (base 0, limit 4 GiB − 1) with the selectors (expressions) and access rights given, as SYSCALL and SYSRET load them. */
function emitFlatSegments(code: StateCode, cs: string, csAttr: number, ss: string, ssAttr: number): void {
  code.set(X86Slot.sel + Seg.cs, cs);
  code.set(X86Slot.base + Seg.cs, '0n');
  code.set(X86Slot.limit + Seg.cs, `${0xffff_ffff}`);
  code.set(X86Slot.attr + Seg.cs, `${csAttr}`);
  code.set(X86Slot.sel + Seg.ss, ss);
  code.set(X86Slot.base + Seg.ss, '0n');
  code.set(X86Slot.limit + Seg.ss, `${0xffff_ffff}`);
  code.set(X86Slot.attr + Seg.ss, `${ssAttr}`);
}

/** The interpreter's SYSCALL entry: {@link emitSyscallEntry} built once over the state; returns the new RIP. */
let syscallEntry: ((s: X86State, next: number) => number) | undefined;
/** The interpreter's SYSRETQ and SYSRETL returns: {@link emitSysretReturn} built once each; they return the new RIP. */
let sysretReturns: [(s: X86State) => number, (s: X86State) => number] | undefined;

/**
 * SYSCALL in 64-bit mode, and on AMD in compatibility mode (RIP ← CSTAR
 * there): {@link emitSyscallEntry}, then its trace event. The EFER.SCE
 * check is the semantics' guard (#UD): what {@link deliverX86}
 * does with a SYSCALL trap, and what the interpreter's block loop calls
 * for an enabled SYSCALL directly (`address` the instruction, `next` the
 * one after it).
 */
export function deliverSyscall(s: X86State, address: number, next: number, trace: TraceSink | undefined): Stop | undefined {
  const from = s.cpl;
  // From compatibility mode (AMD: Intel's is #UD, the semantics' guard) the entry is CSTAR's (APM vol. 3 SYSCALL; QEMU `helper_syscall`).
  const compat = (s.segAttr[Seg.cs]! & Attr.L) === 0;
  syscallEntry ??= buildDirect<(s: X86State, next: number) => number>(['s', 'next'], x86SlotPlace, (code) => code.emit(`return ${emitSyscallEntry(code, 'next')};`));
  s.pc = syscallEntry(s, next);
  if (compat) s.pc = linearAddress(s.msr[MsrSlot.cstar]!);
  if (trace !== undefined) trace.emit({ kind: 'exception', exception: 'syscall', cause: `syscall at ${hexAddress(address)}`, from: cplName(from), to: 'cpl0', vector: s.pc, returnAddress: next, syndrome: undefined });
  return undefined;
}

/** 2^32: splits a number into a register's two words (a negative one into its two's complement words, as the typed array stores them). */
const TWO_32 = 0x1_0000_0000;

/** Perform an exception return: IRETQ/IRETD or SYSRETQ/SYSRETL. */
export function exceptionReturnX86(s: X86State, context: DeliveryContext, request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
  switch (request.instruction) {
    case 'sysretq':
    case 'sysretl':
      return returnSysret(s, context, request, trace);
    case 'iretq':
    case 'iretd':
      return iret(s, context, request, trace);
    default:
      return stop('unpredictable', `x86_64 has no exception return '${request.instruction}'`);
  }
}

/**
 * SYSRET (fact sheet §9.4; SDM vol. 2 SYSRET; QEMU `helper_sysret`). The
 * semantics checked EFER.SCE (#UD) and CPL 0 (#GP(0)). With REX.W: RIP ←
 * RCX, CS ← (STAR[63:48] + 16) | 3, 64-bit; without: RIP ← ECX, CS ←
 * STAR[63:48] | 3, compatibility mode. SS ← (STAR[63:48] + 8) | 3. RFLAGS ←
 * R11 with RF and VM clear and bit 1 set. On Intel a non-canonical RCX is
 * #GP(0) while still at CPL 0, on the stack the kernel already switched to
 * the user's (Linux `entry_64.S` warns of exactly this); AMD and QEMU
 * return and fault at CPL 3 on the fetch. What {@link exceptionReturnX86}
 * does with a SYSRET request, and what the interpreter's block loop calls
 * for one directly.
 */
export function returnSysret(s: X86State, context: DeliveryContext, request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
  const wide = request.instruction === 'sysretq';
  // On the 32-bit words (`gpr32`, `msr32`), as SYSCALL: every sysret's path.
  const rcxHigh = s.gpr32[2 * Gpr.rcx + 1]!;
  const vendor = VENDORS[s.vendor]!;
  const top = rcxHigh >>> 15;
  if (wide && vendor === 'intel' && top !== 0 && top !== 0x1_ffff) {
    return exception(s, context, Vector.GP, 0, request.address, `#GP(0) at ${hexAddress(request.address)}: sysretq with non-canonical RCX ${hexBig(s.gpr[Gpr.rcx]!)} (Intel: at CPL 0, on the current RSP)`, trace);
  }
  const from = s.cpl;
  sysretReturns ??= [
    buildDirect<(s: X86State) => number>(['s'], x86SlotPlace, (code) => code.emit(`return ${emitSysretReturn(code, true)};`)),
    buildDirect<(s: X86State) => number>(['s'], x86SlotPlace, (code) => code.emit(`return ${emitSysretReturn(code, false)};`)),
  ];
  s.pc = sysretReturns[wide ? 0 : 1](s);
  if (trace !== undefined) trace.emit({ kind: 'return', instruction: request.instruction, from: cplName(from), to: 'cpl3', target: s.pc });
  return undefined;
}

/**
 * IRETQ in IA-32e mode (fact sheet §9.4; SDM vol. 2 IRET; QEMU
 * `helper_ret_protected`): RFLAGS.NT = 1 is #GP(0); pops RIP, CS, RFLAGS,
 * RSP and SS, always (even to the same privilege). The new CPL is CS.RPL,
 * which may not be more privileged than CPL (#GP(selector)); RFLAGS takes
 * TF, AC, ID, RF, NT and the status flags, IOPL only at CPL 0, IF only when
 * CPL ≤ IOPL. A null SS is allowed for a new CPL other than 3. IRETD pops
 * 32-bit slots.
 */
function iret(s: X86State, context: DeliveryContext, request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
  const gp = (code: number, why: string): Stop | undefined => exception(s, context, Vector.GP, code, request.address, `#GP(0x${code.toString(16)}) at ${hexAddress(request.address)}: ${why}`, trace);
  if ((s.rflags & Flag.NT) !== 0) return gp(0, 'iret with RFLAGS.NT set in long mode');
  const slot = request.instruction === 'iretq' ? 8 : 4;
  const values: bigint[] = [];
  let sp = s.gpr[Gpr.rsp]!;
  for (let i = 0; i < 5; i++) {
    const a = BigInt.asUintN(64, sp);
    const kind = stackKind(s.cpl, false);
    const v = slot === 8 ? read64(context, a, kind) : read32(context, a, kind);
    if (v === undefined) {
      if (linearFaultNonCanonical) return exception(s, context, Vector.SS, 0, request.address, `#SS(0) at ${hexAddress(request.address)}: iret reads non-canonical stack ${hexBig(a)}`, trace);
      s.cr2 = addressValue(linearFaultAddress);
      return exception(s, context, Vector.PF, linearFaultCode, request.address, `#PF at ${hexAddress(request.address)}: iret reads unmapped stack ${hexBig(a)}`, trace);
    }
    values.push(BigInt(v));
    sp = a + BigInt(slot);
  }
  const [rip, cs, flags, rsp, ss] = values as [bigint, bigint, bigint, bigint, bigint];
  const csSelector = Number(cs & 0xffffn);
  const newCpl = csSelector & 3;
  if (newCpl < s.cpl) return gp(csSelector & ~3, `iret to CPL ${newCpl} from CPL ${s.cpl}`);
  const csAttr = descriptor(s, context, csSelector);
  if (csAttr === -1) return gdtPageFault(s, context, request, trace);
  if (typeof csAttr === 'string') return gp(csSelector & ~3, `iret CS 0x${csSelector.toString(16)}: ${csAttr}`);
  if ((csAttr & 0x18) !== 0x18 || (csAttr & Attr.P) === 0 || ((csAttr >> Attr.DPL_SHIFT) & 3) !== newCpl) return gp(csSelector & ~3, `iret CS 0x${csSelector.toString(16)} is not a present code segment of DPL ${newCpl}`);
  const ssSelector = Number(ss & 0xffffn);
  let ssAttr: number;
  if ((ssSelector & ~3) === 0) {
    if (newCpl === 3 || (csAttr & Attr.L) === 0) return gp(0, 'iret with a null SS to CPL 3');
    ssAttr = dataAttr(newCpl);
  } else {
    const a = descriptor(s, context, ssSelector);
    if (a === -1) return gdtPageFault(s, context, request, trace);
    if (typeof a === 'string') return gp(ssSelector & ~3, `iret SS 0x${ssSelector.toString(16)}: ${a}`);
    if ((ssSelector & 3) !== newCpl || ((a >> Attr.DPL_SHIFT) & 3) !== newCpl || (a & 0x1a) !== 0x12) return gp(ssSelector & ~3, `iret SS 0x${ssSelector.toString(16)} is not a writable data segment at CPL ${newCpl}`);
    ssAttr = a;
  }
  // A 64-bit return needs a canonical RIP (SDM vol. 2 IRET: #GP(0)), checked before anything changes.
  if ((csAttr & Attr.L) !== 0 && !isCanonical(rip)) return gp(0, `iret to non-canonical RIP ${hexBig(rip)}`);
  const from = s.cpl;
  const iopl = (s.rflags >> 12) & 3;
  let mask = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF | Flag.DF | Flag.TF | Flag.AC | Flag.ID | Flag.RF | Flag.NT;
  if (from === 0) mask |= Flag.IOPL;
  if (from <= iopl) mask |= Flag.IF;
  s.rflags = ((s.rflags & ~mask) | (Number(flags & 0xffff_ffffn) & mask)) | Flag.FIXED;
  s.sel[Seg.cs] = csSelector;
  s.segBase[Seg.cs] = 0n;
  s.segLimit[Seg.cs] = 0xffff_ffff;
  s.segAttr[Seg.cs] = csAttr;
  s.sel[Seg.ss] = ssSelector;
  s.segBase[Seg.ss] = 0n;
  s.segLimit[Seg.ss] = 0xffff_ffff;
  s.segAttr[Seg.ss] = ssAttr;
  s.cpl = newCpl;
  s.gpr[Gpr.rsp] = slot === 8 ? rsp : rsp & 0xffff_ffffn;
  s.pc = linearAddress(rip);
  if (trace !== undefined) trace.emit({ kind: 'return', instruction: request.instruction, from: cplName(from), to: cplName(newCpl), target: s.pc });
  return undefined;
}

/** A #PF on IRETQ's read of the GDT (an implicit supervisor access; CR2 and the code from the walk). */
function gdtPageFault(s: X86State, context: DeliveryContext, request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
  if (linearFaultNonCanonical) return exception(s, context, Vector.GP, 0, request.address, `#GP(0) at ${hexAddress(request.address)}: iret reads the GDT at non-canonical ${hexAddress(linearFaultAddress)}`, trace);
  s.cr2 = addressValue(linearFaultAddress);
  return exception(s, context, Vector.PF, linearFaultCode, request.address, `#PF at ${hexAddress(request.address)}: iret reads the GDT at ${hexAddress(linearFaultAddress)}`, trace);
}

/** EFER.SCE, the guard of SYSCALL and SYSRET (#UD when clear). */
export function syscallEnabled(s: X86State): boolean {
  return (s.efer & Efer.SCE) !== 0;
}

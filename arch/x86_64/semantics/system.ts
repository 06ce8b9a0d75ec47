/**
 * System instructions: the trap conduits (VMCALL, VMMCALL, SYSCALL, INT n,
 * INT3), their returns (SYSRET, IRETQ), CPUID, RDMSR/WRMSR, RDTSC,
 * LGDT/LIDT/LTR, moves to and from control and segment registers, INVLPG,
 * SWAPGS, CLI/STI, HLT and UD2. Guards first (SDM vol. 2, each instruction's
 * "Protected Mode Exceptions" / "64-Bit Mode Exceptions"); traps are
 * returned, and `exceptions.ts` delivers them.
 *
 * @module
 */

import { hexAddress, RETIRED, stop, type CallTrap, type ExceptionReturn, type StepResult } from '../../../src/interp/step-result.ts';
import { syscallEnabled } from '../exceptions.ts';
import { Attr, Cr0, Cr4, Efer, Flag, Gpr, MSR_EFER, MSR_FS_BASE, MSR_GS_BASE, MSR_SLOT, MsrSlot, Seg, VENDORS, dataAttr, isCanonical, linearAddress, type X86State } from '../registers.ts';
import { tlbOf } from '../tlb.ts';
import { generalProtection, linear, loaded, readAt, readOperand, undefinedOp, writeOperand, type X86Handler, type X86Op } from './common.ts';

/** A call trap, built per op at first use (trapping then allocates nothing). */
function callTrap(op: X86Op, conduit: string, imm: number): CallTrap {
  return { kind: 'trap', cause: 'call', address: op.address, next: op.next, conduit, imm };
}

/** An exception-return request of `op`. */
function returnRequest(op: X86Op, instruction: string): ExceptionReturn {
  return { kind: 'return', instruction, address: op.address, target: undefined };
}

/** VMCALL and VMMCALL take no LOCK, REP or operand-size prefix (SDM vol. 2 VMCALL: #UD). */
function hypercallPrefixes(op: X86Op): boolean {
  const insn = op.insn!;
  return insn.operandPrefix || insn.rep !== 0 || insn.lock;
}

/** VMCALL (0F 01 C1): in VMX non-root an unconditional VM exit (reason 18), before any CPL check; an SVM guest has no VMCALL: #UD (fact sheet §9.4). */
const vmcall: X86Handler = (s, op) => {
  if (hypercallPrefixes(op)) return undefinedOp(op, 'vmcall with a prefix');
  if (VENDORS[s.vendor] !== 'intel') return undefinedOp(op, 'vmcall in an SVM guest');
  return (op.fixed ??= callTrap(op, 'vmcall', 0)) as CallTrap;
};

/** VMMCALL (0F 01 D9): #VMEXIT 0x81 in an SVM guest (the APM has no CPL check); #UD in a VMX guest (fact sheet §9.4). */
const vmmcall: X86Handler = (s, op) => {
  if (hypercallPrefixes(op)) return undefinedOp(op, 'vmmcall with a prefix');
  if (VENDORS[s.vendor] !== 'amd') return undefinedOp(op, 'vmmcall in a VMX guest');
  return (op.fixed ??= callTrap(op, 'vmmcall', 0)) as CallTrap;
};

/**
 * SYSCALL: #UD when EFER.SCE is clear (SDM vol. 2 SYSCALL); on Intel also
 * outside 64-bit mode (SDM vol. 2 SYSCALL: "IF (CS.L ≠ 1) or (IA32_EFER.LMA
 * ≠ 1) or (IA32_EFER.SCE ≠ 1) THEN #UD", the opcode table's "Compat/Leg
 * Mode: Invalid"), where AMD enters through CSTAR (APM vol. 3 SYSCALL;
 * QEMU `helper_syscall`, which takes CSTAR whatever the vendor); otherwise
 * the exception model's SYSCALL entry.
 */
const syscallHandler: X86Handler = (s, op) => {
  if (!syscallEnabled(s)) return undefinedOp(op, 'syscall with EFER.SCE clear');
  if (op.insn!.codeSize !== 8 && VENDORS[s.vendor] === 'intel') return undefinedOp(op, 'syscall outside 64-bit mode (Intel)');
  return (op.fixed ??= callTrap(op, 'syscall', 0)) as CallTrap;
};

/** SYSRET: #UD when EFER.SCE is clear; #GP(0) at CPL ≠ 0 (SDM vol. 2 SYSRET). */
const sysret: X86Handler = (s, op) => {
  if (!syscallEnabled(s)) return undefinedOp(op, 'sysret with EFER.SCE clear');
  if (s.cpl !== 0) return { kind: 'trap', cause: 'privileged', address: op.address, next: op.next, reason: 'sysret' };
  return (op.fixed ??= returnRequest(op, op.variant === 8 ? 'sysretq' : 'sysretl')) as ExceptionReturn;
};

/** IRETQ / IRETD: the exception model pops the frame. */
const iret: X86Handler = (_s, op) => (op.fixed ??= returnRequest(op, op.variant === 8 ? 'iretq' : 'iretd')) as ExceptionReturn;

/** INT n (CD ib): a software interrupt through gate n (`int80` for 0x80, the i386 system-call conduit). */
const int: X86Handler = (_s, op) => {
  const n = Number(op.operands[0]!.imm & 0xffn);
  return (op.fixed ??= callTrap(op, n === 0x80 ? 'int80' : 'int', n)) as CallTrap;
};

/** INT3 (CC): #BP, a trap (the pushed RIP is the next instruction). */
const int3: X86Handler = (_s, op) => (op.fixed ??= { kind: 'trap', cause: 'breakpoint', address: op.address, next: op.next, imm: 3 }) as StepResult;

/** UD2: always #UD. */
const ud2: X86Handler = (_s, op) => undefinedOp(op, 'ud2');

/** HLT: #GP(0) at CPL > 0; otherwise the guest waits, which ends the run. */
const hlt: X86Handler = (s, op) => {
  if (s.cpl !== 0) return { kind: 'trap', cause: 'privileged', address: op.address, next: op.next, reason: 'hlt' };
  return stop('wfi', `hlt at ${hexAddress(op.address)}`);
};

/** A guard for instructions that are #GP(0) at CPL > 0. */
function notAtCpl0(s: X86State, op: X86Op, name: string): StepResult | undefined {
  return s.cpl === 0 ? undefined : { kind: 'trap', cause: 'privileged', address: op.address, next: op.next, reason: name };
}

/**
 * CPUID: the leaves a KVM guest asks first (SDM vol. 2 CPUID; fact sheet
 * §9.1): 0 (max leaf, vendor string), 1 (feature bits: the hypervisor bit
 * 31 of ECX), 0x80000000/0x80000001 (long mode, SYSCALL), and KVM's
 * 0x40000000 signature "KVMKVMKVM" with 0x40000001 features 0. Others read 0.
 */
const cpuid: X86Handler = (s) => {
  const leaf = Number(s.gpr[Gpr.rax]! & 0xffff_ffffn);
  const amd = VENDORS[s.vendor] === 'amd';
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  switch (leaf) {
    case 0:
      a = 1;
      // "GenuineIntel" / "AuthenticAMD" in EBX, EDX, ECX.
      [b, d, c] = amd ? [0x6874_7541, 0x6974_6e65, 0x444d_4163] : [0x756e_6547, 0x4965_6e69, 0x6c65_746e];
      break;
    case 1:
      a = 0x0006_06a6;
      c = 0x8000_0000;
      d = 0x0000_0001 | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 15);
      break;
    case 0x4000_0000:
      a = 0x4000_0001;
      [b, c, d] = [0x4b4d_564b, 0x564b_4d56, 0x0000_004d];
      break;
    case 0x8000_0000:
      a = 0x8000_0001;
      break;
    case 0x8000_0001:
      d = (1 << 11) | (1 << 20) | (1 << 29);
      c = amd ? 1 << 2 : 0;
      break;
    default:
      break;
  }
  s.gpr[Gpr.rax] = BigInt(a >>> 0);
  s.gpr[Gpr.rbx] = BigInt(b >>> 0);
  s.gpr[Gpr.rcx] = BigInt(c >>> 0);
  s.gpr[Gpr.rdx] = BigInt(d >>> 0);
  return RETIRED;
};

/** EFER bits software may write (SCE, LME, NXE, SVME; LMA is read-only; SDM vol. 3 §2.2.1). */
const EFER_WRITABLE = Efer.SCE | Efer.LME | Efer.NXE | Efer.SVME;

/** RDMSR: #GP(0) at CPL > 0 or for an MSR that is not modelled (SDM vol. 2 RDMSR). */
const rdmsr: X86Handler = (s, op) => {
  const guard = notAtCpl0(s, op, 'rdmsr');
  if (guard !== undefined) return guard;
  const index = Number(s.gpr[Gpr.rcx]! & 0xffff_ffffn);
  let value: bigint;
  if (index === MSR_EFER) value = BigInt(s.efer);
  else if (index === MSR_FS_BASE) value = s.segBase[Seg.fs]!;
  else if (index === MSR_GS_BASE) value = s.segBase[Seg.gs]!;
  else {
    const slot = MSR_SLOT.get(index);
    if (slot === undefined) return generalProtection(op, `rdmsr of unmodelled MSR 0x${index.toString(16)}`);
    value = s.msr[slot]!;
  }
  s.gpr[Gpr.rax] = value & 0xffff_ffffn;
  s.gpr[Gpr.rdx] = value >> 32n;
  return RETIRED;
};

/** WRMSR: #GP(0) at CPL > 0, for an unmodelled MSR, a reserved EFER bit, or a non-canonical address in LSTAR/CSTAR/FS/GS/KERNEL_GS_BASE (SDM vol. 2 WRMSR). */
const wrmsr: X86Handler = (s, op) => {
  const guard = notAtCpl0(s, op, 'wrmsr');
  if (guard !== undefined) return guard;
  const index = Number(s.gpr[Gpr.rcx]! & 0xffff_ffffn);
  const value = ((s.gpr[Gpr.rdx]! & 0xffff_ffffn) << 32n) | (s.gpr[Gpr.rax]! & 0xffff_ffffn);
  if (index === MSR_EFER) {
    if ((value & ~BigInt(EFER_WRITABLE | Efer.LMA)) !== 0n) return generalProtection(op, 'wrmsr to a reserved EFER bit');
    s.efer = (s.efer & Efer.LMA) | (Number(value) & EFER_WRITABLE);
    // EFER.NXE changes what a cached translation allows.
    tlbOf(s)?.flush();
    return RETIRED;
  }
  const address = index === MSR_FS_BASE || index === MSR_GS_BASE || index === 0xc000_0082 || index === 0xc000_0083 || index === 0xc000_0102;
  if (address && !isCanonical(value)) return generalProtection(op, `wrmsr of non-canonical 0x${value.toString(16)} to MSR 0x${index.toString(16)}`);
  if (index === MSR_FS_BASE) s.segBase[Seg.fs] = value;
  else if (index === MSR_GS_BASE) s.segBase[Seg.gs] = value;
  else {
    const slot = MSR_SLOT.get(index);
    if (slot === undefined) return generalProtection(op, `wrmsr to unmodelled MSR 0x${index.toString(16)}`);
    s.msr[slot] = value;
  }
  return RETIRED;
};

/** RDTSC: EDX:EAX ← the step count (CR4.TSD is not modelled: allowed at every CPL). */
const rdtsc: X86Handler = (s) => {
  const t = BigInt(s.tsc);
  s.gpr[Gpr.rax] = t & 0xffff_ffffn;
  s.gpr[Gpr.rdx] = (t >> 32n) & 0xffff_ffffn;
  return RETIRED;
};

/** LGDT / LIDT: #GP(0) at CPL > 0; loads a 2-byte limit and an 8-byte base (64-bit mode, SDM vol. 2 LGDT). */
const lgdt: X86Handler = (s, op) => {
  const guard = notAtCpl0(s, op, op.variant === 0 ? 'lgdt' : 'lidt');
  if (guard !== undefined) return guard;
  const address = linear(s, op);
  let fault = readAt(op, address, 2);
  if (fault !== undefined) return fault;
  const limit = Number(loaded);
  fault = readAt(op, address + 2n, 8);
  if (fault !== undefined) return fault;
  if (op.variant === 0) {
    s.gdtrLimit = limit;
    s.gdtrBase = loaded;
  } else {
    s.idtrLimit = limit;
    s.idtrBase = loaded;
  }
  return RETIRED;
};

/** LTR: #GP(0) at CPL > 0; loads TR from a 16-byte available-TSS descriptor in the GDT (SDM vol. 2 LTR), marking it busy. */
const ltr: X86Handler = (s, op) => {
  const guard = notAtCpl0(s, op, 'ltr');
  if (guard !== undefined) return guard;
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const selector = Number(loaded & 0xffffn);
  const offset = selector & ~7;
  if (offset === 0 || (selector & 4) !== 0 || offset + 15 > s.gdtrLimit) return generalProtection(op, `ltr selector 0x${selector.toString(16)}`, selector & ~3);
  const at = s.gdtrBase + BigInt(offset);
  let f = readAt(op, at, 8);
  if (f !== undefined) return f;
  const low = loaded;
  f = readAt(op, at + 8n, 8);
  if (f !== undefined) return f;
  const high = loaded;
  const type = Number((low >> 40n) & 0x1fn);
  if (type !== 0x09) return generalProtection(op, `ltr selector 0x${selector.toString(16)} is not an available 64-bit TSS`, selector & ~3);
  if (((low >> 47n) & 1n) === 0n) return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: 11, errorCode: selector & ~3, reason: 'TSS descriptor not present' };
  s.tr = selector;
  s.trBase = ((low >> 16n) & 0xff_ffffn) | (((low >> 56n) & 0xffn) << 24n) | ((high & 0xffff_ffffn) << 32n);
  s.trLimit = Number((low & 0xffffn) | ((low >> 32n) & 0xf_0000n));
  // Mark the descriptor busy (type 0xB).
  op.memory.write8(linearAddress(at) + 5, Number((low >> 40n) & 0xffn) | 0x02);
  return RETIRED;
};

/** SWAPGS: #UD outside 64-bit mode, #GP(0) at CPL > 0; exchanges GS.base and IA32_KERNEL_GS_BASE (SDM vol. 2 SWAPGS). */
const swapgs: X86Handler = (s, op) => {
  const guard = notAtCpl0(s, op, 'swapgs');
  if (guard !== undefined) return guard;
  const gs = s.segBase[Seg.gs]!;
  s.segBase[Seg.gs] = s.msr[MsrSlot.kernelGsBase]!;
  s.msr[MsrSlot.kernelGsBase] = gs;
  return RETIRED;
};

/** CLI / STI: #GP(0) when CPL > IOPL (SDM vol. 2 CLI; no VME/PVI in long mode). */
const cli: X86Handler = (s, op) => {
  if (s.cpl > ((s.rflags >> 12) & 3)) return { kind: 'trap', cause: 'privileged', address: op.address, next: op.next, reason: op.variant === 0 ? 'cli' : 'sti' };
  s.rflags = op.variant === 0 ? s.rflags & ~Flag.IF : s.rflags | Flag.IF;
  return RETIRED;
};

/** CR0 bits that exist (reserved ones are #GP on write; SDM vol. 3 §2.5). */
const CR0_DEFINED = Cr0.PE | Cr0.MP | Cr0.EM | Cr0.TS | Cr0.ET | Cr0.NE | Cr0.WP | Cr0.AM | Cr0.NW | Cr0.CD | Cr0.PG;
/** CR4 bits hyplay accepts (VME … SMAP, without the ones that need features not modelled). */
const CR4_DEFINED = 0x3f_7fff;

/** MOV from CR0/CR2/CR3/CR4/CR8: #GP(0) at CPL > 0; #UD for another control register (SDM vol. 2 MOV—Move to/from Control Registers). */
const movFromCr: X86Handler = (s, op) => {
  const cr = op.operands[1]!.n;
  if (cr !== 0 && cr !== 2 && cr !== 3 && cr !== 4 && cr !== 8) return undefinedOp(op, `mov from cr${cr}`);
  const guard = notAtCpl0(s, op, `mov from cr${cr}`);
  if (guard !== undefined) return guard;
  const value = cr === 0 ? BigInt(s.cr0 >>> 0) : cr === 2 ? s.cr2 : cr === 3 ? s.cr3 : cr === 4 ? BigInt(s.cr4) : 0n;
  s.gpr[op.operands[0]!.n] = value;
  return RETIRED;
};

/**
 * MOV to CR0/CR2/CR3/CR4/CR8: #GP(0) at CPL > 0, for a reserved bit (bits
 * 63:32 of CR0/CR4, CR3 above the physical-address width), for clearing
 * CR0.PG or CR4.PAE in long mode, or CR0.PG without PE (SDM vol. 3 §2.5,
 * §9.8.5.4).
 */
const movToCr: X86Handler = (s, op) => {
  const cr = op.operands[0]!.n;
  if (cr !== 0 && cr !== 2 && cr !== 3 && cr !== 4 && cr !== 8) return undefinedOp(op, `mov to cr${cr}`);
  const guard = notAtCpl0(s, op, `mov to cr${cr}`);
  if (guard !== undefined) return guard;
  const value = s.gpr[op.operands[1]!.n]!;
  switch (cr) {
    case 0: {
      if ((value & ~BigInt(CR0_DEFINED)) !== 0n) return generalProtection(op, 'mov to cr0 sets a reserved bit');
      const v = Number(value) | Cr0.ET;
      if ((v & Cr0.PG) !== 0 && (v & Cr0.PE) === 0) return generalProtection(op, 'mov to cr0 sets PG without PE');
      if ((s.efer & Efer.LMA) !== 0 && (v & Cr0.PG) === 0) return generalProtection(op, 'mov to cr0 clears PG in long mode (leaving long mode is not modelled)');
      if ((v & Cr0.NW) !== 0 && (v & Cr0.CD) === 0) return generalProtection(op, 'mov to cr0 sets NW without CD');
      s.cr0 = v;
      // CR0.WP changes what a cached translation allows (SDM vol. 3 §4.10.4.1).
      tlbOf(s)?.flush();
      return RETIRED;
    }
    case 2:
      s.cr2 = value;
      return RETIRED;
    case 3:
      if (value >> 52n !== 0n) return generalProtection(op, 'mov to cr3 sets a reserved bit');
      s.cr3 = value;
      // The guest's own CR3 starts the 4-level walks (`paging.ts`); the load invalidates every TLB entry (global pages are not modelled, SDM vol. 3 §4.10.4.1).
      s.paging = 1;
      tlbOf(s)?.flush();
      return RETIRED;
    case 4:
      if ((value & ~BigInt(CR4_DEFINED)) !== 0n) return generalProtection(op, 'mov to cr4 sets a reserved bit');
      if ((s.efer & Efer.LMA) !== 0 && (Number(value) & Cr4.PAE) === 0) return generalProtection(op, 'mov to cr4 clears PAE in long mode');
      s.cr4 = Number(value);
      tlbOf(s)?.flush();
      return RETIRED;
    default:
      if (value >> 4n !== 0n) return generalProtection(op, 'mov to cr8 sets a reserved bit');
      return RETIRED;
  }
};

/** MOV from a segment register: the selector, zero-extended to a register (or 16 bits to memory). */
const movFromSeg: X86Handler = (s, op) => {
  const seg = op.operands[1]!.n;
  if (seg > 5) return undefinedOp(op, 'mov from a segment register that does not exist');
  const value = BigInt(s.sel[seg]!);
  const fault = writeOperand(s, op, 0, value);
  return fault ?? RETIRED;
};

/**
 * MOV to DS/ES/FS/GS/SS (SDM vol. 2 MOV; vol. 3 §5.10.4.3): CS is #UD. A
 * null selector is allowed except in SS at CPL 3 (#GP(0)); otherwise the
 * descriptor must be in the GDT (#GP(selector)), present (#NP, or #SS for
 * SS), a data or readable code segment with max(CPL, RPL) ≤ DPL; SS must be
 * writable with RPL = DPL = CPL. In 64-bit mode FS and GS keep their base
 * MSRs' value only when loaded through the MSRs: a selector load sets the
 * base from the descriptor (zero in a flat GDT). Not modelled: with paging
 * on, the GDT read is made at the current CPL (at CPL 3 a user-mode
 * access) rather than as the implicit supervisor access of SDM vol. 3
 * §4.6.1, so a GDT on a supervisor-only page faults for a CPL-3 load.
 */
const movToSeg: X86Handler = (s, op) => {
  const seg = op.operands[0]!.n;
  if (seg === Seg.cs || seg > 5) return undefinedOp(op, 'mov to cs');
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const selector = Number(loaded & 0xffffn);
  const rpl = selector & 3;
  if ((selector & ~3) === 0) {
    if (seg === Seg.ss && (s.cpl === 3 || rpl !== s.cpl)) return generalProtection(op, 'null SS');
    s.sel[seg] = selector;
    s.segAttr[seg] = seg === Seg.ss ? dataAttr(s.cpl) : dataAttr(0) & ~Attr.P;
    if (seg !== Seg.fs && seg !== Seg.gs) s.segBase[seg] = 0n;
    return RETIRED;
  }
  const offset = selector & ~7;
  if ((selector & 4) !== 0 || offset + 7 > s.gdtrLimit) return generalProtection(op, `selector 0x${selector.toString(16)} beyond the GDT`, selector & ~3);
  const f = readAt(op, s.gdtrBase + BigInt(offset), 8);
  if (f !== undefined) return f;
  const raw = loaded;
  const attr = Number((raw >> 40n) & 0xf0ffn);
  const dpl = (attr >> Attr.DPL_SHIFT) & 3;
  const code = (attr & 0x8) !== 0;
  if ((attr & Attr.S) === 0) return generalProtection(op, `selector 0x${selector.toString(16)} is a system descriptor`, selector & ~3);
  if (seg === Seg.ss) {
    if (code || (attr & 2) === 0 || rpl !== s.cpl || dpl !== s.cpl) return generalProtection(op, `selector 0x${selector.toString(16)} is not a writable data segment at CPL ${s.cpl}`, selector & ~3);
  } else if ((code && (attr & 2) === 0) || (!(code && (attr & 4) !== 0) && Math.max(s.cpl, rpl) > dpl)) {
    return generalProtection(op, `selector 0x${selector.toString(16)} not accessible at CPL ${s.cpl}`, selector & ~3);
  }
  if ((attr & Attr.P) === 0) return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: seg === Seg.ss ? 12 : 11, errorCode: selector & ~3, reason: `segment 0x${selector.toString(16)} not present` };
  s.sel[seg] = selector;
  s.segAttr[seg] = attr;
  s.segLimit[seg] = 0xffff_ffff;
  s.segBase[seg] = ((raw >> 16n) & 0xff_ffffn) | (((raw >> 56n) & 0xffn) << 24n);
  return RETIRED;
};

/**
 * INVLPG m (0F 01 /7): #GP(0) at CPL > 0; drops the TLB entries of the
 * page holding the operand's linear address. The operand is not accessed,
 * so it never faults; a non-canonical address is a no-op (SDM vol. 2
 * INVLPG: "INVLPG is a NOP" for it).
 */
const invlpg: X86Handler = (s, op) => {
  const guard = notAtCpl0(s, op, 'invlpg');
  if (guard !== undefined) return guard;
  const address = linear(s, op);
  if (isCanonical(address)) tlbOf(s)?.flushPage(linearAddress(address));
  return RETIRED;
};

/** NOP forms (90, F3 90 PAUSE, 0F 1F /0): nothing, not even the memory operand is accessed. */
const nop: X86Handler = () => RETIRED;

/** The system family's handlers. */
export const SYSTEM_SEMANTICS: Readonly<Record<string, X86Handler>> = {
  vmcall,
  vmmcall,
  syscall: syscallHandler,
  sysret,
  iret,
  int,
  int3,
  ud2,
  hlt,
  cpuid,
  rdmsr,
  wrmsr,
  rdtsc,
  lgdt,
  ltr,
  swapgs,
  invlpg,
  cli,
  'mov-from-cr': movFromCr,
  'mov-to-cr': movToCr,
  'mov-from-seg': movFromSeg,
  'mov-to-seg': movToSeg,
  nop,
};

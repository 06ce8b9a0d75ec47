/**
 * The x86-64 register file as plain data: RAX–R15, RIP, RFLAGS, the six
 * segment registers with their hidden descriptor parts, GDTR/IDTR/TR,
 * CR0/CR2/CR3/CR4, EFER and the MSRs of the fact sheet (§9.7): the
 * SYSCALL MSRs, the segment-base MSRs, and the KVM and Hyper-V MSRs a guest
 * writes to enable paravirtual features.
 *
 * The general registers are one `BigUint64Array` (index = the encoding's
 * register number, Intel SDM vol. 2 table 2-2: 0 RAX, 1 RCX, 2 RDX, 3 RBX,
 * 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8–15 R8–R15), so that spec firmware can
 * reach each as two 32-bit words of a `Uint32Array` over the same buffer
 * (`gpr32`, which the number-typed forms of the hot instructions use).
 * Segment descriptors keep their attributes in the VMCS access-rights
 * layout (SDM vol. 3 §24.4.1: type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13,
 * D/B 14, G 15), which is also the descriptor's bits 55:40 without the
 * limit's top nibble.
 *
 * @module
 */

/** General-register names by encoding number (SDM vol. 2 table 2-2). */
export const GPR_NAMES: readonly string[] = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** 32-bit names (the low half), by encoding number. */
export const GPR32_NAMES: readonly string[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];

/** 16-bit names, by encoding number. */
export const GPR16_NAMES: readonly string[] = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];

/** 8-bit names with a REX prefix (SPL…DIL, R8B…R15B), by encoding number. */
export const GPR8_REX_NAMES: readonly string[] = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];

/** 8-bit names without REX: 4–7 are AH, CH, DH, BH (bits 15:8 of RAX…RBX). */
export const GPR8_LEGACY_NAMES: readonly string[] = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];

/** Register numbers of the general registers the semantics name. */
export const Gpr = {
  /** RAX's register number. */
  rax: 0,
  /** RCX's register number. */
  rcx: 1,
  /** RDX's register number. */
  rdx: 2,
  /** RBX's register number. */
  rbx: 3,
  /** RSP's register number. */
  rsp: 4,
  /** RBP's register number. */
  rbp: 5,
  /** RSI's register number. */
  rsi: 6,
  /** RDI's register number. */
  rdi: 7,
  /** R8's register number. */
  r8: 8,
  /** R9's register number. */
  r9: 9,
  /** R10's register number. */
  r10: 10,
  /** R11's register number. */
  r11: 11,
} as const;

/** Segment register numbers as the ModRM reg field encodes them (SDM vol. 2 §3.1.1.3 "Sreg"). */
export const Seg = {
  /** ES's segment register number. */
  es: 0,
  /** CS's segment register number. */
  cs: 1,
  /** SS's segment register number. */
  ss: 2,
  /** DS's segment register number. */
  ds: 3,
  /** FS's segment register number. */
  fs: 4,
  /** GS's segment register number. */
  gs: 5,
} as const;

/** Segment register names by number. */
export const SEG_NAMES: readonly string[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/** RFLAGS bits (SDM vol. 1 §3.4.3). */
export const Flag = {
  /** RFLAGS.CF. */
  CF: 1 << 0,
  /** Bit 1 is reserved and always reads 1. */
  FIXED: 1 << 1,
  /** RFLAGS.PF. */
  PF: 1 << 2,
  /** RFLAGS.AF. */
  AF: 1 << 4,
  /** RFLAGS.ZF. */
  ZF: 1 << 6,
  /** RFLAGS.SF. */
  SF: 1 << 7,
  /** RFLAGS.TF. */
  TF: 1 << 8,
  /** RFLAGS.IF. */
  IF: 1 << 9,
  /** RFLAGS.DF. */
  DF: 1 << 10,
  /** RFLAGS.OF. */
  OF: 1 << 11,
  /** RFLAGS.IOPL. */
  IOPL: 3 << 12,
  /** RFLAGS.NT. */
  NT: 1 << 14,
  /** RFLAGS.RF. */
  RF: 1 << 16,
  /** RFLAGS.VM. */
  VM: 1 << 17,
  /** RFLAGS.AC. */
  AC: 1 << 18,
  /** RFLAGS.VIF. */
  VIF: 1 << 19,
  /** RFLAGS.VIP. */
  VIP: 1 << 20,
  /** RFLAGS.ID. */
  ID: 1 << 21,
} as const;

/** The six status flags arithmetic writes. */
export const STATUS_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;

/** RFLAGS bits software can change (everything architecturally defined but bit 1); the rest read as 0. */
export const RFLAGS_WRITABLE = STATUS_FLAGS | Flag.TF | Flag.IF | Flag.DF | Flag.IOPL | Flag.NT | Flag.RF | Flag.VM | Flag.AC | Flag.VIF | Flag.VIP | Flag.ID;

/** Descriptor access-rights bits in the VMCS layout (SDM vol. 3 §24.4.1). */
export const Attr = {
  /** Present. */
  P: 1 << 7,
  /** Code or data (not a system descriptor). */
  S: 1 << 4,
  /** 64-bit code segment. */
  L: 1 << 13,
  /** Default operand size 32 (code) / big (stack). */
  DB: 1 << 14,
  /** Granularity 4 KiB. */
  G: 1 << 15,
  /** The DPL field's shift. */
  DPL_SHIFT: 5,
} as const;

/** CR0 bits (SDM vol. 3 §2.5). */
export const Cr0 = {
  /** CR0.PE. */
  PE: 1,
  /** CR0.MP. */
  MP: 2,
  /** CR0.EM. */
  EM: 4,
  /** CR0.TS. */
  TS: 8,
  /** CR0.ET. */
  ET: 0x10,
  /** CR0.NE. */
  NE: 0x20,
  /** CR0.WP. */
  WP: 0x1_0000,
  /** CR0.AM. */
  AM: 0x4_0000,
  /** CR0.NW. */
  NW: 0x2000_0000,
  /** CR0.CD. */
  CD: 0x4000_0000,
  /** CR0.PG. */
  PG: 0x8000_0000,
} as const;

/** CR4 bits hyplay checks (SDM vol. 3 §2.5). */
export const Cr4 = {
  /** CR4.PAE. */
  PAE: 0x20,
  /** CR4.PGE. */
  PGE: 0x80,
  /** CR4.OSFXSR. */
  OSFXSR: 0x200,
  /** CR4.FSGSBASE. */
  FSGSBASE: 0x1_0000,
  /** CR4.SMEP. */
  SMEP: 0x10_0000,
  /** CR4.SMAP. */
  SMAP: 0x20_0000,
} as const;

/** EFER bits (fact sheet §9.7; SDM vol. 3 §2.2.1). */
export const Efer = {
  /** EFER.SCE. */
  SCE: 1,
  /** EFER.LME. */
  LME: 1 << 8,
  /** EFER.LMA. */
  LMA: 1 << 10,
  /** EFER.NXE. */
  NXE: 1 << 11,
  /** EFER.SVME. */
  SVME: 1 << 12,
} as const;

/** A modelled MSR: its number, the register-view name and its reset value. */
export interface MsrDef {
  /** MSR number (ECX of RDMSR/WRMSR). */
  readonly index: number;
  /** Lowercase register-view name: the Linux `msr-index.h` / `kvm_para.h` / `hyperv-tlfs.h` name without `MSR_`. */
  readonly name: string;
  /** Value at reset. */
  readonly reset: bigint;
}

/**
 * Every MSR the state holds, in dump order (fact sheet §9.7; Linux
 * `arch/x86/include/asm/msr-index.h`, `uapi/asm/kvm_para.h`,
 * `asm/hyperv-tlfs.h`). EFER, FS_BASE and GS_BASE live elsewhere in the
 * state (they change how instructions run) and are listed in
 * {@link MSR_EFER}, {@link MSR_FS_BASE} and {@link MSR_GS_BASE}.
 */
export const MSRS: readonly MsrDef[] = [
  { index: 0xc000_0081, name: 'star', reset: 0n },
  { index: 0xc000_0082, name: 'lstar', reset: 0n },
  { index: 0xc000_0083, name: 'cstar', reset: 0n },
  { index: 0xc000_0084, name: 'sfmask', reset: 0n },
  { index: 0xc000_0102, name: 'kernel_gs_base', reset: 0n },
  { index: 0x11, name: 'kvm_wall_clock', reset: 0n },
  { index: 0x12, name: 'kvm_system_time', reset: 0n },
  { index: 0x4b56_4d00, name: 'kvm_wall_clock_new', reset: 0n },
  { index: 0x4b56_4d01, name: 'kvm_system_time_new', reset: 0n },
  { index: 0x4b56_4d02, name: 'kvm_async_pf_en', reset: 0n },
  { index: 0x4b56_4d03, name: 'kvm_steal_time', reset: 0n },
  { index: 0x4b56_4d04, name: 'kvm_pv_eoi_en', reset: 0n },
  { index: 0x4b56_4d05, name: 'kvm_poll_control', reset: 1n },
  { index: 0x4000_0000, name: 'hv_x64_msr_guest_os_id', reset: 0n },
  { index: 0x4000_0001, name: 'hv_x64_msr_hypercall', reset: 0n },
  { index: 0x4000_0002, name: 'hv_x64_msr_vp_index', reset: 0n },
  { index: 0x4000_0003, name: 'hv_x64_msr_reset', reset: 0n },
  { index: 0x4000_0010, name: 'hv_x64_msr_vp_runtime', reset: 0n },
  { index: 0x4000_0020, name: 'hv_x64_msr_time_ref_count', reset: 0n },
  { index: 0x4000_0021, name: 'hv_x64_msr_reference_tsc', reset: 0n },
];

/** IA32_EFER. */
export const MSR_EFER = 0xc000_0080;
/** IA32_FS_BASE. */
export const MSR_FS_BASE = 0xc000_0100;
/** IA32_GS_BASE. */
export const MSR_GS_BASE = 0xc000_0101;

/** Slot in {@link X86State.msr} of each MSR of {@link MSRS}, by MSR number. */
export const MSR_SLOT: ReadonlyMap<number, number> = new Map(MSRS.map((m, i) => [m.index, i]));

/** Slot in {@link X86State.msr} by register-view name. */
export const MSR_SLOT_BY_NAME: ReadonlyMap<string, number> = new Map(MSRS.map((m, i) => [m.name, i]));

/** The MSR slots the semantics use directly. */
export const MsrSlot = {
  /** The slot of star. */
  star: MSR_SLOT.get(0xc000_0081)!,
  /** The slot of lstar. */
  lstar: MSR_SLOT.get(0xc000_0082)!,
  /** The slot of cstar. */
  cstar: MSR_SLOT.get(0xc000_0083)!,
  /** The slot of sfmask. */
  sfmask: MSR_SLOT.get(0xc000_0084)!,
  /** The slot of kernelGsBase. */
  kernelGsBase: MSR_SLOT.get(0xc000_0102)!,
} as const;

/** Which virtualization extension the guest runs under: Intel VMX non-root or AMD SVM. */
export type Vendor = 'intel' | 'amd';

/** Vendor codes in {@link X86State.vendor}. */
export const VENDORS: readonly Vendor[] = ['intel', 'amd'];

/** The x86-64 architectural state (plain data). */
export interface X86State {
  /**
   * RIP: the next instruction, in the signed representation of addresses
   * ({@link linearAddress}): a canonical upper-half address such as
   * 0xffff_ffff_8100_0000 is the negative number value − 2^64.
   */
  pc: number;
  /** RAX–R15 by encoding number. */
  gpr: BigUint64Array;
  /** The same registers as 32-bit words over `gpr`'s buffer, low word first (register n is words 2n and 2n + 1): the number-typed hot path's view. */
  gpr32: Uint32Array;
  /** RFLAGS (bits 31:0; 63:32 are reserved zero). */
  rflags: number;
  /** Segment selectors by {@link Seg} number. */
  sel: Uint16Array;
  /** Hidden segment bases (FS and GS bases are the FS_BASE / GS_BASE MSRs). */
  segBase: BigUint64Array;
  /** Hidden segment limits (bytes − 1, granularity applied). */
  segLimit: Uint32Array;
  /** Hidden access rights, VMCS layout ({@link Attr}). */
  segAttr: Uint16Array;
  /** Current privilege level (SS.DPL, SDM vol. 3 §5.5). */
  cpl: number;
  /** GDTR base. */
  gdtrBase: bigint;
  /** GDTR limit. */
  gdtrLimit: number;
  /** IDTR base. */
  idtrBase: bigint;
  /** IDTR limit. */
  idtrLimit: number;
  /** TR selector. */
  tr: number;
  /** TR hidden base: the 64-bit TSS (RSP0 at +4, IST1 at +0x24). */
  trBase: bigint;
  /** TR hidden limit. */
  trLimit: number;
  /** CR0. */
  cr0: number;
  /** CR2: the last #PF address. */
  cr2: bigint;
  /** CR3. */
  cr3: bigint;
  /** 1 once the guest has loaded CR3 (MOV to CR3): linear addresses then go through the 4-level walk from CR3; 0 at reset, where the loader's identity map applies (`paging.ts`). */
  paging: number;
  /** CR4. */
  cr4: number;
  /** IA32_EFER. */
  efer: number;
  /** The MSRs of {@link MSRS}, by slot. */
  msr: BigUint64Array;
  /** The same MSRs as 32-bit words over `msr`'s buffer, low word first (slot n is words 2n and 2n + 1), for the SYSCALL/SYSRET path. */
  msr32: Uint32Array;
  /** Virtualization vendor: index into {@link VENDORS}. */
  vendor: number;
  /** Steps since reset (RDTSC reads it). */
  tsc: number;
}

/** Linux's flat GDT selectors (arch/x86/include/asm/segment.h, 64-bit): __KERNEL_CS 0x10, __KERNEL_DS 0x18, __USER32_CS 0x23, __USER_DS 0x2b, __USER_CS 0x33. */
export const Selector = {
  /** __KERNEL_CS. */
  kernelCs: 0x10,
  /** __KERNEL_DS. */
  kernelDs: 0x18,
  /** __USER32_CS. */
  user32Cs: 0x23,
  /** __USER_DS. */
  userDs: 0x2b,
  /** __USER_CS. */
  userCs: 0x33,
} as const;

/** Access rights of a flat 64-bit code segment at `dpl` (type 0xB: execute/read, accessed). */
export function codeAttr(dpl: number, long = true): number {
  return 0xb | Attr.S | (dpl << Attr.DPL_SHIFT) | Attr.P | (long ? Attr.L : Attr.DB) | Attr.G;
}

/** Access rights of a flat data segment at `dpl` (type 0x3: read/write, accessed). */
export function dataAttr(dpl: number): number {
  return 0x3 | Attr.S | (dpl << Attr.DPL_SHIFT) | Attr.P | Attr.DB | Attr.G;
}

/** The mode names: `cpl0` (64-bit kernel) and `cpl3` (64-bit user), both in long mode. */
export const MODE_NAMES: readonly string[] = ['cpl0', 'cpl3'];

/** Load the flat segments of a mode: Linux's kernel or user CS/SS, DS/ES null (long mode ignores them). */
export function enterMode(s: X86State, cpl: 0 | 3): void {
  const cs = cpl === 0 ? Selector.kernelCs : Selector.userCs;
  const ss = cpl === 0 ? Selector.kernelDs : Selector.userDs;
  loadFlat(s, Seg.cs, cs, codeAttr(cpl));
  loadFlat(s, Seg.ss, ss, dataAttr(cpl));
  s.cpl = cpl;
}

/** Load a flat segment (base 0, limit 4 GiB − 1) with selector `selector` and access rights `attr`. */
export function loadFlat(s: X86State, seg: number, selector: number, attr: number): void {
  s.sel[seg] = selector;
  if (seg !== Seg.fs && seg !== Seg.gs) s.segBase[seg] = 0n;
  s.segLimit[seg] = 0xffff_ffff;
  s.segAttr[seg] = attr;
}

/**
 * The code size of the current mode in bytes (SDM vol. 3 §2.2, §5.2.1):
 * 8 in 64-bit mode (EFER.LMA = 1 and CS.L = 1), 4 in compatibility mode
 * with CS.D = 1 (32-bit code), 2 with CS.D = 0 (16-bit code). Without
 * EFER.LMA (legacy protected mode, which hyplay does not model) CS.D alone
 * decides, as it does in compatibility mode.
 */
export function codeSizeOf(s: X86State): 8 | 4 | 2 {
  const attr = s.segAttr[Seg.cs]!;
  if ((s.efer & Efer.LMA) !== 0 && (attr & Attr.L) !== 0) return 8;
  return (attr & Attr.DB) !== 0 ? 4 : 2;
}

/** True when CS is a 64-bit code segment and EFER.LMA is set: 64-bit mode (SDM vol. 3 §2.2). */
export function is64BitMode(s: X86State): boolean {
  return (s.efer & Efer.LMA) !== 0 && (s.segAttr[Seg.cs]! & Attr.L) !== 0;
}

/** The reset state hyplay starts from: long mode already on (CR0.PE|PG, CR4.PAE, EFER.LME|LMA|SCE), CPL 0, flat segments, RFLAGS = 2. */
export function createX86State(vendor: Vendor = 'intel'): X86State {
  const gpr = new BigUint64Array(16);
  const msr = new BigUint64Array(MSRS.map((m) => m.reset));
  const s: X86State = {
    pc: 0,
    gpr,
    gpr32: new Uint32Array(gpr.buffer),
    rflags: Flag.FIXED,
    sel: new Uint16Array(6),
    segBase: new BigUint64Array(6),
    segLimit: new Uint32Array(6),
    segAttr: new Uint16Array(6),
    cpl: 0,
    gdtrBase: 0n,
    gdtrLimit: 0xffff,
    idtrBase: 0n,
    idtrLimit: 0xffff,
    tr: 0x40,
    trBase: 0n,
    trLimit: 0x67,
    cr0: Cr0.PE | Cr0.ET | Cr0.NE | Cr0.WP | Cr0.PG,
    cr2: 0n,
    cr3: 0n,
    paging: 0,
    cr4: Cr4.PAE,
    efer: Efer.SCE | Efer.LME | Efer.LMA | Efer.NXE,
    msr,
    msr32: new Uint32Array(msr.buffer),
    vendor: VENDORS.indexOf(vendor),
    tsc: 0,
  };
  for (const seg of [Seg.es, Seg.ds, Seg.fs, Seg.gs]) loadFlat(s, seg, 0, dataAttr(0) & ~Attr.P);
  enterMode(s, 0);
  return s;
}

/** True for a canonical 64-bit address (bits 63:47 all equal; SDM vol. 1 §3.3.7.1): `value` as an unsigned 64-bit bigint. */
export function isCanonical(value: bigint): boolean {
  return value < LOWER_HALF_END_BIG || (value >= UPPER_HALF_BIG && value <= MAX_U64);
}

/*
 * Addresses as numbers: the signed representation. A linear address (and
 * RIP) that the hot paths keep as a number is the 64-bit value read as a
 * signed integer, Number(BigInt.asIntN(64, value)): the lower canonical
 * half 0 … 2^47 − 1 is itself, the upper half 0xffff_8000_0000_0000 …
 * 0xffff_ffff_ffff_ffff is −2^47 … −1 (Linux's kernel text at
 * 0xffff_ffff_8100_0000 is −0x7f00_0000). Every canonical address is exact
 * in a double, arithmetic on it stays exact (and wraps modulo 2^64 the way
 * the hardware does, from −1 to 0), and a number is canonical exactly when
 * it is in [−2^47, 2^47) ({@link isCanonicalNumber}). Non-canonical values
 * appear only where the architecture lets one stand until it is used (RIP
 * after AMD's SYSRET, a register-view write): they are kept exactly when
 * their magnitude is below 2^53 and as {@link NON_CANONICAL_PC} otherwise,
 * so that they still fault as non-canonical. Memory and registers keep
 * their bigints; {@link linearAddress} and {@link addressValue} convert at
 * the edges, and traces and the register view print the unsigned 64-bit
 * value.
 */

/** 2^47: the first address above the lower canonical half, and the one non-canonical RIP that stands for every value beyond ±2^53. */
export const NON_CANONICAL_PC = 0x8000_0000_0000;
/** −2^47: the first address of the upper canonical half (0xffff_8000_0000_0000) in the signed representation. */
export const UPPER_HALF_START = -0x8000_0000_0000;
const LOWER_HALF_END_BIG = 0x8000_0000_0000n;
const UPPER_HALF_BIG = 0xffff_8000_0000_0000n;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;
const TWO_64 = 1n << 64n;
/** Magnitudes below this (2^53) are exact in a double. */
const EXACT = 2 ** 53;

/** Whether `address` (the signed representation) is canonical: in [−2^47, 2^47). */
export function isCanonicalNumber(address: number): boolean {
  return address >= UPPER_HALF_START && address < NON_CANONICAL_PC;
}

/**
 * The signed representation of the 64-bit `value` (an unsigned bigint;
 * larger or negative bigints are taken modulo 2^64): exact for a canonical
 * address and for any value within ±2^53, {@link NON_CANONICAL_PC} for the
 * other non-canonical ones.
 */
export function linearAddress(value: bigint): number {
  if (value >= 0n && value < LOWER_HALF_END_BIG) return Number(value);
  const v = BigInt.asUintN(64, value);
  if (v >= UPPER_HALF_BIG) return Number(v - TWO_64);
  const n = Number(BigInt.asIntN(64, v));
  return n > -EXACT && n < EXACT ? n : NON_CANONICAL_PC;
}

/** The signed representation of the 64-bit value whose words are `low` and `high` (unsigned 32-bit): {@link linearAddress} without a bigint. */
export function linearAddressOfWords(low: number, high: number): number {
  const h = high | 0;
  // |value| < 2^53 exactly when the signed high word is within ±2^21.
  if (h >= -0x20_0000 && h < 0x20_0000) return h * 0x1_0000_0000 + (low >>> 0);
  return NON_CANONICAL_PC;
}

/** The unsigned 64-bit value of an address in the signed representation (what the register view, traces and memory hold). */
export function addressValue(address: number): bigint {
  return BigInt.asUintN(64, BigInt(address));
}

/**
 * The state slots generated code touches (`src/jit/state-code.ts`): the
 * words of `gpr32` (register n is slots 2n and 2n + 1), RFLAGS, the step
 * counter, the CPL, EFER, each segment's selector, access rights, limit and
 * base, and the words of `msr32`. Templates written over these (the SYSCALL
 * entry and SYSRET return of `exceptions.ts`) run both in the interpreter
 * (built once with `buildDirect`) and inside translated blocks.
 */
export const X86Slot = {
  /** RFLAGS. */
  rflags: 32,
  /** The step counter RDTSC reads. */
  tsc: 33,
  /** The CPL. */
  cpl: 34,
  /** IA32_EFER. */
  efer: 35,
  /** Segment `n`'s selector is slot `sel + n`. */
  sel: 40,
  /** Segment `n`'s access rights are slot `attr + n`. */
  attr: 46,
  /** Segment `n`'s limit is slot `limit + n`. */
  limit: 52,
  /** Segment `n`'s base (a bigint) is slot `base + n`. */
  base: 58,
  /** Word `k` of `msr32` is slot `msr + k`. */
  msr: 64,
} as const;

/** Where each {@link X86Slot} lives in the state (always named `s`). */
export function x86SlotPlace(slot: number): string {
  if (slot < X86Slot.rflags) return `s.gpr32[${slot}]`;
  if (slot >= X86Slot.msr) return `s.msr32[${slot - X86Slot.msr}]`;
  if (slot >= X86Slot.base) return `s.segBase[${slot - X86Slot.base}]`;
  if (slot >= X86Slot.limit) return `s.segLimit[${slot - X86Slot.limit}]`;
  if (slot >= X86Slot.attr) return `s.segAttr[${slot - X86Slot.attr}]`;
  if (slot >= X86Slot.sel) return `s.sel[${slot - X86Slot.sel}]`;
  switch (slot) {
    case X86Slot.rflags:
      return 's.rflags';
    case X86Slot.tsc:
      return 's.tsc';
    case X86Slot.cpl:
      return 's.cpl';
    case X86Slot.efer:
      return 's.efer';
    default:
      throw new Error(`x86_64: no state slot ${slot}`);
  }
}

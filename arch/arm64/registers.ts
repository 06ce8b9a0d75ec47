/**
 * The AArch64 register file (Armv8.0-A, EL0–EL2, no EL3, AArch64 state only):
 * X0–X30, the stack pointers SP_EL0/SP_EL1/SP_EL2, the PC, PSTATE, and the
 * system registers hyplay models.
 *
 * Every 64-bit register is kept as two int32 words (low, high), so that the
 * hot paths stay in V8's unboxed integer arithmetic: no BigInt and no
 * doubles. The general registers share one `Int32Array`: register slot `r`
 * is words `2r` (bits 31:0) and `2r + 1` (bits 63:32). Slots 0–30 are
 * X0–X30, {@link ZERO_SLOT} always reads 0 (XZR), writes to XZR go to
 * {@link DISCARD_SLOT}, and {@link SP_SLOT} is the stack pointer PSTATE.SP
 * selects (ARM ARM D1.6.2 "The stack pointer registers"); the banked copy of
 * the selected one is stale until the selection changes. Predecode resolves
 * a register field to its slot once, so semantics never test for 31.
 *
 * @module
 */

/** Register slot that reads as zero (XZR/WZR). */
export const ZERO_SLOT = 31;
/** Register slot that absorbs writes to XZR/WZR. */
export const DISCARD_SLOT = 32;
/** Register slot of the current stack pointer. */
export const SP_SLOT = 33;
/** Register slots in {@link Arm64State.x}. */
export const REGISTER_SLOTS = 34;

/** PSTATE.M[3:0] of each AArch64 mode (ARM ARM C5.2.18 SPSR_EL2.M; Linux `ptrace.h` PSR_MODE_*). */
export const Mode = {
  /** EL0, SP_EL0. */
  el0: 0x0,
  /** EL1, SP_EL0. */
  el1t: 0x4,
  /** EL1, SP_EL1. */
  el1h: 0x5,
  /** EL2, SP_EL0. */
  el2t: 0x8,
  /** EL2, SP_EL2. */
  el2h: 0x9,
} as const;

/** A mode name, as llvm-mc and Linux name the SP selection (`el2h` = EL2 with SP_EL2). */
export type ModeName = keyof typeof Mode;

/** Mode names by M[3:0]. */
export const MODE_NAMES: ReadonlyMap<number, ModeName> = new Map(Object.entries(Mode).map(([name, value]) => [value, name as ModeName]));

/** Names `hyplay run --mode` also takes: the exception level alone means its own stack pointer (`el1` is `el1h`). */
export const MODE_ALIASES: Readonly<Record<string, ModeName>> = { el1: 'el1h', el2: 'el2h', el0t: 'el0' };

/** True for an M[4:0] value of an implemented AArch64 mode (EL3 and AArch32 are not implemented). */
export function isValidMode(m: number): boolean {
  return m >= 0 && m < 16 && MODE_NAMES.has(m);
}

/** PSTATE / SPSR_ELx bits (ARM ARM C5.2.18; Linux `ptrace.h`). */
export const Psr = {
  /** Negative. */
  N: 0x8000_0000,
  /** Zero. */
  Z: 0x4000_0000,
  /** Carry. */
  C: 0x2000_0000,
  /** Overflow. */
  V: 0x1000_0000,
  /** Illegal execution state. */
  IL: 0x0010_0000,
  /** Debug mask. */
  D: 0x200,
  /** SError mask. */
  A: 0x100,
  /** IRQ mask. */
  I: 0x80,
  /** FIQ mask. */
  F: 0x40,
  /** M[4]: the saved state is AArch32 (not modelled). */
  nRW: 0x10,
  /** M[3:0]. */
  M: 0xf,
  /** D, A, I and F together. */
  DAIF: 0x3c0,
} as const;

/** Who may access a system register: the lowest EL, and whether EL0 access depends on a control bit. */
export type SysAccess = 0 | 1 | 2;

/** How a system register behaves beyond a plain stored value. */
export type SysKind =
  /** Read and written as stored. */
  | 'plain'
  /** Identification: reads the reset value; MSR to it is UNDEFINED. */
  | 'read-only'
  /** A PSTATE field (NZCV, DAIF, CurrentEL, SPSel): the register view maps it onto the state's fields. */
  | 'pstate'
  /** A banked stack pointer (SP_EL0, SP_EL1). */
  | 'stack'
  /** A write-only register (OSLAR_EL1): reads are UNDEFINED. */
  | 'write-only'
  /** A counter that reads the step count (CNTPCT_EL0, CNTVCT_EL0): no stored value, MSR UNDEFINED. */
  | 'counter';

/** A modelled system register. */
export interface SysRegister {
  /** Spelling as llvm-mc prints it (`ESR_EL2`, `CurrentEL`). */
  readonly spelling: string;
  /** Lowercase name (the register view, the command line). */
  readonly name: string;
  /** op0 (2 or 3). */
  readonly op0: number;
  /** op1. */
  readonly op1: number;
  /** CRn. */
  readonly crn: number;
  /** CRm. */
  readonly crm: number;
  /** op2. */
  readonly op2: number;
  /** The lowest exception level that may access it. */
  readonly el: SysAccess;
  /** How it behaves. */
  readonly kind: SysKind;
  /** Value at reset (also the fixed value of a read-only register). */
  readonly reset: bigint;
  /** Bits a write keeps (others read as their reset value: RES0/RES1); all when absent. */
  readonly writable?: bigint;
  /**
   * For an `_EL12` name: the EL1 register it accesses from EL2 when
   * HCR_EL2.E2H is 1 (ARM ARM D13.2, e.g. "Accessing CPACR_EL12"); at any
   * other EL, or with E2H 0, the access is UNDEFINED. It has no storage
   * of its own and is not in the register view.
   */
  readonly e2hAliasOf?: string;
}

function sys(spelling: string, op0: number, op1: number, crn: number, crm: number, op2: number, el: SysAccess, kind: SysKind = 'plain', reset = 0n, writable?: bigint): SysRegister {
  return { spelling, name: spelling.toLowerCase(), op0, op1, crn, crm, op2, el, kind, reset, ...(writable === undefined ? {} : { writable }) };
}

/**
 * The system registers hyplay models, with their (op0, op1, CRn, CRm, op2)
 * encodings from the ARM ARM (DDI 0487, chapter D13 / C5.3) as llvm-mc 14
 * spells them. Identification values describe an Armv8.0 core with EL0, EL1
 * and EL2 in AArch64 only, no EL3, no FP/SIMD, a 48-bit physical address
 * space and no VHE (a Cortex-A53-like MIDR). An encoding not listed here is
 * UNDEFINED (see {@link findSysRegister} for the reserved ID space).
 */
export const SYS_REGISTERS: readonly SysRegister[] = [
  // Identification (D13.2), read-only from EL1.
  sys('MIDR_EL1', 3, 0, 0, 0, 0, 1, 'read-only', 0x410f_d034n),
  sys('MPIDR_EL1', 3, 0, 0, 0, 5, 1, 'read-only', 0x8000_0000n),
  sys('REVIDR_EL1', 3, 0, 0, 0, 6, 1, 'read-only'),
  // EL0, EL1, EL2: AArch64 only (0b0001); EL3 not implemented; FP and AdvSIMD not implemented (0b1111).
  // The AArch32 identification registers read 0: AArch32 is implemented at no EL (their fields then say "not implemented").
  ...['ID_PFR0_EL1', 'ID_PFR1_EL1', 'ID_DFR0_EL1', 'ID_AFR0_EL1', 'ID_MMFR0_EL1', 'ID_MMFR1_EL1', 'ID_MMFR2_EL1', 'ID_MMFR3_EL1'].map((name, i) => sys(name, 3, 0, 0, 1, i, 1, 'read-only')),
  ...['ID_ISAR0_EL1', 'ID_ISAR1_EL1', 'ID_ISAR2_EL1', 'ID_ISAR3_EL1', 'ID_ISAR4_EL1', 'ID_ISAR5_EL1', 'ID_MMFR4_EL1'].map((name, i) => sys(name, 3, 0, 0, 2, i, 1, 'read-only')),
  ...['MVFR0_EL1', 'MVFR1_EL1', 'MVFR2_EL1'].map((name, i) => sys(name, 3, 0, 0, 3, i, 1, 'read-only')),
  sys('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 1, 'read-only', 0x00ff_0111n),
  sys('ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, 1, 'read-only'),
  // DebugVer 0b0110 (Armv8.0 debug), no PMU.
  sys('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 1, 'read-only', 0x6n),
  sys('ID_AA64DFR1_EL1', 3, 0, 0, 5, 1, 1, 'read-only'),
  sys('ID_AA64AFR0_EL1', 3, 0, 0, 5, 4, 1, 'read-only'),
  sys('ID_AA64AFR1_EL1', 3, 0, 0, 5, 5, 1, 'read-only'),
  sys('ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, 1, 'read-only'),
  sys('ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, 1, 'read-only'),
  // PARange 0b0101 (48 bits), ASIDBits 0b0010 (16), 4K and 64K granules.
  sys('ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, 1, 'read-only', 0x25n),
  sys('ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, 1, 'read-only'),
  sys('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 1, 'read-only'),
  sys('CCSIDR_EL1', 3, 1, 0, 0, 0, 1, 'read-only', 0x700f_e01an),
  sys('CLIDR_EL1', 3, 1, 0, 0, 1, 1, 'read-only', 0x0a20_0023n),
  sys('CSSELR_EL1', 3, 2, 0, 0, 0, 1, 'plain', 0n, 0xfn),
  sys('CTR_EL0', 3, 3, 0, 0, 1, 0, 'read-only', 0x8444_c004n),
  // DC ZVA block: 2^4 words = 64 bytes.
  sys('DCZID_EL0', 3, 3, 0, 0, 7, 0, 'read-only', 0x4n),
  // EL1 system control (D13.2).
  sys('SCTLR_EL1', 3, 0, 1, 0, 0, 1, 'plain', 0x00c5_0838n),
  sys('ACTLR_EL1', 3, 0, 1, 0, 1, 1),
  sys('CPACR_EL1', 3, 0, 1, 0, 2, 1),
  sys('TTBR0_EL1', 3, 0, 2, 0, 0, 1),
  sys('TTBR1_EL1', 3, 0, 2, 0, 1, 1),
  sys('TCR_EL1', 3, 0, 2, 0, 2, 1),
  sys('SPSR_EL1', 3, 0, 4, 0, 0, 1),
  sys('ELR_EL1', 3, 0, 4, 0, 1, 1),
  sys('SP_EL0', 3, 0, 4, 1, 0, 1, 'stack'),
  sys('SPSel', 3, 0, 4, 2, 0, 1, 'pstate'),
  sys('CurrentEL', 3, 0, 4, 2, 2, 1, 'pstate'),
  sys('AFSR0_EL1', 3, 0, 5, 1, 0, 1),
  sys('AFSR1_EL1', 3, 0, 5, 1, 1, 1),
  sys('ESR_EL1', 3, 0, 5, 2, 0, 1),
  sys('FAR_EL1', 3, 0, 6, 0, 0, 1),
  sys('PAR_EL1', 3, 0, 7, 4, 0, 1),
  sys('MAIR_EL1', 3, 0, 10, 2, 0, 1),
  sys('AMAIR_EL1', 3, 0, 10, 3, 0, 1),
  sys('VBAR_EL1', 3, 0, 12, 0, 0, 1, 'plain', 0n, ~0x7ffn & 0xffff_ffff_ffff_ffffn),
  sys('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 1),
  sys('TPIDR_EL1', 3, 0, 13, 0, 4, 1),
  sys('CNTKCTL_EL1', 3, 0, 14, 1, 0, 1),
  // Debug registers a booting kernel touches (D13.3).
  sys('MDSCR_EL1', 2, 0, 0, 2, 2, 1),
  sys('OSLAR_EL1', 2, 0, 1, 0, 4, 1, 'write-only'),
  sys('OSLSR_EL1', 2, 0, 1, 1, 4, 1, 'read-only', 0x8n),
  sys('OSDLR_EL1', 2, 0, 1, 3, 4, 1),
  // EL0-accessible (D13.2, D13.8).
  sys('NZCV', 3, 3, 4, 2, 0, 0, 'pstate'),
  sys('DAIF', 3, 3, 4, 2, 1, 0, 'pstate'),
  sys('TPIDR_EL0', 3, 3, 13, 0, 2, 0),
  sys('TPIDRRO_EL0', 3, 3, 13, 0, 3, 0),
  sys('CNTFRQ_EL0', 3, 3, 14, 0, 0, 0, 'plain', 62_500_000n),
  sys('CNTPCT_EL0', 3, 3, 14, 0, 1, 0, 'counter'),
  sys('CNTVCT_EL0', 3, 3, 14, 0, 2, 0, 'counter'),
  sys('CNTP_TVAL_EL0', 3, 3, 14, 2, 0, 0),
  sys('CNTP_CTL_EL0', 3, 3, 14, 2, 1, 0),
  sys('CNTP_CVAL_EL0', 3, 3, 14, 2, 2, 0),
  sys('CNTV_TVAL_EL0', 3, 3, 14, 3, 0, 0),
  sys('CNTV_CTL_EL0', 3, 3, 14, 3, 1, 0),
  sys('CNTV_CVAL_EL0', 3, 3, 14, 3, 2, 0),
  // EL2 (D13.2).
  sys('VPIDR_EL2', 3, 4, 0, 0, 0, 2, 'plain', 0x410f_d034n),
  sys('VMPIDR_EL2', 3, 4, 0, 0, 5, 2, 'plain', 0x8000_0000n),
  sys('SCTLR_EL2', 3, 4, 1, 0, 0, 2, 'plain', 0x30c5_0838n),
  sys('ACTLR_EL2', 3, 4, 1, 0, 1, 2),
  sys('HCR_EL2', 3, 4, 1, 1, 0, 2),
  sys('MDCR_EL2', 3, 4, 1, 1, 1, 2),
  sys('CPTR_EL2', 3, 4, 1, 1, 2, 2, 'plain', 0x33ffn),
  sys('HSTR_EL2', 3, 4, 1, 1, 3, 2),
  sys('HACR_EL2', 3, 4, 1, 1, 7, 2),
  sys('TTBR0_EL2', 3, 4, 2, 0, 0, 2),
  sys('TCR_EL2', 3, 4, 2, 0, 2, 2),
  sys('VTTBR_EL2', 3, 4, 2, 1, 0, 2),
  sys('VTCR_EL2', 3, 4, 2, 1, 2, 2),
  sys('SPSR_EL2', 3, 4, 4, 0, 0, 2),
  sys('ELR_EL2', 3, 4, 4, 0, 1, 2),
  sys('SP_EL1', 3, 4, 4, 1, 0, 2, 'stack'),
  sys('AFSR0_EL2', 3, 4, 5, 1, 0, 2),
  sys('AFSR1_EL2', 3, 4, 5, 1, 1, 2),
  sys('ESR_EL2', 3, 4, 5, 2, 0, 2),
  sys('FAR_EL2', 3, 4, 6, 0, 0, 2),
  sys('HPFAR_EL2', 3, 4, 6, 0, 4, 2),
  sys('MAIR_EL2', 3, 4, 10, 2, 0, 2),
  sys('AMAIR_EL2', 3, 4, 10, 3, 0, 2),
  sys('VBAR_EL2', 3, 4, 12, 0, 0, 2, 'plain', 0n, ~0x7ffn & 0xffff_ffff_ffff_ffffn),
  sys('TPIDR_EL2', 3, 4, 13, 0, 2, 2),
  sys('CNTVOFF_EL2', 3, 4, 14, 0, 3, 2),
  sys('CNTHCTL_EL2', 3, 4, 14, 1, 0, 2, 'plain', 0x3n),
  sys('CNTHP_TVAL_EL2', 3, 4, 14, 2, 0, 2),
  sys('CNTHP_CTL_EL2', 3, 4, 14, 2, 1, 2),
  sys('CNTHP_CVAL_EL2', 3, 4, 14, 2, 2, 2),
  // The VHE (FEAT_VHE) aliases of EL1 registers, reached from EL2 with HCR_EL2.E2H = 1 (D13.2): the one a kernel's
  // __finalise_el2 reads first (arch/arm64/kernel/hyp-stub.S, `mrs_s x0, SYS_CPACR_EL12`). Last in the table, so no
  // other register's slot moves.
  { ...sys('CPACR_EL12', 3, 5, 1, 0, 2, 2), e2hAliasOf: 'cpacr_el1' },
  // The rest of the _EL12 aliases __finalise_el2 and KVM's VHE world switch use (D13.2; hyp-stub.S reads VBAR, TCR,
  // TTBR0/1, MAIR and SCTLR through them).
  { ...sys('SCTLR_EL12', 3, 5, 1, 0, 0, 2), e2hAliasOf: 'sctlr_el1' },
  { ...sys('TTBR0_EL12', 3, 5, 2, 0, 0, 2), e2hAliasOf: 'ttbr0_el1' },
  { ...sys('TTBR1_EL12', 3, 5, 2, 0, 1, 2), e2hAliasOf: 'ttbr1_el1' },
  { ...sys('TCR_EL12', 3, 5, 2, 0, 2, 2), e2hAliasOf: 'tcr_el1' },
  { ...sys('SPSR_EL12', 3, 5, 4, 0, 0, 2), e2hAliasOf: 'spsr_el1' },
  { ...sys('ELR_EL12', 3, 5, 4, 0, 1, 2), e2hAliasOf: 'elr_el1' },
  { ...sys('AFSR0_EL12', 3, 5, 5, 1, 0, 2), e2hAliasOf: 'afsr0_el1' },
  { ...sys('AFSR1_EL12', 3, 5, 5, 1, 1, 2), e2hAliasOf: 'afsr1_el1' },
  { ...sys('ESR_EL12', 3, 5, 5, 2, 0, 2), e2hAliasOf: 'esr_el1' },
  { ...sys('FAR_EL12', 3, 5, 6, 0, 0, 2), e2hAliasOf: 'far_el1' },
  { ...sys('MAIR_EL12', 3, 5, 10, 2, 0, 2), e2hAliasOf: 'mair_el1' },
  { ...sys('AMAIR_EL12', 3, 5, 10, 3, 0, 2), e2hAliasOf: 'amair_el1' },
  { ...sys('VBAR_EL12', 3, 5, 12, 0, 0, 2), e2hAliasOf: 'vbar_el1' },
  { ...sys('CONTEXTIDR_EL12', 3, 5, 13, 0, 1, 2), e2hAliasOf: 'contextidr_el1' },
  { ...sys('CNTKCTL_EL12', 3, 5, 14, 1, 0, 2), e2hAliasOf: 'cntkctl_el1' },
  // TTBR1_EL2 (FEAT_VHE): the upper range of the EL2&0 regime, which an EL2 access to TTBR1_EL1 reaches with E2H = 1.
  sys('TTBR1_EL2', 3, 4, 2, 0, 1, 2),
];

/**
 * With HCR_EL2.E2H = 1, an access from EL2 to an EL1 register name reaches
 * the EL2 register (ARM ARM D5.7.2 / the "Accessing" pseudocode of each
 * _EL1 register: `if EL2Enabled() && HCR_EL2.E2H == '1' then X[t] =
 * <reg>_EL2`), in the EL1 register's layout (CPTR_EL2 and TCR_EL2 take
 * CPACR_EL1's and TCR_EL1's formats under VHE). Pairs by name; the EL1
 * timer registers' redirection to the EL2 timers is not modelled.
 */
export const E2H_REDIRECTION: readonly (readonly [string, string])[] = [
  ['sctlr_el1', 'sctlr_el2'],
  ['cpacr_el1', 'cptr_el2'],
  ['ttbr0_el1', 'ttbr0_el2'],
  ['ttbr1_el1', 'ttbr1_el2'],
  ['tcr_el1', 'tcr_el2'],
  ['spsr_el1', 'spsr_el2'],
  ['elr_el1', 'elr_el2'],
  ['afsr0_el1', 'afsr0_el2'],
  ['afsr1_el1', 'afsr1_el2'],
  ['esr_el1', 'esr_el2'],
  ['far_el1', 'far_el2'],
  ['mair_el1', 'mair_el2'],
  ['amair_el1', 'amair_el2'],
  ['vbar_el1', 'vbar_el2'],
  ['cntkctl_el1', 'cnthctl_el2'],
];

/** The 15-bit system register key: op0[1:0]:op1:CRn:CRm:op2, as bits 20:5 of MRS/MSR hold it (o0 is op0 - 2). */
export function sysKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (((op0 & 3) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2) >>> 0;
}

/** The (op0, op1, CRn, CRm, op2) of a key, as the generic name `S3_0_C0_C1_0` writes them. */
export function sysFields(key: number): [number, number, number, number, number] {
  return [(key >>> 14) & 3, (key >>> 11) & 7, (key >>> 7) & 15, (key >>> 3) & 15, key & 7];
}

/** Slot index of each modelled register by lowercase name (two words each in {@link Arm64State.sys}). */
export const SYS_INDEX: ReadonlyMap<string, number> = new Map(SYS_REGISTERS.map((r, i) => [r.name, i]));

const SYS_BY_KEY: ReadonlyMap<number, SysRegister> = new Map(SYS_REGISTERS.map((r) => [sysKey(r.op0, r.op1, r.crn, r.crm, r.op2), r]));

/**
 * The reserved identification space (op0 = 3, op1 = 0, CRn = 0, CRm = 1–7):
 * encodings there that name no register read as zero from EL1 (ARM ARM
 * D12.3.1, "Reserved encodings in the ID register space"; the AArch32 ID
 * registers such as ID_PFR0_EL1 read 0 here too, since AArch32 is not
 * implemented).
 */
export function isReservedIdSpace(key: number): boolean {
  const [op0, op1, crn, crm] = sysFields(key);
  return op0 === 3 && op1 === 0 && crn === 0 && crm >= 1 && crm <= 7;
}

/** The modelled register at an encoding key, or `undefined`. */
export function findSysRegister(key: number): SysRegister | undefined {
  return SYS_BY_KEY.get(key);
}

/** The slot of a modelled system register by lowercase name; throws for an unknown name (a programming error). */
export function sysSlot(name: string): number {
  const slot = SYS_INDEX.get(name);
  if (slot === undefined) throw new Error(`no arm64 system register '${name}'`);
  return slot;
}

/** Slots (register indexes; words `2i`, `2i + 1`) of the registers the exception model touches. */
export const Sys = {
  /** SCTLR_EL1. */
  sctlrEl1: sysSlot('sctlr_el1'),
  /** SCTLR_EL2. */
  sctlrEl2: sysSlot('sctlr_el2'),
  /** SPSR_EL1. */
  spsrEl1: sysSlot('spsr_el1'),
  /** ELR_EL1. */
  elrEl1: sysSlot('elr_el1'),
  /** ESR_EL1. */
  esrEl1: sysSlot('esr_el1'),
  /** FAR_EL1. */
  farEl1: sysSlot('far_el1'),
  /** VBAR_EL1. */
  vbarEl1: sysSlot('vbar_el1'),
  /** SPSR_EL2. */
  spsrEl2: sysSlot('spsr_el2'),
  /** ELR_EL2. */
  elrEl2: sysSlot('elr_el2'),
  /** ESR_EL2. */
  esrEl2: sysSlot('esr_el2'),
  /** FAR_EL2. */
  farEl2: sysSlot('far_el2'),
  /** HPFAR_EL2. */
  hpfarEl2: sysSlot('hpfar_el2'),
  /** VBAR_EL2. */
  vbarEl2: sysSlot('vbar_el2'),
  /** HCR_EL2. */
  hcrEl2: sysSlot('hcr_el2'),
  /** VTTBR_EL2. */
  vttbrEl2: sysSlot('vttbr_el2'),
  /** SP_EL0. */
  spEl0: sysSlot('sp_el0'),
  /** SP_EL1. */
  spEl1: sysSlot('sp_el1'),
  /** SP_EL2 (not an MRS-visible register here: only EL3 could name it; kept in the slot after the table). */
  spEl2: SYS_REGISTERS.length,
} as const;

/** Two-word slots in {@link Arm64State.sys}: every modelled register, then SP_EL2. */
export const SYS_SLOTS = SYS_REGISTERS.length + 1;

/**
 * The whole arm64 architectural state, as plain data.
 */
export interface Arm64State {
  /** Address of the next instruction, in the signed representation (bit 63 set: value − 2^64, so the TTBR1 half is negative; see `tlb.ts`). */
  pc: number;
  /** The general registers as int32 word pairs (see the module comment): X0–X30, XZR, the discard slot, SP. */
  x: Int32Array;
  /** N flag (0 or 1). */
  n: number;
  /** Z flag. */
  z: number;
  /** C flag. */
  c: number;
  /** V flag. */
  v: number;
  /** PSTATE.EL (0, 1 or 2). */
  el: number;
  /** PSTATE.SP (0: SP_EL0, 1: SP_ELx). */
  sp: number;
  /** PSTATE.{D,A,I,F} in their SPSR positions (bits 9:6). */
  daif: number;
  /** PSTATE.IL (0 or 1): set by an illegal exception return, cleared by exception entry. */
  il: number;
  /** System registers as int32 word pairs, by {@link sysSlot}. */
  sys: Int32Array;
  /** The physical counter (CNTPCT_EL0) as low and high words: it advances by one on every read, so that a guest sees it move and runs stay deterministic. */
  ticks: Int32Array;
  /** The local exclusive monitor: the address an LDXR/LDAXR marked, or -1 when it is open (ARM ARM B2.9.2). */
  monitor: number;
  /**
   * Bytes the marking load read (its pair's total for LDXP): a store
   * exclusive of another size fails, one of the outcomes the ARM ARM allows
   * for a size mismatch (B2.9.5, CONSTRAINED UNPREDICTABLE) and the one QEMU
   * and Unicorn give.
   */
  monitorBytes: number;
}

/** A fresh state: EL1h with D, A, I and F masked (the reset state of EL1 when it is the highest EL run), system registers at reset. */
export function createArm64State(): Arm64State {
  const s: Arm64State = {
    pc: 0,
    x: new Int32Array(REGISTER_SLOTS * 2),
    n: 0,
    z: 0,
    c: 0,
    v: 0,
    el: 1,
    sp: 1,
    daif: Psr.DAIF,
    il: 0,
    sys: new Int32Array(SYS_SLOTS * 2),
    ticks: new Int32Array(2),
    monitor: -1,
    monitorBytes: 0,
  };
  SYS_REGISTERS.forEach((r, i) => {
    s.sys[2 * i] = Number(r.reset & 0xffff_ffffn) | 0;
    s.sys[2 * i + 1] = Number((r.reset >> 32n) & 0xffff_ffffn) | 0;
  });
  return s;
}

/** PSTATE.M[3:0] of the state: EL and SP selection. */
export function modeOf(s: Arm64State): number {
  return (s.el << 2) | s.sp;
}

/** The banked SP slot (in {@link Arm64State.sys}) that a mode's stack pointer lives in. */
export function stackSlotOf(mode: number): number {
  if ((mode & 1) === 0) return Sys.spEl0;
  return (mode >> 2) === 2 ? Sys.spEl2 : Sys.spEl1;
}

/**
 * Change the exception level and SP selection: save the current SP to its
 * bank, load the new mode's (ARM ARM D1.6.2). The rest of PSTATE is the
 * caller's.
 */
export function switchMode(s: Arm64State, mode: number): void {
  const from = stackSlotOf(modeOf(s));
  const to = stackSlotOf(mode);
  if (from !== to) {
    s.sys[2 * from] = s.x[2 * SP_SLOT]!;
    s.sys[2 * from + 1] = s.x[2 * SP_SLOT + 1]!;
    s.x[2 * SP_SLOT] = s.sys[2 * to]!;
    s.x[2 * SP_SLOT + 1] = s.sys[2 * to + 1]!;
  }
  s.el = mode >> 2;
  s.sp = mode & 1;
}

/** PSTATE in the SPSR_ELx layout (what an exception entry saves; ARM ARM C5.2.18): N Z C V, IL, D A I F, M[3:0]. */
export function readPstate(s: Arm64State): number {
  return ((s.n << 31) | (s.z << 30) | (s.c << 29) | (s.v << 28) | (s.il << 20) | s.daif | modeOf(s)) >>> 0;
}

/**
 * Write PSTATE from an SPSR_ELx-layout value whose mode the caller has
 * checked is an implemented AArch64 mode (an exception return, or machine
 * setup): switches the stack pointer, then sets the flags, masks and IL.
 */
export function writePstate(s: Arm64State, value: number): void {
  switchMode(s, value & Psr.M);
  s.n = (value >>> 31) & 1;
  s.z = (value >>> 30) & 1;
  s.c = (value >>> 29) & 1;
  s.v = (value >>> 28) & 1;
  s.il = (value >>> 20) & 1;
  s.daif = value & Psr.DAIF;
}

/** A 64-bit value from two words. */
export function wordsToBigInt(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

/** The words of a 64-bit value (wrapped to 64 bits). */
export function bigIntToWords(value: bigint): [number, number] {
  const v = BigInt.asUintN(64, value);
  return [Number(v & 0xffff_ffffn) | 0, Number(v >> 32n) | 0];
}

/** General register names x0–x30 (the register view and the command line). */
export const X_NAMES: readonly string[] = Array.from({ length: 31 }, (_, i) => `x${i}`);

/**
 * Every value of the state that generated code may touch, numbered as a
 * *slot* for the state-code templates (`src/jit/state-code.ts`): the
 * exception model's entry and return paths and the JIT's translated blocks.
 * Slots 0–67 are the words of {@link Arm64State.x} (word `2r` is bits 31:0
 * of register slot `r`, `2r + 1` bits 63:32, as predecode numbers them);
 * the PSTATE fields follow; word `k` of {@link Arm64State.sys} is slot
 * `sys + k`.
 */
export const StateSlot = {
  /** PSTATE.N. */
  n: 68,
  /** PSTATE.Z. */
  z: 69,
  /** PSTATE.C. */
  c: 70,
  /** PSTATE.V. */
  v: 71,
  /** PSTATE.EL. */
  el: 72,
  /** PSTATE.SP. */
  sp: 73,
  /** PSTATE.{D,A,I,F}. */
  daif: 74,
  /** PSTATE.IL. */
  il: 75,
  /** The PC. */
  pc: 76,
  /** The local exclusive monitor. */
  monitor: 77,
  /** First word of the system registers. */
  sys: 80,
} as const;

const FIELD_NAMES: readonly string[] = ['n', 'z', 'c', 'v', 'el', 'sp', 'daif', 'il', 'pc', 'monitor'];

/** Where a {@link StateSlot} lives, as an assignable expression over a state named `s`. */
export function arm64SlotPlace(slot: number): string {
  if (slot < REGISTER_SLOTS * 2) return `s.x[${slot}]`;
  if (slot >= StateSlot.sys) return `s.sys[${slot - StateSlot.sys}]`;
  const field = FIELD_NAMES[slot - StateSlot.n];
  if (field === undefined) throw new Error(`no arm64 state slot ${slot}`);
  return `s.${field}`;
}

/** The slot of word `word` (0: bits 31:0, 1: bits 63:32) of system register slot `register` ({@link Sys}). */
export function sysWordSlot(register: number, word: 0 | 1): number {
  return StateSlot.sys + 2 * register + word;
}

/**
 * The mode part of a JIT block's key: PSTATE.M[3:0] (EL and SP
 * selection), with PSTATE.IL as bit 4 (code with IL set only takes the
 * Illegal Execution state exception, in the interpreter).
 */
export function modeKeyOf(s: Arm64State): number {
  return (s.il << 4) | (s.el << 2) | s.sp;
}

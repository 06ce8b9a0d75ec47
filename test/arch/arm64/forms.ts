/**
 * A deterministic list of A64 instruction forms, each with the table row it
 * is expected to hit. It feeds the pinned encodings
 * (`scripts/pin-arm64-encodings.ts` writes `fixtures/encodings.json`), the
 * live llvm-mc comparison and the round trips.
 *
 * The texts are written the way llvm-mc 14 accepts them
 * (`-triple=aarch64`); branch targets are `#offset` from the instruction.
 * Registers rotate through fixed cycles, so the list is the same on every
 * run and every row of `ARM64_TABLE.written` is hit.
 *
 * @module
 */

/** One instruction text and the table row it must encode to. */
export interface Arm64Form {
  /** Assembly text, accepted by both llvm-mc and hyplay. */
  readonly text: string;
  /** Name of the `ARM64_TABLE.written` row the text encodes to. */
  readonly row: string;
}

/** A fixed cycle over register numbers 0–30. */
class Registers {
  private next = 0;
  constructor(start: number) {
    this.next = start % 31;
  }
  /** The next register number. */
  take(): number {
    const n = this.next;
    this.next = (this.next + 7) % 31;
    return n;
  }
}

const CONDS = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];

/** Every form, in a fixed order. */
export function arm64Forms(): Arm64Form[] {
  const out: Arm64Form[] = [];
  const add = (row: string, ...texts: string[]): void => {
    for (const text of texts) out.push({ text, row });
  };
  const r = new Registers(3);
  const x = (): string => `x${r.take()}`;
  const w = (): string => `w${r.take()}`;
  const reg = (sf: number): string => (sf === 1 ? x() : w());

  // Data processing, immediate.
  add('ADR', 'adr x0, #16', 'adr x5, #-4', 'adr x30, #1048575');
  add('ADRP', 'adrp x1, #4096', 'adrp x9, #-16384', 'adrp x29, #0');
  for (const sf of [1, 0]) {
    const sp = sf === 1 ? 'sp' : 'wsp';
    add('ADD_IMM', `add ${reg(sf)}, ${reg(sf)}, #1`, `add ${reg(sf)}, ${reg(sf)}, #4095`, `add ${reg(sf)}, ${reg(sf)}, #1, lsl #12`, `add ${sp}, ${sp}, #16`, `mov ${reg(sf)}, ${sp}`, `mov ${sp}, ${reg(sf)}`, `add ${reg(sf)}, ${reg(sf)}, #0`);
    add('SUB_IMM', `sub ${reg(sf)}, ${reg(sf)}, #8`, `sub ${sp}, ${sp}, #0x100`, `sub ${reg(sf)}, ${sp}, #4095, lsl #12`);
    add('ADDS_IMM', `adds ${reg(sf)}, ${reg(sf)}, #3`, `cmn ${reg(sf)}, #7`, `adds ${reg(sf)}, ${sp}, #0`);
    add('SUBS_IMM', `subs ${reg(sf)}, ${reg(sf)}, #1`, `cmp ${reg(sf)}, #4`, `cmp ${sp}, #32, lsl #12`);
    add('AND_IMM', `and ${reg(sf)}, ${reg(sf)}, #0x1`, `and ${sp}, ${reg(sf)}, #0xff`, `and ${reg(sf)}, ${reg(sf)}, #0x${sf === 1 ? 'fffffffffffffffe' : 'fffffffe'}`);
    add('ORR_IMM', `orr ${reg(sf)}, ${reg(sf)}, #0x3`, `orr ${reg(sf)}, ${reg(sf)}, #0x${sf === 1 ? '5555555555555555' : '55555555'}`, `mov ${reg(sf)}, #0x${sf === 1 ? 'ff00ff00ff00ff00' : 'ff00ff00'}`, `orr ${reg(sf)}, ${sf === 1 ? 'xzr' : 'wzr'}, #0xffff`);
    add('EOR_IMM', `eor ${reg(sf)}, ${reg(sf)}, #0x80`, `eor ${reg(sf)}, ${reg(sf)}, #0x${sf === 1 ? 'f0f0f0f0f0f0f0f0' : 'f0f0f0f0'}`);
    add('ANDS_IMM', `ands ${reg(sf)}, ${reg(sf)}, #0x7`, `tst ${reg(sf)}, #0x1`, `tst ${reg(sf)}, #0x${sf === 1 ? '8000000000000000' : '80000000'}`);
    add('MOVZ', `movz ${reg(sf)}, #0`, `mov ${reg(sf)}, #5`, `mov ${reg(sf)}, #65536`, `movz ${reg(sf)}, #0, lsl #16`, `movz ${reg(sf)}, #0xffff, lsl #16`);
    add('MOVN', `mov ${reg(sf)}, #-1`, `movn ${reg(sf)}, #0xffff`, `movn ${reg(sf)}, #1, lsl #16`, `mov ${reg(sf)}, #-2`);
    add('MOVK', `movk ${reg(sf)}, #0x1234`, `movk ${reg(sf)}, #0xbeef, lsl #16`);
    const bits = sf === 1 ? 64 : 32;
    add('SBFM', `asr ${reg(sf)}, ${reg(sf)}, #3`, `sxtb ${reg(sf)}, ${w()}`, `sxth ${reg(sf)}, ${w()}`, `sbfiz ${reg(sf)}, ${reg(sf)}, #4, #8`, `sbfx ${reg(sf)}, ${reg(sf)}, #1, #${bits - 2}`, `asr ${reg(sf)}, ${reg(sf)}, #${bits - 1}`);
    add('BFM', `bfi ${reg(sf)}, ${reg(sf)}, #4, #8`, `bfxil ${reg(sf)}, ${reg(sf)}, #0, #1`, `bfxil ${reg(sf)}, ${reg(sf)}, #3, #${bits - 3}`);
    add('UBFM', `lsl ${reg(sf)}, ${reg(sf)}, #1`, `lsl ${reg(sf)}, ${reg(sf)}, #${bits - 1}`, `lsr ${reg(sf)}, ${reg(sf)}, #7`, `ubfiz ${reg(sf)}, ${reg(sf)}, #2, #5`, `ubfx ${reg(sf)}, ${reg(sf)}, #8, #8`, `ubfx ${reg(sf)}, ${reg(sf)}, #0, #${bits - 1}`);
    add('EXTR', `extr ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, #3`, `ror ${reg(sf) === 'x' ? 'x1' : sf === 1 ? 'x1' : 'w1'}, ${sf === 1 ? 'x2, #17' : 'w2, #17'}`);
  }
  add('SBFM', 'sxtw x0, w1', 'sbfm x2, x3, #0, #0');
  add('UBFM', 'uxtb w4, w5', 'uxth w6, w7');
  add('EXTR', 'ror x1, x1, #63', 'ror w3, w3, #0');

  // Branches and system.
  add('B_COND', ...CONDS.map((c, i) => `b.${c} #${(i - 7) * 4}`), 'b.al #8', 'b.nv #-8');
  add('B', 'b #8', 'b #-4', 'b #134217724', 'b #-134217728');
  add('BL', 'bl #0', 'bl #65536');
  add('CBZ', 'cbz x1, #8', 'cbz w2, #-1048576', 'cbz xzr, #4');
  add('CBNZ', 'cbnz x3, #1048572', 'cbnz w4, #-12');
  add('TBZ', 'tbz w0, #3, #12', 'tbz x5, #40, #-8', 'tbz w6, #31, #32764');
  add('TBNZ', 'tbnz x7, #63, #4', 'tbnz w8, #0, #-32768');
  add('BR', 'br x16', 'br x0');
  add('BLR', 'blr x3', 'blr x30');
  add('RET', 'ret', 'ret x1');
  add('ERET', 'eret');
  add('SVC', 'svc #0', 'svc #1', 'svc #0xffff');
  add('HVC', 'hvc #0', 'hvc #0xea1', 'hvc #0x4711');
  add('SMC', 'smc #0', 'smc #1');
  add('BRK', 'brk #0', 'brk #0x3e8');
  add('HINT', 'nop', 'yield', 'sev', 'sevl', 'hint #6', 'hint #20', 'hint #8', 'hint #34', 'hint #127');
  add('WFE', 'wfe');
  add('WFI', 'wfi');
  add('CLREX', 'clrex', 'clrex #3');
  add('DSB', 'dsb sy', 'dsb ish', 'dsb nshst', 'dsb #0', 'dsb #4', 'dsb #8');
  add('DMB', 'dmb ish', 'dmb ishld', 'dmb oshst', 'dmb ld', 'dmb #0', 'dmb sy');
  add('ISB', 'isb', 'isb #3');
  add('MSR_IMM', 'msr daifset, #2', 'msr daifclr, #15', 'msr spsel, #1', 'msr spsel, #0');
  add('SYS', 'ic iallu', 'ic ialluis', 'ic ivau, x0', 'dc zva, x1', 'dc civac, x2', 'dc cvac, x3', 'dc ivac, x4', 'dc cisw, x5', 'dc cvau, x6', 'at s1e1r, x7', 'at s12e0w, x8', 'at s1e2r, x9', 'tlbi vmalle1is', 'tlbi alle2', 'tlbi vae1, x10', 'tlbi ipas2e1is, x11', 'tlbi vmalls12e1', 'tlbi alle1is', 'sys #0, c0, c0, #0, x0', 'sys #7, c15, c15, #7');
  add('SYSL', 'sysl x0, #0, c1, c2, #3');
  const sysregs = ['vbar_el2', 'esr_el2', 'elr_el2', 'spsr_el2', 'far_el2', 'hpfar_el2', 'hcr_el2', 'sctlr_el2', 'sctlr_el1', 'vttbr_el2', 'vtcr_el2', 'tcr_el1', 'ttbr0_el1', 'ttbr1_el1', 'mair_el1', 'vbar_el1', 'esr_el1', 'elr_el1', 'spsr_el1', 'sp_el0', 'sp_el1', 'tpidr_el0', 'tpidr_el1', 'tpidr_el2', 'tpidrro_el0', 'cptr_el2', 'cnthctl_el2', 'cntvoff_el2', 'mdcr_el2', 'hstr_el2', 'vpidr_el2', 'vmpidr_el2', 'cntfrq_el0', 'cntv_ctl_el0', 'cntkctl_el1', 'daif', 'nzcv', 'spsel', 'mdscr_el1', 'cpacr_el1', 'contextidr_el1'];
  sysregs.forEach((name, i) => {
    add('MRS', `mrs x${i % 31}, ${name}`);
    add('MSR_REG', `msr ${name}, x${(i + 11) % 31}`);
  });
  for (const name of ['midr_el1', 'mpidr_el1', 'id_aa64pfr0_el1', 'id_aa64mmfr0_el1', 'id_aa64isar0_el1', 'id_aa64dfr0_el1', 'currentel', 'ctr_el0', 'dczid_el0', 'cntpct_el0', 'cntvct_el0', 'clidr_el1', 'oslsr_el1', 's3_0_c0_c1_0', 's3_7_c15_c15_7', 's2_0_c0_c0_0']) add('MRS', `mrs x${name.length}, ${name}`);
  add('MSR_REG', 'msr oslar_el1, xzr', 'msr s3_7_c15_c15_7, x1');

  // Loads and stores.
  const classes: readonly (readonly [string, string, string, number, 'x' | 'w'])[] = [
    ['STRB', 'strb', 'sturb', 0, 'w'],
    ['LDRB', 'ldrb', 'ldurb', 0, 'w'],
    ['LDRSB_X', 'ldrsb', 'ldursb', 0, 'x'],
    ['LDRSB_W', 'ldrsb', 'ldursb', 0, 'w'],
    ['STRH', 'strh', 'sturh', 1, 'w'],
    ['LDRH', 'ldrh', 'ldurh', 1, 'w'],
    ['LDRSH_X', 'ldrsh', 'ldursh', 1, 'x'],
    ['LDRSH_W', 'ldrsh', 'ldursh', 1, 'w'],
    ['STR_W', 'str', 'stur', 2, 'w'],
    ['LDR_W', 'ldr', 'ldur', 2, 'w'],
    ['LDRSW', 'ldrsw', 'ldursw', 2, 'x'],
    ['STR_X', 'str', 'stur', 3, 'x'],
    ['LDR_X', 'ldr', 'ldur', 3, 'x'],
  ];
  for (const [id, m, u, scale, kind] of classes) {
    const t = (): string => `${kind}${r.take()}`;
    // Writeback forms with Rt = Rn are UNPREDICTABLE (llvm-mc refuses them): their Rt is x18–x30, never a base used here.
    const high = new Registers(0);
    const tw = (): string => `${kind}${18 + (high.take() % 13)}`;
    const unit = 1 << scale;
    const unpriv = m.replace(/^(ld|st)r/, '$1tr');
    add(`${id}_UOFF`, `${m} ${t()}, [x1]`, `${m} ${t()}, [sp, #${unit * 3}]`, `${m} ${t()}, [x2, #${unit * 4095}]`);
    add(`${id}_UNSCALED`, `${u} ${t()}, [x3, #-1]`, `${u} ${t()}, [sp, #255]`, `${u} ${t()}, [x4, #-256]`);
    add(`${id}_POST`, `${m} ${tw()}, [x5], #${unit}`, `${m} ${tw()}, [sp], #-256`);
    add(`${id}_PRE`, `${m} ${tw()}, [x6, #-${unit}]!`, `${m} ${tw()}, [sp, #255]!`);
    add(`${id}_UNPRIV`, `${unpriv} ${t()}, [x7]`, `${unpriv} ${t()}, [x8, #-9]`);
    add(`${id}_REG`, `${m} ${t()}, [x9, x10]`, `${m} ${t()}, [x11, x12, lsl #${scale}]`, `${m} ${t()}, [x13, w14, uxtw]`, `${m} ${t()}, [x15, w16, sxtw #${scale}]`, `${m} ${t()}, [sp, x17, sxtx]`);
  }
  add('PRFM_UOFF', 'prfm pldl1keep, [x0]', 'prfm pstl3strm, [x1, #8]', 'prfm #6, [x2]');
  add('PRFM_UNSCALED', 'prfum plil2keep, [x3, #-5]');
  add('PRFM_REG', 'prfm pldl2strm, [x4, x5, lsl #3]');
  add('LDR_W_LIT', 'ldr w0, #16', 'ldr w1, #-4');
  add('LDR_X_LIT', 'ldr x2, #1048572', 'ldr x3, #0');
  add('LDRSW_LIT', 'ldrsw x4, #8');
  add('PRFM_LIT', 'prfm pldl1keep, #16');
  for (const [id, m, kind, scale] of [['STP_W', 'stp', 'w', 2], ['LDP_W', 'ldp', 'w', 2], ['LDPSW', 'ldpsw', 'x', 2], ['STP_X', 'stp', 'x', 3], ['LDP_X', 'ldp', 'x', 3]] as const) {
    const t = (): string => `${kind}${r.take()}`;
    const unit = 1 << scale;
    if (id !== 'LDPSW') add(id.replace('P_', 'NP_'), `${m.replace('p', 'np')} ${t()}, ${t()}, [x1, #${unit * 2}]`);
    add(`${id}_OFF`, `${m} ${t()}, ${t()}, [x2]`, `${m} ${t()}, ${t()}, [sp, #-${unit * 64}]`);
    add(`${id}_PRE`, `${m} ${kind}20, ${kind}21, [sp, #-${unit * 2}]!`);
    add(`${id}_POST`, `${m} ${kind}22, ${kind}23, [x1], #${unit * 63}`);
  }
  for (const [size, suffix, kind] of [[0, 'b', 'w'], [1, 'h', 'w'], [2, '', 'w'], [3, '', 'x']] as const) {
    add(`STXR_${size}`, `stxr${suffix} w1, ${kind}2, [x3]`);
    add(`STLXR_${size}`, `stlxr${suffix} w4, ${kind}5, [sp]`);
    add(`LDXR_${size}`, `ldxr${suffix} ${kind}6, [x7]`);
    add(`LDAXR_${size}`, `ldaxr${suffix} ${kind}8, [x9]`);
    add(`STLR_${size}`, `stlr${suffix} ${kind}10, [x11]`);
    add(`LDAR_${size}`, `ldar${suffix} ${kind}12, [x13]`);
  }
  for (const [size, kind] of [[2, 'w'], [3, 'x']] as const) {
    add(`STXP_${size}`, `stxp w1, ${kind}2, ${kind}3, [x4]`);
    add(`STLXP_${size}`, `stlxp w5, ${kind}6, ${kind}7, [x8]`);
    add(`LDXP_${size}`, `ldxp ${kind}9, ${kind}10, [x11]`);
    add(`LDAXP_${size}`, `ldaxp ${kind}12, ${kind}13, [sp]`);
  }

  // Data processing, register.
  for (const sf of [1, 0]) {
    const sp = sf === 1 ? 'sp' : 'wsp';
    const zr = sf === 1 ? 'xzr' : 'wzr';
    const top = sf === 1 ? 63 : 31;
    add('AND_SHIFT', `and ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `and ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, lsl #${top}`);
    add('BIC_SHIFT', `bic ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, asr #2`);
    add('ORR_SHIFT', `orr ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, ror #5`, `mov ${reg(sf)}, ${reg(sf)}`, `orr ${reg(sf)}, ${zr}, ${reg(sf)}, lsl #1`);
    add('ORN_SHIFT', `orn ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `mvn ${reg(sf)}, ${reg(sf)}`, `mvn ${reg(sf)}, ${reg(sf)}, lsr #3`);
    add('EOR_SHIFT', `eor ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, lsr #${top}`);
    add('EON_SHIFT', `eon ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('ANDS_SHIFT', `ands ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `tst ${reg(sf)}, ${reg(sf)}, lsl #2`);
    add('BICS_SHIFT', `bics ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('ADD_SHIFT', `add ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `add ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, lsl #3`, `add ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, asr #${top}`);
    add('SUB_SHIFT', `sub ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, lsr #1`, `neg ${reg(sf)}, ${reg(sf)}`, `neg ${reg(sf)}, ${reg(sf)}, lsl #4`);
    add('ADDS_SHIFT', `adds ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `cmn ${reg(sf)}, ${reg(sf)}`);
    add('SUBS_SHIFT', `subs ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `cmp ${reg(sf)}, ${reg(sf)}, lsl #2`, `negs ${reg(sf)}, ${reg(sf)}`);
    const ext = sf === 1 ? ['uxtb', 'uxth', 'uxtw', 'sxtb', 'sxth', 'sxtw'] : ['uxtb', 'uxth', 'sxtb', 'sxth', 'sxtw', 'uxtw'];
    ext.forEach((e, i) => add('ADD_EXT', `add ${reg(sf)}, ${reg(sf)}, ${w()}, ${e}${i % 2 === 0 ? '' : ` #${i % 5}`}`));
    if (sf === 1) add('ADD_EXT', 'add x0, x1, x2, uxtx', 'add x3, x4, x5, sxtx #4', 'add x6, sp, x7', 'add sp, x8, x9, lsl #2', 'add x10, sp, w11, uxtw #1');
    else add('ADD_EXT', 'add w0, wsp, w1', 'add wsp, w2, w3, lsl #3', 'add w4, w5, w6, uxtw');
    add('SUB_EXT', `sub ${reg(sf)}, ${reg(sf)}, ${w()}, uxtb`, `sub ${sp}, ${sp}, ${reg(sf)}`);
    add('ADDS_EXT', `adds ${reg(sf)}, ${reg(sf)}, ${w()}, sxth #2`, `adds ${reg(sf)}, ${sp}, ${reg(sf)}`, `cmn ${reg(sf)}, ${w()}, uxtb`);
    add('SUBS_EXT', `subs ${reg(sf)}, ${reg(sf)}, ${w()}, uxth`, `cmp ${sp}, ${reg(sf)}`, `cmp ${reg(sf)}, ${w()}, sxtw #1`, `cmp ${sp}, ${reg(sf)}, lsl #3`);
    add('ADC', `adc ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('ADCS', `adcs ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('SBC', `sbc ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `ngc ${reg(sf)}, ${reg(sf)}`);
    add('SBCS', `sbcs ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `ngcs ${reg(sf)}, ${reg(sf)}`);
    add('CCMN_REG', `ccmn ${reg(sf)}, ${reg(sf)}, #0, eq`);
    add('CCMP_REG', `ccmp ${reg(sf)}, ${reg(sf)}, #15, hi`);
    add('CCMN_IMM', `ccmn ${reg(sf)}, #31, #2, lt`);
    add('CCMP_IMM', `ccmp ${reg(sf)}, #3, #4, ne`);
    add('CSEL', `csel ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, eq`, `csel ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, al`);
    const a = reg(sf);
    add('CSINC', `csinc ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, ge`, `cset ${reg(sf)}, eq`, `cinc ${reg(sf)}, ${a}, lo`, `csinc ${reg(sf)}, ${a}, ${a}, al`, `csinc ${reg(sf)}, ${zr}, ${zr}, nv`);
    const b = reg(sf);
    add('CSINV', `csinv ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, mi`, `csetm ${reg(sf)}, ne`, `cinv ${reg(sf)}, ${b}, pl`);
    const c = reg(sf);
    add('CSNEG', `csneg ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, vs`, `cneg ${reg(sf)}, ${c}, gt`);
    add('MADD', `madd ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `mul ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('MSUB', `msub ${reg(sf)}, ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`, `mneg ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('UDIV', `udiv ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('SDIV', `sdiv ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('LSLV', `lsl ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('LSRV', `lsr ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('ASRV', `asr ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('RORV', `ror ${reg(sf)}, ${reg(sf)}, ${reg(sf)}`);
    add('RBIT', `rbit ${reg(sf)}, ${reg(sf)}`);
    add('REV16', `rev16 ${reg(sf)}, ${reg(sf)}`);
    add('CLZ', `clz ${reg(sf)}, ${reg(sf)}`);
    add('CLS', `cls ${reg(sf)}, ${reg(sf)}`);
  }
  add('REV32', 'rev32 x0, x1', 'rev w2, w3');
  add('REV', 'rev x4, x5');
  add('SMADDL', 'smaddl x0, w1, w2, x3', 'smull x4, w5, w6');
  add('SMSUBL', 'smsubl x7, w8, w9, x10', 'smnegl x11, w12, w13');
  add('UMADDL', 'umaddl x14, w15, w16, x17', 'umull x18, w19, w20');
  add('UMSUBL', 'umsubl x21, w22, w23, x24', 'umnegl x25, w26, w27');
  add('SMULH', 'smulh x0, x1, x2');
  add('UMULH', 'umulh x3, x4, x5');
  // The inverted-immediate aliases (llvm-mc encodes them as the base instruction with ~imm and prints that).
  add('AND_IMM', 'bic x0, x0, #0x3000', 'bic w1, w2, #0xff', 'bic sp, x1, #0x1', 'bic x3, x3, #0x3000000');
  add('ANDS_IMM', 'bics x3, x4, #0xf0', 'bics w5, w6, #0x80000000');
  add('ORR_IMM', 'orn x7, x8, #0x1', 'orn w9, w10, #0xff00');
  add('EOR_IMM', 'eon x11, x12, #0x7', 'eon w13, w14, #0x1');
  return out;
}

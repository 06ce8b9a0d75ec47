/**
 * A deterministic list of A32 instruction forms, each with the table row it
 * is expected to hit. It feeds the pinned encodings
 * (`scripts/pin-arm32-encodings.ts` writes `fixtures/encodings.json`), the
 * live llvm-mc comparison and the round trips.
 *
 * The texts are written the way llvm-mc accepts them
 * (`-triple=armv7a -mattr=+virtualization,+trustzone`): immediates may be
 * decimal or hex, branch targets are `#offset` from PC + 8. Registers and
 * conditions rotate through fixed cycles, so the list is the same on every
 * run and every row of `ARM32_TABLE.written` is hit with several field
 * values.
 *
 * @module
 */

import { kernelForms } from './kernel-forms.ts';

/** One instruction text and the table row it must encode to. */
export interface Arm32Form {
  /** Assembly text, accepted by both llvm-mc and hyplay. */
  readonly text: string;
  /** Name of the `ARM32_TABLE.written` row the text encodes to. */
  readonly row: string;
}

/** Data-processing mnemonics in opcode order (ARM ARM A5.2.1). */
const DP_OPS = ['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'tst', 'teq', 'cmp', 'cmn', 'orr', 'mov', 'bic', 'mvn'] as const;

/** Conditions as written in the input; `cs`/`cc` are the aliases llvm prints as `hs`/`lo`. */
const CONDITIONS = ['', 'eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'hs', 'lo'] as const;

/** General-purpose registers usable everywhere (no pc). */
const REGS = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr'] as const;

/** A fixed cycle over a list: `next()` returns the items in turn, forever. */
class Cycle<T> {
  private index: number;
  constructor(
    private readonly items: readonly T[],
    start = 0,
  ) {
    this.index = start;
  }
  next(): T {
    const item = this.items[this.index % this.items.length]!;
    this.index += 1;
    return item;
  }
}

/** Modified immediates (ARM ARM A5.2.4), as values; negative ones are printed signed by llvm. */
const MODIFIED_IMMEDIATES = ['#0', '#1', '#255', '#0x3fc', '#0xff000000', '#0xf000000f', '#0x10000', '#-1073741824', '#0x80000000', '#1020', '#0xab00', '#0x0ff00000'];

/** Register-operand shifts: every kind, including `rrx` and the `#32` forms of lsr/asr. */
const SHIFTS = ['', 'lsl #1', 'lsl #31', 'lsr #1', 'lsr #32', 'asr #7', 'asr #32', 'ror #1', 'ror #31', 'rrx'] as const;

const SHIFT_TYPES = ['lsl', 'lsr', 'asr', 'ror'] as const;

/** Banked registers of MRS/MSR (banked), ARM ARM B9.2.3. */
const BANKED = [
  'r8_usr', 'r9_usr', 'r10_usr', 'r11_usr', 'r12_usr', 'sp_usr', 'lr_usr',
  'r8_fiq', 'r9_fiq', 'r10_fiq', 'r11_fiq', 'r12_fiq', 'sp_fiq', 'lr_fiq',
  'lr_irq', 'sp_irq', 'lr_svc', 'sp_svc', 'lr_abt', 'sp_abt', 'lr_und', 'sp_und',
  'lr_mon', 'sp_mon', 'elr_hyp', 'sp_hyp',
  'SPSR_fiq', 'SPSR_irq', 'SPSR_svc', 'SPSR_abt', 'SPSR_und', 'SPSR_mon', 'SPSR_hyp',
] as const;

function dataProcessing(out: Arm32Form[]): void {
  const cond = new Cycle(CONDITIONS, 1);
  const reg = new Cycle(REGS, 0);
  const imm = new Cycle(MODIFIED_IMMEDIATES, 0);
  DP_OPS.forEach((op, opcode) => {
    const row = op.toUpperCase();
    const compare = opcode >= 8 && opcode <= 11;
    const move = op === 'mov' || op === 'mvn';
    // Three operands before the shifter operand: rd, rn (none for moves and compares).
    const head = (s: boolean, c: string): string => {
      const mnemonic = `${op}${s && !compare ? 's' : ''}${c}`;
      if (compare) return `${mnemonic} ${reg.next()}`;
      if (move) return `${mnemonic} ${reg.next()}`;
      return `${mnemonic} ${reg.next()}, ${reg.next()}`;
    };
    for (let i = 0; i < 4; i++) out.push({ text: `${head(i % 2 === 1, i < 2 ? '' : cond.next())}, ${imm.next()}`, row: `${row}_imm` });
    SHIFTS.forEach((shift, i) => {
      const operand = shift === '' ? reg.next() : `${reg.next()}, ${shift}`;
      out.push({ text: `${head(i % 3 === 1, i % 2 === 0 ? '' : cond.next())}, ${operand}`, row: `${row}_reg` });
    });
    SHIFT_TYPES.forEach((type, i) => {
      out.push({ text: `${head(i === 2, i % 2 === 0 ? cond.next() : '')}, ${reg.next()}, ${type} ${reg.next()}`, row: `${row}_rsr` });
    });
  });
  // Non-canonical modified immediates: llvm prints them as `#imm8, #rot`.
  out.push({ text: 'mov r0, #4, #2', row: 'MOV_imm' });
  out.push({ text: 'and r1, r2, #1, #8', row: 'AND_imm' });
  out.push({ text: 'add r0, r1, #255, #30', row: 'ADD_imm' });
  // PC as a source or destination; `mov pc, #…` is printed unsigned.
  out.push({ text: 'add r0, pc, #4', row: 'ADD_imm' });
  out.push({ text: 'sub r1, pc, #0', row: 'SUB_imm' });
  out.push({ text: 'subs pc, lr, #4', row: 'SUB_imm' });
  out.push({ text: 'mov pc, #0xff000000', row: 'MOV_imm' });
  out.push({ text: 'mvn pc, #0xff000000', row: 'MVN_imm' });
  out.push({ text: 'mov pc, lr', row: 'MOV_reg' });
  out.push({ text: 'movs pc, lr', row: 'MOV_reg' });
  out.push({ text: 'add sp, sp, #16', row: 'ADD_imm' });
  out.push({ text: 'sub sp, sp, #0x100', row: 'SUB_imm' });
  // The shift mnemonics llvm prints for MOV (register) and MOV (register-shifted register).
  out.push({ text: 'lsl r0, r1, #3', row: 'MOV_reg' });
  out.push({ text: 'lsrs r2, r3, #32', row: 'MOV_reg' });
  out.push({ text: 'asrne r4, r5, #1', row: 'MOV_reg' });
  out.push({ text: 'ror r6, r7, #16', row: 'MOV_reg' });
  out.push({ text: 'rrxs r8, r9', row: 'MOV_reg' });
  out.push({ text: 'lsl r0, r1, r2', row: 'MOV_rsr' });
  out.push({ text: 'lsrs r3, r4, r5', row: 'MOV_rsr' });
  out.push({ text: 'asreq r6, r7, r8', row: 'MOV_rsr' });
  out.push({ text: 'ror r9, r10, r11', row: 'MOV_rsr' });
  out.push({ text: 'mov r0, r1, lsl #0', row: 'MOV_reg' });
  // An immediate only the partner instruction can encode: inverted (mov/mvn, and/bic, adc/sbc) or negated (add/sub, cmp/cmn).
  for (const [text, row] of [
    ['mov r0, #-1', 'MVN_imm'],
    ['mvns r1, #-1', 'MOV_imm'],
    ['mov r2, #0xffff00ff', 'MVN_imm'],
    ['and r0, r1, #-256', 'BIC_imm'],
    ['bicne r2, r3, #0xffffff00', 'AND_imm'],
    ['adc r4, r5, #-1', 'SBC_imm'],
    ['sbcs r6, r7, #-2', 'ADC_imm'],
    ['add r0, r1, #-16', 'SUB_imm'],
    ['subeq r8, r9, #-4096', 'ADD_imm'],
    ['add sp, sp, #-8', 'SUB_imm'],
    ['cmp r0, #-1', 'CMN_imm'],
    ['cmnlt r10, #-256', 'CMP_imm'],
    ['add r0, r1, #0', 'ADD_imm'],
    ['mov r3, #0xfffe', 'MOVW'],
  ] as const) {
    out.push({ text, row });
  }
}

function wideAndMultiply(out: Arm32Form[]): void {
  out.push({ text: 'movw r0, #0', row: 'MOVW' });
  out.push({ text: 'movw r1, #65535', row: 'MOVW' });
  out.push({ text: 'movweq r2, #0x1234', row: 'MOVW' });
  out.push({ text: 'mov r3, #0x1235', row: 'MOVW' });
  out.push({ text: 'movt r0, #0', row: 'MOVT' });
  out.push({ text: 'movt r4, #0xffff', row: 'MOVT' });
  out.push({ text: 'movtne lr, #0x8000', row: 'MOVT' });
  out.push({ text: 'mul r0, r1, r2', row: 'MUL' });
  out.push({ text: 'muls r3, r4, r5', row: 'MUL' });
  out.push({ text: 'mulne r6, r7, r8', row: 'MUL' });
  out.push({ text: 'mulsgt r12, lr, r9', row: 'MUL' });
  out.push({ text: 'mla r0, r1, r2, r3', row: 'MLA' });
  out.push({ text: 'mlas r4, r5, r6, r7', row: 'MLA' });
  out.push({ text: 'mlalt r8, r9, r10, r11', row: 'MLA' });
}

function loadStore(out: Arm32Form[]): void {
  const cond = new Cycle(CONDITIONS, 3);
  const reg = new Cycle(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'lr'] as const, 0);
  const base = new Cycle(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr'] as const, 0);
  // Word/byte, immediate offset (12 bits): offset, pre-index writeback, post-index, negative, zero, -0.
  const immediate = ['[B]', '[B, #4]', '[B, #-4]', '[B, #4095]!', '[B, #-256]!', '[B], #8', '[B], #-4095', '[B, #-0]', '[B], #0', '[B], #-0'];
  // Word/byte, register offset with every shift kind.
  const register = ['[B, M]', '[B, -M]', '[B, M, lsl #2]', '[B, -M, lsr #32]', '[B, M, asr #1]!', '[B, M, ror #31]', '[B, -M, rrx]!', '[B], M', '[B], -M, asr #32', '[B], M, lsl #31'];
  const half = ['[B]', '[B, #4]', '[B, #-255]', '[B, #16]!', '[B, #-2]!', '[B], #6', '[B], #-255', '[B, #-0]'];
  const halfRegister = ['[B, M]', '[B, -M]', '[B, M]!', '[B, -M]!', '[B], M', '[B], -M'];
  // Rt, Rn and Rm are kept distinct: writeback with Rn = Rt is UNPREDICTABLE and llvm-mc rejects it.
  const operands = (address: string): string => {
    const rt = reg.next();
    let rn = base.next();
    if (rn === rt) rn = base.next();
    let rm = reg.next();
    while (rm === rt || rm === rn) rm = reg.next();
    return `${rt}, ${address.replace('B', rn).replace('M', rm)}`;
  };
  for (const op of ['str', 'ldr', 'strb', 'ldrb']) {
    immediate.forEach((address, i) => out.push({ text: `${op}${i % 3 === 2 ? cond.next() : ''} ${operands(address)}`, row: `${op.toUpperCase()}_imm` }));
    register.forEach((address, i) => out.push({ text: `${op}${i % 3 === 1 ? cond.next() : ''} ${operands(address)}`, row: `${op.toUpperCase()}_reg` }));
  }
  for (const op of ['strh', 'ldrh', 'ldrsb', 'ldrsh']) {
    half.forEach((address, i) => out.push({ text: `${op}${i % 3 === 2 ? cond.next() : ''} ${operands(address)}`, row: `${op.toUpperCase()}_imm` }));
    halfRegister.forEach((address, i) => out.push({ text: `${op}${i % 2 === 1 ? cond.next() : ''} ${operands(address)}`, row: `${op.toUpperCase()}_reg` }));
  }
  // PC-relative literal loads and loads into the PC.
  out.push({ text: 'ldr r0, [pc, #8]', row: 'LDR_imm' });
  out.push({ text: 'ldr r1, [pc, #-8]', row: 'LDR_imm' });
  out.push({ text: 'ldr pc, [sp], #4', row: 'LDR_imm' });
  out.push({ text: 'ldrh r2, [pc, #-20]', row: 'LDRH_imm' });
  // Single-register push/pop are STR/LDR (immediate) with writeback on sp.
  out.push({ text: 'push {r0}', row: 'STR_imm' });
  out.push({ text: 'pushne {lr}', row: 'STR_imm' });
  out.push({ text: 'pop {r4}', row: 'LDR_imm' });
  out.push({ text: 'popeq {pc}', row: 'LDR_imm' });
  out.push({ text: 'str r0, [sp, #-4]!', row: 'STR_imm' });
  out.push({ text: 'ldr r5, [sp], #4', row: 'LDR_imm' });
}

function blockTransfer(out: Arm32Form[]): void {
  const lists = new Cycle(['{r0}', '{r1, r2}', '{r0-r3}', '{r4, r5, r6, r7, r8, r9, r10, r11, r12, lr}', '{r0, r2, r4, r6}', '{r3, r7, r11}', '{r0-r12, lr}', '{r5}'] as const, 0);
  const cond = new Cycle(CONDITIONS, 5);
  const base = new Cycle(['r0', 'r1', 'r8', 'r12', 'sp', 'lr', 'r5', 'r10'] as const, 0);
  for (const op of ['stm', 'ldm']) {
    for (const mode of ['ia', 'ib', 'da', 'db', '']) {
      for (const writeback of ['', '!']) {
        const b = base.next();
        let list: string = lists.next();
        // Writeback with the base in the list is UNPREDICTABLE (and an llvm error for ldm): pick a list without it.
        if (writeback === '!' && list.includes(b)) list = '{r2, r3}';
        out.push({ text: `${op}${mode}${mode === 'ia' ? cond.next() : ''} ${b}${writeback}, ${list}`, row: op.toUpperCase() });
      }
    }
  }
  out.push({ text: 'stmfd sp!, {r4, lr}', row: 'STM' });
  out.push({ text: 'ldmfd sp!, {r4, pc}', row: 'LDM' });
  out.push({ text: 'stmea r0, {r1}', row: 'STM' });
  out.push({ text: 'ldmea sp!, {r0, r1}', row: 'LDM' });
  out.push({ text: 'stmdb sp!, {r0}', row: 'STM' });
  out.push({ text: 'ldm sp!, {r0}', row: 'LDM' });
  out.push({ text: 'push {r0, r1}', row: 'STM' });
  out.push({ text: 'push {r4-r11, lr}', row: 'STM' });
  out.push({ text: 'pushhi {r0-r3, r12}', row: 'STM' });
  out.push({ text: 'pop {r0, r1}', row: 'LDM' });
  out.push({ text: 'pop {r4-r11, pc}', row: 'LDM' });
  out.push({ text: 'popls {r0, r2}', row: 'LDM' });
  out.push({ text: 'ldm r0, {r0, r1, pc}', row: 'LDM' });
  out.push({ text: 'stmdb r0, {r0-r15}', row: 'STM' });
}

function branches(out: Arm32Form[]): void {
  for (const [text, row] of [
    ['b #-8', 'B'],
    ['b #0', 'B'],
    ['beq #4', 'B'],
    ['bne #-4', 'B'],
    ['b #33554428', 'B'],
    ['bgt #-33554432', 'B'],
    ['bl #0', 'BL'],
    ['bl #-4', 'BL'],
    ['bllo #4096', 'BL'],
    ['bl #-1048576', 'BL'],
    ['bx lr', 'BX'],
    ['bxeq r0', 'BX'],
    ['bx r12', 'BX'],
    ['blx r3', 'BLX_reg'],
    ['blxne lr', 'BLX_reg'],
    ['blx r12', 'BLX_reg'],
  ] as const) {
    out.push({ text, row });
  }
}

function statusRegisters(out: Arm32Form[]): void {
  const reg = new Cycle(REGS.filter((r) => r !== 'sp'), 0);
  out.push({ text: 'mrs r0, apsr', row: 'MRS' });
  out.push({ text: 'mrs r1, cpsr', row: 'MRS' });
  out.push({ text: 'mrs r2, spsr', row: 'MRS' });
  out.push({ text: 'mrsne lr, spsr', row: 'MRS' });
  BANKED.forEach((name, i) => {
    out.push({ text: `mrs${i % 5 === 4 ? 'eq' : ''} ${reg.next()}, ${name}`, row: 'MRS_banked' });
    out.push({ text: `msr${i % 7 === 3 ? 'ne' : ''} ${name}, ${reg.next()}`, row: 'MSR_banked' });
  });
  for (const [mask, i] of [
    ['APSR_nzcvq', 0],
    ['APSR_g', 1],
    ['APSR_nzcvqg', 2],
    ['CPSR_fc', 3],
    ['CPSR_c', 4],
    ['CPSR_x', 5],
    ['CPSR_s', 6],
    ['CPSR_fsxc', 7],
    ['cpsr_f', 8],
    ['cpsr_sx', 9],
    ['SPSR_fsxc', 10],
    ['SPSR_c', 11],
    ['spsr_f', 12],
    ['SPSR_fx', 13],
    ['spsr', 14],
    ['cpsr', 15],
  ] as const) {
    out.push({ text: `msr${i % 4 === 3 ? 'ge' : ''} ${mask}, ${reg.next()}`, row: 'MSR_reg' });
  }
  for (const [mask, value] of [
    ['CPSR_fc', '#0xff000000'],
    ['APSR_nzcvq', '#0xf0000000'],
    ['CPSR_c', '#0x13'],
    ['cpsr_fsxc', '#0xd3'],
    ['SPSR_fsxc', '#0x1a'],
    ['SPSR_f', '#0x80000000'],
    ['APSR_g', '#0xf0000'],
    ['CPSR_x', '#1, #8'],
  ] as const) {
    out.push({ text: `msr ${mask}, ${value}`, row: 'MSR_imm' });
  }
  out.push({ text: 'msrvs CPSR_c, #0x1f', row: 'MSR_imm' });
}

function system(out: Arm32Form[]): void {
  for (const [text, row] of [
    ['cps #19', 'CPS'],
    ['cps #26', 'CPS'],
    ['cpsie i', 'CPS'],
    ['cpsid i', 'CPS'],
    ['cpsie f', 'CPS'],
    ['cpsid aif', 'CPS'],
    ['cpsie ai', 'CPS'],
    ['cpsid if, #31', 'CPS'],
    ['cpsie f, #16', 'CPS'],
    ['cpsid a, #23', 'CPS'],
    // cp15: MIDR, SCTLR, HSCTLR, HCR, HVBAR, HSR, TPIDRURW, the 64-bit VTTBR/HTTBR/TTBR0.
    ['mrc p15, #0, r0, c0, c0, #0', 'MRC'],
    ['mrc p15, #0, r1, c1, c0, #0', 'MRC'],
    ['mrc p15, #4, r2, c1, c0, #0', 'MRC'],
    ['mrcne p15, #4, r3, c5, c2, #0', 'MRC'],
    ['mrc p15, #7, lr, c15, c15, #7', 'MRC'],
    ['mrc p15, #0, apsr_nzcv, c7, c14, #3', 'MRC'],
    ['mrceq p15, #1, APSR_nzcv, c0, c0, #0', 'MRC'],
    ['mcr p15, #0, r0, c1, c0, #0', 'MCR'],
    ['mcr p15, #4, r1, c1, c1, #0', 'MCR'],
    ['mcr p15, #4, r4, c12, c0, #0', 'MCR'],
    ['mcreq p15, #0, r5, c13, c0, #2', 'MCR'],
    ['mcr p15, #0, r0, c7, c5, #0', 'MCR'],
    ['mcr p15, 0, r6, c7, c10, 4', 'MCR'],
    ['mcr p15, #4, r7, c12, c0', 'MCR'],
    ['mrc p15, #0, r8, c0, c0', 'MRC'],
    ['mrrc p15, #0, r0, r1, c2', 'MRRC'],
    ['mrrc p15, #4, r2, r3, c2', 'MRRC'],
    ['mrrcgt p15, #15, r4, r5, c15', 'MRRC'],
    ['mcrr p15, #6, r0, r1, c2', 'MCRR'],
    ['mcrr p15, #4, r6, r7, c2', 'MCRR'],
    ['mcrrmi p15, #1, r8, r9, c14', 'MCRR'],
    ['svc #0', 'SVC'],
    ['svc #0x900001', 'SVC'],
    ['svceq #16777215', 'SVC'],
    ['swi #1', 'SVC'],
    ['hvc #0', 'HVC'],
    ['hvc #1', 'HVC'],
    ['hvc #0xea1', 'HVC'],
    ['hvc #65535', 'HVC'],
    ['smc #0', 'SMC'],
    ['smc #15', 'SMC'],
    ['smcne #1', 'SMC'],
    ['bkpt #0', 'BKPT'],
    ['bkpt #0xab', 'BKPT'],
    ['bkpt #65535', 'BKPT'],
    ['udf #0', 'UDF'],
    ['udf #0xdead', 'UDF'],
    ['udf #65535', 'UDF'],
    ['eret', 'ERET'],
    ['ereteq', 'ERET'],
    ['nop', 'NOP'],
    ['nopeq', 'NOP'],
    ['yield', 'YIELD'],
    ['yieldne', 'YIELD'],
    ['wfe', 'WFE'],
    ['wfegt', 'WFE'],
    ['wfi', 'WFI'],
    ['wfile', 'WFI'],
    ['hint #0', 'NOP'],
    ['hintne #3', 'WFI'],
    // The other hints live in MSR (immediate)'s space and execute as NOPs.
    ['sev', 'MSR_imm'],
    ['sevne', 'MSR_imm'],
    ['csdb', 'MSR_imm'],
    ['dbg #5', 'MSR_imm'],
    ['dbgeq #15', 'MSR_imm'],
    ['hint #5', 'MSR_imm'],
    ['hint #200', 'MSR_imm'],
    ['dsb sy', 'DSB'],
    ['dsb st', 'DSB'],
    ['dsb ish', 'DSB'],
    ['dsb ishst', 'DSB'],
    ['dsb nsh', 'DSB'],
    ['dsb nshst', 'DSB'],
    ['dsb osh', 'DSB'],
    ['dsb oshst', 'DSB'],
    ['dsb #13', 'DSB'],
    ['dsb', 'DSB'],
    ['dsb sh', 'DSB'],
    ['dsb un', 'DSB'],
    ['dmb', 'DMB'],
    ['dmb shst', 'DMB'],
    ['isb', 'ISB'],
    ['ssbb', 'DSB'],
    ['pssbb', 'DSB'],
    ['dmb sy', 'DMB'],
    ['dmb ish', 'DMB'],
    ['dmb ishst', 'DMB'],
    ['dmb oshst', 'DMB'],
    ['dmb #8', 'DMB'],
    ['dmb #0', 'DMB'],
    ['isb sy', 'ISB'],
    ['isb #14', 'ISB'],
    ['isb #0', 'ISB'],
  ] as const) {
    out.push({ text, row });
  }
}

/** The generated forms, in a fixed order. Every row of `ARM32_TABLE.written` appears at least once. */
export function arm32Forms(): readonly Arm32Form[] {
  const out: Arm32Form[] = [];
  dataProcessing(out);
  wideAndMultiply(out);
  loadStore(out);
  blockTransfer(out);
  branches(out);
  statusRegisters(out);
  system(out);
  out.push(...kernelForms());
  return out;
}

/**
 * A deterministic list of Power ISA instruction forms, each with the table
 * row it is expected to hit. It feeds the pinned encodings
 * (`scripts/pin-ppc64-encodings.ts` writes `fixtures/encodings.json`), the
 * live llvm-mc comparison and the round trips.
 *
 * The texts are written the way llvm-mc 14 accepts them
 * (`-triple=powerpc64`): registers as bare numbers, relative branch targets
 * as a displacement (`8`, or `(-8)` for a negative one, since llvm reads
 * `b -8` as the hinted `b-`). Registers and immediates rotate through fixed
 * cycles, so the list is the same on every run and every row of
 * `PPC64_TABLE.written` is hit with several field values.
 *
 * @module
 */

/** One instruction text and the table row it must encode to. */
export interface Ppc64Form {
  /** Assembly text, accepted by both llvm-mc and hyplay. */
  readonly text: string;
  /** Name of the `PPC64_TABLE.written` row the text encodes to. */
  readonly row: string;
}

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

const GPRS = Array.from({ length: 32 }, (_, i) => `${i}`);
const SIGNED = ['0', '1', '-1', '32767', '-32768', '0x7ff0', '-0x100', '42'];
const UNSIGNED = ['0', '1', '65535', '0x8000', '0xff', '4660'];
const RELATIVE = ['8', '0', '(-8)', '32764', '(-32768)', '0x100'];
const CR_FIELDS = ['0', '1', '2', '3', '4', '5', '6', '7'];

function arithmetic(out: Ppc64Form[]): void {
  const r = new Cycle(GPRS, 3);
  const si = new Cycle(SIGNED);
  const ui = new Cycle(UNSIGNED);
  const nonzero = new Cycle(GPRS.slice(1), 4);
  for (let i = 0; i < 3; i++) out.push({ text: `addi ${r.next()}, ${nonzero.next()}, ${si.next()}`, row: 'ADDI' });
  out.push({ text: 'addi 3, 0, 7', row: 'ADDI' }, { text: 'li 3, 5', row: 'ADDI' }, { text: 'li 31, -32768', row: 'ADDI' });
  out.push({ text: 'la 3, 8(4)', row: 'ADDI' }, { text: 'subi 3, 4, 5', row: 'ADDI' });
  for (let i = 0; i < 2; i++) out.push({ text: `addis ${r.next()}, ${nonzero.next()}, ${si.next()}`, row: 'ADDIS' });
  out.push({ text: 'addis 3, 4, 0xffff', row: 'ADDIS' }, { text: 'lis 0, 0x4b56', row: 'ADDIS' }, { text: 'lis 5, -1', row: 'ADDIS' });
  out.push({ text: 'lis 6, 0xffff', row: 'ADDIS' }, { text: 'subis 3, 4, 1', row: 'ADDIS' });
  for (const [mnemonic, row] of [['addic', 'ADDIC'], ['addic.', 'ADDIC_rec'], ['subfic', 'SUBFIC'], ['mulli', 'MULLI']] as const) {
    for (let i = 0; i < 2; i++) out.push({ text: `${mnemonic} ${r.next()}, ${r.next()}, ${si.next()}`, row });
  }
  out.push({ text: 'subic 3, 4, 5', row: 'ADDIC' }, { text: 'subic. 3, 4, 5', row: 'ADDIC_rec' });
  for (const [mnemonic, row] of [['ori', 'ORI'], ['oris', 'ORIS'], ['xori', 'XORI'], ['xoris', 'XORIS'], ['andi.', 'ANDI_rec'], ['andis.', 'ANDIS_rec']] as const) {
    for (let i = 0; i < 2; i++) out.push({ text: `${mnemonic} ${r.next()}, ${r.next()}, ${ui.next()}`, row });
  }
  out.push({ text: 'nop', row: 'ORI' }, { text: 'ori 0, 0, 0', row: 'ORI' }, { text: 'xnop', row: 'XORI' }, { text: 'ori 3, 3, 0', row: 'ORI' });
  const xo3: readonly [string, string][] = [
    ['add', 'ADD'], ['addc', 'ADDC'], ['adde', 'ADDE'], ['subf', 'SUBF'], ['subfc', 'SUBFC'], ['subfe', 'SUBFE'],
    ['mulld', 'MULLD'], ['mullw', 'MULLW'], ['divd', 'DIVD'], ['divdu', 'DIVDU'], ['divw', 'DIVW'], ['divwu', 'DIVWU'],
  ];
  for (const [mnemonic, row] of xo3) {
    for (const suffix of ['', '.', 'o', 'o.']) out.push({ text: `${mnemonic}${suffix} ${r.next()}, ${r.next()}, ${r.next()}`, row });
  }
  out.push({ text: 'sub 3, 4, 5', row: 'SUBF' }, { text: 'sub. 3, 4, 5', row: 'SUBF' }, { text: 'subc 3, 4, 5', row: 'SUBFC' }, { text: 'subc. 6, 7, 8', row: 'SUBFC' });
  for (const [mnemonic, row] of [['addze', 'ADDZE'], ['subfze', 'SUBFZE'], ['neg', 'NEG']] as const) {
    for (const suffix of ['', '.', 'o', 'o.']) out.push({ text: `${mnemonic}${suffix} ${r.next()}, ${r.next()}`, row });
  }
}

function logical(out: Ppc64Form[]): void {
  const r = new Cycle(GPRS, 7);
  const three: readonly [string, string][] = [
    ['and', 'AND'], ['andc', 'ANDC'], ['or', 'OR'], ['orc', 'ORC'], ['xor', 'XOR'], ['nor', 'NOR'], ['nand', 'NAND'], ['eqv', 'EQV'],
  ];
  for (const [mnemonic, row] of three) {
    for (const suffix of ['', '.']) out.push({ text: `${mnemonic}${suffix} ${r.next()}, ${r.next()}, ${r.next()}`, row });
  }
  out.push({ text: 'mr 3, 4', row: 'OR' }, { text: 'mr. 31, 0', row: 'OR' }, { text: 'or 1, 1, 1', row: 'OR' });
  out.push({ text: 'not 3, 4', row: 'NOR' }, { text: 'not. 5, 5', row: 'NOR' }, { text: 'nor 3, 4, 4', row: 'NOR' });
  for (const [mnemonic, row] of [['extsb', 'EXTSB'], ['extsh', 'EXTSH'], ['extsw', 'EXTSW'], ['cntlzw', 'CNTLZW'], ['cntlzd', 'CNTLZD']] as const) {
    for (const suffix of ['', '.']) out.push({ text: `${mnemonic}${suffix} ${r.next()}, ${r.next()}`, row });
  }
}

function rotates(out: Ppc64Form[]): void {
  const add = (row: string, ...texts: string[]): void => {
    for (const text of texts) out.push({ text, row });
  };
  add('RLWINM', 'rlwinm 3, 4, 5, 6, 7', 'rlwinm. 3, 4, 5, 6, 7', 'rlwinm 3, 4, 0, 0, 27', 'rlwinm 31, 30, 31, 31, 0', 'rlwinm. 3, 4, 5, 0, 26');
  add('RLWINM', 'rlwinm 3, 4, 5, 0, 31', 'rlwinm 3, 4, 0, 0, 31', 'rlwinm 3, 4, 0, 5, 31', 'rlwinm 3, 4, 27, 5, 31', 'rlwinm. 3, 4, 0, 16, 31');
  add('RLWINM', 'slwi 3, 4, 5', 'slwi 3, 4, 31', 'srwi 3, 4, 5', 'srwi 3, 4, 1', 'rotlwi 3, 4, 5', 'rotlwi. 3, 4, 0', 'clrlwi 3, 4, 16', 'clrlwi. 3, 4, 1');
  add('RLWINM', 'slwi. 3, 4, 5', 'srwi. 3, 4, 5', 'rotrwi 3, 4, 5', 'clrrwi 3, 4, 5', 'extlwi 3, 4, 5, 6', 'extrwi 3, 4, 5, 6');
  add('RLWNM', 'rlwnm 3, 4, 5, 6, 7', 'rlwnm. 3, 4, 5, 0, 31', 'rotlw 3, 4, 5', 'rotlw. 6, 7, 8');
  add('RLWIMI', 'rlwimi 3, 4, 5, 6, 7', 'rlwimi. 3, 4, 0, 0, 31', 'inslwi 3, 4, 5, 6', 'insrwi 3, 4, 5, 6');
  add('RLDICL', 'rldicl 3, 4, 5, 6', 'rldicl. 3, 4, 60, 4', 'rldicl 3, 4, 63, 63', 'rldicl 3, 4, 32, 33', 'rldicl 3, 4, 0, 32', 'rldicl 3, 4, 5, 0');
  add('RLDICL', 'clrldi 3, 4, 32', 'clrldi. 3, 4, 5', 'rotldi 3, 4, 5', 'rotldi. 3, 4, 0', 'srdi 3, 4, 5', 'srdi. 3, 4, 63', 'rotrdi 3, 4, 5', 'extrdi 3, 4, 5, 6');
  add('RLDICR', 'rldicr 3, 4, 5, 6', 'rldicr. 3, 4, 5, 58', 'rldicr 3, 4, 0, 58', 'rldicr 3, 4, 40, 63', 'sldi 3, 4, 5', 'sldi 3, 4, 32', 'sldi. 3, 4, 5', 'clrrdi 3, 4, 5', 'extldi 3, 4, 5, 6');
  add('RLDIC', 'rldic 3, 4, 5, 6', 'rldic. 3, 4, 37, 0', 'rldic 3, 4, 0, 63', 'clrlsldi 3, 4, 10, 5');
  add('RLDIMI', 'rldimi 3, 4, 5, 6', 'rldimi. 3, 4, 0, 0', 'rldimi 3, 4, 32, 16', 'insrdi 3, 4, 5, 6');
  add('RLDCL', 'rldcl 3, 4, 5, 6', 'rldcl. 3, 4, 5, 40', 'rotld 3, 4, 5', 'rotld. 3, 4, 5');
  add('RLDCR', 'rldcr 3, 4, 5, 6', 'rldcr. 3, 4, 5, 63');
  for (const [mnemonic, row] of [['slw', 'SLW'], ['srw', 'SRW'], ['sraw', 'SRAW'], ['sld', 'SLD'], ['srd', 'SRD'], ['srad', 'SRAD']] as const) {
    add(row, `${mnemonic} 3, 4, 5`, `${mnemonic}. 6, 7, 8`);
  }
  add('SRAWI', 'srawi 3, 4, 5', 'srawi. 3, 4, 0', 'srawi 31, 0, 31');
  add('SRADI', 'sradi 3, 4, 5', 'sradi 3, 4, 63', 'sradi. 3, 4, 32');
}

function compares(out: Ppc64Form[]): void {
  const bf = new Cycle(CR_FIELDS, 1);
  const si = new Cycle(SIGNED, 2);
  const ui = new Cycle(UNSIGNED, 1);
  for (const [w, d, raw, row, imm] of [
    ['cmpwi', 'cmpdi', 'cmpi', 'CMPI', () => si.next()],
    ['cmplwi', 'cmpldi', 'cmpli', 'CMPLI', () => ui.next()],
    ['cmpw', 'cmpd', 'cmp', 'CMP', () => '5'],
    ['cmplw', 'cmpld', 'cmpl', 'CMPL', () => '6'],
  ] as const) {
    out.push({ text: `${w} 3, ${imm()}`, row }, { text: `${w} ${bf.next()}, 4, ${imm()}`, row }, { text: `${d} 3, ${imm()}`, row });
    out.push({ text: `${d} ${bf.next()}, 4, ${imm()}`, row }, { text: `${raw} 0, 0, 3, ${imm()}`, row }, { text: `${raw} 7, 1, 31, ${imm()}`, row });
  }
  out.push({ text: 'cmpw 3, 3, 4', row: 'CMP' }, { text: 'cmpwi 7, 3, 0', row: 'CMPI' });
}

function branches(out: Ppc64Form[]): void {
  const rel = new Cycle(RELATIVE);
  const crf = new Cycle(CR_FIELDS, 2);
  for (const m of ['b', 'bl']) for (let i = 0; i < 3; i++) out.push({ text: `${m} ${rel.next()}`, row: 'B' });
  out.push({ text: 'b 33554428', row: 'B' }, { text: 'bl (-33554432)', row: 'B' }, { text: 'ba 8', row: 'B' }, { text: 'bla 0x100', row: 'B' }, { text: 'ba 0', row: 'B' });
  // bc: every BO value once (reserved z bits included), against a CR bit and against BI = 0.
  const bi = new Cycle(['0', '6', '31', '2', '13'], 0);
  for (let bo = 0; bo < 32; bo++) out.push({ text: `bc ${bo}, ${bi.next()}, ${rel.next()}`, row: 'BC' });
  for (const bo of [16, 18, 24, 25, 26, 27, 20]) out.push({ text: `bc ${bo}, 0, ${rel.next()}`, row: 'BC' });
  for (const m of ['bcl', 'bca', 'bcla']) out.push({ text: `${m} 12, 2, ${m.endsWith('a') ? '0x40' : rel.next()}`, row: 'BC' });
  for (const m of ['beq', 'bne', 'blt', 'bgt', 'bge', 'ble', 'bso', 'bns', 'bun', 'bnu', 'bnl', 'bng']) {
    out.push({ text: `${m} ${rel.next()}`, row: 'BC' }, { text: `${m} cr${crf.next()}, ${rel.next()}`, row: 'BC' });
  }
  out.push({ text: 'beq 2, 8', row: 'BC' }, { text: 'bne 7, (-16)', row: 'BC' }, { text: 'blt 1, 8', row: 'BC' }, { text: 'bgt 3, 8', row: 'BC' });
  out.push({ text: 'beq+ 8', row: 'BC' }, { text: 'bne- cr1, 8', row: 'BC' }, { text: 'beql 8', row: 'BC' }, { text: 'bnea 0x40', row: 'BC' }, { text: 'bgtla 0x80', row: 'BC' });
  out.push({ text: 'bdnz 8', row: 'BC' }, { text: 'bdnz (-12)', row: 'BC' }, { text: 'bdz 8', row: 'BC' }, { text: 'bdnzl 8', row: 'BC' }, { text: 'bdnza 0x40', row: 'BC' });
  out.push({ text: 'bdnzt 2, 8', row: 'BC' }, { text: 'bdnzf 4*cr1+eq, 8', row: 'BC' }, { text: 'bdzt 6, 8', row: 'BC' }, { text: 'bdzf 31, 8', row: 'BC' });
  out.push({ text: 'bt 2, 8', row: 'BC' }, { text: 'bf 7, (-8)', row: 'BC' }, { text: 'bt+ 2, 8', row: 'BC' }, { text: 'bf- 30, 8', row: 'BC' }, { text: 'btl 2, 8', row: 'BC' });
  out.push({ text: 'bc 12, 4*cr2+eq, 8', row: 'BC' }, { text: 'bc 4, eq, 8', row: 'BC' });
  for (const [register, row] of [['lr', 'BCLR'], ['ctr', 'BCCTR']] as const) {
    const raw = `bc${register}`;
    out.push({ text: `b${register}`, row }, { text: `b${register}l`, row });
    for (const bo of [4, 12, 20, 7, 14, 15, 1]) out.push({ text: `${raw} ${bo}, ${bi.next()}`, row });
    out.push({ text: `${raw}l 12, 2`, row }, { text: `${raw} 20, 0, 1`, row }, { text: `${raw}l 12, 6, 3`, row });
    out.push({ text: `beq${register}`, row }, { text: `bne${register} 2`, row }, { text: `blt${register}l`, row }, { text: `bgt${register}+ cr1`, row });
    out.push({ text: `bge${register}- 7`, row }, { text: `bso${register}l 3`, row }, { text: `bt${register} 2`, row }, { text: `bf${register} 6`, row });
  }
  for (const bo of [16, 18, 0, 2, 8, 10]) out.push({ text: `bclr ${bo}, ${bo < 16 ? '5' : '0'}`, row: 'BCLR' });
  out.push({ text: 'bdnzlr', row: 'BCLR' }, { text: 'bdzlr', row: 'BCLR' }, { text: 'bdnzlrl', row: 'BCLR' }, { text: 'bdnzlr+', row: 'BCLR' }, { text: 'bdzlr-', row: 'BCLR' });
  out.push({ text: 'bdnztlr 2', row: 'BCLR' }, { text: 'bdzflr 5', row: 'BCLR' });
}

function loadsAndStores(out: Ppc64Form[]): void {
  const r = new Cycle(GPRS, 3);
  const base = new Cycle(['1', '4', '31', '0', '13'], 0);
  const d = new Cycle(['0', '8', '-8', '32767', '-32768', '0x10'], 0);
  const ds = new Cycle(['0', '8', '-8', '32764', '-32768', '0x10'], 0);
  for (const name of ['lbz', 'lhz', 'lha', 'lwz', 'stb', 'sth', 'stw']) {
    for (const suffix of ['', 'u']) {
      for (let i = 0; i < 2; i++) {
        const rt = suffix === 'u' ? '3' : r.next();
        const ra = suffix === 'u' ? ['1', '4'][i]! : base.next();
        out.push({ text: `${name}${suffix} ${rt}, ${d.next()}(${ra})`, row: `${name}${suffix}`.toUpperCase() });
      }
      out.push({ text: `${name}${suffix}x ${r.next()}, ${suffix === 'u' ? '4' : base.next()}, ${r.next()}`, row: `${name}${suffix}x`.toUpperCase() });
    }
  }
  for (const name of ['ld', 'ldu', 'lwa', 'std', 'stdu']) {
    for (let i = 0; i < 2; i++) out.push({ text: `${name} ${name.endsWith('u') ? '3' : r.next()}, ${ds.next()}(${name.endsWith('u') ? '1' : base.next()})`, row: name.toUpperCase() });
  }
  for (const name of ['ldx', 'ldux', 'lwax', 'lwaux', 'stdx', 'stdux']) {
    out.push({ text: `${name} ${r.next()}, ${name.includes('u') ? '4' : base.next()}, ${r.next()}`, row: name.toUpperCase() });
  }
}

function specialRegisters(out: Ppc64Form[]): void {
  for (const spr of [1, 8, 9, 18, 19, 26, 27, 272, 273, 274, 275, 287, 304, 305, 314, 315, 1023, 3, 4, 256]) out.push({ text: `mfspr 3, ${spr}`, row: 'MFSPR' });
  for (const spr of [1, 8, 9, 18, 19, 26, 27, 272, 275, 304, 305, 314, 315, 284, 0]) out.push({ text: `mtspr ${spr}, 4`, row: 'MTSPR' });
  for (const name of ['lr', 'ctr', 'xer', 'srr0', 'srr1', 'dar', 'dsisr', 'pvr', 'sprg0', 'sprg3']) out.push({ text: `mf${name} 5`, row: 'MFSPR' });
  for (const name of ['lr', 'ctr', 'xer', 'srr0', 'srr1', 'dar', 'dsisr', 'sprg1', 'sprg2']) out.push({ text: `mt${name} 6`, row: 'MTSPR' });
  out.push({ text: 'mfsprg 3, 1', row: 'MFSPR' }, { text: 'mtsprg 2, 3', row: 'MTSPR' });
  out.push({ text: 'mfcr 3', row: 'MFCR' }, { text: 'mfcr 31', row: 'MFCR' }, { text: 'mfocrf 3, 128', row: 'MFOCRF' }, { text: 'mfocrf 4, 1', row: 'MFOCRF' });
  out.push({ text: 'mtcrf 255, 3', row: 'MTCRF' }, { text: 'mtcr 4', row: 'MTCRF' }, { text: 'mtcrf 1, 5', row: 'MTCRF' }, { text: 'mtcrf 0x81, 6', row: 'MTCRF' });
  out.push({ text: 'mtocrf 128, 3', row: 'MTOCRF' }, { text: 'mtocrf 2, 7', row: 'MTOCRF' });
  out.push({ text: 'mfmsr 3', row: 'MFMSR' }, { text: 'mtmsr 3', row: 'MTMSR' }, { text: 'mtmsr 4, 1', row: 'MTMSR' }, { text: 'mtmsrd 5', row: 'MTMSRD' }, { text: 'mtmsrd 6, 1', row: 'MTMSRD' });
}

function system(out: Ppc64Form[]): void {
  out.push({ text: 'sc', row: 'SC' }, { text: 'sc 0', row: 'SC' }, { text: 'sc 1', row: 'SC' }, { text: 'sc 127', row: 'SC' });
  out.push({ text: 'rfid', row: 'RFID' }, { text: 'hrfid', row: 'HRFID' });
  out.push({ text: 'trap', row: 'TW' }, { text: 'tw 4, 3, 4', row: 'TW' }, { text: 'tw 0, 3, 4', row: 'TW' }, { text: 'tw 31, 5, 6', row: 'TW' }, { text: 'tw 20, 3, 4', row: 'TW' });
  for (const cond of ['lt', 'le', 'eq', 'ge', 'gt', 'nl', 'ne', 'ng', 'llt', 'lle', 'lge', 'lgt', 'lnl', 'lng', 'u']) {
    out.push({ text: `tw${cond} 3, 4`, row: 'TW' }, { text: `td${cond}i 5, -7`, row: 'TDI' });
  }
  out.push({ text: 'twi 4, 3, 5', row: 'TWI' }, { text: 'twi 0, 3, -5', row: 'TWI' }, { text: 'tweqi 3, 0', row: 'TWI' }, { text: 'twgti 31, 32767', row: 'TWI' });
  out.push({ text: 'td 4, 3, 4', row: 'TD' }, { text: 'tdne 3, 4', row: 'TD' }, { text: 'tdu 0, 0', row: 'TD' }, { text: 'tdi 11, 3, 5', row: 'TDI' });
  out.push({ text: 'sync', row: 'SYNC' }, { text: 'lwsync', row: 'SYNC' }, { text: 'ptesync', row: 'SYNC' }, { text: 'sync 3', row: 'SYNC' }, { text: 'msync', row: 'SYNC' });
  out.push({ text: 'isync', row: 'ISYNC' }, { text: 'eieio', row: 'EIEIO' });
  out.push({ text: 'wait', row: 'WAIT' }, { text: 'waitrsv', row: 'WAIT' }, { text: 'waitimpl', row: 'WAIT' }, { text: 'wait 3', row: 'WAIT' });
}

/** The forms a real kernel's entry code uses that hyplay added for issue 12, by family. */
function kernelForms(out: Ppc64Form[]): void {
  const add = (row: string, ...texts: string[]): void => {
    for (const text of texts) out.push({ text, row });
  };
  const r = new Cycle(GPRS, 5);
  for (const [mnemonic, row] of [['addme', 'ADDME'], ['subfme', 'SUBFME']] as const) {
    for (const suffix of ['', '.', 'o', 'o.']) add(row, `${mnemonic}${suffix} ${r.next()}, ${r.next()}`);
  }
  for (const [mnemonic, row] of [['divde', 'DIVDE'], ['divdeu', 'DIVDEU']] as const) {
    for (const suffix of ['', '.', 'o', 'o.']) add(row, `${mnemonic}${suffix} ${r.next()}, ${r.next()}, ${r.next()}`);
  }
  for (const [mnemonic, row] of [['mulhd', 'MULHD'], ['mulhdu', 'MULHDU'], ['mulhw', 'MULHW'], ['mulhwu', 'MULHWU']] as const) {
    for (const suffix of ['', '.']) add(row, `${mnemonic}${suffix} ${r.next()}, ${r.next()}, ${r.next()}`);
  }
  for (const [mnemonic, row] of [['modsd', 'MODSD'], ['modud', 'MODUD'], ['modsw', 'MODSW'], ['moduw', 'MODUW'], ['cmpb', 'CMPB']] as const) {
    add(row, `${mnemonic} ${r.next()}, ${r.next()}, ${r.next()}`, `${mnemonic} 31, 0, 15`);
  }
  for (const [mnemonic, row] of [['cnttzw', 'CNTTZW'], ['cnttzd', 'CNTTZD']] as const) {
    for (const suffix of ['', '.']) add(row, `${mnemonic}${suffix} ${r.next()}, ${r.next()}`);
  }
  for (const [mnemonic, row] of [['popcntb', 'POPCNTB'], ['popcntw', 'POPCNTW'], ['popcntd', 'POPCNTD']] as const) add(row, `${mnemonic} ${r.next()}, ${r.next()}`, `${mnemonic} 0, 31`);
  add('ISEL', 'isel 3, 4, 5, 6', 'isel 3, 0, 5, 31', 'isel 3, 4, 5, 0', 'isel 3, 4, 5, 1', 'isel 3, 4, 5, 2', 'isel 3, 4, 5, 3', 'isellt 7, 8, 9', 'iselgt 7, 8, 9', 'iseleq 7, 0, 9');
  for (const [mnemonic, row] of [['crand', 'CRAND'], ['cror', 'CROR'], ['crxor', 'CRXOR'], ['crnand', 'CRNAND'], ['crnor', 'CRNOR'], ['creqv', 'CREQV'], ['crandc', 'CRANDC'], ['crorc', 'CRORC']] as const) {
    add(row, `${mnemonic} 1, 2, 3`, `${mnemonic} 31, 0, 17`, `${mnemonic} 6, 6, 6`, `${mnemonic} 4, 9, 9`);
  }
  add('CROR', 'crmove 1, 2', 'crmove 4*cr1+eq, 31');
  add('CRXOR', 'crclr 6', 'crclr 4*cr7+so');
  add('CRNOR', 'crnot 1, 2', 'crnot 30, 30');
  add('CREQV', 'crset 6', 'crset 0');
  add('MCRF', 'mcrf 1, 2', 'mcrf 0, 7', 'mcrf 7, 0', 'mcrf 3, 3');
  for (const name of ['lhbrx', 'lwbrx', 'ldbrx', 'sthbrx', 'stwbrx', 'stdbrx']) add(name.toUpperCase(), `${name} ${r.next()}, 0, ${r.next()}`, `${name} ${r.next()}, ${r.next()}, ${r.next()}`);
  for (const name of ['lbarx', 'lharx', 'lwarx', 'ldarx']) add(name.toUpperCase(), `${name} ${r.next()}, 0, ${r.next()}`, `${name} ${r.next()}, ${r.next()}, ${r.next()}`, `${name} 3, 4, 5, 1`, `${name} 31, 0, 1, 0`);
  for (const name of ['stbcx.', 'sthcx.', 'stwcx.', 'stdcx.']) add(`${name.slice(0, -1).toUpperCase()}_rec`, `${name} ${r.next()}, 0, ${r.next()}`, `${name} ${r.next()}, ${r.next()}, ${r.next()}`);
  add('DCBF', 'dcbf 4, 5', 'dcbf 0, 9', 'dcbf 4, 5, 1', 'dcbfl 4, 5', 'dcbf 4, 5, 3', 'dcbflp 6, 7');
  add('DCBST', 'dcbst 4, 5', 'dcbst 0, 3');
  add('DCBT', 'dcbt 4, 5', 'dcbt 0, 11, 10', 'dcbt 4, 5, 16', 'dcbtt 0, 3', 'dcbt 4, 5, 8');
  add('DCBTST', 'dcbtst 4, 5', 'dcbtst 0, 9, 8', 'dcbtst 4, 5, 16', 'dcbtstt 6, 7');
  add('DCBZ', 'dcbz 4, 5', 'dcbz 0, 3');
  add('ICBI', 'icbi 4, 5', 'icbi 0, 3');
  add('TLBIE', 'tlbie 3', 'tlbie 3, 4', 'tlbie 31, 0');
  add('TLBIEL', 'tlbiel 3', 'tlbiel 10');
  add('TLBSYNC', 'tlbsync');
  add('SLBMTE', 'slbmte 3, 4', 'slbmte 7, 0');
  add('SLBIE', 'slbie 4', 'slbie 6');
  add('SLBIA', 'slbia');
  add('STOP', 'stop');
  add('NAP', 'nap');
  add('CPABORT', 'cpabort');
  add('MSGSYNC', 'msgsync');
  add('DARN', 'darn 3, 0', 'darn 10, 1', 'darn 31, 2', 'darn 5, 3');
  for (const spr of [17, 22, 25, 28, 29, 48, 61, 153, 157, 180, 186, 187, 188, 190, 268, 310, 313, 316, 318, 319, 336, 337, 338, 349, 464, 785, 786, 795, 798, 851, 855, 894, 896, 1008]) {
    add('MFSPR', `mfspr 9, ${spr}`);
    if (spr !== 268) add('MTSPR', `mtspr ${spr}, 10`);
  }
  add('MFSPR', 'mfppr 9', 'mfcfar 10', 'mfamr 3', 'mfpid 21', 'mfdscr 10', 'mfdec 4', 'mfsdr1 5');
  add('MTSPR', 'mtppr 9', 'mtcfar 10', 'mtamr 3', 'mtpid 21', 'mtdscr 10', 'mtdec 4', 'mtsdr1 5');
}

/** Every form, in a fixed order. */
export function ppc64Forms(): Ppc64Form[] {
  const out: Ppc64Form[] = [];
  arithmetic(out);
  logical(out);
  rotates(out);
  compares(out);
  branches(out);
  loadsAndStores(out);
  specialRegisters(out);
  system(out);
  kernelForms(out);
  return out;
}

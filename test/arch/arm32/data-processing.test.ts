/**
 * A32 data processing (ARM ARM DDI 0406C A5.2, A8.4.3 shifts, A2.2.1
 * AddWithCarry, A8.3 conditions) run on the interpreter. Expectations are
 * hand-computed or come from a BigInt reference written here from the
 * manual's pseudocode, never from the code under test.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE, CPSR, cpsrWith, flagsOf, load, runProgram, setupMachine, type Arm32Machine } from './machine-harness.ts';

// ---------------------------------------------------------------------------
// References from the ARM ARM pseudocode, in BigInt.

/** AddWithCarry(x, y, carry_in) (ARM ARM A2.2.1). */
function addWithCarryRef(x: number, y: number, carry: number): { result: number; n: boolean; z: boolean; c: boolean; v: boolean } {
  const unsignedSum = BigInt(x >>> 0) + BigInt(y >>> 0) + BigInt(carry);
  const signedSum = BigInt.asIntN(32, BigInt(x)) + BigInt.asIntN(32, BigInt(y)) + BigInt(carry);
  const result = BigInt.asUintN(32, unsignedSum);
  return {
    result: Number(result),
    n: result >> 31n === 1n,
    z: result === 0n,
    c: result !== unsignedSum,
    v: BigInt.asIntN(32, result) !== signedSum,
  };
}

const not32 = (x: number): number => ~x >>> 0;

/** Shift_C(value, type, amount, carry_in) (ARM ARM A8.4.3), via BigInt bit strings. */
function shiftCRef(value: number, type: 'lsl' | 'lsr' | 'asr' | 'ror' | 'rrx', amount: number, carryIn: number): [number, number] {
  const x = BigInt(value >>> 0);
  if (type === 'rrx') return [Number((BigInt(carryIn) << 31n) | (x >> 1n)), Number(x & 1n)];
  if (amount === 0) return [value >>> 0, carryIn];
  const n = BigInt(amount);
  switch (type) {
    case 'lsl': {
      const extended = x << n;
      return [Number(BigInt.asUintN(32, extended)), Number((extended >> 32n) & 1n)];
    }
    case 'lsr':
      return [Number(x >> n), Number((x >> (n - 1n)) & 1n)];
    case 'asr': {
      const extended = BigInt.asIntN(32, x);
      return [Number(BigInt.asUintN(32, extended >> n)), Number(BigInt.asUintN(1, extended >> (n - 1n)))];
    }
    case 'ror': {
      const m = n % 32n;
      const result = BigInt.asUintN(32, (x >> m) | (x << (32n - m)));
      return [Number(result), Number(result >> 31n)];
    }
  }
}

// ---------------------------------------------------------------------------
// A reusable snippet: assemble once, run many times with different inputs.

class Snippet {
  readonly machine: Arm32Machine = setupMachine();

  constructor(source: string) {
    load(this.machine, `${source}\nwfi`, CODE);
  }

  run(registers: Record<string, number>, flags: { n?: boolean; z?: boolean; c?: boolean; v?: boolean } = {}): { r: (name: string) => number; n: boolean; z: boolean; c: boolean; v: boolean; cpsr: number } {
    const m = this.machine;
    m.setRegister('cpsr', BigInt(cpsrWith(CPSR.svc, flags)));
    for (const [name, value] of Object.entries(registers)) m.setRegister(name, BigInt(value >>> 0));
    m.pc = CODE;
    const result = m.run(100);
    expect(result.reason).toBe('wfi');
    const cpsr = Number(m.register('cpsr'));
    return { r: (name) => Number(m.register(name)), ...flagsOf(cpsr), cpsr };
  }
}

const flagText = (f: { n: boolean; z: boolean; c: boolean; v: boolean }): string => `${f.n ? 'N' : '-'}${f.z ? 'Z' : '-'}${f.c ? 'C' : '-'}${f.v ? 'V' : '-'}`;

// ---------------------------------------------------------------------------

describe('arithmetic flags (AddWithCarry, ARM ARM A2.2.1)', () => {
  // [instruction, r1 (Rn), r2 (operand), carry in, result, NZCV]
  const cases: [string, number, number, boolean, number, string][] = [
    ['adds', 0x7fff_ffff, 1, false, 0x8000_0000, 'N--V'],
    ['adds', 0xffff_ffff, 1, false, 0, '-ZC-'],
    ['adds', 0x8000_0000, 0x8000_0000, false, 0, '-ZCV'],
    ['adds', 1, 1, true, 2, '----'],
    ['adds', 0xffff_fffe, 1, false, 0xffff_ffff, 'N---'],
    ['adds', 0x8000_0000, 0xffff_ffff, false, 0x7fff_ffff, '--CV'],
    ['adcs', 0xffff_ffff, 0, true, 0, '-ZC-'],
    ['adcs', 0x7fff_ffff, 0, true, 0x8000_0000, 'N--V'],
    ['adcs', 1, 1, false, 2, '----'],
    ['adcs', 1, 1, true, 3, '----'],
    ['adcs', 0xffff_ffff, 0xffff_ffff, true, 0xffff_ffff, 'N-C-'],
    ['subs', 0, 1, false, 0xffff_ffff, 'N---'],
    ['subs', 1, 1, false, 0, '-ZC-'],
    ['subs', 0x8000_0000, 1, false, 0x7fff_ffff, '--CV'],
    ['subs', 0x7fff_ffff, 0xffff_ffff, true, 0x8000_0000, 'N--V'],
    ['subs', 5, 3, false, 2, '--C-'],
    ['subs', 0, 0, false, 0, '-ZC-'],
    ['sbcs', 5, 3, false, 1, '--C-'],
    ['sbcs', 5, 3, true, 2, '--C-'],
    ['sbcs', 0, 0, false, 0xffff_ffff, 'N---'],
    ['sbcs', 0, 0, true, 0, '-ZC-'],
    ['sbcs', 0x8000_0000, 0, false, 0x7fff_ffff, '--CV'],
    ['rsbs', 1, 0, true, 0xffff_ffff, 'N---'],
    ['rsbs', 0x8000_0000, 0, false, 0x8000_0000, 'N--V'],
    ['rsbs', 3, 5, false, 2, '--C-'],
    ['rscs', 0, 0, false, 0xffff_ffff, 'N---'],
    ['rscs', 0, 0, true, 0, '-ZC-'],
    ['rscs', 3, 5, false, 1, '--C-'],
  ];
  for (const [mnemonic, rn, operand, carry, result, flags] of cases) {
    it(`${mnemonic} 0x${rn.toString(16)}, 0x${operand.toString(16)} with C=${carry ? 1 : 0} -> 0x${result.toString(16)} ${flags}`, () => {
      const out = new Snippet(`${mnemonic} r0, r1, r2`).run({ r0: 0xdead_beef, r1: rn, r2: operand }, { c: carry });
      expect(out.r('r0') >>> 0).toBe(result);
      expect(flagText(out)).toBe(flags);
      // And the reference agrees with the hand-computed row.
      const ref = mnemonic.startsWith('add') || mnemonic.startsWith('adc')
        ? addWithCarryRef(rn, operand, mnemonic === 'adcs' ? (carry ? 1 : 0) : 0)
        : mnemonic.startsWith('rs')
          ? addWithCarryRef(not32(rn), operand, mnemonic === 'rscs' ? (carry ? 1 : 0) : 1)
          : addWithCarryRef(rn, not32(operand), mnemonic === 'sbcs' ? (carry ? 1 : 0) : 1);
      expect(ref.result).toBe(result);
      expect(flagText(ref)).toBe(flags);
    });
  }

  const compares: [string, number, number, string][] = [
    ['cmp', 5, 5, '-ZC-'],
    ['cmp', 3, 5, 'N---'],
    ['cmp', 5, 3, '--C-'],
    ['cmp', 0x8000_0000, 1, '--CV'],
    ['cmp', 0x7fff_ffff, 0xffff_ffff, 'N--V'],
    ['cmp', 0, 0xffff_ffff, '----'],
    ['cmn', 0xffff_ffff, 1, '-ZC-'],
    ['cmn', 0x7fff_ffff, 1, 'N--V'],
    ['cmn', 0x8000_0000, 0x8000_0000, '-ZCV'],
    ['cmn', 1, 2, '----'],
  ];
  for (const [mnemonic, rn, operand, flags] of compares) {
    it(`${mnemonic} 0x${rn.toString(16)}, 0x${operand.toString(16)} -> ${flags} and writes no register`, () => {
      const out = new Snippet(`${mnemonic} r1, r2`).run({ r0: 0x1234_5678, r1: rn, r2: operand }, { n: true, z: true, c: true, v: true });
      expect(flagText(out)).toBe(flags);
      expect(out.r('r0')).toBe(0x1234_5678);
      expect(out.r('r1')).toBe(rn);
    });
  }

  it('the forms without S leave the flags alone even when they overflow', () => {
    for (const mnemonic of ['add', 'adc', 'sub', 'sbc', 'rsb', 'rsc']) {
      const out = new Snippet(`${mnemonic} r0, r1, r2`).run({ r1: 0x7fff_ffff, r2: 0x8000_0001 }, { z: true });
      expect(flagText(out), mnemonic).toBe('-Z--');
    }
    const out = new Snippet('add r0, r1, r2').run({ r1: 0xffff_ffff, r2: 1 }, { n: true, v: true });
    expect(out.r('r0')).toBe(0);
    expect(flagText(out)).toBe('N--V');
  });

  it('immediate operands: subs r0, r1, #1 and cmp r1, #0x80000000', () => {
    let out = new Snippet('subs r0, r1, #1').run({ r1: 0 });
    expect(out.r('r0')).toBe(0xffff_ffff);
    expect(flagText(out)).toBe('N---');
    out = new Snippet('cmp r1, #0x80000000').run({ r1: 0x7fff_ffff });
    // 0x7fffffff - 0x80000000 = 0xffffffff: borrow and signed overflow.
    expect(flagText(out)).toBe('N--V');
  });

  describe('against the BigInt reference (fast-check)', () => {
    const edge = fc.constantFrom(0, 1, 2, 0x7fff_fffe, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff);
    const word = fc.oneof(edge, fc.integer({ min: 0, max: 0xffff_ffff }));
    const ops: [string, (a: number, b: number, c: number) => ReturnType<typeof addWithCarryRef>, boolean][] = [
      ['adds r0, r1, r2', (a, b) => addWithCarryRef(a, b, 0), true],
      ['adcs r0, r1, r2', (a, b, c) => addWithCarryRef(a, b, c), true],
      ['subs r0, r1, r2', (a, b) => addWithCarryRef(a, not32(b), 1), true],
      ['sbcs r0, r1, r2', (a, b, c) => addWithCarryRef(a, not32(b), c), true],
      ['rsbs r0, r1, r2', (a, b) => addWithCarryRef(not32(a), b, 1), true],
      ['rscs r0, r1, r2', (a, b, c) => addWithCarryRef(not32(a), b, c), true],
      ['cmp r1, r2', (a, b) => addWithCarryRef(a, not32(b), 1), false],
      ['cmn r1, r2', (a, b) => addWithCarryRef(a, b, 0), false],
    ];
    for (const [source, ref, writes] of ops) {
      it(source, () => {
        const snippet = new Snippet(source);
        fc.assert(
          fc.property(word, word, fc.boolean(), (a, b, carry) => {
            const out = snippet.run({ r0: 0x5555_5555, r1: a, r2: b }, { c: carry, v: !carry });
            const expected = ref(a, b, carry ? 1 : 0);
            expect(flagText(out)).toBe(flagText(expected));
            expect(out.r('r0')).toBe(writes ? expected.result : 0x5555_5555);
          }),
          { numRuns: 300 },
        );
      });
    }
  });
});

describe('logical operations and the shifter carry-out', () => {
  it('a rotated immediate sets C from bit 31 of the immediate (ARMExpandImm_C)', () => {
    let out = new Snippet('movs r0, #0xff000000').run({}, { c: false, v: true });
    expect(out.r('r0')).toBe(0xff00_0000);
    expect(flagText(out)).toBe('N-CV');
    out = new Snippet('movs r0, #0x3f000000').run({}, { c: true });
    expect(out.r('r0')).toBe(0x3f00_0000);
    expect(flagText(out)).toBe('----');
    out = new Snippet('ands r0, r1, #0x80000000').run({ r1: 0x7fff_ffff }, { c: false });
    expect(out.r('r0')).toBe(0);
    expect(flagText(out)).toBe('-ZC-');
  });

  it('an unrotated immediate leaves C alone', () => {
    for (const carry of [false, true]) {
      const out = new Snippet('movs r0, #255').run({}, { c: carry, v: true });
      expect(out.r('r0')).toBe(255);
      expect(out.c).toBe(carry);
      expect(out.v).toBe(true);
      const zero = new Snippet('eors r0, r1, #0').run({ r1: 0 }, { c: carry });
      expect(zero.z).toBe(true);
      expect(zero.c).toBe(carry);
    }
  });

  it('tst and teq set N, Z and C, keep V, and write nothing', () => {
    let out = new Snippet('tst r1, #0x80000000').run({ r0: 7, r1: 0 }, { v: true });
    expect(flagText(out)).toBe('-ZCV');
    expect(out.r('r0')).toBe(7);
    out = new Snippet('teq r1, r2').run({ r1: 0x8000_0000, r2: 1 }, { z: true, c: true });
    expect(flagText(out)).toBe('N-C-');
    out = new Snippet('teq r1, r2').run({ r1: 0x1234, r2: 0x1234 });
    expect(flagText(out)).toBe('-Z--');
    out = new Snippet('tst r1, r2, lsl #1').run({ r1: 0xffff_ffff, r2: 0x8000_0000 });
    // r2 lsl #1 = 0 with carry-out 1.
    expect(flagText(out)).toBe('-ZC-');
  });

  it('and, eor, orr, bic, mvn compute the right values', () => {
    const cases: [string, number][] = [
      ['and r0, r1, r2', 0x0f0f_0000],
      ['eor r0, r1, r2', 0xf000_ff00],
      ['orr r0, r1, r2', 0xff0f_ff00],
      ['bic r0, r1, r2', 0x0000_ff00],
      ['mvn r0, r2', 0x00f0_ffff],
    ];
    for (const [source, value] of cases) {
      const out = new Snippet(source).run({ r1: 0x0f0f_ff00, r2: 0xff0f_0000 });
      expect(out.r('r0') >>> 0, source).toBe(value);
    }
    const out = new Snippet('mvns r0, #0').run({}, { z: true, c: true });
    expect(out.r('r0')).toBe(0xffff_ffff);
    expect(flagText(out)).toBe('N-C-');
    const bics = new Snippet('bics r0, r1, r1').run({ r1: 0xffff_ffff }, { n: true });
    expect(bics.r('r0')).toBe(0);
    expect(flagText(bics)).toBe('-Z--');
  });

  describe('shift by immediate (DecodeImmShift + Shift_C)', () => {
    // [instruction, r1, carry in, result, C out]
    const cases: [string, number, boolean, number, boolean][] = [
      ['lsls r0, r1, #1', 0x8000_0001, false, 2, true],
      ['lsls r0, r1, #31', 0x0000_0003, false, 0x8000_0000, true],
      ['lsls r0, r1, #31', 0x0000_0001, true, 0x8000_0000, false],
      ['movs r0, r1', 0x8000_0000, true, 0x8000_0000, true],
      ['movs r0, r1', 0x8000_0000, false, 0x8000_0000, false],
      ['lsrs r0, r1, #1', 0x0000_0003, false, 1, true],
      ['lsrs r0, r1, #31', 0x8000_0000, false, 1, false],
      ['lsrs r0, r1, #32', 0x8000_0000, false, 0, true],
      ['lsrs r0, r1, #32', 0x7fff_ffff, true, 0, false],
      ['asrs r0, r1, #1', 0x8000_0001, false, 0xc000_0000, true],
      ['asrs r0, r1, #31', 0x4000_0000, true, 0, true],
      ['asrs r0, r1, #32', 0x8000_0000, false, 0xffff_ffff, true],
      ['asrs r0, r1, #32', 0x7fff_ffff, true, 0, false],
      ['rors r0, r1, #4', 0x0000_000f, false, 0xf000_0000, true],
      ['rors r0, r1, #4', 0x0000_0007, true, 0x7000_0000, false],
      ['rors r0, r1, #31', 0x0000_0001, false, 2, false],
      ['rrxs r0, r1', 0x0000_0001, true, 0x8000_0000, true],
      ['rrxs r0, r1', 0x0000_0002, false, 1, false],
      ['rrxs r0, r1', 0x0000_0003, false, 1, true],
    ];
    for (const [source, value, carry, result, carryOut] of cases) {
      it(`${source} with r1=0x${value.toString(16)}, C=${carry ? 1 : 0}`, () => {
        const out = new Snippet(source).run({ r1: value }, { c: carry, v: true });
        expect(out.r('r0') >>> 0).toBe(result);
        expect(out.c).toBe(carryOut);
        expect(out.n).toBe(result >>> 31 === 1);
        expect(out.z).toBe(result === 0);
        expect(out.v).toBe(true);
      });
    }

    it('a shifted operand feeds arithmetic (adc r0, r1, r2, ror #8 uses the old C, not the shifter carry)', () => {
      const out = new Snippet('adc r0, r1, r2, ror #8').run({ r1: 1, r2: 0x0000_0180 }, { c: true });
      // r2 ror 8 = 0x80000001; 1 + 0x80000001 + C(1) = 0x80000003.
      expect(out.r('r0')).toBe(0x8000_0003);
      const sub = new Snippet('subs r0, r1, r2, lsl #4').run({ r1: 0x100, r2: 0x10 });
      expect(sub.r('r0')).toBe(0);
      expect(flagText(sub)).toBe('-ZC-');
    });
  });

  describe('shift by register (amount = Rs[7:0])', () => {
    const types = ['lsl', 'lsr', 'asr', 'ror'] as const;
    const amounts = [0, 1, 4, 31, 32, 33, 255, 0x100, 0x120, 0xffff_ff01];
    const values = [0x8000_0001, 0x7fff_fffe, 0xf000_000f, 0x1];
    for (const type of types) {
      it(`${type}s r0, r1, r2 for amounts ${amounts.map((a) => a.toString(16)).join(', ')}`, () => {
        const snippet = new Snippet(`${type}s r0, r1, r2`);
        for (const value of values) {
          for (const rs of amounts) {
            for (const carry of [false, true]) {
              const [result, carryOut] = shiftCRef(value, type, rs & 0xff, carry ? 1 : 0);
              const out = snippet.run({ r1: value, r2: rs }, { c: carry, v: true });
              const what = `${type} 0x${value.toString(16)} by 0x${rs.toString(16)} C=${carry}`;
              expect(out.r('r0') >>> 0, what).toBe(result);
              expect(out.c, what).toBe(carryOut === 1);
              expect(out.v, what).toBe(true);
              expect(out.r('r2'), what).toBe(rs >>> 0);
            }
          }
        }
      });
    }

    it('hand-checked register shifts at 0, 32, 33 and 255', () => {
      const check = (source: string, r1: number, r2: number, carry: boolean, result: number, carryOut: boolean): void => {
        const out = new Snippet(source).run({ r1, r2 }, { c: carry });
        expect(out.r('r0') >>> 0, `${source} r1=${r1.toString(16)} r2=${r2}`).toBe(result);
        expect(out.c, `${source} carry`).toBe(carryOut);
      };
      check('lsls r0, r1, r2', 0x8000_0001, 0, true, 0x8000_0001, true);
      check('lsls r0, r1, r2', 0x8000_0001, 0, false, 0x8000_0001, false);
      check('lsls r0, r1, r2', 0x0000_0001, 32, false, 0, true);
      check('lsls r0, r1, r2', 0xffff_ffff, 33, true, 0, false);
      check('lsrs r0, r1, r2', 0x8000_0000, 32, false, 0, true);
      check('lsrs r0, r1, r2', 0xffff_ffff, 33, true, 0, false);
      check('lsrs r0, r1, r2', 0xffff_ffff, 255, true, 0, false);
      check('asrs r0, r1, r2', 0x8000_0000, 32, false, 0xffff_ffff, true);
      check('asrs r0, r1, r2', 0x8000_0000, 255, false, 0xffff_ffff, true);
      check('asrs r0, r1, r2', 0x7fff_ffff, 33, true, 0, false);
      check('rors r0, r1, r2', 0x8000_0001, 32, false, 0x8000_0001, true);
      check('rors r0, r1, r2', 0x0000_0003, 33, false, 0x8000_0001, true);
      check('rors r0, r1, r2', 0x0000_0002, 33, true, 1, false);
      check('rors r0, r1, r2', 0x0000_0001, 255, false, 2, false);
      // 256: the bottom byte is 0, so no shift and C unchanged.
      check('lsls r0, r1, r2', 0x8000_0000, 256, true, 0x8000_0000, true);
    });

    it('add with a register-shifted operand: add r0, r1, r2, lsl r3', () => {
      const out = new Snippet('add r0, r1, r2, lsl r3').run({ r1: 1, r2: 3, r3: 4 });
      expect(out.r('r0')).toBe(49);
    });

    it('a register-shifted register form naming the PC is UNPREDICTABLE (ARM ARM A8.8.7)', () => {
      const ran = runProgram('add r0, pc, r1, lsl r2\nwfi');
      expect(ran.result.reason).toBe('unpredictable');
      expect(ran.result.pc).toBe(CODE);
    });
  });
});

describe('condition codes (ARM ARM A8.3)', () => {
  const conditions: [string, (f: { n: boolean; z: boolean; c: boolean; v: boolean }) => boolean][] = [
    ['eq', (f) => f.z],
    ['ne', (f) => !f.z],
    ['hs', (f) => f.c],
    ['lo', (f) => !f.c],
    ['mi', (f) => f.n],
    ['pl', (f) => !f.n],
    ['vs', (f) => f.v],
    ['vc', (f) => !f.v],
    ['hi', (f) => f.c && !f.z],
    ['ls', (f) => !f.c || f.z],
    ['ge', (f) => f.n === f.v],
    ['lt', (f) => f.n !== f.v],
    ['gt', (f) => !f.z && f.n === f.v],
    ['le', (f) => f.z || f.n !== f.v],
    ['al', () => true],
  ];
  for (const [cond, passes] of conditions) {
    it(`mov${cond} over all sixteen NZCV combinations`, () => {
      const snippet = new Snippet(`mov${cond} r0, #1\nadd${cond} r1, r1, #1`);
      let taken = 0;
      for (let bits = 0; bits < 16; bits++) {
        const flags = { n: (bits & 8) !== 0, z: (bits & 4) !== 0, c: (bits & 2) !== 0, v: (bits & 1) !== 0 };
        const out = snippet.run({ r0: 0, r1: 10 }, flags);
        const expected = passes(flags);
        expect(out.r('r0'), `${cond} with ${flagText(flags)}`).toBe(expected ? 1 : 0);
        expect(out.r('r1'), `${cond} with ${flagText(flags)}`).toBe(expected ? 11 : 10);
        expect(flagText(out)).toBe(flagText(flags));
        if (expected) taken++;
      }
      // Every condition but AL is taken for some flag values and not for others.
      if (cond === 'al') expect(taken).toBe(16);
      else {
        expect(taken).toBeGreaterThan(0);
        expect(taken).toBeLessThan(16);
      }
    });
  }

  it('hs/lo are the cs/cc encodings, and a failed condition still advances the PC', () => {
    const ran = runProgram('cmp r1, r2\nmovlo r0, #1\nmovhs r0, #2\nwfi', { registers: { r1: 1, r2: 2 } });
    expect(ran.r('r0')).toBe(1);
    expect(ran.result.pc).toBe(CODE + 16);
    expect(ran.result.steps).toBe(4);
  });

  it('a conditional flag-setting instruction that fails changes no flags', () => {
    const out = new Snippet('addseq r0, r1, r2').run({ r0: 9, r1: 0xffff_ffff, r2: 1 }, { n: true });
    expect(out.r('r0')).toBe(9);
    expect(flagText(out)).toBe('N---');
  });
});

describe('MOVW, MOVT, MUL and MLA', () => {
  it('movw writes the low half and clears the top; movt keeps the low half', () => {
    const out = new Snippet('movw r0, #0xbeef\nmovt r0, #0xdead\nmovw r1, #1\nmovt r2, #0xffff').run({ r1: 0xffff_ffff, r2: 0x1234_5678 }, { z: true, c: true });
    expect(out.r('r0')).toBe(0xdead_beef);
    expect(out.r('r1')).toBe(1);
    expect(out.r('r2')).toBe(0xffff_5678);
    expect(flagText(out)).toBe('-ZC-');
  });

  it('mul keeps the low 32 bits of the product', () => {
    let out = new Snippet('mul r0, r1, r2').run({ r1: 0x1_0000, r2: 0x1_0000 });
    expect(out.r('r0')).toBe(0);
    const a = 0x1234_5678;
    const b = 0x9abc_def0;
    out = new Snippet('mul r0, r1, r2').run({ r1: a, r2: b });
    expect(out.r('r0')).toBe(Number(BigInt.asUintN(32, BigInt(a) * BigInt(b))));
    out = new Snippet('mul r0, r1, r2').run({ r1: 0xffff_ffff, r2: 0xffff_ffff });
    expect(out.r('r0')).toBe(1);
  });

  it('muls sets N and Z and leaves C and V (ARMv7)', () => {
    let out = new Snippet('muls r0, r1, r2').run({ r1: 0xffff_ffff, r2: 2 }, { c: true, v: true });
    expect(out.r('r0')).toBe(0xffff_fffe);
    expect(flagText(out)).toBe('N-CV');
    out = new Snippet('muls r0, r1, r2').run({ r1: 0x8000_0000, r2: 2 }, { n: true });
    expect(out.r('r0')).toBe(0);
    expect(flagText(out)).toBe('-Z--');
    out = new Snippet('mul r0, r1, r2').run({ r1: 0, r2: 2 }, { n: true });
    expect(flagText(out)).toBe('N---');
  });

  it('mla adds the accumulator modulo 2^32', () => {
    let out = new Snippet('mla r0, r1, r2, r3').run({ r1: 0xffff_ffff, r2: 2, r3: 5 });
    expect(out.r('r0')).toBe(3);
    out = new Snippet('mla r0, r1, r2, r3').run({ r1: 7, r2: 6, r3: 0xffff_ffff });
    expect(out.r('r0')).toBe(41);
    out = new Snippet('mlas r0, r1, r2, r3').run({ r1: 1, r2: 1, r3: 0xffff_ffff }, { c: true });
    expect(out.r('r0')).toBe(0);
    expect(flagText(out)).toBe('-ZC-');
  });
});

describe('the PC as an operand and as a destination', () => {
  it('reading the PC gives the instruction address + 8 (ARM ARM A2.3)', () => {
    const ran = runProgram('add r0, pc, #0\nmov r1, pc\nadd r2, r3, pc\nsub r4, pc, #8\nwfi', { registers: { r3: 0x100 } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(CODE + 8);
    expect(ran.r('r1')).toBe(CODE + 4 + 8);
    expect(ran.r('r2')).toBe(0x100 + CODE + 8 + 8);
    expect(ran.r('r4')).toBe(CODE + 12);
  });

  it('reading the PC after a branch uses the new address, not a stale one', () => {
    const ran = runProgram('b there\nmov r0, #0\nthere: mov r0, pc\nwfi');
    expect(ran.r('r0')).toBe(ran.label('there') + 8);
  });

  it('mov pc, r0 branches', () => {
    const ran = runProgram('mov pc, r5\nmov r1, #1\ntarget: mov r2, #2\nwfi', {
      registers: { r5: CODE + 8 },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r1')).toBe(0);
    expect(ran.r('r2')).toBe(2);
  });

  it('add pc, pc, #4 skips two instructions', () => {
    const ran = runProgram('add pc, pc, #4\nmov r1, #1\nmov r2, #2\nmov r3, #3\nwfi');
    expect(ran.r('r1')).toBe(0);
    expect(ran.r('r2')).toBe(0);
    expect(ran.r('r3')).toBe(3);
    expect(ran.result.steps).toBe(3);
  });

  it('an odd target selects Thumb state: thumb-unsupported', () => {
    const ran = runProgram('mov pc, r0\nwfi', { registers: { r0: CODE + 0x101 } });
    expect(ran.result.reason).toBe('thumb-unsupported');
    expect(ran.result.pc).toBe(CODE + 0x101);
  });

  it('a target with bit 1 set in ARM state is UNPREDICTABLE', () => {
    const ran = runProgram('mov pc, r0\nwfi', { registers: { r0: CODE + 0x102 } });
    expect(ran.result.reason).toBe('unpredictable');
    expect(ran.result.pc).toBe(CODE);
  });

  it('a conditional write to the PC that fails falls through', () => {
    const ran = runProgram('cmp r0, r0\nmovne pc, r1\nmov r2, #7\nwfi', { registers: { r1: 0x4000 } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r2')).toBe(7);
  });

  it('bx and blx link and branch', () => {
    const ran = runProgram('blx r4\nwfi\nfunc: mov r0, #5\nbx lr', { registers: { r4: CODE + 8 } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(5);
    expect(ran.r('lr')).toBe(CODE + 4);
    expect(ran.result.pc).toBe(CODE + 8);
  });

  it('bl links to the next instruction', () => {
    const ran = runProgram('bl func\nwfi\nfunc: mov r0, lr\nmov pc, lr');
    expect(ran.r('r0')).toBe(CODE + 4);
    expect(ran.result.pc).toBe(CODE + 8);
  });
});

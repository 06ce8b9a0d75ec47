/**
 * Compares, branches and CR moves (Power ISA v3.0B Book I 2.4, 3.3.10,
 * 3.3.17): every compare into a chosen CR field, bc with BO/BI including
 * the CTR decrement, the LK and AA bits, bclr/bcctr, mfcr/mtcrf/mtocrf/
 * mfocrf, and the trap instructions.
 */

import { describe, expect, it } from 'vitest';
import { CODE, crField, exceptions, run, runToWait, u64 } from './machine-harness.ts';

const LT = 8;
const GT = 4;
const EQ = 2;
const SO = 1;

describe('compares', () => {
  it('cmpw/cmplw compare the low words signed/unsigned; cmpd/cmpld the doublewords', () => {
    const o = runToWait(`
      li 3, -1
      li 4, 1
      cmpw 3, 4            # -1 < 1 signed
      cmplw 1, 3, 4        # 0xffffffff > 1 unsigned
      cmpd 2, 3, 4
      cmpld 3, 3, 4
      lis 5, 1
      sldi 5, 5, 16        # 0x100000000: low word 0
      li 6, 0
      cmpw 4, 5, 6         # equal as words
      cmpd 5, 5, 6         # greater as doublewords
      wait`);
    expect(crField(o, 0)).toBe(LT);
    expect(crField(o, 1)).toBe(GT);
    expect(crField(o, 2)).toBe(LT);
    expect(crField(o, 3)).toBe(GT);
    expect(crField(o, 4)).toBe(EQ);
    expect(crField(o, 5)).toBe(GT);
  });

  it('cmpwi, cmpdi, cmplwi, cmpldi and the raw forms; SO is copied into the field', () => {
    const o = runToWait(`
      lis 9, -32768
      mtxer 9              # SO = 1
      li 3, -5
      cmpwi 3, -5
      cmpdi 6, 3, -4
      cmplwi 7, 3, 65535
      cmpldi 1, 3, 0
      cmpi 2, 0, 3, -6
      cmpli 3, 1, 3, 7
      wait`);
    expect(crField(o, 0)).toBe(EQ | SO);
    expect(crField(o, 6)).toBe(LT | SO);
    expect(crField(o, 7)).toBe(GT | SO);
    expect(crField(o, 1)).toBe(GT | SO);
    expect(crField(o, 2)).toBe(GT | SO);
    expect(crField(o, 3)).toBe(GT | SO);
  });
});

describe('branches', () => {
  it('beq/bne/blt/bgt with and without a CR field, taken and not taken', () => {
    const o = runToWait(`
      li 3, 1
      li 10, 0
      cmpwi 3, 1
      bne skip1            # not taken
      ori 10, 10, 1
skip1: beq skip2           # taken
      ori 10, 10, 2
skip2: cmpwi 5, 3, 2
      blt cr5, skip3       # taken
      ori 10, 10, 4
skip3: bgt 5, skip4        # not taken
      ori 10, 10, 8
skip4: bge- cr5, skip5     # not taken
      ori 10, 10, 16
skip5: wait`);
    expect(o.reg('r10')).toBe(1n | 8n | 16n);
  });

  it('bdnz counts CTR down to zero; bdz branches when it reaches zero; CTR borrows across the word boundary', () => {
    const o = runToWait(`
      li 3, 5
      mtctr 3
      li 4, 0
loop: addi 4, 4, 1
      bdnz loop
      li 5, 1
      mtctr 5
      bdz done             # CTR 1 -> 0: taken
      li 4, 99
done: lis 6, 1
      sldi 6, 6, 16        # CTR = 0x100000000
      mtctr 6
      bdnz next            # CTR -> 0xffffffff, non-zero: taken
      li 4, 98
next: mfctr 7
      wait`);
    expect(o.reg('r4')).toBe(5n);
    expect(o.reg('ctr')).toBe(0xffff_ffffn);
    expect(o.reg('r7')).toBe(0xffff_ffffn);
  });

  it('bc evaluates every BO: bdnzt/bdnzf/bdzt/bdzf test the CR bit and the count together', () => {
    const o = runToWait(`
      li 10, 0
      li 3, 2
      mtctr 3
      cmpwi 3, 2           # CR0 = EQ
      bdnzt 2, a           # CTR 2 -> 1 (non-zero) and EQ: taken
      ori 10, 10, 1
a:    bdnzf 2, b           # CTR 1 -> 0: not taken
      ori 10, 10, 2
b:    li 3, 1
      mtctr 3
      bdzt eq, c           # CTR 1 -> 0 and EQ: taken
      ori 10, 10, 4
c:    bc 20, 0, d          # branch always (BO = 0b10100)
      ori 10, 10, 8
d:    bc 4, 2, e           # branch if not EQ: not taken
      ori 10, 10, 16
e:    wait`);
    expect(o.reg('r10')).toBe(2n | 16n);
    expect(o.reg('ctr')).toBe(0n);
  });

  it('bl and bcl set LR to CIA + 4 whether or not they branch; blr returns; bctr and bctrl', () => {
    const o = runToWait(`
      bl sub               # at CODE
      mflr 20              # LR after blr's return: still CODE + 4
      li 3, 0
      cmpwi 3, 1
      bcl 12, 2, nowhere   # not taken (CR0 is LT), but LR = CIA + 4
      mflr 21
      bl getaddr
      .long target
getaddr: mflr 9
      lwz 9, 0(9)
      mtctr 9
      bctrl                # LR = CIA + 4, to target
back: wait
sub:  li 4, 7
      blr
nowhere: li 4, 99
      wait
target: mflr 22
      mtlr 22
      blr`);
    expect(o.reg('r4')).toBe(7n);
    expect(o.reg('r20')).toBe(BigInt(CODE + 4));
    expect(o.reg('r21')).toBe(BigInt(CODE + 20));
    expect(o.reg('r22')).toBe(o.reg('pc') - 4n);
  });

  it('bclrl reads LR before it writes it; beqlr and bnectr take the CR test', () => {
    const o = runToWait(`
      bl get
      .long t1
get:  mflr 9
      lwz 9, 0(9)
      mtlr 9
      bclrl 20, 0          # to t1, LR = the next instruction
      wait
t1:   mflr 20
      li 3, 0
      cmpwi 3, 0
      mtlr 20
      bnelr                # not taken
      li 21, 1
      beqlr                # taken: back to the wait
      li 21, 2
      wait`);
    expect(o.reg('r21')).toBe(1n);
    expect(o.reg('r20')).toBe(BigInt(CODE + 24));
  });

  it('ba branches to an absolute address; negative displacements go backwards', () => {
    const o = run(`
      b fwd
back: li 4, 2
      wait
fwd:  li 3, 1
      b back`);
    expect(o.result.reason).toBe('wfi');
    expect(o.reg('r3')).toBe(1n);
    expect(o.reg('r4')).toBe(2n);
    const absolute = run('ba 0x100', { vectors: { 0x100: 'li 5, 5\nwait' } });
    expect(absolute.result.reason).toBe('wfi');
    expect(absolute.reg('r5')).toBe(5n);
  });

  it('bcctr with BO[2] = 0 (decrement CTR) is an invalid form: an illegal-instruction program interrupt', () => {
    const o = run('bcctr 16, 0\nwait', { vectors: { 0x700: 'wait' } });
    expect(exceptions(o).map((e) => [e.exception, e.syndrome])).toEqual([['program', 0x80000]]);
  });
});

describe('CR moves', () => {
  it('mfcr, mtcrf, mtcr, mtocrf and mfocrf', () => {
    const o = runToWait(`
      lis 3, 0x1234
      ori 3, 3, 0x5678
      mtcr 3
      mfcr 4
      li 5, -1
      mtcrf 0x81, 5        # fields 0 and 7
      mfcr 6
      li 7, 0
      mtocrf 0x10, 7       # field 3
      mfcr 8
      mfocrf 9, 0x04       # field 5 only
      wait`);
    expect(o.reg('r4')).toBe(0x1234_5678n);
    expect(o.reg('r6')).toBe(0xf234_567fn);
    expect(o.reg('r8')).toBe(0xf230_567fn);
    expect(o.reg('r9')).toBe(0x0000_0600n);
  });
});

describe('traps', () => {
  it('tw, twi, td and tdi trap only when a selected condition holds', () => {
    const quiet = runToWait(`
      li 3, 5
      li 4, 6
      tweq 3, 4
      twgti 3, 5
      tdlgt 3, 4
      tdi 16, 3, 4         # lt: 5 < 4 is false
      twllt 4, 3
      wait`);
    expect(exceptions(quiet)).toEqual([]);
    for (const source of ['li 3, 5\ntweqi 3, 5', 'li 3, -1\nli 4, 1\ntwlgt 3, 4', 'li 3, -1\nli 4, 1\ntdlt 3, 4', 'trap', 'li 3, 1\nsldi 3, 3, 32\ntdnei 3, 0']) {
      const o = run(`${source}\nwait`, { vectors: { 0x700: 'wait' } });
      const events = exceptions(o);
      expect(events.map((e) => [e.exception, e.syndrome]), source).toEqual([['program', 0x20000]]);
      // The trap is the source's last instruction.
      expect(o.reg('srr0'), source).toBe(BigInt(CODE + 4 * (source.split('\n').length - 1)));
    }
  });

  it('a trap saves the trap instruction itself in SRR0', () => {
    const o = run('li 3, 0\ntwi 4, 3, 0\nwait', { vectors: { 0x700: 'wait' } });
    expect(o.reg('srr0')).toBe(BigInt(CODE + 4));
    expect(o.reg('srr1') & 0x20000n).toBe(0x20000n);
    expect(u64(o.reg('pc'))).toBe(0x704n);
  });
});

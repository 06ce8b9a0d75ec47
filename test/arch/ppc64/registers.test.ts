/**
 * The ppc64 register file's XER (Power ISA v3.0B Book I 3.2.2): the flag
 * bits, and the other bits of its low word, which mtxer/mfxer keep.
 */

import { describe, expect, it } from 'vitest';
import { runToWait, XER } from './machine-harness.ts';

describe('XER', () => {
  it('mtxer then mfxer returns the reserved bits of the low word as written (Book I 1.3.3 leaves them undefined once written 1; QEMU keeps them), never the high word', () => {
    const o = runToWait('li 3, -1\nmtxer 3\nmfxer 4\nli 5, 0\nmtxer 5\nmfxer 6\nwait', { mode: 'problem' });
    expect(o.reg('r4')).toBe(0xffff_ffffn);
    expect(o.reg('r6')).toBe(0n);
  });

  it('the flags still act as flags: SO, OV, CA, OV32 and CA32 come from the same bits', () => {
    const o = runToWait('lis 3, 0x2000\nori 3, 3, 0x7f\nmtxer 3\nli 4, -1\naddze 5, 4\nmfxer 6\nwait', { mode: 'problem' });
    // CA = 1 in: -1 + 1 = 0 with a carry out of both bit 0 and bit 32.
    expect(o.reg('r5')).toBe(0n);
    expect(o.reg('r6')).toBe(XER.CA | XER.CA32 | 0x7fn);
  });
});

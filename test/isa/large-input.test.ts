/**
 * Large inputs: a million arm32 lines assemble, with labels, numeric
 * labels, branches both ways and data, and the output is right word for
 * word (and 200,000 ppc64 lines).
 * Nothing is timed here (`npm run bench` measures); the test only has to
 * finish, which it could not while the assembler recursed or listed `.space`
 * byte by byte.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_INSTRUCTION_SET } from '../../arch/arm32/core.ts';
import { ppc64InstructionSet } from '../../arch/ppc64/core.ts';
import { assemble } from '../../src/isa/assembler.ts';

const LINES = 1_000_000;
const BASE = 0x8000;

/** One block of eight lines (32 bytes) and the words it must give at `address`, from the ARM ARM encodings (llvm-mc agrees). */
const BLOCK = ['1:      nop', '        add     r1, r1, #1', '        b       1b', '        ldr     r0, [r1, #4]', '        .word   1b', '        bne     2f', '2:      mov     r0, r1', '        .space  4'];
function blockWords(address: number): number[] {
  return [0xe320f000, 0xe2811001, 0xeafffffc, 0xe5910004, address, 0x1affffff, 0xe1a00001, 0];
}

describe('a million lines', () => {
  it('assembles 10^6 arm32 lines, every word as expected', { timeout: 180_000 }, () => {
    const blocks = LINES / BLOCK.length;
    const source = `${Array.from({ length: blocks }, () => BLOCK.join('\n')).join('\n')}\nend:    .space  0x10000\n`;
    const program = assemble(ARM32_INSTRUCTION_SET, source, BASE);
    expect(program.bytes.length).toBe(blocks * 32 + 0x10000);
    const view = new DataView(program.bytes.buffer, program.bytes.byteOffset);
    const wrong: string[] = [];
    for (let b = 0; b < blocks && wrong.length < 5; b++) {
      const expected = blockWords(BASE + 32 * b);
      for (let w = 0; w < 8; w++) {
        const got = view.getUint32(32 * b + 4 * w, true);
        if (got !== expected[w]) wrong.push(`block ${b} word ${w}: 0x${got.toString(16)}, expected 0x${expected[w]!.toString(16)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(program.symbols.get('end')).toBe(BASE + blocks * 32);
    // Every statement is one listing item, the 64 KiB .space included.
    const items = program.items;
    expect(items.length).toBe(LINES + 1);
    expect([items[LINES]!.text, items[LINES]!.bytes.length]).toEqual(['.space  0x10000', 0x10000]);
  });

  // ppc64 shares the assembler; a fifth of the lines shows its numeric labels and branches scale too, at a fifth of the CI time.
  it('assembles 2 x 10^5 ppc64 lines of branches to numeric labels', { timeout: 180_000 }, () => {
    const pairs = LINES / 10;
    const source = Array.from({ length: pairs }, () => '1:      addi    3, 3, 1\n        bdnz    1b').join('\n');
    const program = assemble(ppc64InstructionSet('big'), source, 0x4000);
    expect(program.bytes.length).toBe(8 * pairs);
    const view = new DataView(program.bytes.buffer, program.bytes.byteOffset);
    for (let p = 0; p < pairs; p += 997) {
      expect(view.getUint32(8 * p, false)).toBe(0x38630001);
      expect(view.getUint32(8 * p + 4, false)).toBe(0x4200fffc); // bdnz .-4
    }
  });
});

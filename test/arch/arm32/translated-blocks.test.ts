/**
 * The block cache of translated execution (arch/arm32/translated-blocks.ts):
 * with the MMU on, blocks are kept by virtual PC and checked against the
 * TLB's instruction-fetch translation once per block, so what changes the
 * code or its translation must reach them: a store into a cached block
 * through another virtual alias of its physical page (a code write arrives
 * by physical address), a descriptor rewritten and then TLBIALL (B3.10:
 * stale until the maintenance, then the new mapping), and a TTBR0 and
 * CONTEXTIDR (ASID) switch to another table. Each program runs on both
 * engines, traced and untraced, and they must agree (`runProgram`).
 */

import { describe, expect, it } from 'vitest';
import type { Arm32Core } from '../../../arch/arm32/core.ts';
import { tlbOf } from '../../../arch/arm32/tlb.ts';
import type { Arm32State } from '../../../arch/arm32/registers.ts';
import { load, runProgram, section, withMmu, type Arm32Machine } from './machine-harness.ts';

const L1 = 0x4000;
const SECOND_L1 = 0x14000;
/** VA 0x00800000 (first-level index 8) is an alias or a moving mapping in these tests. */
const ALIAS = 0x80_0000;

/** Tables: the first MiB identity-mapped, full access, domain 0 client; VA 0x800000 to physical 0 too (an alias of the code). */
function aliasTables(machine: Arm32Machine): void {
  machine.memory.map(L1, 0x4000);
  machine.memory.write32(L1, section(0, 0b011));
  machine.memory.write32(L1 + 8 * 4, section(0, 0b011));
  machine.setRegister('ttbr0', BigInt(L1));
  machine.setRegister('dacr', 1n);
}

function core(machine: Arm32Machine): Arm32Core {
  return machine.core as Arm32Core;
}

describe('translated blocks (the MMU on)', () => {
  it('keeps a loop as a few blocks, each fetch translated once per block', () => {
    const body = `mov r0, #0
mov r1, #200
loop: add r0, r0, #3
subs r1, r1, #1
bne loop`;
    const ran = runProgram(withMmu(body), { setup: aliasTables });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(600);
    // 200 passes through the loop: without the cache every pass (and every instruction) would be decoded again.
    const blocks = core(ran.machine).translatedBlocks;
    expect(blocks.built).toBeGreaterThan(0);
    expect(blocks.built).toBeLessThan(10);
    expect(tlbOf(ran.machine.state as Arm32State)!.walks).toBeLessThan(5);
  });

  it('drops a cached block when its physical page is written through another virtual address', () => {
    // The code jumps to its alias at VA 0x800000 + PC and calls f there three times (f's block is cached by that VA),
    // then rewrites f's first instruction through the identity VA: the write arrives at f's physical address only.
    const body = `adr r7, aliased
add r7, r7, #0x800000
bx r7
aliased: mov r3, #0
mov r9, #3
again: bl f
add r3, r3, r0
subs r9, r9, #1
bne again
ldr r4, replacement
ldr r5, =f
str r4, [r5]
bl f
add r3, r3, r0
b done
f: mov r0, #1
bx lr
replacement: mov r0, #2
done: nop`;
    const ran = runProgram(withMmu(body), { setup: aliasTables });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc, 'it ran at the alias').toBeGreaterThan(ALIAS);
    expect(ran.r('r3'), 'three calls of the old f and one of the rewritten one').toBe(3 * 1 + 2);
  });

  it('honours a rewritten descriptor after TLBIALL (stale before), and a TTBR0 and ASID switch', () => {
    // VA 0x800000 runs a two-instruction function that loads its physical MiB's number: physical 0x100000 at first
    // (non-global, ASID 1), then 0x200000 (the descriptor rewritten), then under a second table and ASID 2, 0x300000.
    const setup = (machine: Arm32Machine): void => {
      machine.memory.map(L1, 0x4000);
      machine.memory.map(SECOND_L1, 0x4000);
      machine.memory.write32(L1, section(0, 0b011));
      machine.memory.write32(L1 + 8 * 4, section(0x10_0000, 0b011, { ng: true }));
      machine.memory.write32(SECOND_L1, section(0, 0b011));
      machine.memory.write32(SECOND_L1 + 8 * 4, section(0x30_0000, 0b011, { ng: true }));
      for (const mib of [1, 2, 3]) {
        machine.memory.map(mib * 0x10_0000, 0x1000);
        load(machine, `mov r0, #${mib}\nbx lr`, mib * 0x10_0000);
      }
      machine.setRegister('ttbr0', BigInt(L1));
      machine.setRegister('contextidr', 1n);
      machine.setRegister('dacr', 1n);
    };
    const body = `mov r10, #0x800000
blx r10
mov r5, r0
str r4, [r3]
dsb
blx r10
mov r6, r0
mcr p15, #0, r0, c8, c7, #0
dsb
isb
blx r10
mov r7, r0
mov r11, #2
mcr p15, #0, r11, c13, c0, #1
mcr p15, #0, r9, c2, c0, #0
isb
blx r10
mov r8, r0`;
    const ran = runProgram(withMmu(body), { registers: { r3: L1 + 8 * 4, r4: section(0x20_0000, 0b011, { ng: true }), r9: SECOND_L1 }, setup });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r5')).toBe(1);
    expect(ran.r('r6'), 'the TLB (and so the block) still has the old translation').toBe(1);
    expect(ran.r('r7'), 'after TLBIALL the block is fetched from the new frame').toBe(2);
    expect(ran.r('r8'), 'another table under another ASID').toBe(3);
  });
});

/**
 * Stage-2 translation (HCR.VM, VTTBR/VTCR) applied to a running arm32
 * guest: an access to an IPA outside the guest's memory is a data abort to
 * Hyp with the HSR, HDFAR and HPFAR of ARM ARM DDI 0406C B3.13.6 and
 * B4.1.70, the syndrome of each access form checked against abi-facts
 * §12.1/§12.4/§12.5. Every program runs on both engines, traced and not
 * (`runProgram`).
 */

import { describe, expect, it } from 'vitest';
import { buildStage2Tables } from '../../../arch/arm32/stage2-tables.ts';
import { HSR_DECODER } from '../../../arch/arm32/syndrome.ts';
import { exceptionEvents, HVBAR, runProgram, type Arm32Machine } from './machine-harness.ts';

/** Where the stage-2 tables go (outside the guest's IPA ranges). */
const TABLES = 0x10_0000;
/** An IPA in the same 2 MiB as guest memory but not in it: a level-3 stage-2 translation fault. */
const MMIO = 0x2_0000;

/** Stage 2 over the harness's memory (vectors, code, data: the first 68 KiB), identity-mapped, VMID 1. */
function stage2(machine: Arm32Machine): void {
  const tables = buildStage2Tables(machine.memory, TABLES, [{ ipa: 0, size: 0x1_1000 }]);
  machine.setRegister('vttbr', (1n << 48n) | BigInt(tables.vttbr));
  machine.setRegister('vtcr', BigInt(tables.vtcr));
  machine.setRegister('hcr', 1n);
}

/** Run one access at MMIO from svc under stage 2 and return the machine. */
function access(instruction: string, registers: Record<string, number> = {}): ReturnType<typeof runProgram> {
  return runProgram(`${instruction}\nwfi`, { registers: { r0: MMIO, r1: 0x1234_5678, r2: 0x11, r3: 0x22, ...registers }, setup: stage2 });
}

/** HSR values from abi-facts §12.1 field by field: EC 0x24, IL 1, then the ISS. */
function hsr(fields: { isv?: boolean; sas?: number; sse?: boolean; srt?: number; wnr?: boolean; s1ptw?: boolean; dfsc?: number }): number {
  let value = (0x24 << 26) | (1 << 25);
  if (fields.isv === true) value |= (1 << 24) | ((fields.sas ?? 0) << 22) | (fields.sse === true ? 1 << 21 : 0) | ((fields.srt ?? 0) << 16);
  if (fields.s1ptw === true) value |= 1 << 7;
  if (fields.wnr === true) value |= 1 << 6;
  return (value | (fields.dfsc ?? 0x07)) >>> 0;
}

describe('stage-2 data aborts to Hyp (B3.13.6, abi-facts §12)', () => {
  it('gives the worked syndrome of A32 str r1, [r0] (§12.5: 0x93810047) with HDFAR, HPFAR and the Hyp trap entry', () => {
    const ran = access('str r1, [r0]');
    expect(ran.machine.mode()).toBe('hyp');
    expect(ran.r('hsr')).toBe(0x9381_0047);
    expect(ran.r('hdfar')).toBe(MMIO);
    // HPFAR[31:4] = IPA[39:12] (B4.1.70); KVM's fault IPA is (HPFAR & ~0xf) << 8 (§12.2).
    expect(ran.r('hpfar')).toBe((MMIO >>> 12) << 4);
    expect((ran.r('hpfar') & ~0xf) << 8).toBe(MMIO);
    expect(ran.r('elr_hyp')).toBe(0x8000);
    // The Hyp trap vector (0x14) runs its wfi.
    expect(ran.result.pc).toBe(HVBAR + 0x14 + 4);
    const [entry] = exceptionEvents(ran.trace.events);
    expect(entry).toMatchObject({ to: 'hyp', vector: HVBAR + 0x14, syndrome: 0x9381_0047 });
  });

  /** The A32 encodings abi-facts §12.4 and §12.5 list (llvm-mc 14): the project's assembler must agree. */
  const PINNED: Readonly<Record<string, number>> = {
    'str r1, [r0]': 0xe580_1000,
    'ldr r1, [r0], #4': 0xe490_1004,
    'ldr r1, [r0, #4]!': 0xe5b0_1004,
    'stm r0, {r1, r2}': 0xe880_0006,
    'ldm r0!, {r1, r2}': 0xe8b0_0006,
    'ldrd r2, r3, [r0]': 0xe1c0_20d0,
    'strd r2, r3, [r0]': 0xe1c0_20f0,
    'ldr pc, [r0]': 0xe590_f000,
    'ldrex r1, [r0]': 0xe190_1f9f,
  };

  it('assembles the access forms to the encodings llvm-mc gives (§12.4)', () => {
    for (const [instruction, word] of Object.entries(PINNED)) {
      const ran = access(instruction);
      expect(ran.machine.memory.read32(0x8000), instruction).toBe(word);
    }
  });

  const forms: [string, number, Record<string, number>?][] = [
    ['ldr r2, [r0]', hsr({ isv: true, sas: 2, srt: 2 })],
    ['ldrsh r1, [r0]', hsr({ isv: true, sas: 1, sse: true, srt: 1 })],
    ['ldrb r3, [r0]', hsr({ isv: true, sas: 0, srt: 3 })],
    ['ldrsb r5, [r0]', hsr({ isv: true, sas: 0, sse: true, srt: 5 })],
    ['ldrh r4, [r0]', hsr({ isv: true, sas: 1, srt: 4 })],
    ['strh r4, [r0]', hsr({ isv: true, sas: 1, srt: 4, wnr: true })],
    ['strb r6, [r0]', hsr({ isv: true, sas: 0, srt: 6, wnr: true })],
    ['str r1, [r0, #4]', hsr({ isv: true, sas: 2, srt: 1, wnr: true })],
    ['ldr r7, [r0, r8]', hsr({ isv: true, sas: 2, srt: 7 }), { r8: 0 }],
    // A load into the PC: ISV = 1, SRT = 15, as v3.9's decode_hsr expects (§12.7; see load-store.ts on the conflict with §12.4).
    ['ldr pc, [r0]', hsr({ isv: true, sas: 2, srt: 15 })],
    // §12.4: writeback forms, LDM/STM, LDRD/STRD have no valid syndrome.
    ['ldr r1, [r0], #4', hsr({})],
    ['ldr r1, [r0, #4]!', hsr({})],
    ['str r1, [r0], #4', hsr({ wnr: true })],
    ['stm r0, {r1, r2}', hsr({ wnr: true })],
    ['ldm r0!, {r1, r2}', hsr({})],
    ['ldrd r2, r3, [r0]', hsr({})],
    ['strd r2, r3, [r0]', hsr({ wnr: true })],
    ['ldrex r1, [r0]', hsr({})],
  ];
  for (const [instruction, expected, registers] of forms) {
    it(`${instruction}: HSR 0x${expected.toString(16)}`, () => {
      const ran = access(instruction, registers);
      expect(ran.machine.mode()).toBe('hyp');
      expect(ran.r('hsr').toString(16)).toBe(expected.toString(16));
      expect(ran.r('elr_hyp')).toBe(0x8000);
      // The decoder reads back what the machine wrote.
      const fields = Object.fromEntries(HSR_DECODER.decode(ran.r('hsr')).fields.map((f) => [f.name, f.value]));
      expect(fields.ec).toBe(0x24);
      expect(fields.wnr).toBe(/^(str|stm)/.test(instruction) ? 1 : 0);
      if (fields.isv === 1) expect(fields.srt).toBe(Number(/^\w+ (r\d+|pc)/.exec(instruction)![1]!.replace('pc', '15').replace('r', '')));
    });
  }

  it('leaves accesses inside the guest memory alone: the store lands at the same physical address', () => {
    const ran = runProgram('str r1, [r0]\nldr r2, [r0]\nwfi', { registers: { r0: 0x1_0010, r1: 0xabcd }, setup: stage2 });
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('r2')).toBe(0xabcd);
    expect(ran.machine.memory.read32(0x1_0010)).toBe(0xabcd);
  });

  it('takes an instruction fetch from an unmapped IPA as a prefetch abort to Hyp (EC 0x20, HIFAR, HPFAR)', () => {
    const ran = runProgram('bx r0\nwfi', { registers: { r0: 0x3_0000 }, setup: stage2 });
    expect(ran.machine.mode()).toBe('hyp');
    expect(ran.r('hsr')).toBe(((0x20 << 26) | (1 << 25) | 0x07) >>> 0);
    expect(ran.r('hifar')).toBe(0x3_0000);
    expect(ran.r('hpfar')).toBe(0x300);
    expect(ran.r('elr_hyp')).toBe(0x3_0000);
  });

  it('reports a stage-2 fault on a stage-1 table walk with S1PTW and no valid syndrome', () => {
    const L1 = 0x4000;
    const setup = (machine: Arm32Machine): void => {
      stage2(machine);
      machine.memory.map(L1, 0x4000);
      // Stage 1, short descriptors: section 0 identity, full access (AP = 0b011), domain 0 client; VA 0x200000's page table at IPA 0x40000, which stage 2 does not map.
      machine.memory.write32(L1, (0 | (3 << 10) | 2) >>> 0);
      machine.memory.write32(L1 + 2 * 4, (0x4_0000 | 1) >>> 0);
      machine.setRegister('ttbr0', BigInt(L1));
      machine.setRegister('dacr', 1n);
      machine.setRegister('sctlr', BigInt(Number(machine.register('sctlr')) | 1));
    };
    const ran = runProgram('ldr r1, [r0]\nwfi', { registers: { r0: 0x20_0000 }, setup });
    expect(ran.machine.mode()).toBe('hyp');
    expect(ran.r('hsr').toString(16)).toBe(hsr({ s1ptw: true }).toString(16));
    expect(ran.r('hdfar')).toBe(0x20_0000);
    expect(ran.r('hpfar')).toBe(0x400);
  });
});

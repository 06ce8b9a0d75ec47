/**
 * The A32 assembly firmware in `arch/arm32/firmware/`: hyplay's assembler
 * must give the bytes pinned here (checked against llvm-mc when this pin was
 * made, and again live below wherever llvm-mc is installed), the code must be
 * position independent, and it must behave as its ABI says when the arm32
 * interpreter runs it at HVBAR.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARM32_INSTRUCTION_SET, createArm32Machine } from '../../arch/arm32/core.ts';
import { ARM32_ASM_FIRMWARE, ARM32_FIRMWARE_IMPLEMENTATIONS, assembleFirmware, HYP_STUB_V4_12, installAsmFirmware, KVM_V3_10, KVM_V3_9, type AsmFirmware } from '../../arch/arm32/firmware/index.ts';
import type { RunResult } from '../../src/interp/interpreter.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { TraceRecorder, type ExceptionEvent } from '../../src/interp/trace.ts';
import { llvmAssembleFile, llvmMcAvailable } from './llvm-object.ts';

/** Pinned: memory-order bytes and hyplay's disassembly, one word per row. */
const PINNED: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  'hyp-stub-v4.12': [
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['01 00 00 ea', 'b #4'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['03 00 50 e3', 'cmp r0, #3'],
    ['00 f1 8f 30', 'addlo pc, pc, r0, lsl #2'],
    ['06 00 00 ea', 'b #24'],
    ['01 00 00 ea', 'b #4'],
    ['03 00 00 ea', 'b #12'],
    ['00 00 00 ea', 'b #0'],
    ['10 1f 8c ee', 'mcr p15, #4, r1, c12, c0, #0'],
    ['00 00 a0 e3', 'mov r0, #0'],
    ['6e 00 60 e1', 'eret'],
    ['11 ff 2f e1', 'bx r1'],
    ['11 0a 0c e3', 'movw r0, #51729'],
    ['ad 0b 40 e3', 'movt r0, #2989'],
    ['6e 00 60 e1', 'eret'],
  ],
  'kvm-v3.9': [
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['01 00 00 ea', 'b #4'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['07 00 2d e9', 'push {r0, r1, r2}'],
    ['12 1f 95 ee', 'mrc p15, #4, r1, c5, c2, #0'],
    ['21 1d a0 e1', 'lsr r1, r1, #26'],
    ['12 00 51 e3', 'cmp r1, #18'],
    ['10 00 00 1a', 'bne #64'],
    ['62 0f 51 ec', 'mrrc p15, #6, r0, r1, c2'],
    ['21 18 a0 e1', 'lsr r1, r1, #16'],
    ['ff 10 11 e2', 'ands r1, r1, #255'],
    ['0c 00 00 1a', 'bne #48'],
    ['07 00 bd e8', 'pop {r0, r1, r2}'],
    ['04 e0 2d e5', 'str lr, [sp, #-4]!'],
    ['00 e0 4f e1', 'mrs lr, spsr'],
    ['04 e0 2d e5', 'str lr, [sp, #-4]!'],
    ['00 e0 a0 e1', 'mov lr, r0'],
    ['01 00 a0 e1', 'mov r0, r1'],
    ['02 10 a0 e1', 'mov r1, r2'],
    ['03 20 a0 e1', 'mov r2, r3'],
    ['3e ff 2f e1', 'blx lr'],
    ['04 e0 9d e4', 'ldr lr, [sp], #4'],
    ['0e f0 6f e1', 'msr SPSR_fsxc, lr'],
    ['04 e0 9d e4', 'ldr lr, [sp], #4'],
    ['6e 00 60 e1', 'eret'],
    ['fe ff ff ea', 'b #-8'],
  ],
  'kvm-v3.10': [
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['01 00 00 ea', 'b #4'],
    ['fe ff ff ea', 'b #-8'],
    ['fe ff ff ea', 'b #-8'],
    ['07 00 2d e9', 'push {r0, r1, r2}'],
    ['12 1f 95 ee', 'mrc p15, #4, r1, c5, c2, #0'],
    ['21 1d a0 e1', 'lsr r1, r1, #26'],
    ['12 00 51 e3', 'cmp r1, #18'],
    ['13 00 00 1a', 'bne #76'],
    ['62 0f 51 ec', 'mrrc p15, #6, r0, r1, c2'],
    ['21 18 a0 e1', 'lsr r1, r1, #16'],
    ['ff 10 11 e2', 'ands r1, r1, #255'],
    ['0f 00 00 1a', 'bne #60'],
    ['07 00 bd e8', 'pop {r0, r1, r2}'],
    ['01 00 70 e3', 'cmn r0, #1'],
    ['10 0f 9c 0e', 'mrceq p15, #4, r0, c12, c0, #0'],
    ['6e 00 60 01', 'ereteq'],
    ['04 e0 2d e5', 'str lr, [sp, #-4]!'],
    ['00 e0 4f e1', 'mrs lr, spsr'],
    ['04 e0 2d e5', 'str lr, [sp, #-4]!'],
    ['00 e0 a0 e1', 'mov lr, r0'],
    ['01 00 a0 e1', 'mov r0, r1'],
    ['02 10 a0 e1', 'mov r1, r2'],
    ['03 20 a0 e1', 'mov r2, r3'],
    ['3e ff 2f e1', 'blx lr'],
    ['04 e0 9d e4', 'ldr lr, [sp], #4'],
    ['0e f0 6f e1', 'msr SPSR_fsxc, lr'],
    ['04 e0 9d e4', 'ldr lr, [sp], #4'],
    ['6e 00 60 e1', 'eret'],
    ['fe ff ff ea', 'b #-8'],
  ],
};

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function pinnedHex(name: string): string {
  return PINNED[name]!.map(([bytes]) => bytes).join(' ');
}

function sourcePath(firmware: AsmFirmware): string {
  return fileURLToPath(new URL(`../../arch/arm32/firmware/${firmware.file}`, import.meta.url));
}

/** The branch-to-self word (`b .`), how an unused slot spins. */
const SPIN = 'fe ff ff ea';

describe('assembly firmware: pinned bytes (no llvm-mc needed)', () => {
  it('ships exactly the three implementations, named asm:<name>, each naming the ABI of its era', () => {
    expect(ARM32_ASM_FIRMWARE.map((f) => f.name)).toEqual(['hyp-stub-v4.12', 'kvm-v3.9', 'kvm-v3.10']);
    expect(ARM32_FIRMWARE_IMPLEMENTATIONS.map((i) => [i.name, i.implements])).toEqual([
      ['asm:hyp-stub-v4.12', 'linux-hyp-stub-v4.12'],
      ['asm:kvm-v3.9', 'kvm-arm32-v3.9'],
      ['asm:kvm-v3.10', 'kvm-arm32-v3.10'],
    ]);
  });

  it('kvm-v3.9.s has no r0 = -1 test (v3.10 added it, abi-facts §2.2 step 3); kvm-v3.10.s differs from it by exactly that test', () => {
    const texts = (name: string): string[] => PINNED[name]!.map(([, text]) => text);
    expect(texts('kvm-v3.9')).not.toContain('cmn r0, #1');
    const test = ['cmn r0, #1', 'mrceq p15, #4, r0, c12, c0, #0', 'ereteq'];
    // The guest-trap branches jump over the test, so their offsets differ by its 12 bytes.
    const branches = (texts: string[]): string[] => texts.map((text) => text.replace(/^bne #\d+$/, 'bne'));
    expect(branches(texts('kvm-v3.10').filter((text) => !test.includes(text)))).toEqual(branches(texts('kvm-v3.9')));
    expect(texts('kvm-v3.10').filter((text) => test.includes(text))).toEqual(test);
  });

  for (const firmware of ARM32_ASM_FIRMWARE) {
    it(`${firmware.file}: hyplay assembles the pinned bytes and disassembles them to the pinned text`, () => {
      const program = assembleFirmware(firmware, 0);
      expect(hex(program.bytes)).toBe(pinnedHex(firmware.name));
      const texts = PINNED[firmware.name]!.map((_, i) => ARM32_INSTRUCTION_SET.disassembleOne(program.bytes.subarray(4 * i, 4 * i + 4), 4 * i)?.text);
      expect(texts).toEqual(PINNED[firmware.name]!.map(([, text]) => text));
    });

    it(`${firmware.file}: position independent (the same bytes at 0x2000 and 0x80001000)`, () => {
      expect(hex(assemble(ARM32_INSTRUCTION_SET, readSource(firmware), 0x2000).bytes)).toBe(pinnedHex(firmware.name));
      expect(hex(assemble(ARM32_INSTRUCTION_SET, readSource(firmware), 0x8000_1000).bytes)).toBe(pinnedHex(firmware.name));
    });

    it(`${firmware.file}: a 32-byte vector table whose unused slots spin and whose Hyp-trap slot branches out`, () => {
      const words = PINNED[firmware.name]!.slice(0, 8).map(([bytes]) => bytes);
      expect(words).toEqual([SPIN, SPIN, SPIN, SPIN, SPIN, '01 00 00 ea', SPIN, SPIN]);
      expect(assembleFirmware(firmware, 0).symbols.get(firmware === HYP_STUB_V4_12 ? 'stub_vectors' : 'kvm_vectors')).toBe(0);
    });
  }

  it('installing refuses a base HVBAR cannot hold (not 32-byte aligned)', () => {
    expect(() => installAsmFirmware(createArm32Machine(), HYP_STUB_V4_12, 0x2010)).toThrow('hyp-stub-v4.12: base 0x2010 is not 32-byte aligned');
  });
});

function readSource(firmware: AsmFirmware): string {
  return readFileSync(sourcePath(firmware), 'utf8');
}

const available = llvmMcAvailable();
if (!available) console.warn('asm-firmware.test.ts: llvm-mc is not on PATH; the live llvm-mc comparison of arch/arm32/firmware/*.s is skipped (the pinned bytes still run)');

describe.skipIf(!available)('assembly firmware against llvm-mc, live (-triple=armv7a -mattr=+virtualization)', () => {
  for (const firmware of ARM32_ASM_FIRMWARE) {
    it(`${firmware.file}: llvm-mc's .text is byte for byte hyplay's, with no relocations`, () => {
      const object = llvmAssembleFile(sourcePath(firmware));
      expect(object.sections.filter((s) => s.startsWith('.rel'))).toEqual([]);
      expect(hex(object.text)).toBe(hex(assembleFirmware(firmware, 0).bytes));
      expect(hex(object.text)).toBe(pinnedHex(firmware.name));
    });
  }
});

// ---------------------------------------------------------------------------
// Behaviour: the interpreter runs the assembled code at HVBAR.

const HVBAR = 0x2000;
const CODE = 0x8000;
const TARGET = 0x9000;

interface Ran {
  readonly machine: Machine;
  readonly result: RunResult;
  readonly trace: TraceRecorder;
}

function run(firmware: AsmFirmware, registers: Readonly<Record<string, bigint>>, options: { mode?: string; caller?: string; target?: string } = {}): Ran {
  const machine = createArm32Machine();
  installAsmFirmware(machine, firmware, HVBAR);
  machine.memory.load(CODE, assemble(ARM32_INSTRUCTION_SET, options.caller ?? 'hvc #0\nwfi', CODE).bytes);
  machine.memory.load(TARGET, assemble(ARM32_INSTRUCTION_SET, options.target ?? 'wfi', TARGET).bytes);
  machine.setMode(options.mode ?? 'svc');
  for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
  machine.pc = CODE;
  const trace = new TraceRecorder();
  machine.trace = trace;
  return { machine, result: machine.run(2000), trace };
}

const NZCV = 0xf000_0000;

describe('asm:hyp-stub-v4.12 at HVBAR', () => {
  it('SET_VECTORS: HVBAR <- r1, r0 <- 0, eret to the caller with its flags; nothing else changes', () => {
    const { machine, result, trace } = run(HYP_STUB_V4_12, { r0: 0n, r1: 0x4000n, r2: 0x22n, r12: 0xccn, cpsr: BigInt(NZCV | 0x1d3) });
    expect(result).toMatchObject({ reason: 'wfi', pc: CODE + 8 });
    expect(machine.mode()).toBe('svc');
    expect(machine.register('hvbar')).toBe(0x4000n);
    expect([machine.register('r0'), machine.register('r1'), machine.register('r2'), machine.register('r12')]).toEqual([0n, 0x4000n, 0x22n, 0xccn]);
    expect((Number(machine.register('cpsr')) & NZCV) >>> 0).toBe(NZCV >>> 0);
    const entry = trace.events.filter((e): e is ExceptionEvent => e.kind === 'exception');
    expect(entry.map((e) => [e.exception, e.vector])).toEqual([['hyp-trap', HVBAR + 0x14]]);
    expect(trace.lines()).toContain('-- return eret: hyp -> svc at 0x00008004');
  });

  it('SOFT_RESTART: lands at r1 in Hyp (bx r1), no return', () => {
    const { machine, result, trace } = run(HYP_STUB_V4_12, { r0: 1n, r1: BigInt(TARGET) });
    expect(result).toMatchObject({ reason: 'wfi', pc: TARGET + 4 });
    expect(machine.mode()).toBe('hyp');
    expect(trace.events.filter((e) => e.kind === 'return')).toEqual([]);
  });

  it('RESET_VECTORS returns 0 and leaves HVBAR; r0 >= 3 returns HVC_STUB_ERR', () => {
    const reset = run(HYP_STUB_V4_12, { r0: 2n });
    expect(reset.result).toMatchObject({ reason: 'wfi', pc: CODE + 8 });
    expect([reset.machine.register('r0'), reset.machine.register('hvbar')]).toEqual([0n, BigInt(HVBAR)]);
    for (const r0 of [3n, 4n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn]) {
      const bad = run(HYP_STUB_V4_12, { r0, r1: 0x1111n });
      expect(bad.result, `r0=0x${r0.toString(16)}`).toMatchObject({ reason: 'wfi', pc: CODE + 8 });
      expect(bad.machine.register('r0'), `r0=0x${r0.toString(16)}`).toBe(0xbadca11n);
      expect(bad.machine.register('r1')).toBe(0x1111n);
    }
  });

  it('an unused slot spins: a prefetch abort in Hyp ends on the step budget at HVBAR+0x0c', () => {
    const { machine, result } = run(HYP_STUB_V4_12, { r2: 0x0010_0000n }, { mode: 'hyp', caller: 'bx r2' });
    expect(result).toMatchObject({ reason: 'budget-exhausted', pc: HVBAR + 0x0c });
    expect(machine.register('hifar')).toBe(0x0010_0000n);
  });
});

describe('asm:kvm-v3.9 at HVBAR', () => {
  it("r0 = -1 is a function pointer in v3.9: blx 0xffffffff enters Thumb at 0xfffffffe, unmapped, a prefetch abort in Hyp", () => {
    const { machine, result, trace } = run(KVM_V3_9, { r0: 0xffff_ffffn, r1: 0x11n });
    expect(result).toMatchObject({ reason: 'budget-exhausted', pc: HVBAR + 0x0c });
    expect(machine.register('hifar')).toBe(0xffff_fffen);
    expect(trace.events.filter((e): e is ExceptionEvent => e.kind === 'exception').map((e) => e.exception)).toEqual(['hyp-trap', 'prefetch-abort']);
  });

  for (const firmware of [KVM_V3_9, KVM_V3_10]) {
    it(`${firmware.name}: any other r0 is a Hyp function: called with r1-r3 shifted into r0-r2, its r0 comes back through eret`, () => {
      // The function adds its first two arguments and returns (bx lr).
      const { machine, result } = run(firmware, { r0: BigInt(TARGET), r1: 40n, r2: 2n, r3: 7n, cpsr: BigInt(NZCV | 0x1d3) }, { target: 'add r0, r0, r1\nbx lr' });
      expect(result).toMatchObject({ reason: 'wfi', pc: CODE + 8 });
      expect(machine.mode()).toBe('svc');
      expect(machine.register('r0')).toBe(42n);
      expect((Number(machine.register('cpsr')) & NZCV) >>> 0).toBe(NZCV >>> 0);
    });

    it(`${firmware.name}: the function is entered in Hyp with the arguments in r0-r2`, () => {
      const { machine, result } = run(firmware, { r0: BigInt(TARGET), r1: 0xa1n, r2: 0xa2n, r3: 0xa3n });
      expect(result).toMatchObject({ reason: 'wfi', pc: TARGET + 4 });
      expect(machine.mode()).toBe('hyp');
      expect([machine.register('r0'), machine.register('r1'), machine.register('r2')]).toEqual([0xa1n, 0xa2n, 0xa3n]);
    });

    it(`${firmware.name}: r0 = 1 (a v4.12 SOFT_RESTART) is a pointer to Thumb code at 0: a prefetch abort in Hyp, spinning at HVBAR+0x0c`, () => {
      const { machine, result, trace } = run(firmware, { r0: 1n, r1: BigInt(TARGET) });
      expect(result).toMatchObject({ reason: 'budget-exhausted', pc: HVBAR + 0x0c });
      expect(machine.register('hifar')).toBe(0n);
      const entries = trace.events.filter((e): e is ExceptionEvent => e.kind === 'exception').map((e) => [e.exception, e.from, e.vector]);
      expect(entries).toEqual([
        ['hyp-trap', 'svc', HVBAR + 0x14],
        ['prefetch-abort', 'hyp', HVBAR + 0x0c],
      ]);
    });

    it(`${firmware.name}: a guest's hvc (VTTBR.VMID != 0) is not kvm_call_hyp: it goes to the (unmodelled) guest exit`, () => {
      const { result } = run(firmware, { r0: BigInt(TARGET), vttbr: 1n << 48n });
      const table = assembleFirmware(firmware, HVBAR);
      expect(result).toMatchObject({ reason: 'budget-exhausted', pc: table.symbols.get('kvm_guest_trap') });
    });
  }
});

describe('asm:kvm-v3.10 at HVBAR', () => {
  it('r0 = -1 returns HVBAR (the original stub get-vectors, answered by KVM from v3.10)', () => {
    const { machine, result } = run(KVM_V3_10, { r0: 0xffff_ffffn, r1: 0x11n });
    expect(result).toMatchObject({ reason: 'wfi', pc: CODE + 8 });
    expect([machine.register('r0'), machine.register('r1')]).toEqual([BigInt(HVBAR), 0x11n]);
  });
});

/**
 * Compatibility mode (EFER.LMA = 1, CS.L = 0, CS.D = 1): 32-bit code under
 * the long-mode kernel, decoded and run for real (SDM vol. 2 §2.2.1, vol. 3
 * §5.2.1), on both engines; the forms hyplay does not model stop with
 * `compat-unsupported`; the trap instructions follow each vendor (SYSCALL
 * is #UD on Intel, enters through CSTAR on AMD); and the op caches never
 * run bytes decoded for the other code size.
 */

import { describe, expect, it } from 'vitest';
import { decodeBytes, isInsn } from '../../../arch/x86_64/table.ts';
import { Flag } from '../../../arch/x86_64/registers.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import { CODE32, compatMachine, USER_STACK } from './compat-machine.ts';
import { machineWith, RSP0 } from './machine-harness.ts';

const ENGINES: readonly EngineName[] = ['interp', 'jit'];

/** Run 32-bit code that ends in `int $0x80` (the gate's handler halts at CPL 0). */
function run32(code: string, registers: Record<string, bigint> = {}, engine: EngineName = 'interp'): ReturnType<typeof compatMachine>['machine'] {
  const { machine } = compatMachine(`${code}\nint $0x80\n`, undefined, { engine });
  for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
  const result = machine.run(10_000);
  expect(result.reason, result.detail).toBe('wfi');
  return machine;
}

describe('x86_64 compatibility-mode decode', () => {
  it('40–4F are INC/DEC r32 in 32-bit code and REX prefixes in 64-bit code', () => {
    const bytes = Uint8Array.of(0x40, 0x01, 0xc3);
    const compat = decodeBytes(bytes, 0, 4);
    const long = decodeBytes(bytes, 0, 8);
    expect(isInsn(compat) && compat.row.name).toBe('inc Zv');
    expect(isInsn(compat) && compat.length).toBe(1);
    expect(isInsn(long) && long.row.name).toBe('add Ev,Gv');
    expect(isInsn(long) && long.length).toBe(3);
  });

  it('mod 00 r/m 101 is an absolute disp32 in 32-bit code, RIP-relative in 64-bit code', () => {
    const bytes = Uint8Array.of(0x8b, 0x05, 0x00, 0x01, 0x50, 0x00);
    const compat = decodeBytes(bytes, 0, 4);
    const long = decodeBytes(bytes, 0, 8);
    expect(isInsn(compat) && [compat.base, compat.disp, compat.adsize]).toEqual([-1, 0x50_0100, 4]);
    expect(isInsn(long) && long.base).toBe(16);
  });

  it('the default operand size of PUSH, CALL and RET is 32 (16 with 66); a 66 near branch takes a rel16', () => {
    for (const [bytes, opsize, length] of [
      [[0x50], 4, 1],
      [[0x66, 0x50], 2, 2],
      [[0xe8, 0, 0, 0, 0], 4, 5],
      [[0x66, 0xe8, 0, 0], 2, 4],
      [[0xc3], 4, 1],
    ] as const) {
      const d = decodeBytes(Uint8Array.from(bytes), 0, 4);
      expect(isInsn(d) && [d.opsize, d.length]).toEqual([opsize, length]);
    }
  });

  it('never throws and never mis-decodes: every one- and two-byte opcode in 32-bit code is an instruction, #UD, a fetch fault or a named unmodelled form', () => {
    for (let first = 0; first < 256; first++) {
      for (const tail of [[], [0x00], [0xc0, 0, 0, 0, 0, 0, 0], [0x05, 1, 2, 3, 4, 5, 6, 7]]) {
        const d = decodeBytes(Uint8Array.from([first, ...tail]), 0, 4);
        if (isInsn(d)) {
          expect(d.rex).toBe(0);
          if (d.row.osz !== 'n') expect(d.opsize).not.toBe(8);
          expect(d.adsize).toBe(4);
        } else expect(['fetch-fault', 'undefined', 'unmodelled']).toContain(d.kind);
      }
    }
  });
});

describe.each(ENGINES)('x86_64 compatibility mode (%s)', (engine) => {
  it('INC/DEC r32, PUSH/POP through ESP (4-byte slots), CALL/RET with 4-byte return addresses', () => {
    const m = run32(
      `
      inc %eax
      dec %ebx
      pushl %eax
      pushl $-2
      popl %ecx
      popl %edx
      call 1f
      jmp 2f
1:    movl (%esp), %esi
      ret
2:    movl %esp, %edi
      `,
      { rax: 0x7fff_ffffn, rbx: 0n },
      engine,
    );
    expect(m.register('rax')).toBe(0x8000_0000n);
    expect(m.register('rbx')).toBe(0xffff_ffffn);
    expect(m.register('rcx')).toBe(0xffff_fffen);
    expect(m.register('rdx')).toBe(0x8000_0000n);
    // The return address pushed was the 32-bit EIP of the JMP after the 5-byte CALL.
    expect(m.register('rsi')).toBe(BigInt(CODE32 + 2 + 1 + 2 + 1 + 1 + 5));
    expect(m.register('rdi')).toBe(BigInt(USER_STACK));
    // DEC of 0 borrows into SF, AF, PF (CF untouched); the last flag writer was DEC.
    expect(Number(m.register('rflags')) & (Flag.SF | Flag.ZF | Flag.OF)).toBe(Flag.SF);
  });

  it('an absolute disp32 reads memory at that address; effective addresses wrap at 4 GiB', () => {
    const { machine } = compatMachine('movl 0x500100, %eax\nmovl (%ebx,%ecx), %edx\nmovl %edx, 0x500108\nint $0x80\n.org 0x100\n.long 0x11223344\n.long 0x55667788\n', undefined, { engine });
    machine.setRegister('rbx', 0xffff_fff0n);
    machine.setRegister('rcx', BigInt(CODE32 + 0x104 + 0x10));
    expect(machine.run(100).reason).toBe('wfi');
    expect(machine.register('rax')).toBe(0x1122_3344n);
    expect(machine.register('rdx')).toBe(0x5566_7788n);
    expect(machine.memory.read32(CODE32 + 0x108)).toBe(0x5566_7788);
  });

  it('BT with a register bit offset addresses memory below its operand, wrapping at 4 GiB', () => {
    const { machine } = compatMachine('btl %ecx, (%ebx)\nint $0x80\n', undefined, { engine });
    machine.memory.map(0xffff_f000, 0x1000);
    machine.memory.write32(0xffff_ff90, 1 << 5);
    machine.setRegister('rbx', 0x10n);
    // −1019 = −32 · 32 + 5: the dword 32 below (0x10 − 0x80 wraps to 0xffffff90), bit 5.
    machine.setRegister('rcx', BigInt.asUintN(32, -1019n));
    machine.setRegister('rflags', BigInt(Flag.FIXED));
    expect(machine.run(10).reason).toBe('wfi');
    expect(Number(machine.register('rflags')) & Flag.CF).toBe(Flag.CF);
  });

  it('a near branch target is truncated to 32 bits (EIP wraps at 4 GiB)', () => {
    const { machine } = compatMachine('int $0x80\n', undefined, { engine });
    // jmp rel32 at 0xffff_fff0 to 0x1_0000_0000 + CODE32 - … wraps to CODE32.
    const at = 0xffff_f000;
    machine.memory.map(at, 0x1000);
    const next = BigInt(at + 5);
    const rel = BigInt.asUintN(32, BigInt(CODE32) + 0x1_0000_0000n - next);
    machine.memory.write8(at, 0xe9);
    machine.memory.write32(at + 1, Number(rel));
    machine.pc = at;
    const result = machine.run(10);
    expect(result.reason).toBe('wfi');
    // JMP, INT $0x80 at CODE32, HLT in the handler.
    expect(result.steps).toBe(3);
  });

  it('int $0x80 from the 32-bit task goes through the IDT gate: a 64-bit frame on RSP0 with CS 0x23, EIP and ESP', () => {
    const m = run32('movl $1, %eax\nmovl $42, %ebx', {}, engine);
    expect(m.register('cpl')).toBe(0n);
    expect(m.register('cs')).toBe(0x10n);
    const frame = RSP0 - 40;
    expect(m.register('rsp')).toBe(BigInt(frame));
    expect(m.memory.read64(frame)).toBe(BigInt(CODE32 + 5 + 5 + 2)); // RIP after the INT
    expect(m.memory.read64(frame + 8)).toBe(0x23n);
    expect(m.memory.read64(frame + 24)).toBe(BigInt(USER_STACK));
    expect(m.memory.read64(frame + 32)).toBe(0x2bn);
    expect(m.register('rax')).toBe(1n);
    expect(m.register('rbx')).toBe(42n);
  });

  it('SYSCALL from 32-bit code is #UD on Intel (through the #UD gate), and enters through CSTAR on AMD', () => {
    const kernel = 'int80:\n  hlt\nud:\n  movl $6, %r12d\n  hlt\ncstar:\n  movl $0xc5, %r12d\n  hlt\n';
    const intel = compatMachine('syscall\n', kernel, { vendor: 'intel', engine });
    intel.machine.setRegister('star', 0x0023_0010_0000_0000n);
    intel.machine.setRegister('cstar', BigInt(intel.labels.get('cstar')!));
    expect(intel.machine.run(100).reason).toBe('wfi');
    expect(intel.machine.register('r12')).toBe(6n);
    expect(intel.machine.memory.read64(RSP0 - 40)).toBe(BigInt(CODE32)); // #UD is a fault: RIP on the SYSCALL
    const amd = compatMachine('syscall\n', kernel, { vendor: 'amd', engine });
    amd.machine.setRegister('star', 0x0023_0010_0000_0000n);
    amd.machine.setRegister('cstar', BigInt(amd.labels.get('cstar')!));
    amd.machine.setRegister('rflags', BigInt(Flag.FIXED | Flag.CF));
    expect(amd.machine.run(100).reason).toBe('wfi');
    expect(amd.machine.register('r12')).toBe(0xc5n);
    expect(amd.machine.register('rcx')).toBe(BigInt(CODE32 + 2));
    expect(amd.machine.register('r11')).toBe(BigInt(Flag.FIXED | Flag.CF));
    expect(amd.machine.register('cs')).toBe(0x10n);
    expect(amd.machine.register('cpl')).toBe(0n);
  });

  it.each([
    ['pusha', [0x60], 'pusha'],
    ['arpl (63 is not MOVSXD here)', [0x63, 0xc8], 'arpl'],
    ['les', [0xc4, 0x00], 'les'],
    ['a far jmp', [0xea, 0, 0, 0, 0, 0x23, 0], 'ljmp'],
    ['push %ds', [0x1e], 'push %ds'],
    ['daa', [0x27], 'daa'],
    ['into', [0xce], 'into'],
    ['the 67 prefix', [0x67, 0x8b, 0x07], '67 prefix'],
    ['iretl', [0xcf], 'iretl'],
    ['mov to %ds', [0x8e, 0xd8], 'mov'],
  ])('%s stops with compat-unsupported, naming it and its address, RIP on it', (_what, bytes, named) => {
    const { machine } = compatMachine('nop\n', undefined, { engine });
    machine.memory.load(CODE32 + 1, Uint8Array.from(bytes));
    const result = machine.run(10);
    expect(result.reason).toBe('compat-unsupported');
    expect(result.detail).toContain(named);
    expect(result.detail).toContain(`0x${(CODE32 + 1).toString(16).padStart(8, '0')}`);
    expect(machine.pc).toBe(CODE32 + 1);
    // The NOP, then the stop.
    expect(result.steps).toBe(2);
  });

  it('16-bit code (CS.D = 0) stops with compat-unsupported', () => {
    const { machine } = compatMachine('nop\n', undefined, { engine });
    machine.setRegister('cs_attr', machine.register('cs_attr') & ~(1n << 14n));
    const result = machine.run(10);
    expect(result.reason).toBe('compat-unsupported');
    expect(result.detail).toContain('16-bit code');
  });
});

describe('x86_64 code size and the op caches', () => {
  /**
   * The same bytes at the same address run in 64-bit mode, then (the int
   * $0x80 handler rewrites its IRETQ frame to __USER32_CS) in 32-bit code,
   * then (to __USER_CS) in 64-bit mode again: 48 ff c0 is INC RAX in 64-bit
   * code and DEC EAX; INC EAX in 32-bit code, 48 ff cb DEC RBX or DEC EAX;
   * DEC EBX. Each pass loops long enough for the JIT to translate it.
   */
  const kernel = `
      movabsq $0x1ffffffff, %rax
      movl $100, %ebx
    shared:
      .byte 0x48, 0xff, 0xc0
      decq %rbx
      jnz shared
      int $0x80
    int80:
      incq %r13
      cmpq $3, %r13
      je done
      leaq shared(%rip), %rcx
      movq %rcx, (%rsp)
      movq $0x23, 8(%rsp)
      cmpq $2, %r13
      jne 1f
      movq $0x33, 8(%rsp)
    1:
      movq $${USER_STACK}, 24(%rsp)
      movq $0x2b, 32(%rsp)
      movl $50, %ebx
      iretq
    done:
      hlt
  `;

  function modeSwitch(engine: EngineName): { rax: bigint; rbx: bigint; steps: number; pc: number } {
    const probe = machineWith(kernel);
    const { machine } = machineWith(kernel, { engine, gates: { 0x80: { offset: probe.labels.get('int80')!, dpl: 3 } } });
    machine.memory.map(USER_STACK - 0x1_0000, 0x1_0000);
    const result = machine.run(100_000);
    expect(result.reason, result.detail).toBe('wfi');
    return { rax: machine.register('rax'), rbx: machine.register('rbx'), steps: result.steps, pc: machine.pc };
  }

  it('the same bytes decode for the code size they run in, and both engines agree', () => {
    const interp = modeSwitch('interp');
    // 64-bit: 0x1_ffff_ffff + 100; 32-bit: EAX = 0x63 − 50 (the upper half cleared by the first 32-bit write); 64-bit: + 50.
    expect(interp.rax).toBe(0x63n - 50n + 50n);
    expect(interp.rbx).toBe(0n);
    expect(modeSwitch('jit')).toEqual(interp);
  });

  it('a SYSRETL (translated inline by the JIT) into bytes the JIT translated as 64-bit code runs them as 32-bit code, on both engines', () => {
    const sysretKernel = `
        movabsq $0x1ffffffff, %rax
        movl    $100, %ebx
      shared:
        .byte 0x48, 0xff, 0xc0
        decq    %rbx
        jnz     shared
        int     $0x80
      int80:
        incq    %r13
        cmpq    $2, %r13
        je      done
        movl    $0xc0000081, %ecx       # STAR: SYSRETL loads CS = 0x23, SS = 0x2b
        movl    $0x00230010, %edx
        pushq   %rax
        xorl    %eax, %eax
        wrmsr
        popq    %rax
        movq    $${USER_STACK}, %rsp
        leaq    shared(%rip), %rcx
        movq    $2, %r11
        movl    $50, %ebx
        sysretl
      done:
        hlt
    `;
    const results = (['interp', 'jit'] as const).map((engine) => {
      const probe = machineWith(sysretKernel);
      const { machine } = machineWith(sysretKernel, { engine, gates: { 0x80: { offset: probe.labels.get('int80')!, dpl: 3 } } });
      machine.memory.map(USER_STACK - 0x1_0000, 0x1_0000);
      const result = machine.run(100_000);
      expect(result.reason, result.detail).toBe('wfi');
      return [machine.register('rax'), machine.register('rbx'), result.steps];
    });
    // 64-bit: 0x1_ffff_ffff + 100 = 0x2_0000_0063; 32-bit: 50 × (DEC, INC, DEC EAX; DEC EBX) from EAX = 0x63.
    expect(results[0]![0]).toBe(0x63n - 50n);
    expect(results[1]).toEqual(results[0]);
  });

  it('a restore or a register write into the other code size drops the cached ops', () => {
    const { machine } = compatMachine('.byte 0x48, 0xff, 0xc0\nint $0x80\n');
    const compat = machine.snapshot();
    machine.setRegister('rax', 5n);
    expect(machine.run(10).reason).toBe('wfi');
    // 32-bit: DEC EAX; INC EAX.
    expect(machine.register('rax')).toBe(5n);
    // One 32-bit step (DEC EAX, now cached), then switched to 64-bit code by a register write: REX.W INC RAX.
    machine.restore(compat);
    machine.setRegister('rax', 5n);
    expect(machine.run(1).steps).toBe(1);
    expect(machine.register('rax')).toBe(4n);
    machine.pc = CODE32;
    machine.setRegister('cs_attr', BigInt(0xb | 0x10 | (3 << 5) | 0x80 | (1 << 13) | (1 << 15)));
    machine.setRegister('rax', 5n);
    const result = machine.run(1);
    expect(result.steps).toBe(1);
    expect(machine.register('rax')).toBe(6n);
    expect(machine.pc).toBe(CODE32 + 3);
    // Back by a restore: the 32-bit ops again.
    machine.restore(compat);
    machine.setRegister('rax', 5n);
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.register('rax')).toBe(5n);
  });
});

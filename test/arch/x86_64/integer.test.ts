/**
 * Integer semantics with exact flags (SDM vol. 1 appendix A; vol. 2 per
 * instruction), run as guest code. Every row has a handler
 * (semantics coverage).
 */

import { describe, expect, it } from 'vitest';
import { Flag } from '../../../arch/x86_64/registers.ts';
import { X86_SEMANTICS } from '../../../arch/x86_64/semantics/index.ts';
import { X86_TABLE } from '../../../arch/x86_64/table.ts';
import { machineWith } from './machine-harness.ts';

function run(source: string, registers: Record<string, bigint> = {}): ReturnType<typeof machineWith>['machine'] {
  const { machine } = machineWith(`${source}\nhlt\n`);
  for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
  const result = machine.run(1000);
  expect(result.reason).toBe('wfi');
  return machine;
}

const STATUS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;
function flags(machine: ReturnType<typeof run>): number {
  return Number(machine.register('rflags')) & STATUS;
}

describe('x86_64 semantics coverage', () => {
  it('every row has a handler', () => {
    expect(X86_TABLE.rows.filter((r) => X86_SEMANTICS[r.handler] === undefined).map((r) => r.name)).toEqual([]);
  });
});

describe('x86_64 integer semantics', () => {
  it('add: 0x7fffffff + 1 sets OF, SF, AF and PF clear of CF; the 32-bit result zero-extends', () => {
    const m = run('addl $1, %eax', { rax: 0xffff_ffff_7fff_ffffn });
    expect(m.register('rax')).toBe(0x8000_0000n);
    expect(flags(m)).toBe(Flag.OF | Flag.SF | Flag.AF | Flag.PF);
  });

  it('add: carry out of 64 bits sets CF and ZF', () => {
    const m = run('addq %rbx, %rax', { rax: 0xffff_ffff_ffff_ffffn, rbx: 1n });
    expect(m.register('rax')).toBe(0n);
    expect(flags(m)).toBe(Flag.CF | Flag.ZF | Flag.PF | Flag.AF);
  });

  it('sub and cmp: a borrow sets CF; cmp writes nothing', () => {
    const m = run('subb $2, %al\ncmpq %rcx, %rdx', { rax: 0x1234n, rcx: 5n, rdx: 5n });
    expect(m.register('rax')).toBe(0x1232n);
    expect(flags(m)).toBe(Flag.ZF | Flag.PF);
    const n = run('subb $2, %al', { rax: 1n });
    expect(flags(n)).toBe(Flag.CF | Flag.SF | Flag.AF | Flag.PF);
  });

  it('adc and sbb use CF; inc and dec keep it', () => {
    const m = run('stc\nadcq $0, %rax\nstc\nincq %rbx', { rax: 1n, rbx: 0x7fff_ffff_ffff_ffffn });
    expect(m.register('rax')).toBe(2n);
    expect(m.register('rbx')).toBe(0x8000_0000_0000_0000n);
    expect(flags(m)).toBe(Flag.CF | Flag.OF | Flag.SF | Flag.AF | Flag.PF);
  });

  it('logic ops clear CF and OF; 8-bit writes merge and AH is bits 15:8', () => {
    const m = run('stc\nxorb %ah, %al', { rax: 0xff0fn });
    expect(m.register('rax')).toBe(0xfff0n);
    expect(flags(m)).toBe(Flag.SF | Flag.PF);
  });

  it('neg sets CF for a non-zero operand; not changes no flag', () => {
    const m = run('negl %eax\nnotq %rbx', { rax: 1n, rbx: 0n });
    expect(m.register('rax')).toBe(0xffff_ffffn);
    expect(m.register('rbx')).toBe(0xffff_ffff_ffff_ffffn);
    expect(flags(m)).toBe(Flag.CF | Flag.SF | Flag.AF | Flag.PF);
  });

  it('shifts: CF is the last bit out, OF for a count of 1; a count of 0 changes nothing', () => {
    const m = run('shlq %rax', { rax: 0x8000_0000_0000_0001n });
    expect(m.register('rax')).toBe(2n);
    expect(flags(m) & (Flag.CF | Flag.OF | Flag.ZF)).toBe(Flag.CF | Flag.OF);
    const z = run('stc\nshll %cl, %eax', { rax: 5n, rcx: 0x20n });
    expect(z.register('rax')).toBe(5n);
    expect(flags(z) & Flag.CF).toBe(Flag.CF);
    const s = run('sarb $1, %al', { rax: 0x81n });
    expect(s.register('rax')).toBe(0xc0n);
    expect(flags(s) & (Flag.CF | Flag.OF | Flag.SF)).toBe(Flag.CF | Flag.SF);
  });

  it('rotates: rol sets CF from the result LSB; rcr rotates through CF', () => {
    const m = run('rolb $1, %al', { rax: 0x80n });
    expect(m.register('rax')).toBe(1n);
    expect(flags(m) & (Flag.CF | Flag.OF)).toBe(Flag.CF | Flag.OF);
    const r = run('stc\nrcrb $1, %al', { rax: 0n });
    expect(r.register('rax')).toBe(0x80n);
    expect(flags(r) & Flag.CF).toBe(0);
  });

  it('mul, imul, div and idiv write RDX:RAX; CF/OF say whether the high half is significant', () => {
    const m = run('mulq %rbx', { rax: 0x1_0000_0000n, rbx: 0x1_0000_0000n });
    expect([m.register('rdx'), m.register('rax')]).toEqual([1n, 0n]);
    expect(flags(m) & (Flag.CF | Flag.OF)).toBe(Flag.CF | Flag.OF);
    const i = run('imull $-3, %ebx, %ecx', { rbx: 7n });
    expect(i.register('rcx')).toBe(0xffff_ffebn);
    expect(flags(i) & (Flag.CF | Flag.OF)).toBe(0);
    const d = run('idivl %ebx', { rax: 0xffff_fff9n, rdx: 0xffff_ffffn, rbx: 2n });
    expect([d.register('rax'), d.register('rdx')]).toEqual([0xffff_fffdn, 0xffff_ffffn]);
  });

  it('cqo, cltq and movsx/movzx extend as named', () => {
    const m = run('cqto\nmovsbq %bl, %rcx\nmovzwl %bx, %esi\nmovslq %ebx, %rdi', { rax: 0x8000_0000_0000_0000n, rbx: 0x8080n });
    expect(m.register('rdx')).toBe(0xffff_ffff_ffff_ffffn);
    expect(m.register('rcx')).toBe(0xffff_ffff_ffff_ff80n);
    expect(m.register('rsi')).toBe(0x8080n);
    expect(m.register('rdi')).toBe(0x8080n);
  });

  it('push, pop, call and ret move RSP by 8 and keep the return address', () => {
    const { machine } = machineWith('callq f\nhlt\nf: pushq $-2\npopq %rbx\nretq\n');
    expect(machine.run(100).reason).toBe('wfi');
    expect(machine.register('rbx')).toBe(0xffff_ffff_ffff_fffen);
    expect(machine.register('rsp')).toBe(0x20_0000n);
  });

  it('jcc, setcc and cmovcc follow the condition table', () => {
    const m = run('cmpq $5, %rax\nsetl %bl\ncmovgeq %rcx, %rdx\njl 1f\nmovq $9, %rsi\n1:', { rax: 3n, rcx: 7n, rdx: 1n });
    expect(m.register('rbx')).toBe(1n);
    expect(m.register('rdx')).toBe(1n);
    expect(m.register('rsi')).toBe(0n);
  });

  it('xchg with the accumulator: either operand order, and eax with itself zero-extends RAX (87 /r, not the 90 NOP)', () => {
    const m = run('xchgq %rax, %rdx\nxchgl %ecx, %eax', { rax: 1n, rcx: 0x3_0000_0003n, rdx: 2n });
    expect(m.register('rdx')).toBe(1n);
    expect(m.register('rax')).toBe(3n);
    expect(m.register('rcx')).toBe(2n);
    expect(run('xchgl %eax, %eax', { rax: 0x1_0000_0005n }).register('rax')).toBe(5n);
    expect(run('xchgq %rax, %rax', { rax: 0x1_0000_0005n }).register('rax')).toBe(0x1_0000_0005n);
  });

  it('cmpxchg writes the destination on success and the accumulator on failure', () => {
    const m = run('movq $0x100, %rdi\ncmpxchgq %rcx, %rbx', { rax: 4n, rbx: 4n, rcx: 9n });
    expect(m.register('rbx')).toBe(9n);
    expect(flags(m) & Flag.ZF).toBe(Flag.ZF);
    const f = run('cmpxchgl %ecx, %ebx', { rax: 1n, rbx: 4n, rcx: 9n });
    expect(f.register('rax')).toBe(4n);
    expect(flags(f) & Flag.ZF).toBe(0);
  });

  it('bt/bts, bsf/bsr and bswap', () => {
    const m = run('btsq $63, %rax\nbsrq %rax, %rcx\nbsfq %rbx, %rdx\nbswapl %esi', { rax: 0n, rbx: 0x10n, rsi: 0x1122_3344n });
    expect(m.register('rax')).toBe(0x8000_0000_0000_0000n);
    expect(m.register('rcx')).toBe(63n);
    expect(m.register('rdx')).toBe(4n);
    expect(m.register('rsi')).toBe(0x4433_2211n);
  });

  it('memory operands: RIP-relative loads, SIB addressing, and a store read back', () => {
    const { machine } = machineWith('movq %rax, (%rsp,%rcx,8)\nmovq (%rsp,%rcx,8), %rdx\nmovl data(%rip), %esi\nhlt\ndata: .long 0xdeadbeef\n');
    machine.setRegister('rsp', 0x1f_0000n);
    machine.setRegister('rax', 0x1234n);
    machine.setRegister('rcx', 2n);
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.register('rdx')).toBe(0x1234n);
    expect(machine.register('rsi')).toBe(0xdead_beefn);
  });
});

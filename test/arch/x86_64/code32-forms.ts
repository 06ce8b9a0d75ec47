/**
 * The 32-bit code forms (compatibility mode with CS.D = 1) hyplay
 * implements, in AT&T syntax, each with the row it must encode to: the
 * rows only 32-bit code has (INC/DEC r32 at 40–4F, MOV with a 32-bit moffs
 * at A0–A3), and the forms of shared rows whose encoding or meaning
 * differs from 64-bit code (32-bit default stack and branch size, 32-bit
 * addresses without a 67 prefix, an absolute disp32 at ModRM mod 00 r/m
 * 101, 16-bit operands and near branches with 66, AH–BH without REX).
 * `scripts/pin-x86-code32-encodings.ts` pins them to llvm-mc
 * `-triple=i386` in `fixtures/encodings-code32.json`.
 *
 * @module
 */

import type { X86Form } from './forms.ts';

/** Every 32-bit form, in the fixture's order. */
export function code32Forms(): X86Form[] {
  const forms: [string, string][] = [
    // The rows of 32-bit code only.
    ['incl %eax', 'inc Zv'],
    ['incl %edi', 'inc Zv'],
    ['incw %sp', 'inc Zv'],
    ['decl %ecx', 'dec Zv'],
    ['decl %esi', 'dec Zv'],
    ['decw %bx', 'dec Zv'],
    ['movb 0x1234, %al', 'mov AL,Ob'],
    ['movl 0x500100, %eax', 'mov rAX,Ov'],
    ['movw %es:0x10, %ax', 'mov rAX,Ov'],
    ['movb %al, 0xffff0000', 'mov Ob,AL'],
    ['movl %eax, 0x500108', 'mov Ov,rAX'],
    ['movw %ax, %fs:0x20', 'mov Ov,rAX'],
    // The stack: 32-bit by default, 16 with 66.
    ['pushl %eax', 'push Zs'],
    ['pushl %ebp', 'push Zs'],
    ['pushw %dx', 'push Zs'],
    ['popl %edx', 'pop Zs'],
    ['popw %si', 'pop Zs'],
    ['pushl (%eax)', 'push Es'],
    ['pushl 8(%esp)', 'push Es'],
    ['popl 4(%ebx)', 'pop Es'],
    ['pushl $5', 'push Ib'],
    ['pushl $-128', 'push Ib'],
    ['pushl $0x12345678', 'push Iz'],
    ['pushw $4660', 'push Iz'],
    ['pushfl', 'pushfq'],
    ['popfl', 'popfq'],
    ['pushw %fs', 'push fs'],
    // Near branches: EIP, 32-bit return addresses; rel16 with 66.
    ['calll .+0x100', 'call Jz'],
    ['calll *%eax', 'call Es'],
    ['calll *8(%ebx)', 'call Es'],
    ['jmpl *%ecx', 'jmp Es'],
    ['jmpl *(%esi,%edi,4)', 'jmp Es'],
    ['jmp .+0x1000', 'jmp Jz'],
    ['jmp .+16', 'jmp Jb'],
    ['jne .+0x1000', 'jne Jz'],
    ['je .+16', 'je Jb'],
    ['retl', 'ret'],
    ['retl $8', 'ret Iw'],
    ['retw', 'ret'],
    // 32-bit addressing: no 67, an absolute disp32 at mod 00 r/m 101, SIB forms.
    ['movl 4(%esp), %eax', 'mov Gv,Ev'],
    ['movl (%ebp), %ecx', 'mov Gv,Ev'],
    ['movl 0x500100, %ebx', 'mov Gv,Ev'],
    ['movl 0x100(,%ecx,4), %edx', 'mov Gv,Ev'],
    ['movl %esi, -16(%ebp,%edi,8)', 'mov Ev,Gv'],
    ['leal 8(%eax,%ebx,4), %ecx', 'lea Gv,Mm'],
    ['leaw (%eax), %cx', 'lea Gv,Mm'],
    ['addl $1, (%eax)', 'add Ev,Isb'],
    ['addl $0x12345, 0x500000', 'add Ev,Isz'],
    ['cmpb $7, %ds:(%esi)', 'cmp Eb,Ib'],
    ['xorl %eax, %eax', 'xor Ev,Gv'],
    ['subw %ax, %bx', 'sub Ev,Gv'],
    ['movb %ah, %al', 'mov Eb,Gb'],
    ['movb %bh, (%ecx)', 'mov Eb,Gb'],
    ['movl $0x11223344, %edi', 'mov Zv,Iz'],
    ['movw $0x1234, %si', 'mov Zv,Iz'],
    ['movzbl %ch, %eax', 'movzx Gv,Eb'],
    ['movswl (%ebx), %edx', 'movsx Gv,Ew'],
    ['imull $10, %ecx, %edx', 'imul Gv,Ev,Isb'],
    ['shll $3, 12(%esp)', 'shl Ev,Ib'],
    ['notl %ebp', 'not Ev'],
    ['incl (%eax)', 'inc Ev'],
    ['decb %dh', 'dec Eb'],
    ['cmovel 4(%esp), %eax', 'cmove Gv,Ev'],
    ['sete %bl', 'sete Eb'],
    ['xchgl %eax, %ebx', 'xchg rAX,Zv'],
    ['lock cmpxchgl %ecx, (%edx)', 'cmpxchg Ev,Gv'],
    ['bswapl %esi', 'bswap Zy'],
    ['cltd', 'cdq'],
    ['cwtl', 'cwde'],
    ['testl $0x80, %eax', 'test rAX,Iz'],
    // The trap instructions.
    ['int $0x80', 'int Ib'],
    ['syscall', 'syscall'],
    ['vmcall', 'vmcall'],
    ['vmmcall', 'vmmcall'],
    ['cpuid', 'cpuid'],
    ['hlt', 'hlt'],
  ];
  return forms.map(([text, row]) => ({ text, row }));
}

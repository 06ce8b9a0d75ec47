/**
 * A deterministic list of x86-64 instruction forms in AT&T syntax, each with
 * the table row it is expected to hit. It feeds the pinned encodings
 * (`scripts/pin-x86_64-encodings.ts` writes `fixtures/encodings.json` and
 * `fixtures/encodings-intel.json`), the round trips and the live llvm-mc
 * comparison.
 *
 * Forms are generated from each row's operand codes: registers rotate
 * through fixed cycles (so REX.R/X/B and the SPL…DIL bytes are all hit),
 * memory operands through every addressing form (base, base+disp8,
 * base+disp32, SIB with each scale, RIP-relative, absolute, a segment
 * override), immediates through the edges of their fields. Where the
 * llvm-mc-preferred encoding of a text is another row (register-register
 * forms of the `Gv,Ev` rows, the accumulator short forms), the generator
 * picks operands that only this row takes.
 *
 * @module
 */

import { X86_TABLE, type OperandDef, type X86Row } from '../../../arch/x86_64/table.ts';
import { GPR16_NAMES, GPR32_NAMES, GPR8_REX_NAMES, GPR_NAMES } from '../../../arch/x86_64/registers.ts';

/** One instruction text and the table row it must encode to. */
export interface X86Form {
  /** AT&T assembly text, accepted by both llvm-mc and hyplay. */
  readonly text: string;
  /** Name of the table row the text encodes to. */
  readonly row: string;
}

const MEMORY: readonly string[] = ['(%rax)', '8(%rbx)', '-16(%rbp)', '(%rcx,%rdx,4)', '256(%r12,%r13,8)', '(%rsp)', '16(%rip)', '%fs:40', '(%r13)', '-129(%rsi,%rdi,2)', '0x12345(%r9)', '%gs:(%r8,%r15)'];

/** Register number cycles that avoid the accumulator (so the short accumulator forms do not take the text). */
const CYCLE = [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 5, 4];

function regName(n: number, size: number): string {
  return `%${size === 8 ? GPR_NAMES[n] : size === 4 ? GPR32_NAMES[n] : size === 2 ? GPR16_NAMES[n] : GPR8_REX_NAMES[n]}`;
}

const SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };

function sizeOf(def: OperandDef, opsize: number): number {
  switch (def.size) {
    case 'b':
      return 1;
    case 'w':
      return 2;
    case 'd':
      return 4;
    case 'q':
      return 8;
    case 'z':
      return opsize === 2 ? 2 : 4;
    case 'y':
      return opsize === 8 ? 8 : 4;
    default:
      return opsize;
  }
}

/** The operand sizes a row is written at. */
function sizes(r: X86Row): number[] {
  if (r.osz === 'n') return [r.operands.some((o) => o.size === 'b') && !r.operands.some((o) => o.size === 'q') ? 1 : 8];
  if (r.osz === 's') return r.operands.length === 0 ? [8] : [8, 2];
  if (r.w === '1') return [8];
  if (r.w === '0') return [4, 2];
  if (r.operands.some((o) => o.size === 'y')) return [4, 8];
  return r.operands.some((o) => o.size === 'v' || o.size === 'y' || o.size === 'z') ? [4, 8, 2] : [1];
}

/** Immediates for an operand: values only that field (and not a shorter one) takes. */
function immediates(r: X86Row, def: OperandDef, opsize: number): string[] {
  const size = sizeOf(def, opsize);
  if (def.kind === 'Is' && def.size === 'b') return ['1', '-1', '127', '-128'];
  if (def.kind === 'Is') return opsize === 2 ? ['256', '-300', '0x7fff'] : ['256', '-129', '0x12345678', '-0x80000000'];
  if (r.handler === 'int') return ['0x80', '3', '0x21'];
  if (r.handler === 'shift' || r.handler === 'bt') return ['3', '7', '31'];
  if (r.handler === 'ret') return ['8', '0x100'];
  if (def.size === 'q') return ['0x123456789', '-0x123456789', '0x7fffffffffffffff'];
  if (size === 1) return ['1', '-1', '0x7f', '-128', '255'];
  if (size === 2) return ['0x1234', '65535', '-1'];
  return ['0x12345678', '4294967295', '256'];
}

/** The forms of one row. */
function rowForms(r: X86Row, seed: number): X86Form[] {
  const out: X86Form[] = [];
  const handler = r.handler;
  const gFirst = r.operands[0]?.kind === 'G' && r.operands[1]?.kind === 'E';
  const reverseOnly = gFirst && ['alu', 'mov'].includes(handler);
  let k = seed;
  for (const opsize of sizes(r)) {
    const variants = r.operands.length === 0 ? 1 : 3;
    for (let v = 0; v < variants; v++, k++) {
      const texts: string[] = [];
      let ok = true;
      for (const def of r.operands) {
        const size = sizeOf(def, opsize);
        const n = CYCLE[(k * 3 + texts.length * 5) % CYCLE.length]!;
        switch (def.kind) {
          case 'E':
          case 'M': {
            const memoryOnly = def.kind === 'M' || reverseOnly || handler === 'xchg' || (handler === 'push' || handler === 'pop' || handler.endsWith('indirect') ? false : false);
            const useReg = !memoryOnly && v % 2 === 0 && !(handler === 'push' || handler === 'pop');
            texts.push(useReg ? regName(n, size) : MEMORY[(k + v) % MEMORY.length]!);
            break;
          }
          case 'R':
          case 'G':
          case 'Z':
            texts.push(regName(handler === 'xchg' && def.kind === 'Z' ? CYCLE[(k % 14)]! : n, size));
            break;
          case 'F':
            texts.push(regName(def.reg!, size));
            break;
          case 'S':
            texts.push(`%${['es', 'cs', 'ss', 'ds', 'fs', 'gs'][handler === 'mov-to-seg' ? [0, 2, 3, 4, 5][k % 5]! : k % 6]}`);
            break;
          case 'C':
            texts.push(`%cr${[0, 2, 3, 4, 8][k % 5]}`);
            break;
          case 'I':
          case 'Is': {
            const values = immediates(r, def, opsize);
            texts.push(`$${values[(k + v) % values.length]}`);
            break;
          }
          case 'one':
            texts.push('$1');
            break;
          case 'J':
            texts.push(def.size === 'b' ? `.+${[16, -16, 100][v % 3]}` : `.+${[0x1000, -0x1000, 0x12345][v % 3]}`);
            break;
          case 'O':
            texts.push(['0x1000', '0x123456789abc', '%fs:0x10'][v % 3]!);
            break;
          default:
            ok = false;
        }
      }
      if (!ok) continue;
      // 0x12345(%r9) and other memory with an immediate need the suffix; register forms carry it too (llvm-mc's printing).
      const suffix = SUFFIX[opsize] ?? '';
      let mnemonic = r.att.replace('{s}', suffix);
      if (handler === 'jmp' || handler === 'jcc') mnemonic = r.att;
      const operands = [...texts].reverse();
      const indirect = handler === 'call-indirect' || handler === 'jmp-indirect';
      const text = operands.length === 0 ? mnemonic : `${mnemonic} ${indirect ? '*' : ''}${operands.join(', ')}`;
      if (!out.some((f) => f.text === text)) out.push({ text, row: r.name });
    }
  }
  return out;
}

/** Rows whose generated forms llvm-mc would give to another row, with forms written by hand instead. */
const HAND: Readonly<Record<string, readonly string[]>> = {
  'xchg rAX,Zv': ['xchgl %ecx, %eax', 'xchgq %r9, %rax', 'xchgw %dx, %ax', 'xchgl %r8d, %eax'],
  'xchg Ev,Gv': ['xchgl %ecx, (%rax)', 'xchgq %r9, 8(%rbx)', 'xchgw %dx, (%rcx,%rdx,4)'],
  'xchg Eb,Gb': ['xchgb %cl, (%rax)', 'xchgb %r9b, 8(%rbx)', 'xchgb %ah, (%rcx,%rdx,4)'],
  'xchg Gb,Rb': ['xchgb %ah, %al', 'xchgb %sil, %dil', 'xchgb %r8b, %cl'],
  'xchg Gv,Rv': ['xchgl %r8d, %ecx', 'xchgq %rbx, %r15', 'xchgw %r11w, %si', 'xchgq %rsp, %r12'],
  'mov Ev,Sw': ['movl %ss, %eax', 'movw %ds, (%rax)', 'movq %fs, %r9', 'movw %gs, %cx'],
  'mov Sw,Ev': ['movl %eax, %ds', 'movw (%rax), %es', 'movl %r9d, %fs', 'movw %cx, %gs', 'movl %edx, %ss'],
  'push Es': ['pushq (%rax)', 'pushq 8(%rsp)', 'pushw (%rbx)', 'pushq %fs:16'],
  'pop Es': ['popq (%rax)', 'popq -8(%rbp)', 'popw (%rcx)'],
  'push Zs': ['pushq %rax', 'pushq %r12', 'pushw %ax', 'pushq %rsp', 'pushw %r15w'],
  'pop Zs': ['popq %rbx', 'popq %r15', 'popw %cx', 'popq %rsp'],
  'push Ib': ['pushq $1', 'pushq $-1', 'pushw $127', 'pushq $-128'],
  'push Iz': ['pushq $256', 'pushq $-2147483648', 'pushw $4660', 'pushq $0x12345678'],
  'push fs': ['pushq %fs', 'pushw %fs'],
  'push gs': ['pushq %gs', 'pushw %gs'],
  'pop fs': ['popq %fs', 'popw %fs'],
  'pop gs': ['popq %gs', 'popw %gs'],
  pushfq: ['pushfq', 'pushfw'],
  popfq: ['popfq', 'popfw'],
  'call Jz': ['callq .+256', 'callq .-4096', 'callq .+0x12345'],
  'call Es': ['callq *%rax', 'callq *8(%rax)', 'callq *%r11', 'callq *(%rip)'],
  'jmp Es': ['jmpq *%rax', 'jmpq *8(%rax)', 'jmpq *%r14', 'jmpq *(%rcx,%rdx,8)'],
  'jmp Jb': ['jmp .+16', 'jmp .-16', 'jmp .+100'],
  'jmp Jz': ['jmp .+4096', 'jmp .-4096', 'jmp .+0x12345'],
  ret: ['retq'],
  'ret Iw': ['retq $8', 'retq $256'],
  'int Ib': ['int $128', 'int $4', 'int $33'],
  'mov Zv,Iz': ['movl $1, %eax', 'movl $4294967295, %r9d', 'movw $4660, %cx', 'movl $0x12345678, %edi'],
  'mov Ev,Isz': ['movq $1, %rax', 'movq $-1, %rbx', 'movl $1, (%rax)', 'movw $4660, 8(%rbx)', 'movq $-2147483648, %fs:40', 'movl $256, 16(%rip)'],
  'movabs Zq,Iq': ['movabsq $0x123456789, %rax', 'movabsq $-0x123456789, %r10', 'movabsq $0x7fffffffffffffff, %rsp'],
  'mov Zb,Ib': ['movb $1, %al', 'movb $-1, %ah', 'movb $127, %sil', 'movb $-128, %r9b'],
  'mov Eb,Ib': ['movb $1, (%rax)', 'movb $-1, 8(%rbx)', 'movb $127, %fs:40'],
  'movabs AL,Ob': ['movabsb 0x1000, %al', 'movabsb 0x123456789abc, %al'],
  'movabs rAX,Ov': ['movabsq 0x1000, %rax', 'movabsl 0x123456789abc, %eax', 'movabsw 0x10, %ax'],
  'movabs Ob,AL': ['movabsb %al, 0x1000', 'movabsb %al, 0x123456789abc'],
  'movabs Ov,rAX': ['movabsq %rax, 0x1000', 'movabsl %eax, 0x2000', 'movabsw %ax, 0x10'],
  'mov Rq,Cq': ['movq %cr0, %rax', 'movq %cr2, %rbx', 'movq %cr3, %r9', 'movq %cr4, %rsp', 'movq %cr8, %rdx'],
  'mov Cq,Rq': ['movq %rax, %cr0', 'movq %rbx, %cr3', 'movq %r9, %cr4', 'movq %rcx, %cr2', 'movq %r8, %cr8'],
  'nop Ev': ['nopl (%rax)', 'nopw 8(%rax,%rax)', 'nopl 256(%rax,%rax)', 'nopw %ax', 'nopl %ecx', 'nopq (%rax)'],
  lgdtq: ['lgdtq (%rax)', 'lgdtq 8(%rsp)', 'lgdt (%r9)'],
  lidtq: ['lidtq (%rax)', 'lidtq 16(%rip)', 'lidt (%rbx,%rcx,2)'],
  'ltr Ew': ['ltrw %ax', 'ltrw (%rax)', 'ltrw %r9w'],
  'invlpg Mb': ['invlpg (%rax)', 'invlpg 16(%rbx,%rcx,8)', 'invlpg %fs:40', 'invlpg (%r13)'],
  'bswap Zy': ['bswapl %eax', 'bswapq %r9', 'bswapl %r12d', 'bswapq %rsp'],
};

/** Hand forms for each condition's rows. */
function conditionForms(r: X86Row): string[] | undefined {
  const cc = r.att.replace(/^(j|set|cmov)/, '').replace('{s}', '');
  switch (r.handler) {
    case 'jcc':
      return r.opcode.length === 1 ? [`j${cc} .+16`, `j${cc} .-100`] : [`j${cc} .+4096`, `j${cc} .-4096`];
    case 'setcc':
      return [`set${cc} %al`, `set${cc} (%rax)`, `set${cc} %r9b`];
    case 'cmovcc':
      return [`cmov${cc}q %rax, %rcx`, `cmov${cc}l (%rax), %ecx`, `cmov${cc}w %r9w, %dx`];
    default:
      return undefined;
  }
}

/** Extra forms: lock prefixes and the forms llvm-mc prints without an explicit operand. */
const EXTRA: readonly X86Form[] = [
  { text: 'lock addl %eax, (%rcx)', row: 'add Ev,Gv' },
  { text: 'lock incq (%rax)', row: 'inc Ev' },
  { text: 'lock cmpxchgq %rcx, (%rax)', row: 'cmpxchg Ev,Gv' },
  { text: 'lock xaddl %edx, 8(%rbx)', row: 'xadd Ev,Gv' },
  { text: 'lock btsq $3, (%rax)', row: 'bts Ev,Ib' },
  { text: 'lock orb $1, (%rdi)', row: 'or Eb,Ib' },
  // XCHG is symmetric: llvm-mc takes 90+r with the accumulator on either side, and 87 /r for eax with itself (90 is NOP in 64-bit mode).
  { text: 'xchgq %rax, %rdx', row: 'xchg rAX,Zv' },
  { text: 'xchgw %ax, %si', row: 'xchg rAX,Zv' },
  { text: 'xchgl %eax, %r8d', row: 'xchg rAX,Zv' },
  { text: 'xchgl %eax, %eax', row: 'xchg Gv,Rv' },
];

/** Every form of 64-bit code, in a fixed order (the rows of 32-bit code only are pinned by `code32-forms.ts`). */
export function x86Forms(): X86Form[] {
  const out: X86Form[] = [];
  X86_TABLE.rows.filter((r) => r.modes !== '32').forEach((r, i) => {
    const hand = HAND[r.name] ?? conditionForms(r);
    if (hand !== undefined) for (const text of hand) out.push({ text, row: r.name });
    else out.push(...rowForms(r, i));
  });
  out.push(...EXTRA);
  const seen = new Set<string>();
  return out.filter((f) => (seen.has(f.text) ? false : (seen.add(f.text), true)));
}

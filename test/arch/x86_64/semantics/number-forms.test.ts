/**
 * The number-typed forms against the general BigInt handlers they stand in
 * for: each form, assembled and predecoded as the interpreter does, runs
 * on random registers and flags beside its row's general handler, and the
 * two must leave identical registers, RFLAGS and RIP. Predecode must also
 * choose them exactly where the operands allow (and not for memory
 * operands, 8- and 16-bit sizes, LOCK, or far branch targets).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predecodeX86, X86_INSTRUCTION_SETS } from '../../../../arch/x86_64/core.ts';
import { createX86State, GPR_NAMES, GPR32_NAMES, RFLAGS_WRITABLE, Flag, type X86State } from '../../../../arch/x86_64/registers.ts';
import type { X86Op } from '../../../../arch/x86_64/semantics/common.ts';
import { X86_SEMANTICS } from '../../../../arch/x86_64/semantics/index.ts';
import { LITTLE_ENDIAN_HOST, numberForm } from '../../../../arch/x86_64/semantics/number-forms.ts';
import { assemble } from '../../../../src/isa/assembler.ts';
import { GuestMemory } from '../../../../src/memory/guest-memory.ts';

const LOAD = 0x10_0000;

/** Predecode one AT&T instruction at LOAD. */
function decode(text: string): X86Op {
  const memory = new GuestMemory('little');
  const program = assemble(X86_INSTRUCTION_SETS.att, `${text}\n`, LOAD);
  memory.load(LOAD, program.bytes);
  return predecodeX86(memory, LOAD);
}

function stateWith(gprs: readonly bigint[], rflags: number): X86State {
  const s = createX86State();
  gprs.forEach((v, i) => (s.gpr[i] = v));
  s.rflags = (rflags & RFLAGS_WRITABLE) | Flag.FIXED;
  return s;
}

/** Interesting 64-bit values: edges of every width, and anything. */
const value = fc.oneof(
  fc.constantFrom(0n, 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_0000_0000n),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 33n) - 1n }),
);
const register = fc.integer({ min: 0, max: 15 });
const imm32 = fc.oneof(fc.constantFrom(0, 1, -1, 0x7f, -0x80, 0x7fff_ffff, -0x8000_0000, 0x10), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }));
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

const form = fc.oneof(
  fc.tuple(fc.constantFrom(...ALU, 'test', 'mov'), fc.constantFrom('q', 'l'), register, register).map(([m, w, a, b]) => `${m}${w} %${(w === 'q' ? GPR_NAMES : GPR32_NAMES)[b]}, %${(w === 'q' ? GPR_NAMES : GPR32_NAMES)[a]}`),
  fc.tuple(fc.constantFrom(...ALU, 'test', 'mov'), fc.constantFrom('q', 'l'), register, imm32).map(([m, w, a, i]) => `${m}${w} $${w === 'l' && i < 0 ? i >>> 0 : i}, %${(w === 'q' ? GPR_NAMES : GPR32_NAMES)[a]}`),
  fc.tuple(fc.constantFrom('inc', 'dec'), fc.constantFrom('q', 'l'), register).map(([m, w, a]) => `${m}${w} %${(w === 'q' ? GPR_NAMES : GPR32_NAMES)[a]}`),
  fc.tuple(register, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map(([a, v]) => `movabsq $${v}, %${GPR_NAMES[a]}`),
  fc.tuple(fc.constantFrom('jo', 'jno', 'jb', 'jae', 'je', 'jne', 'jbe', 'ja', 'js', 'jns', 'jp', 'jnp', 'jl', 'jge', 'jle', 'jg', 'jmp'), fc.integer({ min: -0x8000, max: 0x8000 })).map(([m, d]) => `${m} ${LOAD + d}`),
);

describe.runIf(LITTLE_ENDIAN_HOST)('x86_64 number-typed forms', () => {
  it('leave the registers, RFLAGS and RIP exactly as the general handler does', () => {
    fc.assert(
      fc.property(form, fc.array(value, { minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffff_ffff }), (text, gprs, rflags) => {
        const op = decode(text);
        expect(numberForm(op) ?? `no number form for ${text}`).toBe(op.exec);
        const general = X86_SEMANTICS[op.insn!.row.handler]!;
        const a = stateWith(gprs, rflags);
        const b = stateWith(gprs, rflags);
        a.pc = op.next;
        b.pc = op.next;
        expect(general(a, op)).toBe(op.exec(b, op));
        expect([...b.gpr]).toEqual([...a.gpr]);
        expect(b.rflags.toString(16)).toBe(a.rflags.toString(16));
        expect(b.pc).toBe(a.pc);
      }),
      { numRuns: 1500 },
    );
  });

  it('are chosen only for 32- and 64-bit register and immediate operands and near lower-half branches', () => {
    const fast = (text: string): boolean => numberForm(decode(text)) !== undefined;
    expect(fast('addq %rax, %rbx')).toBe(true);
    expect(fast('subl $1, %r9d')).toBe(true);
    expect(fast('jne 0x100000')).toBe(true);
    expect(fast('addq (%rax), %rbx')).toBe(false);
    expect(fast('addq %rbx, 8(%rax)')).toBe(false);
    expect(fast('addw %ax, %bx')).toBe(false);
    expect(fast('addb $1, %ah')).toBe(false);
    expect(fast('lock addq %rax, (%rbx)')).toBe(false);
    expect(fast('movq (%rsp), %rax')).toBe(false);
    expect(fast('leaq 8(%rax), %rbx')).toBe(false);
  });

  it('run a whole loop as the interpreter did before them (the ALU loop, 1000 iterations)', () => {
    const memory = new GuestMemory('little');
    const program = assemble(X86_INSTRUCTION_SETS.att, 'movl $1000, %ecx\nloop: addq $1, %rax\nxorq %rax, %rdx\nsubq $1, %rcx\njne loop\nhlt\n', LOAD);
    memory.load(LOAD, program.bytes);
    const s = createX86State();
    s.pc = LOAD;
    // Step by hand with the general handlers as the reference.
    const r = createX86State();
    r.pc = LOAD;
    for (let i = 0; i < 1 + 4 * 1000; i++) {
      const op = predecodeX86(memory, s.pc);
      s.pc = op.next;
      op.exec(s, op);
      const ref = predecodeX86(memory, r.pc);
      r.pc = ref.next;
      X86_SEMANTICS[ref.insn!.row.handler]!(r, ref);
    }
    expect([...s.gpr]).toEqual([...r.gpr]);
    expect(s.rflags).toBe(r.rflags);
    expect(s.pc).toBe(r.pc);
    expect(s.gpr[1]).toBe(0n);
    expect(s.gpr[0]).toBe(1000n);
  });
});

/**
 * The block loop's inline ops (`DecodedOp.fast`, chosen in x86's
 * `x86FastKind`) mean exactly what their handlers do: every inline ALU,
 * TEST, MOV, INC and DEC form on 32- and 64-bit registers and immediates,
 * Jcc under every condition and JMP, the flags an op leaves alone when the
 * next op writes them all (and computes when the budget ends between them),
 * the step counter RDTSC reads, and SYSCALL/SYSRET and VMCALL/VMMCALL round
 * trips straight to the exception model. Each program runs through the
 * block loop (no trace, or a trace recorder, which the loop records into
 * block by block) and through `op.exec` one step at a time (a plain trace
 * sink takes the interpreter's observed loop), from the same random
 * registers and flags; both must end in the same state after the same
 * number of steps, and a recorder's events must be the plain sink's.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KVM_X86_ABIS } from '../../../arch/x86_64/abis/kvm-x86.abi.ts';
import type { X86Machine } from '../../../arch/x86_64/core.ts';
import { SpecHost } from '../../../arch/x86_64/firmware/spec-host.ts';
import type { Vendor } from '../../../arch/x86_64/registers.ts';
import { TraceRecorder, type TraceEvent } from '../../../src/interp/trace.ts';
import { machineWith } from './machine-harness.ts';

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
/** Immediates as AT&T writes them: imm8 and imm32 forms, sign-extended to 64 bits. */
const IMMEDIATES = ['$0', '$1', '$-1', '$0x7f', '$-0x80', '$0x7fffffff', '$-0x80000000', '$0x12345678'];
/** The general registers the programs use (RSP stays the stack; RCX and R11 are SYSCALL's). */
const REGISTERS = ['rax', 'rbx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10'];

/** One instruction of each inline form. */
function forms(): string[] {
  const out: string[] = [];
  for (const op of [...ALU, 'test']) {
    out.push(`${op}q %rbx, %rax`, `${op}q %rax, %rax`, `${op}l %ebx, %eax`, `${op}l %r9d, %r8d`, `${op}q %r10, %rsi`);
    for (const imm of IMMEDIATES) out.push(`${op}q ${imm}, %rdx`, `${op}l ${imm}, %edi`);
  }
  out.push('movq %rbx, %rax', 'movq %rax, %rax', 'movl %ebx, %eax', 'movl %eax, %eax', 'movq %r9, %r8');
  for (const imm of IMMEDIATES) out.push(`movq ${imm}, %rdx`, `movl ${imm}, %edi`);
  out.push('movabsq $0x123456789abcdef0, %rsi', 'movabsq $-2, %r10');
  for (const op of ['inc', 'dec']) out.push(`${op}q %rax`, `${op}l %ebx`, `${op}q %r9`, `${op}l %r10d`);
  return out;
}

interface Start {
  readonly registers: readonly bigint[];
  readonly flags: number;
}

function machineOf(source: string, start: Start, vendor: Vendor = 'intel'): X86Machine {
  const { machine } = machineWith(source, { vendor, engine: 'interp' });
  start.registers.forEach((value, k) => machine.setRegister(REGISTERS[k]!, value));
  machine.setRegister('rflags', BigInt(start.flags));
  return machine;
}

/** What a run leaves: why and where it stopped, the steps, every register. */
function outcome(machine: X86Machine, budget: number): unknown {
  const result = machine.run(budget);
  return { reason: result.reason, steps: result.steps, pc: result.pc, registers: machine.registers() };
}

/** Run `source` through the block loop and one op at a time; the state and step counts must agree. */
function agree(source: string, start: Start, budget: number, setup: (machine: X86Machine) => void = () => undefined, vendor: Vendor = 'intel'): void {
  const fast = machineOf(source, start, vendor);
  const stepped = machineOf(source, start, vendor);
  setup(fast);
  setup(stepped);
  stepped.trace = { emit: () => undefined };
  expect(outcome(fast, budget), source).toEqual(outcome(stepped, budget));
}

/** Run `source` traced into a recorder (the block loop) and into a plain sink (one op at a time); the events and the state must agree. */
function agreeTraced(source: string, start: Start, budget: number, setup: (machine: X86Machine) => void = () => undefined, vendor: Vendor = 'intel'): void {
  const recorded = machineOf(source, start, vendor);
  const stepped = machineOf(source, start, vendor);
  setup(recorded);
  setup(stepped);
  const recorder = new TraceRecorder();
  recorded.trace = recorder;
  const events: TraceEvent[] = [];
  stepped.trace = { emit: (event) => events.push(event) };
  const a = outcome(recorded, budget);
  const b = outcome(stepped, budget);
  expect(a, source).toEqual(b);
  expect(recorder.events, source).toEqual(events);
}

/** Random 64-bit values, and often the edges (0, 1, all ones, the sign bits, a carry into the high word). */
const value = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, 0xffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, (1n << 64n) - 1n),
);
/** Registers and the status flags (CF, PF, AF, ZF, SF, OF in any combination). */
const start: fc.Arbitrary<Start> = fc.tuple(fc.array(value, { minLength: REGISTERS.length, maxLength: REGISTERS.length }), fc.integer({ min: 0, max: 0xfff })).map(([registers, bits]) => ({ registers, flags: (bits & 0x8d5) | 2 }));

describe('x86_64 inline ops', () => {
  it('every inline ALU, TEST, MOV, INC and DEC form agrees with its handler', () => {
    // Two machines per form, put back to the same snapshot for every start (building a machine is the slow part).
    const starts = fc.sample(start, { numRuns: 40 });
    for (const form of forms()) {
      const source = `${form}\nhlt`;
      const fast = machineOf(source, starts[0]!);
      const stepped = machineOf(source, starts[0]!);
      stepped.trace = { emit: () => undefined };
      const initial = [fast.snapshot(), stepped.snapshot()] as const;
      for (const from of starts) {
        const ran = [fast, stepped].map((machine, k) => {
          machine.restore(initial[k]!);
          from.registers.forEach((v, r) => machine.setRegister(REGISTERS[r]!, v));
          machine.setRegister('rflags', BigInt(from.flags));
          return outcome(machine, 10);
        });
        expect(ran[0], source).toEqual(ran[1]);
      }
    }
  });

  it('flags left to the next op are still computed when the budget ends between them, and ADC, SBB, INC and DEC see the flags they read', () => {
    const sequences = [
      'addq $1, %rax\nxorq %rax, %rdx\nsubq $1, %rbx\njne top',
      'subq %rbx, %rax\nadcq %rdx, %rsi\nsbbl %edi, %r8d\ncmpq %rax, %rbx\njb top',
      'addl $-1, %eax\nincq %rdx\ndecl %esi\nandq %rax, %rbx\ntestl %eax, %eax\njle top',
      'cmpq $5, %rax\norq %rbx, %rdx\ntestq $0x80, %rsi\nxorl %edi, %edi\nsubl $3, %r8d\njg top',
      'addq %rax, %rax\nadcq %rax, %rax\nsubq %rbx, %rdx\nsbbq %rdx, %rdx\ndecq %r9\nje top',
    ];
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 24 }), (from, budget) => {
        for (const body of sequences) agree(`top:\n${body}\nhlt`, from, budget);
      }),
      { numRuns: 30 },
    );
  });

  it('Jcc agrees under every condition and JMP, and a block of inline ops stops exactly at the budget', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 40 }), (from, budget) => {
        for (const cc of CONDITIONS) {
          agree(`top: addq $1, %rax\ncmpq %rbx, %rax\nj${cc} there\nmovl $7, %edx\nthere: incl %esi\nxorq %rax, %rdx\nsubq $1, %rdi\nj${cc} top\njmp top\nhlt`, from, budget);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('RDTSC between inline ops reads the step count it would with every op its own block', () => {
    // The observed loop (a plain sink) does not count steps for RDTSC; the reference is the block loop one op per run.
    const source = 'top: addq $1, %rbx\nrdtsc\nxorq %rax, %rsi\nmovq %rdx, %rdi\nsubq $1, %r8\nrdtsc\njne top\nhlt';
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 60 }), (from, budget) => {
        const fast = machineOf(source, from);
        const single = machineOf(source, from);
        const a = outcome(fast, budget);
        let steps = 0;
        let last = single.run(0);
        while (steps < budget) {
          last = single.run(1);
          steps += last.steps;
          if (last.reason !== 'budget-exhausted') break;
        }
        expect(a, source).toEqual({ reason: last.reason, steps, pc: last.pc, registers: single.registers() });
      }),
      { numRuns: 30 },
    );
    // The first RDTSC is the second instruction run: it reads 2.
    const machine = machineOf(source, { registers: REGISTERS.map(() => 0n), flags: 2 });
    machine.run(2);
    expect(machine.register('rax')).toBe(2n);
  });

  it('traced into a recorder, the block loop records the same events as one op at a time', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 50 }), (from, budget) => {
        agreeTraced('top: addq $1, %rax\nxorq %rax, %rdx\nmovq %rbx, %rsi\nsubq $1, %rbx\njne top\nmovl $3, %esi\njmp top', from, budget);
      }),
      { numRuns: 20 },
    );
  });

  const syscallLoop = `
        movl    $0xc0000082, %ecx          # IA32_LSTAR
        leaq    handler(%rip), %rax
        xorl    %edx, %edx
        wrmsr
        movl    $0xc0000081, %ecx          # IA32_STAR
        xorl    %eax, %eax
        movl    $0x00230010, %edx
        wrmsr
        movl    $0xc0000080, %ecx          # IA32_EFER
        rdmsr
        orl     $1, %eax                   # SCE
        wrmsr
        leaq    loop(%rip), %rcx
        movl    $2, %r11d
        movl    $5, %ebx
        sysretq
loop:   syscall
        addq    $1, %rsi
        syscall
        subq    $1, %rbx
        jne     loop
        sysretq
        hlt
handler:
        addq    $1, %rdi
        sysretq
`;

  it('SYSCALL and SYSRET round trips (and SYSRET at CPL 3, #GP) agree with the handlers, traced or not', () => {
    for (const budget of [1, 12, 16, 17, 18, 19, 20, 23, 40, 100]) {
      const from: Start = { registers: REGISTERS.map(() => 0n), flags: 0x2 };
      agree(syscallLoop, from, budget);
      agreeTraced(syscallLoop, from, budget);
    }
  });

  it('SYSCALL with EFER.SCE clear is still #UD', () => {
    const source = syscallLoop.replace('orl     $1, %eax', 'andl    $-2, %eax');
    for (const budget of [16, 17, 18, 30]) agree(source, { registers: REGISTERS.map(() => 0n), flags: 0x2 }, budget);
  });

  it('VMCALL and VMMCALL exits to spec firmware agree with the handlers under both vendors, traced or not (and the other vendor\'s instruction is #UD)', () => {
    const abi = KVM_X86_ABIS.find((a) => a.spec.id === 'kvm-x86-v5.7-vmcall')!;
    const install = (machine: X86Machine): void => void SpecHost.install(machine, { abis: [abi], recordEvents: false });
    for (const vendor of ['intel', 'amd'] as const) {
      for (const instruction of ['vmcall', 'vmmcall']) {
        const source = `movl $5, %ebx\nloop: movl $1, %eax\n${instruction}\naddq $1, %rsi\n${instruction}\nsubq $1, %rbx\njne loop\nhlt`;
        for (const budget of [1, 3, 4, 5, 8, 13, 40]) {
          const from: Start = { registers: REGISTERS.map(() => 0n), flags: 0x2 };
          agree(source, from, budget, install, vendor);
          agreeTraced(source, from, budget, install, vendor);
        }
      }
    }
  });
});

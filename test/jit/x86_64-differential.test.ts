/**
 * The x86-64 JIT against the interpreter: every program must end identically
 * under both engines — every register (RFLAGS and the system registers
 * included), every mapped byte, the stop reason, detail and PC, the step
 * count, and the trace lines. Programs: the bench loops (spec firmware
 * included), the showcase, every scenario, seeded random straight-line
 * sequences of the translated forms (MOV, ADD … CMP, ADC/SBB, TEST, INC/DEC
 * on 32- and 64-bit registers and immediates) mixed with forms left to the
 * interpreter (8- and 16-bit, memory operands, RDTSC), with forward
 * branches and loops; self-modifying code; and a guest that turns paging
 * on. Each at many step counts, and in split runs (run(n) then run(m)
 * against run(n + m)).
 */

import { describe, expect, it } from 'vitest';
import { X86_64_BACKEND } from '../../arch/x86_64/backend.ts';
import { createX86Machine, X86_INSTRUCTION_SETS, type X86Core, type X86MachineOptions } from '../../arch/x86_64/core.ts';
import { PAGED_MODE_KEY } from '../../arch/x86_64/jit/translator.ts';
import { PATCHING_ERAS } from '../../arch/x86_64/abis/hypercall-patching.ts';
import { SpecHost } from '../../arch/x86_64/firmware/spec-host.ts';
import type { X86State } from '../../arch/x86_64/registers.ts';
import { loadAbis } from '../../src/di/container.ts';
import type { CoreMachine, Machine } from '../../src/interp/machine.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { TraceRecorder } from '../../src/interp/trace.ts';
import { setUpScenario } from '../../src/scenario/runner.ts';
import { machineWith } from '../arch/x86_64/machine-harness.ts';
import { upperHalfMachine } from '../arch/x86_64/upper-half-machine.ts';
import { agree as agreeAmong, expectRestoreRunsFresh, outcome, type Plan, type Setup as SetupFor } from '../support/engine-agreement.ts';

const abis = loadAbis();

/** The engines compared: the interpreter first (the reference), then the JIT. */
const ENGINES: readonly { readonly name: string; readonly options: X86MachineOptions }[] = [
  { name: 'interp', options: { engine: 'interp' } },
  { name: 'jit', options: { engine: 'jit' } },
  { name: 'jit (no traces)', options: { engine: 'jit', translation: { traces: false } } },
];

type Setup = SetupFor<X86MachineOptions>;

function agree(label: string, setup: Setup, plan: Plan): void {
  agreeAmong(ENGINES, label, setup, plan);
}

const COUNTS = [...Array.from({ length: 24 }, (_, i) => i), 31, 32, 33, 63, 64, 65, 97, 250, 1000, 4097];
const SMALL: Plan = { counts: COUNTS, splits: [7, 33, 97, 1000], traced: [5, 17, 64, 250] };

const LOAD = X86_64_BACKEND.loadAddress;
/** A data page (R15 points at it in the random programs). */
const DATA = 0x20_0000;

/** Assemble `source` at the load address, with a stack below and the data page, at `mode`. */
function program(source: string, mode = 'cpl0', more: (machine: Machine) => void = () => undefined): Setup {
  const assembled = assemble(X86_INSTRUCTION_SETS.att, source, LOAD);
  return (options) => {
    const machine = createX86Machine(options);
    machine.memory.map(LOAD - 0x4000, 0x4000);
    machine.memory.load(assembled.base, assembled.bytes.length === 0 ? new Uint8Array(1) : assembled.bytes);
    machine.memory.map(DATA, 0x1000);
    machine.setMode(mode);
    machine.pc = assembled.base;
    machine.setRegister('rsp', BigInt(LOAD));
    more(machine);
    return machine;
  };
}

function jitOf(machine: Machine) {
  return ((machine as CoreMachine<X86State>).core as X86Core).jit!;
}

describe('x86_64 JIT = interpreter', () => {
  it('offers both engines, the JIT first', () => {
    expect(X86_64_BACKEND.engines).toEqual(['jit', 'interp']);
    expect(X86_64_BACKEND.createMachine().engine).toBe('jit');
  });

  for (const bench of X86_64_BACKEND.benchmarks) {
    it(`bench loop ${bench.metric}`, () => {
      agree(
        bench.metric,
        program(bench.source, bench.mode, (machine) => {
          for (const [name, value] of Object.entries(bench.registers)) machine.setRegister(name, value);
          if (bench.firmware?.install !== undefined) bench.firmware.install(machine, abis.get(bench.firmware.abi)!);
        }),
        { ...SMALL, counts: [...COUNTS, 12345, 100003], splits: [...SMALL.splits, 100003] },
      );
    });
  }

  it('the ALU bench loop is translated into one looping block', () => {
    const machine = program(X86_64_BACKEND.benchmarks[0]!.source)({ engine: 'jit' });
    expect(machine.run(100_000).reason).toBe('budget-exhausted');
    expect(jitOf(machine).blocks().some((block) => block.source.includes('for (;;)'))).toBe(true);
  });

  it('the showcase', () => {
    const showcase = X86_64_BACKEND.showcase;
    agree('showcase', program(showcase.source, showcase.mode), { ...SMALL, traced: [...SMALL.traced, showcase.maxSteps] });
  });

  for (const scenario of X86_64_BACKEND.scenarios!.scenarios()) {
    it(`scenario ${scenario.name}`, () => {
      expect(setUpScenario(X86_64_BACKEND, scenario, { engine: 'jit' }, abis).machine.engine).toBe('jit');
      agree(scenario.name, (options) => setUpScenario(X86_64_BACKEND, scenario, options, abis).machine, {
        counts: [1, 2, 3, 8, 21, 55, 144, 377, 987, scenario.maxSteps],
        splits: [scenario.maxSteps],
        traced: [scenario.maxSteps],
      });
    });
  }

  it('seeded random sequences of the translated forms, with forms left to the interpreter, branches and loops', () => {
    let seed = 0x86;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = (): number => ((random(0x10000) << 16) | random(0x10000)) >>> 0;
    // R15 holds the data page; RSP the stack.
    const Q = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14'];
    const L = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d'];
    const pick = <T>(list: readonly T[]): T => list[random(list.length)]!;
    const imm = (): string => {
      const k = random(6);
      if (k === 0) return '0';
      if (k === 1) return `${random(8)}`;
      if (k === 2) return `-${1 + random(8)}`;
      if (k === 3) return '0x7fffffff';
      if (k === 4) return '-0x80000000';
      return `${word() | 0}`;
    };
    const alu = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
    const conditions = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
    let labels = 0;
    const instruction = (): string[] => {
      const wide = random(2) === 0;
      const r = wide ? Q : L;
      const sfx = wide ? 'q' : 'l';
      const kind = random(20);
      if (kind < 3) return [random(2) === 0 ? `mov${sfx} $${imm()}, %${pick(r)}` : `mov${sfx} %${pick(r)}, %${pick(r)}`];
      if (kind === 3) return [`movabsq $0x${word().toString(16)}${word().toString(16).padStart(8, '0')}, %${pick(Q)}`];
      if (kind < 10) return [random(2) === 0 ? `${pick(alu)}${sfx} $${imm()}, %${pick(r)}` : `${pick(alu)}${sfx} %${pick(r)}, %${pick(r)}`];
      if (kind < 12) return [random(2) === 0 ? `test${sfx} $${imm()}, %${pick(r)}` : `test${sfx} %${pick(r)}, %${pick(r)}`];
      if (kind < 14) return [`${random(2) === 0 ? 'inc' : 'dec'}${sfx} %${pick(r)}`];
      if (kind === 14) {
        // Left to the interpreter: 8- and 16-bit forms, memory operands, shifts, RDTSC.
        return [pick(['addb %al, %bl', 'orw %cx, %dx', 'movq %rax, 8(%r15)', 'addq 8(%r15), %rcx', 'shlq $3, %rsi', 'negl %edi', 'rdtsc', 'imulq %rbx, %rcx', 'cmpb $7, %dl'])];
      }
      if (kind < 18) {
        // A short forward branch over one or two instructions.
        const label = `f${labels++}`;
        const over = [...instruction(), ...(random(2) === 0 ? instruction() : [])].filter((line) => !line.includes(':') && !line.startsWith('j'));
        return [random(4) === 0 ? `jmp ${label}` : `j${pick(conditions)} ${label}`, ...over, `${label}:`];
      }
      if (kind === 18) {
        // A small counted loop (the counter in r14, which the body leaves alone).
        const label = `b${labels++}`;
        const body = Array.from({ length: 1 + random(4) }, () => {
          const lines = instruction().filter((line) => !line.includes(':') && !line.startsWith('j') && !line.includes('r14'));
          return lines;
        }).flat();
        return [`movl $${1 + random(40)}, %r14d`, `${label}:`, ...body, 'decq %r14', `jne ${label}`];
      }
      return [`${random(2) === 0 ? 'inc' : 'dec'}${sfx} %${pick(r)}`, `j${pick(conditions)} f${labels}`, `f${labels++}:`];
    };
    for (let c = 0; c < 120; c++) {
      const lines = Array.from({ length: 1 + random(24) }, instruction).flat();
      lines.push('hlt');
      const registers = Q.map(() => (random(4) === 0 ? BigInt(random(16)) : (BigInt(word()) << 32n) | BigInt(word())));
      const rflags = BigInt(0x2 | (random(0x100) & 0xd5) | (random(2) << 11));
      agree(
        `random ${c}: ${lines.join('; ')}`,
        program(lines.join('\n'), 'cpl0', (machine) => {
          Q.forEach((name, i) => machine.setRegister(name, registers[i]!));
          machine.setRegister('rflags', rflags);
          machine.setRegister('r15', BigInt(DATA));
        }),
        { counts: [1, 2, 3, 5, 8, 13, 40, 100, 400, 2000], splits: [13, 400], traced: c % 8 === 0 ? [13, 400] : [] },
      );
    }
  });

  it('self-modifying code: a store into the running block, into a loop body, and code copied and run', () => {
    const source = `
        # 1. Rewrite the instruction after the store (same straight run): movl $1, %eax becomes movl $7, %eax.
        movb    $7, patch+1(%rip)
patch:  movl    $1, %eax
        # 2. A loop whose body is rewritten on its third pass: addl $1, %esi becomes addl $16, %esi.
        xorl    %esi, %esi
        movl    $6, %ecx
loop:   addl    $1, %esi
        cmpl    $4, %ecx
        jne     skip
        movb    $16, loop+2(%rip)
skip:   decl    %ecx
        jne     loop
        # 3. Copy a function to the data page and call it, twice, changing it in between.
        movq    func(%rip), %rdx
        movq    %rdx, (%r15)
        call    *%r15
        movl    %eax, %r8d
        movb    $9, 1(%r15)
        call    *%r15
        hlt
func:   movl    $5, %eax
        ret
        nop
        nop
`;
    const setup = program(source, 'cpl0', (machine) => machine.setRegister('r15', BigInt(DATA)));
    agree('self-modifying', setup, { ...SMALL, traced: [...SMALL.traced, 60] });
    // A machine restored after a run that rewrote its code runs as a fresh one.
    expectRestoreRunsFresh(ENGINES, setup, [3, 10, 30, 1000]);
    const machine = setup({ engine: 'jit' });
    expect(machine.run(1000).reason).toBe('wfi');
    expect([machine.register('rax'), machine.register('rsi'), machine.register('r8')]).toEqual([9n, 3n + 3n * 16n, 5n]);
    expect(jitOf(machine).stats.invalidated).toBeGreaterThan(0);
  });

  it('faults and traps among translated ops (#PF, #UD, #BP, #GP, #DE, int $0x80), each delivered through the IDT', () => {
    const handlers = ['h_de', 'h_bp', 'h_ud', 'h_gp', 'h_pf', 'h_80'].map((name) => `${name}: movq %r12, %r13\n addq $7, %r13\n hlt`).join('\n');
    const faults = ['movq (%rbx), %rax', 'ud2', 'int3', 'wrmsr', 'divl %esi', 'int $0x80', 'movq %rax, (%rbx)', 'addl %eax, 16(%rdi)'];
    for (const fault of faults) {
      const source = `
        movl    $0x70000000, %ebx
        xorl    %esi, %esi
        movl    $0x12345, %ecx
        movl    $${0x20_0000 - 0x100}, %edi
        movl    $4, %r12d
loop:   addq    $3, %r12
        xorq    %r12, %rdx
        decl    %r12d
        cmpl    $12, %r12d
        jne     loop
        subq    $1, %r12
        ${fault}
        incq    %r12
        hlt
${handlers}`;
      const probe = machineWith(source);
      const at = (name: string): number => probe.labels.get(name)!;
      const setup: Setup = (options) =>
        machineWith(source, {
          ...(options.engine === undefined ? {} : { engine: options.engine }),
          gates: { 0: { offset: at('h_de') }, 3: { offset: at('h_bp'), dpl: 3 }, 6: { offset: at('h_ud') }, 13: { offset: at('h_gp') }, 14: { offset: at('h_pf') }, 0x80: { offset: at('h_80'), dpl: 3, type: 15 } },
        }).machine;
      agree(`fault ${fault}`, setup, { counts: [1, 5, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 30, 40], splits: [17, 40], traced: [40] });
      const machine = setup({ engine: 'jit' });
      expect(machine.run(100).reason, fault).toBe('wfi');
      // Every one but the last (a store to a mapped page) is delivered to its handler, which leaves R13 = R12 + 7.
      if (fault !== faults.at(-1)) expect(machine.register('r13'), fault).toBe(machine.register('r12') + 7n);
      else expect(machine.register('r13'), fault).toBe(0n);
    }
  });

  it('blocks a few bytes apart keep their own slots of the block front (x86 code is byte-aligned)', () => {
    // Four 2-byte syscalls in a row, each a block of its own, entered in turn from the handler's sysretq.
    const machine = program(X86_64_BACKEND.benchmarks[1]!.source)({ engine: 'jit', translation: { traces: false } });
    expect(machine.run(20_000).reason).toBe('budget-exhausted');
    const jit = jitOf(machine);
    const misses = jit.stats.misses;
    expect(machine.run(20_000).reason).toBe('budget-exhausted');
    expect(jit.stats.misses).toBe(misses);
  });

  it('SYSCALL/SYSRET loops through the exception model templates: traps mid-block, guards that fail, self-modifying code at the trap site', () => {
    // At CPL 3 the loop makes two syscalls per pass, each between ALU ops; the CPL-0 handler counts in R9 and, on its
    // 200th run, does the variant's special thing instead of a plain sysretq.
    const specials: Record<string, string> = {
      'plain sysretq': 'sysretq',
      'return elsewhere (the trace guard fails)': 'leaq elsewhere(%rip), %rcx\n sysretq',
      'non-canonical RCX (Intel #GP at CPL 0, AMD faults on the fetch)': 'movabsq $0x800000000000, %rcx\n sysretq',
      'RCX in the upper half': 'movabsq $0xffff800000001000, %rcx\n sysretq',
      'EFER.SCE cleared (#UD)': 'movl $0xc0000080, %ecx\n rdmsr\n andl $-2, %eax\n wrmsr\n leaq after1(%rip), %rcx\n sysretq',
      'SYSRETL to compatibility mode': 'sysretl',
      'the second syscall overwritten with two NOPs': 'movw $0x9090, second(%rip)\n sysretq',
      'LSTAR moved': 'movl %ecx, %r12d\n movl $0xc0000082, %ecx\n leaq handler2(%rip), %rax\n xorl %edx, %edx\n wrmsr\n movl %r12d, %ecx\n sysretq',
      'SFMASK changed': 'movq %rcx, %r12\n movl $0xc0000084, %ecx\n movl $0x700, %eax\n xorl %edx, %edx\n wrmsr\n movq %r12, %rcx\n sysretq',
    };
    const gatesOf = (at: (name: string) => number) => ({ 6: { offset: at('h_ud') }, 13: { offset: at('h_gp') }, 14: { offset: at('h_pf') } });
    for (const vendor of ['intel', 'amd'] as const) {
      for (const [name, special] of Object.entries(specials)) {
        const source = `
        movl    $0xc0000082, %ecx          # IA32_LSTAR
        leaq    handler(%rip), %rax
        xorl    %edx, %edx
        wrmsr
        movl    $0xc0000081, %ecx          # IA32_STAR
        xorl    %eax, %eax
        movl    $0x00230010, %edx
        wrmsr
        movl    $0xc0000084, %ecx          # IA32_FMASK
        movl    $0x47700, %eax
        xorl    %edx, %edx
        wrmsr
        leaq    loop(%rip), %rcx
        movl    $0x246, %r11d
        movl    $300, %ebx
        sysretq
loop:   addq    $3, %rsi
        syscall
after1: xorq    %rsi, %rdi
second: syscall
        incq    %r10
        subq    $1, %rbx
        jne     loop
        hlt
elsewhere:
        addq    $5, %rdi
        syscall
        jmp     after1
handler:
        incq    %r9
        cmpq    $200, %r9
        je      special
        sysretq
handler2:
        addq    $2, %r9
        sysretq
special:
        ${special}
h_ud:   movl    $6, %r13d
        hlt
h_gp:   movl    $13, %r13d
        hlt
h_pf:   movl    $14, %r13d
        hlt
`;
        const probe = machineWith(source);
        const at = (label: string): number => probe.labels.get(label)!;
        const setup: Setup = (options) =>
          machineWith(source, {
            vendor,
            gates: gatesOf(at),
            ...(options.engine === undefined ? {} : { engine: options.engine }),
            ...(options.translation === undefined ? {} : { translation: options.translation }),
          }).machine;
        agree(`${vendor}: ${name}`, setup, { counts: [1, 2, 3, 5, 8, 13, 16, 17, 18, 19, 20, 21, 30, 64, 100, 500, 1000, 1500, 2000, 2500, 2800, 2810, 3000, 5000], splits: [17, 333, 1400, 3000], traced: [100, 3000] });
      }
    }
    // The plain loop becomes a trace with both trap instructions inline.
    const machine = program(X86_64_BACKEND.benchmarks[1]!.source)({ engine: 'jit' });
    expect(machine.run(100_000).reason).toBe('budget-exhausted');
    const jit = jitOf(machine);
    expect(jit.stats.traces).toBe(1);
    const trace = jit.blocks().find((block) => block.kind === 'trace')!;
    expect(trace.source).not.toContain('X.settle');
  });

  it('hypercall loops whose VM exits go straight to the exception model: both vendors, patched code at the trap site, a host stop, #UD', () => {
    const kvm = abis.get('kvm-x86-v5.7-vmcall')!;
    // The loop's hypercall is the vendor's own, the other vendor's (KVM patches it on the first #UD and the guest runs the
    // patched bytes), or one with a prefix (#UD, reinjected); on its 150th pass RAX asks for a number KVM answers -ENOSYS,
    // or for one no spec claims.
    const cases: Record<string, { insn: string; odd: string; patching: boolean }> = {
      native: { insn: 'NATIVE', odd: 'movl $1, %eax', patching: false },
      'other vendor, patched': { insn: 'OTHER', odd: 'movl $1, %eax', patching: true },
      'other vendor, no patching (#UD reinjected)': { insn: 'OTHER', odd: 'movl $1, %eax', patching: false },
      'an unknown number (-ENOSYS)': { insn: 'NATIVE', odd: 'movl $77, %eax', patching: false },
      'RAX above 2^32': { insn: 'NATIVE', odd: 'movabsq $0x100000001, %rax', patching: false },
      'with a REP prefix (#UD)': { insn: 'rep NATIVE', odd: 'movl $1, %eax', patching: false },
    };
    for (const vendor of ['intel', 'amd'] as const) {
      const native = vendor === 'intel' ? 'vmcall' : 'vmmcall';
      const other = vendor === 'intel' ? 'vmmcall' : 'vmcall';
      for (const [name, c] of Object.entries(cases)) {
        const insn = c.insn.replace('NATIVE', native).replace('OTHER', other);
        const source = `
        movl    $300, %ebx
loop:   movl    $1, %eax
        cmpl    $150, %ebx
        jne     plain
        ${c.odd}
plain:  ${insn.startsWith('rep') ? `.byte 0xf3\n        ${native}` : insn}
        addq    %rax, %rsi
        movl    $1, %eax
        ${native}
        subq    $1, %rbx
        jne     loop
        hlt
h_ud:   movl    $6, %r13d
        hlt
`;
        const probe = machineWith(source);
        const setup: Setup = (options) => {
          const machine = machineWith(source, {
            vendor,
            gates: { 6: { offset: probe.labels.get('h_ud')! } },
            ...(options.engine === undefined ? {} : { engine: options.engine }),
            ...(options.translation === undefined ? {} : { translation: options.translation }),
          }).machine;
          SpecHost.install(machine, { abis: [kvm], ...(c.patching ? { patching: PATCHING_ERAS.at(-1)! } : {}), recordEvents: false });
          return machine;
        };
        agree(`${vendor}: ${name}`, setup, { counts: [1, 2, 3, 5, 8, 13, 21, 40, 64, 100, 500, 1000, 1100, 1200, 1300, 2000, 2500, 3000], splits: [13, 1200, 3000], traced: [100, 1300] });
      }
    }
    // At CPL 3 under Hyper-V the host injects #UD for every vmcall (KVM: "per HYPER-V spec"): the exit resumes in the
    // guest's #UD handler at CPL 0, not at the next instruction; the handler steps over the vmcall and returns.
    const hyperv = ['kvm-x86-v5.7-vmcall', 'hyperv-tlfs-v3.9-vmcall', 'hyperv-tlfs-v3.9-vmcall-cpl3'].map((id) => abis.get(id)!);
    const user = `
        movl    $300, %ebx
loop:   movl    $1, %eax
        vmcall
        addq    %rax, %rsi
        subq    $1, %rbx
        jne     loop
        hlt
h_ud:   incq    %r12
        addq    $3, (%rsp)
        iretq
h_gp:   movl    $13, %r13d
        hlt
`;
    const userProbe = machineWith(user);
    const userSetup: Setup = (options) => {
      const machine = machineWith(user, {
        gates: { 6: { offset: userProbe.labels.get('h_ud')! }, 13: { offset: userProbe.labels.get('h_gp')! } },
        ...(options.engine === undefined ? {} : { engine: options.engine }),
        ...(options.translation === undefined ? {} : { translation: options.translation }),
      }).machine;
      machine.setMode('cpl3');
      machine.setRegister('hv_x64_msr_guest_os_id', 0x8100n << 48n);
      machine.setRegister('hv_x64_msr_hypercall', 0x1_2345_6001n);
      SpecHost.install(machine, { abis: hyperv, recordEvents: false });
      return machine;
    };
    agree('intel: Hyper-V at CPL 3 injects #UD', userSetup, { counts: [1, 2, 3, 5, 8, 13, 21, 40, 64, 100, 500, 1000, 2000, 2500, 3000], splits: [13, 1200], traced: [100] });
    const injected = userSetup({ engine: 'jit' });
    injected.run(3000);
    expect(injected.register('r12')).toBe(300n);
    // The bench's spec loop becomes a trace that calls the model directly.
    const bench = X86_64_BACKEND.benchmarks[2]!;
    const machine = program(bench.source, bench.mode, (m) => bench.firmware!.install!(m, kvm))({ engine: 'jit' });
    expect(machine.run(100_000).reason).toBe('budget-exhausted');
    const trace = jitOf(machine).blocks().find((block) => block.kind === 'trace');
    expect(trace?.source).toContain('deliverHypercallExit');
  });

  it('a loop whose JE/JNE reads its last writer lazily: flags the next pass reads, and every way out, see that writer', () => {
    const loops = [
      // ADC at the top reads the CF the last pass's SUB left (it borrows on about half the passes; the budget ends the loop).
      'movl $5, %ebx\nloop: adcl $0, %edx\naddl $0x9e3779b9, %eax\nsubl %eax, %ebx\njne loop\nhlt',
      'movq $5, %rbx\nloop: adcq $0, %rdx\naddq %rbx, %rax\nsubq %rax, %rbx\njne loop\nhlt',
      // SBB reads the CF of DEC's pass (DEC keeps the ADD's CF); the loop leaves on JE.
      'movl $33, %ecx\nloop: sbbl %esi, %edi\naddl $0x40000000, %ebx\ndecl %ecx\nje out\njmp loop\nout: hlt',
      // Nothing reads the flags at the top: the write is only on the ways out.
      'movl $70, %ecx\nloop: addq $3, %rax\nxorq %rax, %rdx\nincl %esi\ncmpl $5, %esi\ndecq %rcx\njne loop\nhlt',
    ];
    for (const [i, source] of loops.entries()) agree(`lazy ${i}`, program(source), SMALL);
  });

  it('a run split across many budgets ends as one run', () => {
    const setup = program(X86_64_BACKEND.benchmarks[0]!.source);
    const whole = setup({ engine: 'jit' });
    const expected = outcome(whole, whole.run(50_000));
    const split = setup({ engine: 'jit' });
    let done = 0;
    for (const budget of [1, 2, 3, 4, 5, 7, 100, 3, 16_385, 999, 1]) done += split.run(budget).steps;
    const last = split.run(50_000 - done);
    expect({ ...outcome(split, last).registers }).toEqual(expected.registers);
    expect(split.pc).toBe(whole.pc);
  });

  it('with paging on (the guest loads CR3), the JIT hands the run to the interpreter', () => {
    // An identity map of the low 4 MiB in 2 MiB pages: PML4 → PDPT → PD.
    const PML4 = 0x30_0000;
    const source = `
        movl    $${PML4}, %eax
        movq    %rax, %cr3
        movl    $100, %ecx
loop:   addq    $3, %rbx
        xorq    %rbx, %rdx
        movq    %rdx, 16(%r15)
        decl    %ecx
        jne     loop
        hlt
`;
    const setup = program(source, 'cpl0', (machine) => {
      const m = machine.memory;
      m.map(PML4, 0x3000);
      m.write64(PML4, BigInt(PML4 + 0x1000) | 3n);
      m.write64(PML4 + 0x1000, BigInt(PML4 + 0x2000) | 3n);
      m.write64(PML4 + 0x2000, 0x83n);
      m.write64(PML4 + 0x2008, 0x20_0000n | 0x83n);
      machine.setRegister('r15', BigInt(DATA));
    });
    agree('paging', setup, { counts: [1, 2, 3, 4, 10, 100, 505, 1000], splits: [100, 505], traced: [10, 505] });
    const machine = setup({ engine: 'jit' });
    expect(machine.run(1000).reason).toBe('wfi');
    expect(machine.register('rbx')).toBe(300n);
    expect(jitOf(machine).blocks().every((block) => block.mode !== PAGED_MODE_KEY || block.kind === 'step')).toBe(true);
  });

  it('an upper-half kernel (LSTAR 0xffffffff81000000 through PML4 entry 511) entered by a user syscall ends alike on both engines', () => {
    const setup: Setup = (options) => upperHalfMachine(options).machine;
    agree('upper half', setup, { counts: [1, 2, 17, 18, 19, 20, 30, 35, 36, 37, 38, 40, 60, 200], splits: [36, 60], traced: [20, 40, 60] });
    const machine = setup({ engine: 'jit' });
    machine.run(60);
    expect(machine.register('rax')).toBe(0x1122_3344_5566_7788n);
  });

  it('code at and above 4 GiB (up to the top of the lower half) runs alike on both engines: the JIT leaves it to the interpreter', () => {
    const loop = `
        movl    $20, %ecx
loop:   addl    $3, %eax
        decl    %ecx
        jne     loop
        movl    $7, %ebx
        hlt
`;
    for (const base of [0xffff_f000, 0x1_0000_0000, 0x7fff_ffff_e000]) {
      const assembled = assemble(X86_INSTRUCTION_SETS.att, loop, base);
      const setup: Setup = (options) => {
        const machine = createX86Machine(options);
        machine.memory.load(base, assembled.bytes);
        machine.pc = base;
        return machine;
      };
      agree(`loop at 0x${base.toString(16)}`, setup, { counts: [1, 2, 10, 30, 62, 63, 64, 100], splits: [63], traced: [64] });
      const machine = setup({ engine: 'jit' });
      expect(machine.run(100).reason).toBe('wfi');
      expect([machine.register('rax'), machine.register('rbx')]).toEqual([60n, 7n]);
    }
    // Translated code below 4 GiB whose branches go above it.
    const near = assemble(X86_INSTRUCTION_SETS.att, '        movl    $20, %ecx\n        addl    $1, %edx\n        jne     0x100000000\n', 0xffff_e000);
    const far: Setup = (options) => {
      const machine = createX86Machine(options);
      machine.memory.load(near.base, near.bytes);
      machine.memory.load(0x1_0000_0000, assemble(X86_INSTRUCTION_SETS.att, loop, 0x1_0000_0000).bytes);
      machine.pc = near.base;
      return machine;
    };
    agree('jmp to 4 GiB', far, { counts: [1, 2, 3, 30, 100], splits: [30], traced: [30] });
  });

  it('lower-half code branching to an upper-half target without paging: the JIT leaves the fetch #PF to the interpreter', () => {
    const setup = program(
      `
        movl    $10, %ecx
loop:   decl    %ecx
        jne     loop
        jmp     0xffffffff81000000
`,
    );
    agree('upper-half target', setup, { counts: [1, 5, 21, 22, 23, 24, 100], splits: [24], traced: [24] });
    // No IDT is set up: the fetch #PF at the target cannot be delivered (its gate read faults, then #DF's: a triple fault).
    const machine = setup({ engine: 'jit' });
    const recorder = new TraceRecorder();
    machine.trace = recorder;
    expect(machine.run(100).reason).toBe('recursive-fault');
    const lines = recorder.lines();
    expect(lines.some((line) => line.endsWith(' jmp 0xffffffff81000000'))).toBe(true);
    expect(lines).toContain('0xffffffff81000000 cpl0 ??           <unmapped>');
  });
});

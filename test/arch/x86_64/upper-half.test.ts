/**
 * The upper canonical half (SDM vol. 1 §3.3.7.1; vol. 3 §4.5), where every
 * Linux x86-64 kernel lives: a user task's `syscall` into an IA32_LSTAR of
 * 0xffff_ffff_8100_0000 mapped by the guest's own page tables (PML4 entry
 * 511), with a stack, CALL/RET and a RIP-relative load there; how the
 * traces, the disassembly and the register view print such addresses; what
 * an upper-half address means before the guest loads CR3 (unmapped: #PF);
 * and the non-canonical values on both sides of the hole
 * (0x0000_8000_0000_0000 and 0xffff_7fff_ffff_ffff) as #GP(0) or #SS(0)
 * wherever the architecture checks them.
 */

import { describe, expect, it } from 'vitest';
import { PageAccess, walk } from '../../../arch/x86_64/paging.ts';
import { addressValue, createX86State, isCanonical, isCanonicalNumber, linearAddress, NON_CANONICAL_PC } from '../../../arch/x86_64/registers.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { PATCHING_ERAS } from '../../../arch/x86_64/abis/hypercall-patching.ts';
import { KVM_X86_ABIS } from '../../../arch/x86_64/abis/kvm-x86.abi.ts';
import { X86_INSTRUCTION_SETS } from '../../../arch/x86_64/core.ts';
import { SpecHost } from '../../../arch/x86_64/firmware/spec-host.ts';
import { TraceRecorder } from '../../../src/interp/trace.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { IST1, machineWith, STACK_TOP, stackWord } from './machine-harness.ts';
import { KERNEL, KERNEL_PHYS, KERNEL_VA, kernelLabel, upperHalfMachine } from './upper-half-machine.ts';

/** The two non-canonical values next to the hole: the first above the lower half, the last below the upper half. */
const NON_CANONICAL = [0x0000_8000_0000_0000n, 0xffff_7fff_ffff_ffffn] as const;

const HANDLERS = `
h_gp:   hlt
h_pf:   hlt
h_ss:   hlt
h_df:   hlt
`;

/** A lower-half program with #GP/#PF/#SS/#DF handlers on IST1 (no paging unless the program loads CR3). */
function withHandlers(body: string, vendor: 'intel' | 'amd' = 'intel') {
  const source = `${body}\n${HANDLERS}`;
  const probe = machineWith(source);
  const at = (name: string): number => probe.labels.get(name)!;
  return machineWith(source, {
    vendor,
    gates: { 8: { offset: at('h_df'), ist: 1 }, 12: { offset: at('h_ss'), ist: 1 }, 13: { offset: at('h_gp'), ist: 1 }, 14: { offset: at('h_pf'), ist: 1 } },
  });
}

/** Run until the guest halts; the handler label it halted in. */
function halted(machine: ReturnType<typeof withHandlers>['machine'], labels: ReadonlyMap<string, number>, budget = 100): string {
  const result = machine.run(budget);
  expect(result.reason, result.detail).toBe('wfi');
  for (const [name, address] of labels) if (address === machine.pc - 1 && name.startsWith('h_')) return name;
  return `0x${machine.pc.toString(16)}`;
}

/** The exception frame on IST1 of an exception with an error code: code, RIP, CS. */
function frame(machine: ReturnType<typeof withHandlers>['machine']) {
  const rsp = machine.register('rsp');
  return { code: stackWord(machine, rsp), rip: stackWord(machine, rsp + 8n), cs: stackWord(machine, rsp + 16n) };
}

describe('x86_64 addresses in the signed representation', () => {
  it('canonical values convert exactly both ways; a non-canonical one stays non-canonical', () => {
    expect(linearAddress(KERNEL_VA)).toBe(-0x7f00_0000);
    expect(addressValue(-0x7f00_0000)).toBe(KERNEL_VA);
    expect(linearAddress(0xffff_8000_0000_0000n)).toBe(-(2 ** 47));
    expect(linearAddress(0xffff_ffff_ffff_ffffn)).toBe(-1);
    expect(linearAddress(0x7fff_ffff_ffffn)).toBe(2 ** 47 - 1);
    for (const v of NON_CANONICAL) {
      expect(isCanonical(v)).toBe(false);
      expect(isCanonicalNumber(linearAddress(v))).toBe(false);
      // Both are within ±2^53: kept exactly.
      expect(addressValue(linearAddress(v))).toBe(v);
    }
    expect(linearAddress(0x8000_0000_0000_0000n)).toBe(NON_CANONICAL_PC);
    expect(isCanonical(1n << 64n)).toBe(false);
  });
});

describe('x86_64 4-level walk of the upper half', () => {
  it('indexes PML4 entries 256–511 with bits 47:39: 0xffff800000000000 is entry 256, Linux\'s direct map 0xffff888000000000 entry 273, the top entry 511', () => {
    const memory = new GuestMemory('little');
    memory.map(0, 0x10_0000);
    const s = createX86State();
    s.cr3 = 0x1000n;
    s.paging = 1;
    // Each PML4 entry under test points at its own PDPT, whose entry 0 (or 510 for the top) is a 1 GiB page.
    const cases = [
      { pml4: 256, pdpt: 0, va: 0xffff_8000_0000_1234n, frame: 0x4000_0000n },
      { pml4: 273, pdpt: 0, va: 0xffff_8880_0000_5678n, frame: 0x8000_0000n },
      { pml4: 511, pdpt: 510, va: 0xffff_ffff_8000_9abcn, frame: 0xc000_0000n },
    ];
    cases.forEach((c, i) => {
      const pdpt = 0x2000 + 0x1000 * i;
      memory.write64(0x1000 + 8 * c.pml4, BigInt(pdpt) | 3n);
      memory.write64(pdpt + 8 * c.pdpt, c.frame | 0x83n);
    });
    for (const c of cases) expect(walk(s, memory, linearAddress(c.va), PageAccess.read, false), c.va.toString(16)).toBe(Number(c.frame + (c.va & 0x3fff_ffffn)));
    // The lower half's entry 0 is not present: 0x1234 does not translate, nor does a non-canonical address.
    expect(walk(s, memory, 0x1234, PageAccess.read, false)).toBe(-1);
    expect(walk(s, memory, linearAddress(0xffff_7fff_ffff_f000n), PageAccess.read, false)).toBe(-1);
  });
});

describe('x86_64 upper-half kernel through paging', () => {
  it('syscall enters an upper-half LSTAR; the kernel pushes, pops, calls, returns and loads RIP-relative there, and sysretq returns', () => {
    for (const engine of ['interp', 'jit'] as const) {
      const { machine, labels } = upperHalfMachine({ engine });
      const result = machine.run(60);
      expect(result.reason).toBe('budget-exhausted');
      expect(machine.pc, engine).toBe(labels.get('back')!);
      expect(machine.mode()).toBe('cpl3');
      expect(machine.register('lstar')).toBe(KERNEL_VA);
      // The RIP-relative load, the helper's mark, the return address CALL pushed (an upper-half value).
      expect(machine.register('rax')).toBe(0x1122_3344_5566_7788n);
      expect(machine.register('rbx')).toBe(0x42n);
      expect(machine.register('r14')).toBe(kernelLabel('after'));
      // RSP in the upper half after two pushes, from a RIP-relative LEA.
      expect(machine.register('r13')).toBe(kernelLabel('stack_top') - 16n);
      // The pushes landed in the physical page the tables map.
      const stackTop = Number(kernelLabel('stack_top') - KERNEL_VA) + KERNEL_PHYS;
      expect(machine.memory.read64(stackTop - 8)).toBe(BigInt(labels.get('back')!));
      expect(machine.register('rcx')).toBe(BigInt(labels.get('back')!));
      expect(machine.memory.read64(stackTop - 24)).toBe(kernelLabel('after'));
    }
  });

  it('the trace shows upper-half RIPs, the syscall vector and CALL targets as 64-bit hex, with their bytes', () => {
    const { machine } = upperHalfMachine({ engine: 'interp' });
    const recorder = new TraceRecorder();
    machine.trace = recorder;
    machine.run(40);
    const lines = recorder.lines();
    expect(lines).toContain('-- exception syscall: syscall at 0x00100044; cpl3 -> cpl0, vector 0xffffffff81000000, return 0x00100046');
    expect(lines).toContain('0xffffffff81000000 cpl0 49 89 e4     movq %rsp, %r12');
    expect(lines.some((l) => /^0xffffffff8100000d cpl0 e8 [0-9a-f ]+ callq 0xffffffff81000025$/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('0xffffffff81000030 cpl0 c3') && l.endsWith('retq'))).toBe(true);
    expect(lines.some((l) => l.startsWith('-- return sysretq: cpl0 -> cpl3 at 0x00100046'))).toBe(true);
    expect(lines.every((l) => !l.includes('0x-'))).toBe(true);
  });

  it('the register view reads and writes RIP as the 64-bit value', () => {
    const { machine } = upperHalfMachine();
    machine.setRegister('rip', KERNEL_VA + 0x12n);
    expect(machine.pc).toBe(KERNEL + 0x12);
    expect(machine.register('rip')).toBe(KERNEL_VA + 0x12n);
    expect(machine.registers().rip).toBe('0xffffffff81000012');
    machine.setRegister('rip', 0xffff_7fff_ffff_ffffn);
    expect(machine.register('rip')).toBe(0xffff_7fff_ffff_ffffn);
  });

  it('a CPL-3 read of the supervisor kernel page is #PF(0x5) with CR2 the 64-bit address', () => {
    const { machine, labels } = upperHalfMachine();
    // Replace the user's first instruction with `movq 0xffffffff81000000, %rax` (48 8b 04 25 00 00 00 81: an absolute
    // disp32, sign-extended to the upper half, as kernel code addresses its data).
    machine.memory.writeBytes(labels.get('user')!, Uint8Array.from([0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x81]));
    expect(halted(machine, labels)).toBe('h_pf');
    expect(machine.register('cr2')).toBe(KERNEL_VA);
    expect(frame(machine).code).toBe(0x5n);
  });
});

describe('x86_64 hypercalls from an upper-half kernel', () => {
  it('Intel: a vmmcall at 0xffffffff81000007 is patched through the guest\'s page tables, re-executed as vmcall, and answered', () => {
    const { machine } = upperHalfMachine({ engine: 'interp' });
    const code = assemble(X86_INSTRUCTION_SETS.att, 'movq $-1, %rax\nvmmcall\nmovq %rax, %rbx\nmovq $-1, %rax\nvmmcall\nsysretq\n', KERNEL);
    machine.memory.load(KERNEL_PHYS, code.bytes);
    const host = SpecHost.install(machine, { abis: [KVM_X86_ABIS.find((a) => a.spec.id === 'kvm-x86-v4.11-vmcall')!], patching: PATCHING_ERAS.find((e) => e.key === 'v4.11')! });
    machine.run(60);
    expect(machine.register('rbx')).toBe(0xffff_ffff_ffff_fc18n);
    expect(machine.register('rax')).toBe(0xffff_ffff_ffff_fc18n);
    // Both call sites now hold vmcall, written at the physical page the tables map.
    expect(Array.from(machine.memory.readBytes(KERNEL_PHYS + 7, 3)!)).toEqual([0x0f, 0x01, 0xc1]);
    expect(Array.from(machine.memory.readBytes(KERNEL_PHYS + 20, 3)!)).toEqual([0x0f, 0x01, 0xc1]);
    expect(host.events.map((e) => [e.exit.name, addressValue(e.exit.address)])).toEqual([
      ['EXCEPTION_NMI', KERNEL_VA + 7n],
      ['VMCALL', KERNEL_VA + 7n],
      ['EXCEPTION_NMI', KERNEL_VA + 20n],
      ['VMCALL', KERNEL_VA + 20n],
    ]);
    expect(machine.mode()).toBe('cpl3');
  });
});

describe('x86_64 upper-half addresses before the guest loads CR3', () => {
  it('a load from an upper-half address is an unmapped #PF (P = 0), CR2 the 64-bit address: the identity map cannot reach it', () => {
    const { machine, labels } = withHandlers(`movabsq $${KERNEL_VA}, %rbx\nload: movq 8(%rbx), %rax`);
    expect(halted(machine, labels)).toBe('h_pf');
    expect(machine.register('cr2')).toBe(KERNEL_VA + 8n);
    expect(frame(machine).code).toBe(0n);
    expect(frame(machine).rip).toBe(BigInt(labels.get('load')!));
  });

  it('a store and a push there fault the same way, nothing written and RSP unchanged', () => {
    const store = withHandlers(`movabsq $${KERNEL_VA}, %rbx\nmovq %rax, (%rbx)`);
    expect(halted(store.machine, store.labels)).toBe('h_pf');
    expect(frame(store.machine).code).toBe(2n);
    const push = withHandlers(`movabsq $${KERNEL_VA + 0x1000n}, %rsp\npushq $1`);
    expect(halted(push.machine, push.labels)).toBe('h_pf');
    expect(push.machine.register('cr2')).toBe(KERNEL_VA + 0xff8n);
    expect(stackWord(push.machine, push.machine.register('rsp') + 32n)).toBe(KERNEL_VA + 0x1000n);
  });

  it('a jump there is a fetch #PF with RIP and CR2 the target, on both engines', () => {
    for (const engine of ['interp', 'jit'] as const) {
      const source = `movabsq $${KERNEL_VA}, %rbx\njmp *%rbx\n${HANDLERS}`;
      const probe = machineWith(source);
      const at = (name: string): number => probe.labels.get(name)!;
      const { machine, labels } = machineWith(source, { engine, gates: { 14: { offset: at('h_pf'), ist: 1 } } });
      expect(halted(machine, labels)).toBe('h_pf');
      expect(machine.register('cr2')).toBe(KERNEL_VA);
      expect(frame(machine).rip).toBe(KERNEL_VA);
      expect(machine.register('rsp')).toBe(BigInt(IST1 - 48));
    }
  });

  it('a direct jmp and jcc to an upper-half target fault on the fetch there, on both engines', () => {
    for (const engine of ['interp', 'jit'] as const) {
      for (const branch of ['jmp', 'je']) {
        const source = `xorl %eax, %eax\n${branch} ${KERNEL_VA}\n${HANDLERS}`;
        const probe = machineWith(source);
        const { machine, labels } = machineWith(source, { engine, gates: { 14: { offset: probe.labels.get('h_pf')!, ist: 1 } } });
        expect(halted(machine, labels), `${engine} ${branch}`).toBe('h_pf');
        expect(frame(machine).rip).toBe(KERNEL_VA);
      }
    }
  });
});

describe('x86_64 non-canonical addresses on both sides of the hole', () => {
  for (const value of NON_CANONICAL) {
    const hex = `0x${value.toString(16)}`;

    it(`a load, a store and an indirect jump at ${hex} are #GP(0) on the instruction`, () => {
      for (const insn of ['movq (%rbx), %rax', 'movq %rax, (%rbx)', 'jmp *%rbx']) {
        const { machine, labels } = withHandlers(`movabsq $${value}, %rbx\nat: ${insn}`);
        expect(halted(machine, labels), insn).toBe('h_gp');
        expect(frame(machine).code).toBe(0n);
        expect(frame(machine).rip).toBe(BigInt(labels.get('at')!));
      }
    });

    it(`a push and a pop touching ${hex} are #SS(0), RSP unchanged`, () => {
      // The push writes the 8 bytes below RSP, the pop reads the 8 at RSP: each touches `value`.
      for (const [insn, rsp] of [['pushq $1', value + 8n], ['popq %rax', value]] as const) {
        const { machine, labels } = withHandlers(`movabsq $${rsp}, %rsp\nat: ${insn}`);
        expect(halted(machine, labels), insn).toBe('h_ss');
        expect(stackWord(machine, machine.register('rsp'))).toBe(0n);
        expect(stackWord(machine, machine.register('rsp') + 32n)).toBe(rsp);
      }
    });

    it(`wrmsr of ${hex} to LSTAR, FS_BASE or GS_BASE is #GP(0); LSTAR keeps its value`, () => {
      for (const msr of [0xc000_0082, 0xc000_0100, 0xc000_0101]) {
        const { machine, labels } = withHandlers(`movl $${msr}, %ecx\nmovl $${value & 0xffff_ffffn}, %eax\nmovl $${value >> 32n}, %edx\nwrmsr`);
        expect(halted(machine, labels), msr.toString(16)).toBe('h_gp');
        expect(machine.register('lstar')).toBe(0n);
      }
    });

    it(`Intel: sysretq with RCX = ${hex} is #GP(0) at CPL 0; AMD returns and faults on the fetch at CPL 3`, () => {
      const intel = withHandlers('at: sysretq');
      intel.machine.setRegister('rcx', value);
      expect(halted(intel.machine, intel.labels)).toBe('h_gp');
      expect(frame(intel.machine).rip).toBe(BigInt(intel.labels.get('at')!));
      expect(frame(intel.machine).cs).toBe(0x10n);
      const amd = withHandlers('sysretq', 'amd');
      amd.machine.setRegister('rcx', value);
      amd.machine.setRegister('star', 0x23n << 48n);
      amd.machine.run(1);
      expect(amd.machine.mode()).toBe('cpl3');
      expect(amd.machine.register('rip')).toBe(value);
    });

    it(`iretq to RIP ${hex} is #GP(0) on the iretq, nothing popped`, () => {
      const { machine, labels } = withHandlers(`pushq $0x18\npushq $0x1ff000\npushfq\npushq $0x10\nmovabsq $${value}, %rax\npushq %rax\nat: iretq`);
      expect(halted(machine, labels)).toBe('h_gp');
      expect(frame(machine).rip).toBe(BigInt(labels.get('at')!));
      expect(machine.mode()).toBe('cpl0');
    });
  }

  it('a ret to a non-canonical return address is #GP(0) on the ret, RSP unchanged', () => {
    for (const value of NON_CANONICAL) {
      const { machine, labels } = withHandlers(`movabsq $${value}, %rax\npushq %rax\nat: ret`);
      expect(halted(machine, labels)).toBe('h_gp');
      expect(frame(machine).rip).toBe(BigInt(labels.get('at')!));
      expect(stackWord(machine, machine.register('rsp') + 32n)).toBe(BigInt(STACK_TOP - 8));
    }
  });

  it('a data access whose last byte crosses 2^47 is #GP(0)', () => {
    const { machine, labels } = withHandlers(`movabsq $0x7ffffffffffc, %rbx\nmovq (%rbx), %rax`);
    expect(halted(machine, labels)).toBe('h_gp');
  });

  it('a CPL-3 #GP whose TSS.RSP0 is non-canonical: the frame cannot be pushed (#SS(EXT) during a #GP: a double fault, on IST1)', () => {
    for (const value of NON_CANONICAL) {
      const source = `hlt\n${HANDLERS}`;
      const probe = machineWith(source);
      const at = (name: string): number => probe.labels.get(name)!;
      const { machine, labels } = machineWith(source, { gates: { 8: { offset: at('h_df'), ist: 1 }, 12: { offset: at('h_ss'), ist: 1 }, 13: { offset: at('h_gp') } } });
      machine.memory.write64(Number(machine.register('tr_base')) + 4, value);
      machine.setMode('cpl3');
      expect(halted(machine, labels)).toBe('h_df');
      expect(machine.register('rsp')).toBe(BigInt(IST1 - 48));
    }
  });

  it('an IDT gate whose target is non-canonical is #GP with the EXT bit', () => {
    const { machine, labels } = withHandlers('ud2');
    // Gate 6 (#UD): offset 0x0000_8000_0000_0000, present, type 14, selector 0x10.
    const idt = Number(machine.register('idtr_base'));
    machine.memory.write64(idt + 6 * 16, (0x10n << 16n) | (0x8en << 40n));
    machine.memory.write64(idt + 6 * 16 + 8, 0x8000n);
    expect(halted(machine, labels)).toBe('h_gp');
    expect(frame(machine).code).toBe(1n);
  });
});

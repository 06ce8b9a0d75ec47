/**
 * The x86_64 backend object: instruction sets (AT&T and Intel), machine
 * factory, run defaults, trap conduits and origin registers, benchmark and
 * showcase programs.
 *
 * @module
 */

import type { ArchBackend, BenchProgram, MachineOptions, Showcase } from '../../src/interp/backend.ts';
import { createX86Machine, X86_INSTRUCTION_SETS, X86_REGISTER_ALIASES, type X86Machine } from './core.ts';
import { SpecHost } from './firmware/spec-host.ts';
import { X86_ORIGIN_REGISTERS } from './firmware-port.ts';
import { X86_64_SCENARIOS } from './scenarios/index.ts';
import { VENDORS, type Vendor } from './registers.ts';

/** ALU loop: four ALU instructions per iteration, the counter in rcx. */
const ALU_LOOP = `
        movl    $0x7fffffff, %ecx
loop:   addq    $1, %rax
        xorq    %rax, %rdx
        subq    $1, %rcx
        jne     loop
        hlt
`;

/**
 * SYSCALL round trip: at CPL 0 the guest points IA32_LSTAR at a handler
 * that is one \`sysretq\`, sets IA32_STAR as Linux does (SYSCALL CS 0x10,
 * SYSRET base 0x23: CS 0x33, SS 0x2b; arch/x86/kernel/cpu/common.c
 * syscall_init), drops to CPL 3 with a \`sysretq\` of its own, then loops on
 * \`syscall\`. Each one is the full architectural entry (RCX, R11, the
 * SFMASK, CS/SS from STAR, RIP from LSTAR; SDM vol. 2 SYSCALL) and the
 * \`sysretq\` the full return. SYSCALL writes RCX, so RBX counts. Four per
 * iteration: ten instructions per four round trips.
 */
const SYSCALL_ROUND_TRIP = `
        movl    $0xc0000082, %ecx          # IA32_LSTAR
        leaq    handler(%rip), %rax
        xorl    %edx, %edx
        wrmsr
        movl    $0xc0000081, %ecx          # IA32_STAR
        xorl    %eax, %eax
        movl    $0x00230010, %edx
        wrmsr
        leaq    loop(%rip), %rcx
        movl    $2, %r11d
        movl    $0x7fffffff, %ebx
        sysretq
loop:   syscall
        syscall
        syscall
        syscall
        subq    $1, %rbx
        jne     loop
        hlt
handler:
        sysretq
`;

/**
 * VMCALL round trip into spec firmware: an Intel VMX guest at CPL 0 loops
 * on KVM_HC_VAPIC_POLL_IRQ (RAX = 1, which KVM answers RAX = 0, so RAX is
 * set again before every call). Each vmcall is VM exit 18 to the host
 * model, which runs the kvm-x86 v5.7 spec, writes RAX, advances RIP and
 * resumes. Per round trip: mov and vmcall, plus the loop's subq/jne shared
 * by four: 2.5 steps.
 */
const SPEC_VMCALL_ROUND_TRIP = `
        movl    $0x7fffffff, %ebx
loop:   movl    $1, %eax                   # KVM_HC_VAPIC_POLL_IRQ
        vmcall
        movl    $1, %eax
        vmcall
        movl    $1, %eax
        vmcall
        movl    $1, %eax
        vmcall
        subq    $1, %rbx
        jne     loop
        hlt
`;

const BENCHMARKS: readonly BenchProgram[] = [
  { metric: 'alu-ips', description: 'guest instructions per second, ALU loop', source: ALU_LOOP, mode: 'cpl0', registers: {}, instructionsPerUnit: 1, peer: { loop: 'loop', counter: 'rcx' } },
  { metric: 'trap-rtps', description: 'SYSCALL round trips per second (CPL 3 -> IA32_LSTAR handler -> sysretq)', source: SYSCALL_ROUND_TRIP, mode: 'cpl0', registers: {}, instructionsPerUnit: 2.5, peer: { loop: 'loop', counter: 'rbx' } },
  {
    metric: 'spec-trap-rtps',
    description: 'VMCALL round trips per second into spec firmware (VM exit 18 -> the kvm-x86-v5.7-vmcall host model, KVM_HC_VAPIC_POLL_IRQ -> resume)',
    source: SPEC_VMCALL_ROUND_TRIP,
    mode: 'cpl0',
    registers: {},
    instructionsPerUnit: 2.5,
    firmware: { abi: 'kvm-x86-v5.7-vmcall', base: 0, install: (machine, abi) => SpecHost.install(machine as X86Machine, { abis: [abi], recordEvents: false }) },
  },
];

/** VMCALL from CPL 0 with no host model: the VM exit (basic reason 18) ends the run. */
const SHOWCASE: Showcase = {
  title: 'x86_64: vmcall in a VMX guest is an unconditional VM exit (basic reason 18)',
  mode: 'cpl0',
  maxSteps: 10,
  source: `
        movl    $9, %eax
        vmcall
`,
};

/** The vendor a machine option names (default Intel); throws for another. */
function vendorOf(options: MachineOptions): Vendor {
  const given = options.choices?.vendor ?? 'intel';
  if (!(VENDORS as readonly string[]).includes(given)) throw new Error(`unknown vendor '${given}' (one of ${VENDORS.join(', ')})`);
  return given as Vendor;
}

/** The x86_64 backend: long mode at CPL 0 and 3, as a VMX (Intel) or SVM (AMD) guest. */
export const X86_64_BACKEND: ArchBackend = {
  name: 'x86_64',
  title: 'x86-64 long mode at CPL 0 and 3, as an Intel VMX or AMD SVM guest (integer set, IDT exceptions, SYSCALL/SYSRET, VM exits to a host model)',
  endians: ['little'],
  instructionSet: () => X86_INSTRUCTION_SETS.att,
  syntaxes: { att: X86_INSTRUCTION_SETS.att, intel: X86_INSTRUCTION_SETS.intel },
  unitSize: 1,
  stackPointer: 'rsp',
  loadAddress: 0x10_0000,
  defaultMode: 'cpl0',
  createMachine: (options = {}) => createX86Machine({ engine: options.engine ?? 'jit', vendor: vendorOf(options) }),
  machineChoices: [{ name: 'vendor', values: VENDORS, description: 'virtualization vendor: intel (VMX non-root: vmcall exits with reason 18, vmmcall is #UD) or amd (SVM: vmmcall is #VMEXIT 0x81, vmcall is #UD)' }],
  engines: ['jit', 'interp'],
  benchmarks: BENCHMARKS,
  showcase: SHOWCASE,
  conduits: ['int80', 'syscall', 'vmcall', 'vmmcall'],
  // None of the four encodes an immediate the trap reports: vmcall 0F 01 C1, vmmcall 0F 01 D9, syscall 0F 05, and int80 is `int $0x80` itself (fact sheet §0).
  immediates: {
    vmcall: { field: 'none', bits: 0, note: 'vmcall (0F 01 C1) has no operand' },
    vmmcall: { field: 'none', bits: 0, note: 'vmmcall (0F 01 D9) has no operand' },
    syscall: { field: 'none', bits: 0, note: 'syscall (0F 05) has no operand' },
    int80: { field: 'vector', bits: 0, note: 'the conduit is int $0x80 itself' },
  },
  registerAliases: X86_REGISTER_ALIASES,
  originRegisters: X86_ORIGIN_REGISTERS,
  scenarios: X86_64_SCENARIOS,
};

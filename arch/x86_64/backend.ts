/**
 * The x86_64 backend object: instruction sets (AT&T and Intel), machine
 * factory, run defaults, trap conduits and origin registers, benchmark and
 * showcase programs.
 *
 * @module
 */

import type { ArchBackend, BenchProgram, MachineOptions, Showcase } from '../../src/interp/backend.ts';
import { createX86Machine, X86_INSTRUCTION_SETS, X86_REGISTER_ALIASES } from './core.ts';
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

const BENCHMARKS: readonly BenchProgram[] = [{ metric: 'alu-ips', description: 'guest instructions per second, ALU loop', source: ALU_LOOP, mode: 'cpl0', registers: {}, instructionsPerUnit: 1, peer: { loop: 'loop', counter: 'rcx' } }];

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
  createMachine: (options = {}) => createX86Machine({ engine: options.engine ?? 'interp', vendor: vendorOf(options) }),
  machineChoices: [{ name: 'vendor', values: VENDORS, description: 'virtualization vendor: intel (VMX non-root: vmcall exits with reason 18, vmmcall is #UD) or amd (SVM: vmmcall is #VMEXIT 0x81, vmcall is #UD)' }],
  engines: ['interp'],
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

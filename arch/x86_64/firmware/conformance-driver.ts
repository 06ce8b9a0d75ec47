/**
 * Conformance for x86 VM exits: every selector value of a KVM hypercall
 * spec's generated suite (the values `suiteSelectorValues` picks per call,
 * from CPL 0 and CPL 3, in 64-bit mode), issued by real guest code through
 * the `kvm_hypercall4` wrapper (`kvm-hypercall4.s`, in the vendor form
 * given), exits to the {@link SpecHost}, and the guest must resume after
 * the call with RAX as the spec's semantics answer the same trap through
 * the dispatcher, and every other register as the wrapper's caller had it.
 *
 * The generic conformance runner (`src/firmware/conformance.ts`) installs
 * an implementation at hypervisor vectors in guest memory; x86 has none
 * (the hypervisor is the host model), so this driver runs the suite
 * itself. With the wrapper in the other vendor's form, every case goes
 * through the patching first (the first call patches the wrapper; the rest
 * hit the patched instruction).
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Abi, Origin } from '../../../src/abi/spec.ts';
import { interpret } from '../../../src/dispatch/dispatcher.ts';
import { suiteSelectorValues } from '../../../src/firmware/conformance.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { fixHypercall, NATIVE_HYPERCALL, PATCHING_ERAS } from '../abis/hypercall-patching.ts';
import { CS_ATTR_KERNEL64, EFER_LONG_MODE } from '../abis/kvm-x86.abi.ts';
import { X86_64_BACKEND } from '../backend.ts';
import type { X86Machine } from '../core.ts';
import { SpecHost } from './spec-host.ts';

/** The wrapper's source. */
export const KVM_HYPERCALL4_SOURCE = readFileSync(fileURLToPath(new URL('./kvm-hypercall4.s', import.meta.url)), 'utf8');

/** Where the caller program and the wrapper are loaded. */
const BASE = 0x10_0000;
/** The caller's stack top (a page below the program). */
const STACK_TOP = BASE - 0x100;

/** The caller: load the arguments as a C caller would (nr in EDI, p1–p4 in RSI, RDX, RCX, R8), call the wrapper, stop. */
function callerSource(form: 'vmcall' | 'vmmcall'): string {
  return `
        .text
caller: callq   kvm_hypercall4_${form}
done:   hlt
gp_pad: hlt                             # the guest kernel's #GP handler (IDT gate 13)
${KVM_HYPERCALL4_SOURCE}`;
}

/** The GDT and IDT the driver gives the guest (a page below the stack): Linux's __KERNEL_CS 0x10 and __KERNEL_DS 0x18, and one gate, #GP. */
const TABLES = BASE - 0x3000;

/** Give `machine` a GDT with a 64-bit kernel code segment, a TSS with RSP0, and an IDT whose #GP gate (DPL 0, interrupt gate) leads to `handler`: where an exception KVM injects lands. */
function installTables(machine: X86Machine, handler: number): void {
  machine.memory.map(TABLES, 0x2000);
  machine.memory.write64(TABLES + 0x10, 0x00af_9b00_0000_ffffn);
  machine.memory.write64(TABLES + 0x18, 0x00cf_9300_0000_ffffn);
  const offset = BigInt(handler);
  const idt = TABLES + 0x1000;
  machine.memory.write64(idt + 16 * 13, (offset & 0xffffn) | (0x10n << 16n) | (0x8en << 40n) | (((offset >> 16n) & 0xffffn) << 48n));
  machine.memory.write64(idt + 16 * 13 + 8, offset >> 32n);
  machine.setRegister('gdtr_base', BigInt(TABLES));
  machine.setRegister('gdtr_limit', 0x1fn);
  machine.setRegister('idtr_base', BigInt(idt));
  machine.setRegister('idtr_limit', 0xfffn);
  // The TSS, for the switch to CPL 0 when the exception comes from CPL 3: RSP0 in the tables' page, below the TSS.
  machine.memory.write64(TABLES + 0x800 + 4, BigInt(TABLES + 0x700));
  machine.setRegister('tr_base', BigInt(TABLES + 0x800));
}

/** The patching era the host applies (v4.11: no MMU zap, no quirk). */
const ERA = PATCHING_ERAS.find((era) => era.key === 'v4.11')!;

/** One case of the suite. */
export interface X86ConformanceCase {
  /** The call the selector value reaches. */
  readonly call: string;
  /** The hypercall number (RAX at the trap). */
  readonly nr: bigint;
  /** Who called. */
  readonly origin: Origin;
  /** RAX the spec answers, or the exception KVM's emulator gives instead of patching (an AMD host's CPL-3 vmcall: `#GP(0)`). */
  readonly expected: bigint | string;
  /** RAX the guest saw after the wrapper returned, or `undefined` if it never came back. */
  readonly actual: bigint | undefined;
  /** Why the case failed, or `undefined` when it passed. */
  readonly failure: string | undefined;
}

/** The callee-saved and argument registers the wrapper must give back as the caller had them (RAX is the result). */
const PRESERVED = ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15', 'rsp'] as const;

/**
 * Run the suite of a KVM spec through `kvm_hypercall4` in `form` on the
 * spec's vendor (vmcall: Intel, vmmcall: AMD).
 */
export function runKvmHypercall4Suite(abi: Abi, form: 'vmcall' | 'vmmcall'): X86ConformanceCase[] {
  const vendor = abi.spec.conduit.instruction === 'vmcall' ? 'intel' : 'amd';
  const program = assemble(X86_64_BACKEND.instructionSet('little'), callerSource(form), BASE);
  const done = program.symbols.get('done')!;
  const gpPad = program.symbols.get('gp_pad')!;
  const cases: X86ConformanceCase[] = [];
  const args = { rsi: 0x11n, rdx: 0x22n, rcx: 0x33n, r8: 0x44n };
  for (const [call, values] of suiteSelectorValues(abi)) {
    for (const nr of values) {
      for (const privilege of abi.spec.origin.privilege) {
        const origin: Origin = { privilege, world: 'guest' };
        const machine = X86_64_BACKEND.createMachine({ choices: { vendor } }) as X86Machine;
        machine.memory.map(BASE - 0x1000, 0x2000);
        machine.memory.load(BASE, program.bytes);
        machine.setMode(privilege === 'kernel' ? 'cpl0' : 'cpl3');
        machine.pc = BASE;
        machine.setRegister('rsp', BigInt(STACK_TOP));
        machine.setRegister('rdi', nr);
        for (const [register, value] of Object.entries(args)) machine.setRegister(register, value);
        const before = Object.fromEntries(PRESERVED.map((r) => [r, machine.register(r)]));
        installTables(machine, gpPad);
        const hostModel = SpecHost.install(machine, { abis: [abi], patching: ERA });
        machine.breakpoints.add(done);
        machine.breakpoints.add(gpPad);
        const result = machine.run(200);
        // What the spec says: the trap as the wrapper makes it (EAX = nr, RBX = p1, RCX = p2, RDX = p3, RSI = p4).
        const nr32 = BigInt.asUintN(32, nr);
        const registers = { rax: nr32, rbx: args.rsi, rcx: args.rdx, rdx: args.rcx, rsi: args.r8, efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL64 };
        const interpretation = interpret(abi, { arch: 'x86_64', conduit: abi.spec.conduit.instruction, imm: 0, privilege, world: 'guest', registers });
        // The other vendor's form goes through the patching first; where the emulator refuses (an AMD host's CPL-3 vmcall), that exception is the outcome.
        const decision = form === NATIVE_HYPERCALL[vendor] ? undefined : fixHypercall(ERA, { vendor, instruction: form, cpl: privilege === 'kernel' ? 0 : 3, protectedMode: true, quirkEnabled: true, writable: true });
        if (decision?.kind === 'exception') {
          const expected = `#${decision.vector}(${decision.errorCode ?? ''})`.replace('()', '');
          // KVM injects it: the guest's #GP handler runs with the error code on its stack and RIP on the unpatched instruction.
          const rsp = Number(machine.register('rsp'));
          const landed = decision.vector === 'GP' && result.reason === 'breakpoint' && machine.pc === gpPad && machine.memory.read64(rsp) === BigInt(decision.errorCode ?? 0) && machine.memory.read64(rsp + 8) === BigInt(hostModel.events[0]?.exit.address ?? -1);
          const failure = landed ? undefined : `expected ${expected} in the guest's handler, the run ended ${result.reason} at ${machine.pc.toString(16)}: ${result.detail}`;
          cases.push({ call, nr, origin, expected, actual: undefined, failure });
          continue;
        }
        const expected = interpretation.writes?.rax ?? nr32;
        // Back in the caller: the breakpoint on the instruction after the call stopped the run (hlt would #GP at CPL 3).
        const back = result.reason === 'breakpoint' && machine.pc === done;
        const actual = back ? machine.register('rax') : undefined;
        const changed = PRESERVED.filter((r) => machine.register(r) !== before[r]);
        const failure = !back ? `the guest did not return from the wrapper (pc ${machine.pc.toString(16)})` : actual !== expected ? `rax 0x${actual!.toString(16)}, the spec says 0x${expected.toString(16)}` : changed.length > 0 ? `changed ${changed.join(', ')}` : undefined;
        cases.push({ call, nr, origin, expected, actual, failure });
      }
    }
  }
  return cases;
}

/**
 * How conformance suites run on arm64: the caller is `hvc #imm`, `smc
 * #imm` or `svc #imm` followed by `wfi`, with every general register
 * preset; a returning call stops on that `wfi`. A jump or call target gets
 * a landing pad, a `wfi` reached at EL2. Implementations sit at VBAR_EL2.
 *
 * Which callers reach the EL2 vectors (ARM ARM D1.10.4, C6.2.101 HVC,
 * C6.2.255 SMC, C6.2.317 SVC):
 * - `hvc` from EL1 (a kernel, at +0x400) or EL2 (hyp, at +0x200); HVC is
 *   UNDEFINED at EL0.
 * - `smc` from EL1 with HCR_EL2.TSC = 1, trapped to EL2 (+0x400): the
 *   implementation stands in for whatever answers the SMC (KVM for a
 *   guest; for a host, the EL3 firmware hyplay does not model). SMC at EL0,
 *   and at EL2 with no EL3, is UNDEFINED.
 * - `svc` from EL0 with HCR_EL2.TGE = 1 (routed to EL2, +0x400) or from EL2
 *   (+0x200); an EL1 caller's SVC is taken at VBAR_EL1.
 *
 * Memory layout of a case:
 *
 * | range | what |
 * |---|---|
 * | 0x00002000 | the implementation at VBAR_EL2 (the table, its return trampoline, handlers and an EL2 stack: two pages) |
 * | 0x00008000 | the caller: the conduit instruction, `wfi` |
 * | the target | a landing pad, `wfi` |
 *
 * Address 0 stays unmapped, so a branch to a small "function pointer" such
 * as 1 or 2 faults as it would at EL2 on a real machine.
 *
 * @module
 */

import type { CallerSetup, CaseTrap, ConformanceDriver, Pad } from '../../../src/firmware/conformance.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import { hexAddress } from '../../../src/interp/step-result.ts';
import { PAGE_SIZE } from '../../../src/memory/guest-memory.ts';
import { ARM64_INSTRUCTION_SET, createArm64Machine } from '../core.ts';
import { Hcr, PA_LIMIT } from '../exceptions.ts';
import { ARM64_FIRMWARE_IMPLEMENTATIONS } from './index.ts';

/** Where implementations are installed (VBAR_EL2: 2 KiB aligned). */
export const CONFORMANCE_VBAR = 0x2000;

/** Where the caller program is loaded. */
export const CONFORMANCE_CALLER = 0x8000;

/** Bytes reserved at VBAR_EL2: the table and handlers, then a page of EL2 stack. */
const VECTOR_AREA = 2 * PAGE_SIZE;

let wfi: Uint8Array | undefined;

/** The encoding of `wfi`, assembled on first use (not when the backend loads: the first assembly compiles the assembler's patterns). */
function wfiBytes(): Uint8Array {
  return (wfi ??= ARM64_INSTRUCTION_SET.assembleOne('wfi', { address: 0, final: true, resolve: () => undefined }));
}

function pageOf(address: number): number {
  return Math.floor(address / PAGE_SIZE);
}

/** The caller's mode and the HCR_EL2 bits that bring its trap to EL2, or why none does. */
function callerOf(trap: CaseTrap): { readonly mode: string; readonly hcr: bigint } | string {
  const privilege = trap.origin.privilege;
  switch (trap.conduit) {
    case 'hvc':
      if (privilege === 'user') return 'HVC is UNDEFINED at EL0 (C6.2.101): a user caller never reaches the EL2 vectors';
      return { mode: privilege === 'kernel' ? 'el1h' : 'el2h', hcr: 0n };
    case 'smc':
      if (privilege === 'user') return 'SMC is UNDEFINED at EL0 (C6.2.255): a user caller never reaches the EL2 vectors';
      if (privilege === 'hyp') return 'SMC at EL2 goes to EL3, which hyplay does not model (with no EL3 it is UNDEFINED)';
      // HCR_EL2.TSC traps an EL1 SMC to EL2 (D13.2.46).
      return { mode: 'el1h', hcr: 1n << BigInt(Hcr.TSC) };
    case 'svc':
      if (privilege === 'kernel') return "an EL1 caller's SVC is taken to EL1 at VBAR_EL1 (D1.10.4), not at the EL2 vectors";
      // HCR_EL2.TGE routes EL0's synchronous exceptions to EL2 (D1.10.4).
      return privilege === 'user' ? { mode: 'el0', hcr: 1n << BigInt(Hcr.TGE) } : { mode: 'el2h', hcr: 0n };
    default:
      return `arm64 has no conduit '${trap.conduit}' (hvc, smc or svc)`;
  }
}

/** The arm64 {@link ConformanceDriver}. */
export const ARM64_CONFORMANCE_DRIVER: ConformanceDriver = {
  createMachine: (): Machine => createArm64Machine(),
  vectorBase: CONFORMANCE_VBAR,
  hypervisorMode: 'el2h',
  // An SMCCC or syscall number is read from a w register, but every answer fills the x register (KVM: vcpu_set_reg of an unsigned long).
  registerWidth: 64,
  generalRegisters: [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp'],
  statusRegisters: ['pstate'],
  // AAPCS64: the first eight arguments in x0-x7 (KVM's function-pointer convention shifts x1-x3 down into x0-x2).
  argumentRegisters: ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'],
  // X0-X30 are shared by every EL; only the stack pointer is banked (D1.6.2).
  unbankedRegisters: Array.from({ length: 31 }, (_, i) => `x${i}`),
  unsupported(trap: CaseTrap): string | undefined {
    const caller = callerOf(trap);
    if (typeof caller === 'string') return caller;
    if (trap.imm < 0 || trap.imm > 0xffff) return `${trap.conduit} takes a 16-bit immediate, not ${trap.imm}`;
    return undefined;
  },
  prepareCaller(machine: Machine, trap: CaseTrap, registers: Readonly<Record<string, bigint>>): CallerSetup {
    const caller = callerOf(trap);
    if (typeof caller === 'string') throw new Error(`arm64 conformance: ${caller}`);
    const program = new Uint8Array(8);
    program.set(ARM64_INSTRUCTION_SET.assembleOne(`${trap.conduit} #${trap.imm}`, { address: CONFORMANCE_CALLER, final: true, resolve: () => undefined }), 0);
    program.set(wfiBytes(), 4);
    machine.memory.load(CONFORMANCE_CALLER, program);
    // A guest's call is told from the host's by VTTBR_EL2.VMID (bits 55:48), as KVM's host/guest split before nVHE does.
    machine.setRegister('vttbr_el2', trap.origin.world === 'guest' ? 1n << 48n : 0n);
    machine.setRegister('hcr_el2', caller.hcr);
    machine.setMode(caller.mode);
    for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
    machine.pc = CONFORMANCE_CALLER;
    // wfi ends the run with the PC after it.
    return { trapAddress: CONFORMANCE_CALLER, resume: { address: CONFORMANCE_CALLER + 4, reason: 'wfi', pc: CONFORMANCE_CALLER + 8 }, mode: caller.mode };
  },
  landingPadProblem(address: bigint): string | undefined {
    if (address < 0n || address >= BigInt(PA_LIMIT)) return 'not below the 48-bit physical address limit';
    const a = Number(address);
    if ((a & 3) !== 0) return 'not word-aligned, so not an A64 instruction address (the fetch takes a PC alignment fault)';
    if (pageOf(a) === pageOf(CONFORMANCE_CALLER)) return `it shares a page with the caller at ${hexAddress(CONFORMANCE_CALLER)}`;
    if (pageOf(a) >= pageOf(CONFORMANCE_VBAR) && pageOf(a) < pageOf(CONFORMANCE_VBAR + VECTOR_AREA)) return `it lies in the vector area at ${hexAddress(CONFORMANCE_VBAR)}`;
    return undefined;
  },
  placeLandingPad(machine: Machine, address: bigint): Pad {
    const problem = ARM64_CONFORMANCE_DRIVER.landingPadProblem(address);
    if (problem !== undefined) throw new Error(`arm64 conformance: no landing pad at 0x${address.toString(16)}: ${problem}`);
    const a = Number(address);
    machine.memory.load(a, wfiBytes());
    return { address: a, reason: 'wfi', pc: a + 4 };
  },
  implementations: ARM64_FIRMWARE_IMPLEMENTATIONS,
};

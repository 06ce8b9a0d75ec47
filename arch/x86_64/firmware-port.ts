/**
 * Where the hypervisor side meets an x86-64 guest. x86 has no hypervisor
 * vector table in guest memory: a VM exit leaves the guest for the host,
 * so spec firmware is a host model ({@link X86Host}) that sees each exit,
 * reads the guest's registers, runs the spec, writes RAX, advances RIP
 * past the 3-byte hypercall and resumes. This file gives the origin
 * registers (CS: the CPL is its RPL; EFER.LMA and CS.L the width) and the
 * host-model install.
 *
 * @module
 */

import type { OriginReading, OriginRegister } from '../../src/interp/backend.ts';

/** CS's RPL is the CPL in long mode (SS.DPL equals it; SDM vol. 3 §5.5): 0 is the kernel, 3 a user task; 1 and 2 count as kernel. */
function readCs(value: bigint): OriginReading {
  const rpl = Number(value & 3n);
  return { privilege: rpl === 3 ? 'user' : 'kernel', world: 'guest', field: `CS.RPL=${rpl}` };
}

/** The registers that give a trap's privilege and world: `cs` (the CPL; every x86 trap hyplay models comes from the guest) and `cpl`. */
export const X86_ORIGIN_REGISTERS: readonly OriginRegister[] = [
  { register: 'cs', read: readCs },
  { register: 'cpl', read: (value) => ({ ...readCs(value), field: `CPL=${Number(value & 3n)}` }) },
];

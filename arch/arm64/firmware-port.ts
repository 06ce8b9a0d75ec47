/**
 * Where arm64 traps meet the dispatcher and spec firmware: the registers
 * that say where a trap came from, read by the same rules as a pending
 * trap at VBAR_EL2.
 *
 * @module
 */

import type { Privilege } from '../../src/abi/spec.ts';
import type { OriginReading, OriginRegister } from '../../src/interp/backend.ts';
import { isValidMode, MODE_NAMES, Psr } from './registers.ts';

/** The privilege of each exception level: EL0 user, EL1 kernel, EL2 hyp. */
const PRIVILEGE_OF_EL: readonly Privilege[] = ['user', 'kernel', 'hyp'];

/** The privilege of a PSTATE/SPSR value, or why it gives none. */
export function readMode(value: number): OriginReading {
  const m = value & 0x1f;
  const field = `M[4:0]=0x${m.toString(16).padStart(2, '0')}`;
  if ((m & Psr.nRW) !== 0) return { field, error: `${field} is an AArch32 mode; hyplay models AArch64 only (C5.2.18)` };
  if (!isValidMode(m)) return { field, error: `${field} is not an implemented AArch64 mode (EL3 is not modelled; C5.2.18)` };
  return { privilege: PRIVILEGE_OF_EL[m >> 2]!, field: `${field} (${MODE_NAMES.get(m)!})` };
}

/**
 * The registers that say where an arm64 trap came from: PSTATE (the
 * caller's, as SPSR_EL2 holds it when the trap is taken) gives the
 * privilege by its EL (M[3:2]: EL0 user, EL1 kernel, EL2 hyp; ARM ARM
 * C5.2.18); VTTBR_EL2.VMID (bits 55:48) the world: 0 is the host, as KVM
 * before the nVHE split tells host from guest (`vttbr_el2 == 0`,
 * `abi-facts.md` §11.6), anything else a guest.
 */
export const ARM64_ORIGIN_REGISTERS: readonly OriginRegister[] = [
  {
    register: 'pstate',
    read: (value: bigint): OriginReading => readMode(Number(value & 0x1fn)),
  },
  {
    register: 'vttbr_el2',
    read(value: bigint): OriginReading {
      const vmid = Number((value >> 48n) & 0xffn);
      return { world: vmid === 0 ? 'host' : 'guest', field: `VMID=0x${vmid.toString(16)}` };
    },
  },
];

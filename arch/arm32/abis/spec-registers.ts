/**
 * The arm32 registers spec semantics touch, as handles interned once
 * (`reg` in src/abi/spec.ts): spec firmware resolves each to its slot in
 * the machine state when it is installed, so an access in a call's
 * semantics is a typed-array load. Every arm32 register is 32 bits wide,
 * so semantics read and write them with `u32` / `setU32` (or `copy`).
 *
 * @module
 */

import { reg, type RegisterHandle } from '../../../src/abi/spec.ts';

/** r0: the call number of every arm32 ABI but Xen's, and the first argument and result. */
export const R0: RegisterHandle = reg('r0');
/** r1. */
export const R1: RegisterHandle = reg('r1');
/** r2. */
export const R2: RegisterHandle = reg('r2');
/** r3. */
export const R3: RegisterHandle = reg('r3');
/** r12 (ip): Xen's hypercall number. */
export const R12: RegisterHandle = reg('r12');
/** HVBAR, the Hyp vector base. */
export const HVBAR: RegisterHandle = reg('hvbar');
/** HSCTLR, the Hyp system control register. */
export const HSCTLR: RegisterHandle = reg('hsctlr');
/** ELR_hyp, the Hyp exception return address. */
export const ELR_HYP: RegisterHandle = reg('elr_hyp');
/** VMPIDR, the MPIDR a guest reads (which vCPU called). */
export const VMPIDR: RegisterHandle = reg('vmpidr');
/** TPIDRURO, the user read-only thread ID register (the TLS value). */
export const TPIDRURO: RegisterHandle = reg('tpidruro');

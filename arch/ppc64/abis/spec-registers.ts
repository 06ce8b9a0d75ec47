/**
 * The ppc64 registers spec semantics touch, as handles interned once
 * (`reg` in src/abi/spec.ts): spec firmware resolves each to its slot in
 * the machine state when it is installed (the GPRs and 64-bit SPRs are two
 * words of a typed array, the rest goes through the register view).
 *
 * The GPRs are 64 bits wide, and so are the values the PowerPC ABIs pass
 * in them (PAPR opcodes and statuses, addresses, ePAPR tokens as the
 * wrappers load them): semantics read and write them as bigints with `get`
 * and `set`, or move them with `copy`. The 32-bit number form (`u32`,
 * `setU32`) is for what an ABI defines as 32 bits: the condition register,
 * and KVM's `int nr` token and `(u32)` magic compares, which the selector
 * and conditions of those specs already read at 32 bits.
 *
 * @module
 */

import { reg, type RegisterHandle } from '../../../src/abi/spec.ts';

/** r3: PAPR's opcode, the first argument and the status of every ppc64 ABI. */
export const R3: RegisterHandle = reg('r3');
/** r4: the first PAPR argument, KVM PV's second result. */
export const R4: RegisterHandle = reg('r4');
/** r5. */
export const R5: RegisterHandle = reg('r5');
/** r6. */
export const R6: RegisterHandle = reg('r6');
/** The MSR (64 bits). */
export const MSR: RegisterHandle = reg('msr');
/** The condition register (32 bits). */
export const CR: RegisterHandle = reg('cr');
/** SPRG0. */
export const SPRG0: RegisterHandle = reg('sprg0');
/** PIR, the processor (vCPU) id. */
export const PIR: RegisterHandle = reg('pir');
/** BookE ESR, the exception syndrome. */
export const ESR: RegisterHandle = reg('esr');
/** BookE IVPR, the interrupt vector prefix. */
export const IVPR: RegisterHandle = reg('ivpr');
/** BookE IVOR6, the program interrupt's vector offset. */
export const IVOR6: RegisterHandle = reg('ivor6');

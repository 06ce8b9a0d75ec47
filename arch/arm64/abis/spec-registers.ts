/**
 * The arm64 registers spec semantics touch, as handles interned once
 * (`reg` in src/abi/spec.ts): spec firmware resolves each to its slot in
 * the machine state when it is installed. The general registers are 64
 * bits wide: semantics read a 32-bit ABI value (an SMCCC function ID in
 * w0, a syscall number in w8) with `u32`, and write a full-width value (a
 * vector base, a sign-extended −1) with `set` or `copy`.
 *
 * @module
 */

import { reg, type RegisterHandle } from '../../../src/abi/spec.ts';

/** x0: the call number or function ID of every arm64 hypercall ABI, and the first result. */
export const X0: RegisterHandle = reg('x0');
/** x1. */
export const X1: RegisterHandle = reg('x1');
/** x2. */
export const X2: RegisterHandle = reg('x2');
/** x3. */
export const X3: RegisterHandle = reg('x3');
/** x4. */
export const X4: RegisterHandle = reg('x4');
/** x5. */
export const X5: RegisterHandle = reg('x5');
/** x6. */
export const X6: RegisterHandle = reg('x6');
/** x8: the system call number. */
export const X8: RegisterHandle = reg('x8');
/** x16 (ip0): Xen's hypercall number. */
export const X16: RegisterHandle = reg('x16');
/** VBAR_EL2, the EL2 vector base. */
export const VBAR_EL2: RegisterHandle = reg('vbar_el2');
/** VBAR_EL1, the EL1 vector base (what VHE_RESTART moves to EL2). */
export const VBAR_EL1: RegisterHandle = reg('vbar_el1');
/** ELR_EL2, the EL2 exception return address. */
export const ELR_EL2: RegisterHandle = reg('elr_el2');
/** SPSR_EL2, the EL2 saved program status. */
export const SPSR_EL2: RegisterHandle = reg('spsr_el2');
/** SCTLR_EL2, the EL2 system control register. */
export const SCTLR_EL2: RegisterHandle = reg('sctlr_el2');
/** HCR_EL2, the hypervisor configuration register. */
export const HCR_EL2: RegisterHandle = reg('hcr_el2');
/** ID_AA64MMFR1_EL1: its VH field (bits 11:8) says whether the CPU has VHE. */
export const ID_AA64MMFR1_EL1: RegisterHandle = reg('id_aa64mmfr1_el1');
/** VMPIDR_EL2, the MPIDR a guest reads (which vCPU called). */
export const VMPIDR_EL2: RegisterHandle = reg('vmpidr_el2');
/** SCTLR_EL1, the EL1 system control register (what the VHE upgrade moves to SCTLR_EL2). */
export const SCTLR_EL1: RegisterHandle = reg('sctlr_el1');
/** SP_EL1, the kernel's stack pointer (the VHE upgrade makes it EL2's). */
export const SP_EL1: RegisterHandle = reg('sp_el1');
/** SP_EL2, the EL2 stack pointer. */
export const SP_EL2: RegisterHandle = reg('sp_el2');
/** TPIDR_EL1, the kernel's per-CPU offset. */
export const TPIDR_EL1: RegisterHandle = reg('tpidr_el1');
/** TPIDR_EL2. */
export const TPIDR_EL2: RegisterHandle = reg('tpidr_el2');
/** MDCR_EL2, the hypervisor debug configuration (E2PB, E2TB: who owns SPE and TRBE). */
export const MDCR_EL2: RegisterHandle = reg('mdcr_el2');
/** TCR_EL1. */
export const TCR_EL1: RegisterHandle = reg('tcr_el1');
/** TCR_EL2. */
export const TCR_EL2: RegisterHandle = reg('tcr_el2');
/** TTBR0_EL1. */
export const TTBR0_EL1: RegisterHandle = reg('ttbr0_el1');
/** TTBR0_EL2. */
export const TTBR0_EL2: RegisterHandle = reg('ttbr0_el2');
/** MAIR_EL1. */
export const MAIR_EL1: RegisterHandle = reg('mair_el1');
/** MAIR_EL2. */
export const MAIR_EL2: RegisterHandle = reg('mair_el2');

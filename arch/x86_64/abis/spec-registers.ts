/**
 * The x86_64 registers spec semantics touch, as handles interned once
 * (`reg` in src/abi/spec.ts): spec firmware resolves each to its slot in
 * the machine state when it is installed. The general registers are 64
 * bits wide: semantics read a 32-bit ABI value (a syscall number taken as
 * an `int`, a Hyper-V call code) with `u32`, and write a full-width value
 * (a sign-extended −KVM_ENOSYS) with `set`.
 *
 * The mode a caller runs in decides how KVM truncates its hypercall
 * (abi-facts §9.1): `efer` (LMA, bit 10) says long mode, and bit 13 (L) of
 * CS's access rights (`cs_attr`, the VMCS layout) says 64-bit code.
 *
 * @module
 */

import { reg, type RegisterHandle } from '../../../src/abi/spec.ts';

/** RAX: the call number of every x86 hypercall and syscall ABI, and the result. */
export const RAX: RegisterHandle = reg('rax');
/** RBX: KVM's first argument; i386 syscalls' first. */
export const RBX: RegisterHandle = reg('rbx');
/** RCX: KVM's second argument; Hyper-V's input value. */
export const RCX: RegisterHandle = reg('rcx');
/** RDX: KVM's third argument; Hyper-V's input GPA; Xen's third. */
export const RDX: RegisterHandle = reg('rdx');
/** RSI: KVM's fourth argument. */
export const RSI: RegisterHandle = reg('rsi');
/** RDI: Xen's and x86-64 syscalls' first argument. */
export const RDI: RegisterHandle = reg('rdi');
/** RBP: the sixth i386 syscall argument. */
export const RBP: RegisterHandle = reg('rbp');
/** R8: Hyper-V's output GPA; Xen's fifth argument. */
export const R8: RegisterHandle = reg('r8');
/** R9: the sixth x86-64 syscall argument. */
export const R9: RegisterHandle = reg('r9');
/** R10: Xen's and x86-64 syscalls' fourth argument. */
export const R10: RegisterHandle = reg('r10');
/** IA32_EFER: LMA (bit 10) is long mode. */
export const EFER: RegisterHandle = reg('efer');
/** CS's hidden access rights in the VMCS layout: L (bit 13) is a 64-bit code segment. */
export const CS_ATTR: RegisterHandle = reg('cs_attr');
/** HV_X64_MSR_GUEST_OS_ID (0x40000000). */
export const HV_GUEST_OS_ID: RegisterHandle = reg('hv_x64_msr_guest_os_id');
/** HV_X64_MSR_HYPERCALL (0x40000001): bit 0 enables the hypercall page. */
export const HV_HYPERCALL: RegisterHandle = reg('hv_x64_msr_hypercall');

# kvm_hypercall4 as a function, in both vendor forms: the guest side of the
# KVM hypercall ABI (abi-facts §9.1). Linux inlines it
# (arch/x86/include/asm/kvm_para.h: asm volatile(KVM_HYPERCALL : "=a"(ret)
# : "a"(nr), "b"(p1), "c"(p2), "d"(p3), "S"(p4) : "memory")); written for
# the project as an out-of-line SysV function:
#   long kvm_hypercall4(unsigned int nr, unsigned long p1, unsigned long p2,
#                       unsigned long p3, unsigned long p4)
# arrives with nr in EDI, p1 RSI, p2 RDX, p3 RCX, p4 R8, and moves them to
# the hypercall registers: EAX, RBX, RCX, RDX, RSI. RBX is callee-saved in
# the SysV ABI, so it is pushed around the call; R9 (caller-saved, no
# fifth argument here) carries p2 while RCX and RDX trade places. KVM
# clobbers nothing but RAX.
	.text
	.globl	kvm_hypercall4_vmcall
kvm_hypercall4_vmcall:
	pushq	%rbx
	movl	%edi, %eax
	movq	%rsi, %rbx
	movq	%r8, %rsi
	movq	%rdx, %r9
	movq	%rcx, %rdx
	movq	%r9, %rcx
	vmcall
	popq	%rbx
	retq

	.globl	kvm_hypercall4_vmmcall
kvm_hypercall4_vmmcall:
	pushq	%rbx
	movl	%edi, %eax
	movq	%rsi, %rbx
	movq	%r8, %rsi
	movq	%rdx, %r9
	movq	%rcx, %rdx
	movq	%r9, %rcx
	vmmcall
	popq	%rbx
	retq

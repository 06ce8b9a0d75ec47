// stub-calls-v4.8.s: the kernel's side of the v4.8–v4.11 hyp-stub ABI
// (arch/arm64/kernel/hyp-stub.S, asm/virt.h; ../shared/abi-facts.md §3.1):
// HVC_GET_VECTORS 0, HVC_SET_VECTORS 1 (the base in x1), HVC_SOFT_RESTART 2.
// There is no HVC_RESET_VECTORS: KVM of this era gives EL2 back with a
// kvm_call_hyp of its own reset code (kvm.s).

        .equ    HVC_GET_VECTORS, 0
        .equ    HVC_SET_VECTORS, 1
        .equ    HVC_SOFT_RESTART, 2
        .equ    STUB_RESET_VECTORS, 0   // the era has no __hyp_reset_vectors

__hyp_set_vectors:                      // x0 = the new vector base
        str     lr, [sp, #-16]!         // the stub uses x30 to read ESR_EL2
        mov     x1, x0
        mov     x0, #HVC_SET_VECTORS
        hvc     #0
        ldr     lr, [sp], #16
        ret
__hyp_reset_vectors:                    // not in this era: never called (STUB_RESET_VECTORS 0)
        b       die

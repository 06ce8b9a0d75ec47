// stub-calls-v4.12.s: the kernel's side of the hyp-stub ABI from v4.12
// (arch/arm64/kernel/hyp-stub.S, asm/virt.h; ../shared/abi-facts.md §3.1):
// HVC_SET_VECTORS 0 (the base in x1), HVC_SOFT_RESTART 1, HVC_RESET_VECTORS
// 2. The same numbers stay in the ≈v5.12 stub, which adds HVC_VHE_RESTART 3
// (not called here: the modelled CPU has no VHE).

        .equ    HVC_SET_VECTORS, 0
        .equ    HVC_SOFT_RESTART, 1
        .equ    HVC_RESET_VECTORS, 2
        .equ    STUB_RESET_VECTORS, 1   // KVM gives EL2 back with __hyp_reset_vectors

__hyp_set_vectors:                      // x0 = the new vector base
        mov     x1, x0
        mov     x0, #HVC_SET_VECTORS
        hvc     #0
        ret
__hyp_reset_vectors:                    // back to the stub (KVM's handler, or the stub itself)
        mov     x0, #HVC_RESET_VECTORS
        hvc     #0
        ret

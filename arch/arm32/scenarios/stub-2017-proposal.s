@ stub-2017-proposal.s: the kernel's side of the early-2017 proposal
@ (altera-opensource/linux-socfpga:arch/arm/include/asm/virt.h @d51ca250:
@ HVC_GET_VECTORS 0, HVC_SET_VECTORS 1, HVC_SOFT_RESTART 2; the soft restart
@ helper keeps the target in r3 as beagleboard/linux:arch/arm/kernel/
@ hyp-stub.S @4a8e59d4 does; abi-facts 1.1). soft_restart returns to Hyp
@ mode through the stub (SOFT_RESTART_IN_HYP is 1).

        .equ    HVC_GET_VECTORS, 0
        .equ    HVC_SET_VECTORS, 1
        .equ    HVC_SOFT_RESTART, 2

@ quote: proposal-calls
__hyp_get_vectors:
        mov     r0, #HVC_GET_VECTORS
        hvc     #0
        bx      lr
__hyp_set_vectors:                      @ r0 = the new vectors
        mov     r1, r0
        mov     r0, #HVC_SET_VECTORS
        hvc     #0
        bx      lr
__hyp_soft_restart:                     @ r0 = where to restart; does not return
        mov     r3, r0
        mov     r0, #HVC_SOFT_RESTART
        hvc     #0
        mov     r0, r3
        bx      lr
@ /quote: proposal-calls

@ Not part of the proposal. Only a kernel pairing it with KVM v4.12 (never
@ shipped) calls it, and such a kernel carries v4.12's helper, whose number
@ (HVC_RESET_VECTORS = 2) is this proposal's HVC_SOFT_RESTART.
__hyp_reset_vectors:
        mov     r0, #2                  @ v4.12's HVC_RESET_VECTORS
        hvc     #0
        bx      lr

@ stub-v5.7.s: the kernel's side of the hyp-stub ABI after KVM/arm32 was
@ removed, v5.7 on (torvalds/linux:arch/arm/kernel/hyp-stub.S @a94e42b1;
@ abi-facts 1.1): SET_VECTORS and SOFT_RESTART remain, RESET_VECTORS is gone.

        .equ    HVC_SET_VECTORS, 0
        .equ    HVC_SOFT_RESTART, 1

@ quote: v5.7-calls
__hyp_set_vectors:                      @ r0 = the new vectors
        mov     r1, r0
        mov     r0, #HVC_SET_VECTORS
        hvc     #0
        bx      lr
__hyp_soft_restart:                     @ r0 = where to restart; does not return
        mov     r1, r0
        mov     r0, #HVC_SOFT_RESTART
        hvc     #0
        bx      lr
@ /quote: v5.7-calls

@ Not in this era: there is no KVM/arm32 to call them.
__hyp_get_vectors:
__hyp_reset_vectors:
        udf     #18                     @ BUG()

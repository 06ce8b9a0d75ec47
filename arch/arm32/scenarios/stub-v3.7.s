@ stub-v3.7.s: the kernel's side of the first hyp-stub ABI, v3.7 to v4.11
@ (v3.7 and v4.11 trees, torvalds/linux:arch/arm/kernel/hyp-stub.S
@ @0af0b189; abi-facts 1.1, 1.4): r0 = -1 reads HVBAR, any other r0 is the
@ new HVBAR. There is no soft restart call: soft_restart branches to the
@ new kernel in svc (SOFT_RESTART_IN_HYP is 0 in this era).

        .equ    HVC_GET_VECTORS, -1

@ quote: v3.7-calls
__hyp_get_vectors:                      @ r0 = -1, then falls into __hyp_set_vectors
        mov     r0, #HVC_GET_VECTORS
__hyp_set_vectors:                      @ r0 = the new vectors: any value but -1
        hvc     #0
        bx      lr
@ /quote: v3.7-calls

@ Not in this era. soft_restart never asks for Hyp mode here, and no KVM of
@ this era resets through a stub call, so reaching either is a BUG().
__hyp_soft_restart:
__hyp_reset_vectors:
        udf     #18                     @ BUG()

@ stub-v5.7.s: the kernel's side of the hyp-stub ABI after KVM/arm32 was
@ removed, v5.7 on (torvalds/linux:arch/arm/kernel/hyp-stub.S @a94e42b1;
@ v5.7 tree hyp-stub.S:191-204; abi-facts 1.1). Only SOFT_RESTART is a
@ call the kernel proper's stub accepts. __hyp_set_vectors is still
@ exported, but the SET_VECTORS test is compiled only into the zImage
@ decompressor's copy of the stub (linux-hyp-stub-v5.7-zimage): sent to
@ the kernel proper's stub it gets HVC_STUB_ERR and HVBAR stays as it is.

        .equ    HVC_SET_VECTORS, 0
        .equ    HVC_SOFT_RESTART, 1

@ quote: v5.7-calls
__hyp_set_vectors:                      @ r0 = the new vectors: HVC_STUB_ERR from the kernel proper's stub
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

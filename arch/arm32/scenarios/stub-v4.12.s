@ stub-v4.12.s: the kernel's side of the reworked hyp-stub ABI, v4.12 to
@ v5.6 (the v4.12 tree's arch/arm/kernel/hyp-stub.S and asm/virt.h;
@ Documentation/virtual/kvm/arm/hyp-abi.txt; abi-facts 1.1, 1.4): the call
@ number in r0, every argument in r1. soft_restart returns to Hyp mode
@ (SOFT_RESTART_IN_HYP is 1).

        .equ    HVC_SET_VECTORS, 0
        .equ    HVC_SOFT_RESTART, 1
        .equ    HVC_RESET_VECTORS, 2

@ quote: v4.12-calls
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
__hyp_reset_vectors:                    @ put the stub back (KVM implements it while it owns Hyp)
        mov     r0, #HVC_RESET_VECTORS
        hvc     #0
        bx      lr
@ /quote: v4.12-calls

@ v4.12 has no get-vectors call: the rework removed it, because KVM no
@ longer keeps the stub's vectors to put them back. Only a kernel pairing
@ this stub with a function-pointer KVM (never shipped: the rows marked
@ shipped NO) asks for them; it gets the link-time address of
@ __hyp_stub_vectors, which is what they are.
__hyp_get_vectors:
        ldr     r0, stub_vectors_address
        bx      lr

        .align  2
stub_vectors_address:   .word   HYP_STUB_VECTORS

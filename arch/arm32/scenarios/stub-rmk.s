@ stub-rmk.s: the kernel's side of Russell King's soft-reboot stub, the
@ out-of-tree variant the beagleboard vendor tree ships
@ (beagleboard/linux:arch/arm/kernel/hyp-stub.S @4a8e59d4; abi-facts 1.1):
@ the original -1 = get and any other r0 = set, plus HVC_SOFT_RESTART = 1
@ with the target in r3. soft_restart returns to Hyp mode through it
@ (SOFT_RESTART_IN_HYP is 1: the tree's reboot.c passes
@ is_hyp_mode_available() to phys_reset). No mainline release has it.

        .equ    HVC_GET_VECTORS, -1
        .equ    HVC_SOFT_RESTART, 1

@ quote: rmk-calls
__hyp_get_vectors:
        mov     r0, #HVC_GET_VECTORS
        hvc     #0
        bx      lr
__hyp_set_vectors:                      @ r0 = the new vectors
        tst     r0, #31                 @ a vector base must be 32-byte aligned
        bxne    lr
        hvc     #0
        bx      lr
__hyp_soft_restart:                     @ r0 = where to restart; does not return
        mov     r3, r0
        mov     r0, #HVC_SOFT_RESTART
        hvc     #0
        mov     r0, r3
        bx      lr
@ /quote: rmk-calls

@ Not in this tree: its KVM (the v4.6-v4.11 design) resets with a Hyp
@ function, not a stub call, so reaching this is a BUG().
__hyp_reset_vectors:
        udf     #18                     @ BUG()

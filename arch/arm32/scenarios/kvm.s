@ kvm.s: KVM/arm32 in the old kernel: its host side (init, the reboot
@ notifier) and the Hyp code it runs (its init vectors and the Hyp
@ functions kvm_call_hyp reaches). KVM's runtime vectors are not here: they
@ are the hypervisor under test, installed at KVM_HYP_VECTOR (spec firmware
@ or real assembly) by the scenario.
@
@ Sources: virt/kvm/kvm_main.c (kvm_init, kvm_reboot), virt/kvm/arm/arm.c
@ (kvm_arch_init, cpu_init_hyp_mode, cpu_hyp_reset), arch/arm/include/asm/
@ kvm_host.h (__cpu_reset_hyp_mode: kvm_call_hyp(__kvm_hyp_reset,
@ vector_ptr) in v4.9, feryw/linux-4.9.y), arch/arm/kvm/init.S,
@ arch/arm/kvm/interrupts.S; ../shared/abi-facts.md sections 2 and 4.1.
@
@ The era differs in one place, KVM_HANDLES_STUB_HVC: function-pointer
@ KVMs (v3.9 to v4.11, and the 2017 interim) save the stub's vectors at
@ init and put them back with a Hyp function; KVM v4.12 asks for
@ HVC_RESET_VECTORS, which it implements itself.

@ quote: kvm-init
kvm_init:                               @ kvm_main.c kvm_init() → kvm_arch_init()
        mov     r0, #CONFIG_KVM
        cmp     r0, #0
        bxeq    lr                      @ KVM not built in
        push    {r4, lr}
        bl      is_hyp_mode_available
        cmp     r0, #0
        popeq   {r4, pc}                @ "HYP mode not available": booted in svc, KVM stays off
        mov     r0, #KVM_HANDLES_STUB_HVC
        cmp     r0, #0
        bne     cpu_init_hyp_mode
        bl      __hyp_get_vectors       @ before v4.12: hyp_default_vectors = __hyp_get_vectors()
        ldr     r1, hyp_default_vectors_ptr
        str     r0, [r1]
cpu_init_hyp_mode:                      @ arm.c
        ldr     r0, kvm_hyp_init_ptr
        bl      __hyp_set_vectors       @ through the stub: HVBAR = KVM's init vectors (idmap)
        ldr     r0, hyp_stack_top_ptr
        ldr     r1, kvm_hyp_vector_ptr
        ldr     r2, hyp_pgd_ptr
        mov     r3, #0
        bl      kvm_call_hyp            @ __cpu_init_hyp_mode(): r0 = Hyp stack, r1 = vectors, r2/r3 = pgd
        ldr     r0, init_stage2_ptr
        bl      kvm_call_hyp            @ __cpu_init_stage2(): kvm_call_hyp(__init_stage2_translation)
        ldr     r0, flush_vm_context_ptr
        bl      kvm_call_hyp            @ a VM is created: kvm_call_hyp(__kvm_flush_vm_context)
        ldr     r0, reboot_notifier_list_ptr_kvm
        ldr     r1, kvm_reboot_ptr
        str     r1, [r0]                @ register_reboot_notifier(&kvm_reboot_notifier)
        pop     {r4, pc}
kvm_call_hyp:                           @ interrupts.S: r0 = a Hyp function, r1–r3 its arguments
        hvc     #0
        bx      lr
@ /quote: kvm-init

@ quote: kvm-reset
kvm_reboot:                             @ the reboot notifier: kvm_rebooting = true, hardware_disable_nolock()
kvm_arch_hardware_disable:
cpu_hyp_reset:                          @ arm.c: give Hyp mode back to the stub
        mov     r0, #KVM_HANDLES_STUB_HVC
        cmp     r0, #0
        bne     __hyp_reset_vectors     @ v4.12: HVC_RESET_VECTORS, which KVM implements itself
        ldr     r0, kvm_hyp_reset_ptr   @ before: __cpu_reset_hyp_mode(hyp_default_vectors, …)
        ldr     r1, hyp_default_vectors_ptr
        ldr     r1, [r1]
        b       kvm_call_hyp            @ kvm_call_hyp(__kvm_hyp_reset, hyp_default_vectors)
@ /quote: kvm-reset

@ quote: kvm-hyp
        .align  5
__kvm_hyp_init:                         @ init.S: KVM's init vectors; only the Hyp trap slot is live
init_reset:     b       init_reset      @ +0x00
init_undef:     b       init_undef      @ +0x04
init_svc:       b       init_svc        @ +0x08
init_pabt:      b       init_pabt       @ +0x0c
init_dabt:      b       init_dabt       @ +0x10
                b       __do_hyp_init   @ +0x14 Hyp trap
init_irq:       b       init_irq        @ +0x18
init_fiq:       b       init_fiq        @ +0x1c
__do_hyp_init:                          @ r0 = Hyp stack, r1 = runtime vectors, r2/r3 = Hyp page tables
        mov     sp, r0
        mcr     p15, #4, r1, c12, c0, #0   @ HVBAR = KVM's runtime vectors
        mcrr    p15, #4, r2, r3, c2        @ HTTBR
        mcr     p15, #4, r0, c8, c7, #0    @ TLBIALLH
        dsb     ish
        eret                            @ (the Hyp MMU is not modelled: HSCTLR.M stays clear)

__kvm_hyp_reset:                        @ init.S, v4.6–v4.11: r0 = the stub vectors KVM saved at init
        mrc     p15, #4, r1, c1, c0, #0    @ HSCTLR
        bic     r1, r1, #0x7               @ M, A, C off
        bic     r1, r1, #0x1000            @ I off
        mcr     p15, #4, r1, c1, c0, #0
        mcr     p15, #4, r0, c12, c0, #0   @ HVBAR = the stub's vectors: Hyp mode is the stub's again
        bx      lr

__init_stage2_translation:              @ hyp/s2-setup.c: the stage-2 translation control
        ldr     r0, vtcr_value
        mcr     p15, #4, r0, c2, c1, #2    @ VTCR
        bx      lr

__kvm_flush_vm_context:                 @ hyp/tlb.c: drop every non-Hyp TLB entry
        mcr     p15, #4, r0, c8, c7, #4    @ TLBIALLNSNH (the model's uniprocessor TLBIALLNSNHIS)
        dsb     ish
        bx      lr
@ /quote: kvm-hyp

        .align  2
hyp_default_vectors_ptr:        .word   hyp_default_vectors
hyp_default_vectors:            .word   0
kvm_hyp_init_ptr:               .word   __kvm_hyp_init
kvm_hyp_vector_ptr:             .word   KVM_HYP_VECTOR
hyp_stack_top_ptr:              .word   HYP_STACK_TOP
hyp_pgd_ptr:                    .word   HYP_PGD
init_stage2_ptr:                .word   __init_stage2_translation
flush_vm_context_ptr:           .word   __kvm_flush_vm_context
kvm_hyp_reset_ptr:              .word   __kvm_hyp_reset
kvm_reboot_ptr:                 .word   kvm_reboot
reboot_notifier_list_ptr_kvm:   .word   reboot_notifier_list
vtcr_value:                     .word   0x80003558  @ T0SZ 8 (a 40-bit IPA space), SL0 1, write-back walks, inner shareable

@ kvm.s: KVM/arm32 in the old kernel: its host side (init, creating a VM,
@ the reboot notifier) and the Hyp code it runs (its init vectors and the
@ Hyp functions kvm_call_hyp reaches). KVM's runtime vectors are not here:
@ they are the hypervisor under test, installed at KVM_HYP_VECTOR (spec
@ firmware or real assembly) by the scenario.
@
@ Sources (../shared/abi-facts.md sections 2.4, 2.5 and 4.1): the v3.9 tree
@ (arch/arm/kvm/arm.c, init.S, interrupts.S), torvalds/linux:arch/arm/kvm/
@ init.S @fc9046a1 (v3.10's two-phase init), the v4.9-era arch/arm/kvm/arm.c
@ (init_subsystems, cpu_hyp_reinit, cpu_hyp_reset; beagleboard/linux) and
@ asm/kvm_host.h (__cpu_reset_hyp_mode: kvm_call_hyp(__kvm_hyp_reset,
@ vector_ptr)), the v4.12 tree's virt/kvm/arm/arm.c and init.S, and
@ virt/kvm/kvm_main.c (kvm_init, kvm_create_vm, hardware_enable_all,
@ kvm_reboot).
@
@ Who owns Hyp mode, by era (the prelude's constants):
@   KVM_INIT 0           v3.9: one init call, r0/r1 = pgd, r2 = stack, r3 = vectors
@   KVM_INIT 1           v3.10-v4.5: two phases (boot pgd, then runtime)
@   KVM_INIT 2           v4.6+: one call again, r0 = stack, r1 = vectors, r2/r3 = pgd
@   KVM_TAKES_HYP 0      v3.9-v4.5: KVM's vectors stay in HVBAR from init on,
@                        for good (kvm_arch_hardware_disable is empty)
@   KVM_TAKES_HYP 1      v4.6+: init takes Hyp and gives it back at once; KVM
@                        takes it again when a VM is created, and gives it
@                        back on hardware disable (the reboot notifier)
@   KVM_HANDLES_STUB_HVC v4.12+: the reset is HVC_RESET_VECTORS, which KVM
@                        implements; before, a Hyp function (__kvm_hyp_reset)
@   VM_RUNNING           1 when a VM has been created and has run (KVM_CREATE_VM,
@                        then KVM_RUN) before the reboot

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
        bne     kvm_init_hyp
        bl      __hyp_get_vectors       @ before v4.12, init_hyp_mode: hyp_default_vectors = __hyp_get_vectors()
        ldr     r1, hyp_default_vectors_ptr
        str     r0, [r1]
kvm_init_hyp:
        mov     r0, #KVM_TAKES_HYP
        cmp     r0, #0
        bne     init_subsystems
        bl      cpu_init_hyp_mode       @ v3.9-v4.5: on_each_cpu(cpu_init_hyp_mode): KVM owns Hyp from now on
        b       kvm_init_done
init_subsystems:                        @ v4.6+ arm.c init_subsystems()
        bl      cpu_hyp_reinit          @ on_each_cpu(_kvm_arch_hardware_enable): KVM takes Hyp ...
        bl      cpu_hyp_reset           @ ... and the out: path gives it back: after init the stub owns Hyp
kvm_init_done:
        ldr     r0, reboot_notifier_list_ptr_kvm
        ldr     r1, kvm_reboot_ptr
        str     r1, [r0]                @ register_reboot_notifier(&kvm_reboot_notifier)
        mov     r0, #VM_RUNNING
        cmp     r0, #0
        popeq   {r4, pc}                @ KVM loaded, no VM
        bl      hardware_enable_all     @ KVM_CREATE_VM: kvm_create_vm() → hardware_enable_all()
        ldr     r0, flush_vm_context_ptr
        bl      kvm_call_hyp            @ KVM_RUN: update_vttbr() → kvm_call_hyp(__kvm_flush_vm_context)
        pop     {r4, pc}
kvm_call_hyp:                           @ interrupts.S: r0 = a Hyp function, r1–r3 its arguments
        hvc     #0
        bx      lr
@ /quote: kvm-init

@ quote: kvm-hyp-mode
hardware_enable_all:                    @ kvm_main.c: the first VM enables the hardware on every CPU
        ldr     r0, hardware_enabled_ptr
        mov     r1, #1
        str     r1, [r0]                @ cpus_hardware_enabled
        mov     r0, #KVM_TAKES_HYP
        cmp     r0, #0
        bxeq    lr                      @ v3.9-v4.5: kvm_arch_hardware_enable has nothing to do
cpu_hyp_reinit:                         @ arm.c, v4.6+
        push    {r4, lr}
        mov     r0, #KVM_HANDLES_STUB_HVC
        cmp     r0, #0
        beq     cpu_hyp_reinit_check
        bl      cpu_hyp_reset           @ v4.12: cpu_hyp_reset(), then cpu_init_hyp_mode()
        b       cpu_hyp_reinit_init
cpu_hyp_reinit_check:
        bl      __hyp_get_vectors       @ v4.6-v4.11: only if the stub owns Hyp ...
        ldr     r1, hyp_default_vectors_ptr
        ldr     r1, [r1]
        cmp     r0, r1                  @ ... (__hyp_get_vectors() == hyp_default_vectors)
        popne   {r4, pc}
cpu_hyp_reinit_init:
        pop     {r4, lr}
cpu_init_hyp_mode:                      @ arm.c
        push    {r4, lr}
        ldr     r0, kvm_hyp_init_ptr
        bl      __hyp_set_vectors       @ through the stub: HVBAR = KVM's init vectors (idmap)
        mov     r0, #KVM_INIT
        cmp     r0, #1
        blo     cpu_init_one_phase
        beq     cpu_init_two_phases
        ldr     r0, hyp_stack_top_ptr   @ v4.6+ __cpu_init_hyp_mode(pgd, stack, vectors):
        ldr     r1, kvm_hyp_vector_ptr
        ldr     r2, hyp_pgd_ptr
        mov     r3, #0
        bl      kvm_call_hyp            @ kvm_call_hyp(stack, vectors, pgd): r0 = stack, r1 = vectors, r2/r3 = pgd
        ldr     r0, init_stage2_ptr
        bl      kvm_call_hyp            @ __cpu_init_stage2(): kvm_call_hyp(__init_stage2_translation)
        pop     {r4, pc}
cpu_init_two_phases:                    @ v3.10-v4.5
        mov     r0, #0
        mov     r1, #0
        ldr     r2, hyp_boot_pgd_ptr
        mov     r3, #0
        bl      kvm_call_hyp            @ phase 1: r0 = 0, r2/r3 = the boot pgd
        ldr     r0, hyp_stack_top_ptr
        ldr     r1, kvm_hyp_vector_ptr
        ldr     r2, hyp_pgd_ptr
        mov     r3, #0
        bl      kvm_call_hyp            @ phase 2: r0 = stack, r1 = vectors, r2/r3 = the runtime pgd
        pop     {r4, pc}
cpu_init_one_phase:                     @ v3.9
        ldr     r0, hyp_pgd_ptr
        mov     r1, #0
        ldr     r2, hyp_stack_top_ptr
        ldr     r3, kvm_hyp_vector_ptr
        bl      kvm_call_hyp            @ kvm_call_hyp(pgd_low, pgd_high, hyp_stack_ptr, vector_ptr): r0 is data
        pop     {r4, pc}
@ /quote: kvm-hyp-mode

@ quote: kvm-reset
kvm_reboot:                             @ the reboot notifier: kvm_rebooting = true; on_each_cpu(hardware_disable_nolock)
        ldr     r0, hardware_enabled_ptr
        ldr     r1, [r0]
        cmp     r1, #0
        bxeq    lr                      @ hardware_disable_nolock: only where a VM enabled the hardware
        mov     r1, #0
        str     r1, [r0]
        mov     r0, #KVM_TAKES_HYP
        cmp     r0, #0
        bxeq    lr                      @ v3.9-v4.5: kvm_arch_hardware_disable is empty: KVM keeps Hyp
cpu_hyp_reset:                          @ arm.c, v4.6+: give Hyp mode back to the stub
        mov     r0, #KVM_HANDLES_STUB_HVC
        cmp     r0, #0
        bne     __hyp_reset_vectors     @ v4.12: HVC_RESET_VECTORS, which KVM implements itself
        ldr     r0, kvm_hyp_reset_ptr   @ v4.6-v4.11: __cpu_reset_hyp_mode(hyp_default_vectors, …)
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
__do_hyp_init:
        mov     r12, #KVM_INIT
        cmp     r12, #1
        blo     hyp_init_one_phase
        bne     hyp_init_runtime
        cmp     r0, #0
        bne     hyp_init_runtime        @ v3.10-v4.5 phase 2 is the runtime setup
        mcrr    p15, #4, r2, r3, c2        @ phase 1: HTTBR = the boot pgd
        eret
hyp_init_runtime:                       @ r0 = Hyp stack, r1 = runtime vectors, r2/r3 = Hyp page tables
        mov     sp, r0
        mcr     p15, #4, r1, c12, c0, #0   @ HVBAR = KVM's runtime vectors
        mcrr    p15, #4, r2, r3, c2        @ HTTBR
        mcr     p15, #4, r0, c8, c7, #0    @ TLBIALLH
        dsb     ish
        eret                            @ (the Hyp MMU is not modelled: HSCTLR.M stays clear)
hyp_init_one_phase:                     @ v3.9: r0/r1 = Hyp page tables, r2 = Hyp stack, r3 = runtime vectors
        mcrr    p15, #4, r0, r1, c2        @ HTTBR
        ldr     r0, vtcr_value
        mcr     p15, #4, r0, c2, c1, #2    @ VTCR (v3.9 sets it here)
        mov     sp, r2
        mcr     p15, #4, r3, c12, c0, #0   @ HVBAR = KVM's runtime vectors
        eret

__kvm_hyp_reset:                        @ init.S, v4.6-v4.11: r0 = the stub vectors KVM saved at init
        mrc     p15, #4, r1, c1, c0, #0    @ HSCTLR
        bic     r1, r1, #0x7               @ M, A, C off
        bic     r1, r1, #0x1000            @ I off
        mcr     p15, #4, r1, c1, c0, #0
        mcr     p15, #4, r0, c12, c0, #0   @ HVBAR = the stub's vectors: Hyp mode is the stub's again
        isb
        eret                            @ straight back to the host: KVM's vectors are gone

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
hardware_enabled_ptr:           .word   hardware_enabled
hardware_enabled:               .word   0   @ cpus_hardware_enabled (one CPU)
kvm_hyp_init_ptr:               .word   __kvm_hyp_init
kvm_hyp_vector_ptr:             .word   KVM_HYP_VECTOR
hyp_stack_top_ptr:              .word   HYP_STACK_TOP
hyp_pgd_ptr:                    .word   HYP_PGD
hyp_boot_pgd_ptr:               .word   HYP_BOOT_PGD
init_stage2_ptr:                .word   __init_stage2_translation
flush_vm_context_ptr:           .word   __kvm_flush_vm_context
kvm_hyp_reset_ptr:              .word   __kvm_hyp_reset
kvm_reboot_ptr:                 .word   kvm_reboot
reboot_notifier_list_ptr_kvm:   .word   reboot_notifier_list
vtcr_value:                     .word   0x80003558  @ T0SZ 8 (a 40-bit IPA space), SL0 1, write-back walks, inner shareable

// kvm-hyp-v4.6.s: KVM/arm64's EL2 code of v4.6–v4.11 (arch/arm64/kvm/hyp/hyp-entry.S,
// hyp-init.S; ../shared/abi-facts.md §3.3): host calls are function
// pointers in x0 with their arguments in x1–x3 (do_el2_call), except
// x0 = HVC_GET_VECTORS (0), which reads VBAR_EL2 as the stub would. A trap
// is the host's when it is an HVC64 and VTTBR_EL2 is 0. kern_hyp_va is the
// identity here (no MMU: KVM's EL2 addresses are the kernel's). Runtime
// vectors at +0, the init vectors (idmap) at +0x800; the reset code,
// called through a function pointer, puts the stub back.

        .equ    ESR_ELX_EC_HVC64, 0x16
        .equ    HVC_GET_VECTORS, 0
        .equ    ARM_EXCEPTION_TRAP, 2
        .equ    SCTLR_ELX_FLAGS, 0x100f

        .align  11
__kvm_hyp_vector:
        .align  7
        b       hyp_panic             // +0x000 el2t sync
        .align  7
        b       hyp_panic             // +0x080 el2t irq
        .align  7
        b       hyp_panic             // +0x100 el2t fiq
        .align  7
        b       hyp_panic             // +0x180 el2t error
        .align  7
        b       hyp_panic               // +0x200 el2h sync
        .align  7
        b       hyp_panic             // +0x280 el2h irq
        .align  7
        b       hyp_panic             // +0x300 el2h fiq
        .align  7
        b       hyp_panic             // +0x380 el2h error
        .align  7
        b       el1_sync                // +0x400 el1 sync
        .align  7
        b       hyp_panic             // +0x480 el1 irq
        .align  7
        b       hyp_panic             // +0x500 el1 fiq
        .align  7
        b       hyp_panic             // +0x580 el1 error
        .align  7
        b       hyp_panic             // +0x600 el1 sync32
        .align  7
        b       hyp_panic             // +0x680 el1 irq32
        .align  7
        b       hyp_panic             // +0x700 el1 fiq32
        .align  7
        b       hyp_panic             // +0x780 el1 error32
        .align  11
__kvm_hyp_init:
        .align  7
        b       .            // +0x000 el2t sync
        .align  7
        b       .            // +0x080 el2t irq
        .align  7
        b       .            // +0x100 el2t fiq
        .align  7
        b       .            // +0x180 el2t error
        .align  7
        b       .            // +0x200 el2h sync
        .align  7
        b       .            // +0x280 el2h irq
        .align  7
        b       .            // +0x300 el2h fiq
        .align  7
        b       .            // +0x380 el2h error
        .align  7
        b       __do_hyp_init           // +0x400 el1 sync
        .align  7
        b       .            // +0x480 el1 irq
        .align  7
        b       .            // +0x500 el1 fiq
        .align  7
        b       .            // +0x580 el1 error
        .align  7
        b       .            // +0x600 el1 sync32
        .align  7
        b       .            // +0x680 el1 irq32
        .align  7
        b       .            // +0x700 el1 fiq32
        .align  7
        b       .            // +0x780 el1 error32

        .org    0x1000
__kvm_vcpu_run:                         // the host's kvm_call_hyp(__kvm_vcpu_run, vcpu) (KVM_VCPU_RUN)
        b       vcpu_run
__kvm_hyp_reset:                        // KVM_HYP_RESET: v4.6–v4.11 only
        b       hyp_reset

vcpu_run:                               // the world switch is not modelled: the vCPU runs and exits on a trap
        mov     x0, #ARM_EXCEPTION_TRAP
        ret
hyp_panic:                              // hyp_panic(): EL2 is dead, nothing returns to the host
        b       hyp_panic

el1_sync:                               // hyp-entry.S: a trap from EL1
        stp     x0, x1, [sp, #-16]!
        mrs     x1, esr_el2
        lsr     x0, x1, #26
        cmp     x0, #ESR_ELX_EC_HVC64
        b.ne    el1_trap
        mrs     x1, vttbr_el2           // if VTTBR is valid, the guest called HVC
        cbnz    x1, el1_trap
        ldp     x0, x1, [sp], #16       // here, we're pretty sure the host called HVC
        cmp     x0, #HVC_GET_VECTORS
        b.ne    1f
        mrs     x0, vbar_el2
        b       2f
1:      str     lr, [sp, #-16]!         // kern_hyp_va x0; do_el2_call
        mov     lr, x0
        mov     x0, x1
        mov     x1, x2
        mov     x2, x3
        blr     lr
        ldr     lr, [sp], #16
2:      eret
el1_trap:                               // a guest exit: no guest runs here, so the host's own trap kills EL2
        b       hyp_panic

__do_hyp_init:                          // hyp-init.S: x0 = the pgd, x1 = the EL2 stack, x2 = the runtime vectors
        msr     ttbr0_el2, x0           // TCR_EL2, MAIR_EL2 and the page tables are not modelled
        movz    x4, #0x183d
        movk    x4, #0x30c5, lsl #16
        msr     sctlr_el2, x4           // the EL2 MMU on (the model only keeps the bit)
        isb
        mov     sp, x1
        msr     vbar_el2, x2            // the runtime vectors
        eret

hyp_reset:                              // __kvm_hyp_reset: x0 = the boot pgd
        msr     ttbr0_el2, x0
        mrs     x0, sctlr_el2
        mov     x1, #SCTLR_ELX_FLAGS
        bic     x0, x0, x1              // the EL2 MMU and caches off
        msr     sctlr_el2, x0
        isb
        movz    x0, #HYP_STUB_VECTORS_HI, lsl #16       // install the stub vectors
        msr     vbar_el2, x0
        eret                            // straight back to the host

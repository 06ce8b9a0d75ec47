// kvm-hyp-v5.7.s: KVM/arm64's EL2 code of the x0 fix (b9e10d4a6c9f: v5.8, stable 5.7.y)–v5.9
// (arch/arm64/kvm/hyp/hyp-entry.S, arch/arm64/kvm/hyp-init.S;
// ../shared/abi-facts.md §3.3, §4.3): a host HVC with x0 below
// HVC_STUB_HCALL_NR (3) is a stub call that KVM handles itself
// (__kvm_handle_stub_hvc: SET is refused, SOFT_RESTART erets to x1 at EL2h
// with the stub's vectors back, RESET_VECTORS gives EL2 back); any other x0
// is a function pointer. The init vectors take the stub calls too.
// The fix sets x0 = 0 only on the HVC_RESET_VECTORS path, so
// HVC_SOFT_RESTART's payload keeps the x0 it was given; and a host HVC32 is a
// call too (ccmp with ESR_ELx_EC_HVC32), as in the v5.7 tree.
// kern_hyp_va and the idmap PA of the handler are the identity here (no MMU).

        .equ    ESR_ELX_EC_HVC64, 0x16
        .equ    ESR_ELX_EC_HVC32, 0x12
        .equ    HVC_SOFT_RESTART, 1
        .equ    HVC_RESET_VECTORS, 2
        .equ    HVC_STUB_HCALL_NR, 3
        .equ    ARM_EXCEPTION_TRAP, 2
        .equ    PSR_EL2H_MASKED, 0x3c9
        .equ    SCTLR_ELX_FLAGS, 0x100f

        .align  11
__kvm_hyp_vector:
        .align  7
        b       hyp_panic               // +0x000 el2t sync
        .align  7
        b       hyp_panic               // +0x080 el2t irq
        .align  7
        b       hyp_panic               // +0x100 el2t fiq
        .align  7
        b       hyp_panic               // +0x180 el2t error
        .align  7
        b       hyp_panic               // +0x200 el2h sync
        .align  7
        b       hyp_panic               // +0x280 el2h irq
        .align  7
        b       hyp_panic               // +0x300 el2h fiq
        .align  7
        b       hyp_panic               // +0x380 el2h error
        .align  7
        b       el1_sync                // +0x400 el1 sync
        .align  7
        b       hyp_panic               // +0x480 el1 irq
        .align  7
        b       hyp_panic               // +0x500 el1 fiq
        .align  7
        b       hyp_panic               // +0x580 el1 error
        .align  7
        b       hyp_panic               // +0x600 el1 sync32
        .align  7
        b       hyp_panic               // +0x680 el1 irq32
        .align  7
        b       hyp_panic               // +0x700 el1 fiq32
        .align  7
        b       hyp_panic               // +0x780 el1 error32
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
__kvm_hyp_reset:                        // KVM_HYP_RESET: v4.6–v4.11 only; not in this era
        b       hyp_panic

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
        ccmp    x0, #ESR_ELX_EC_HVC32, #4, ne   // HVC64 or HVC32
        b.ne    el1_trap
        mrs     x1, vttbr_el2           // if VTTBR is valid, the guest called HVC
        cbnz    x1, el1_trap
        ldp     x0, x1, [sp], #16       // here, we're pretty sure the host called HVC
        cmp     x0, #HVC_STUB_HCALL_NR
        b.hs    1f
        b       __kvm_handle_stub_hvc   // a stub call (the idmap PA of the handler)
1:      str     lr, [sp, #-16]!         // kern_hyp_va x0; do_el2_call
        mov     lr, x0
        mov     x0, x1
        mov     x1, x2
        mov     x2, x3
        blr     lr
        ldr     lr, [sp], #16
        eret
el1_trap:                               // a guest exit: no guest runs here, so the host's own trap kills EL2
        b       hyp_panic

__do_hyp_init:                          // hyp-init.S
        cmp     x0, #HVC_STUB_HCALL_NR  // a stub call on the init vectors
        b.lo    __kvm_handle_stub_hvc
        msr     ttbr0_el2, x0           // x0 = the pgd, x1 = the EL2 stack, x2 = the runtime vectors
        movz    x4, #0x183d
        movk    x4, #0x30c5, lsl #16
        msr     sctlr_el2, x4           // the EL2 MMU on (the model only keeps the bit)
        isb
        mov     sp, x1
        msr     vbar_el2, x2
        eret

__kvm_handle_stub_hvc:                  // hyp-init.S: the stub calls, in KVM
        cmp     x0, #HVC_SOFT_RESTART
        b.ne    1f
        msr     elr_el2, x1             // where we're about to jump, staying at EL2
        mov     x0, #PSR_EL2H_MASKED
        msr     spsr_el2, x0
        mov     x0, x2                  // shuffle the arguments, and don't come back
        mov     x1, x3
        mov     x2, x4
        b       reset
1:      cmp     x0, #HVC_RESET_VECTORS
        b.ne    1f
        mov     x0, xzr                 // the fix: the return code is set before the shared tail
reset:                                  // back to the hyp-stub; x0–x4 kept for SOFT_RESTART
        mrs     x5, sctlr_el2
        mov     x6, #SCTLR_ELX_FLAGS
        bic     x5, x5, x6              // the EL2 MMU and caches off
        msr     sctlr_el2, x5
        isb
        movz    x5, #HYP_STUB_VECTORS_HI, lsl #16       // install the stub vectors
        msr     vbar_el2, x5
        eret
1:      movz    x0, #0xca11             // bad stub call: HVC_STUB_ERR
        movk    x0, #0xbad, lsl #16
        eret

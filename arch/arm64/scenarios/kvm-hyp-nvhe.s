// kvm-hyp-nvhe.s: KVM/arm64's nVHE EL2 code from v5.10, and protected
// KVM (arch/arm64/kvm/hyp/nvhe/host.S, hyp-init.S, hyp-main.c;
// ../shared/abi-facts.md §3.3): host calls are SMCCC function IDs
// KVM_HOST_SMCCC_ID(n) = 0xC6000000 + n. A host HVC with x0 below
// HVC_STUB_HCALL_NR is a stub call (__kvm_handle_stub_hvc, with the x0 fix)
// — except in protected mode ("No stub for you, sonny Jim"), where it goes
// to handle_host_hcall like any other ID, is out of range, and returns
// x0 = SMCCC_RET_NOT_SUPPORTED (−1). handle_host_hcall answers
// x0 = SMCCC_RET_SUCCESS with the function's result in x1. The prelude's
// KVM_PROTECTED stands for the alternative the kernel patches in.
// HVC_STUB_HCALL_NR comes from the prelude (3 in v5.10, 4 from ≈v5.12).
// Only __kvm_vcpu_run (n = 1, v5.10–≈v6.1 numbering) is modelled; any other
// in-range ID stops EL2 (hyp_panic), so an unmodelled call cannot pass.

        .equ    ESR_ELX_EC_HVC64, 0x16
        .equ    HVC_SOFT_RESTART, 1
        .equ    HVC_RESET_VECTORS, 2
        .equ    ARM_EXCEPTION_TRAP, 2
        .equ    PSR_EL2H_MASKED, 0x3c9
        .equ    SCTLR_ELX_FLAGS, 0x100f
        .equ    HOST_HCALLS, 15                 // __kvm_hyp_init … __vgic_v3_restore_aprs (v5.10)
        .equ    SMCCC_CALL_HINTS, 0x10000       // ARM_SMCCC_CALL_HINTS (the SVE hint)

        .align  11
__kvm_hyp_host_vector:
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
        b       __host_hvc              // +0x400 el1 sync
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

// quote: host-hvc
__host_hvc:                             // host.S host_el1_sync_vect
        stp     x0, x1, [sp, #-16]!
        mrs     x0, esr_el2
        lsr     x0, x0, #26
        cmp     x0, #ESR_ELX_EC_HVC64
        ldp     x0, x1, [sp], #16
        b.ne    __host_exit
        mov     x5, #KVM_PROTECTED      // alternative_if ARM64_KVM_PROTECTED_MODE: b __host_exit
        cbnz    x5, __host_exit
        cmp     x0, #HVC_STUB_HCALL_NR  // check for a stub HVC call
        b.hs    __host_exit
        b       __kvm_handle_stub_hvc
__host_exit:                            // handle_trap → handle_host_hcall (hyp-main.c)
        mrs     x5, esr_el2
        lsr     x5, x5, #26
        cmp     x5, #ESR_ELX_EC_HVC64
        b.ne    hyp_panic               // handle_trap: default: BUG()
        movz    x5, #0xc600, lsl #16
        sub     x5, x0, x5              // id -= KVM_HOST_SMCCC_ID(0)
        cmp     x5, #HOST_HCALLS
        b.hs    1f
        cmp     x5, #1                  // __kvm_vcpu_run
        b.ne    hyp_panic               // not modelled
        str     lr, [sp, #-16]!
        mov     x0, x1
        bl      vcpu_run
        ldr     lr, [sp], #16
        mov     x1, x0                  // the result in x1
        mov     x0, xzr                 // SMCCC_RET_SUCCESS
        eret
1:      mov     x0, #-1                 // SMCCC_RET_NOT_SUPPORTED
        eret
// /quote: host-hvc

__do_hyp_init:                          // nvhe/hyp-init.S
        cmp     x0, #HVC_STUB_HCALL_NR  // a stub call on the init vectors
        b.lo    __kvm_handle_stub_hvc
        and     x0, x0, #~SMCCC_CALL_HINTS     // clear ARM_SMCCC_CALL_HINTS
        movz    x5, #0xc600, lsl #16    // KVM_HOST_SMCCC_FUNC(__kvm_hyp_init)
        cmp     x0, x5
        b.eq    1f
        mov     x0, #-1                 // SMCCC_RET_NOT_SUPPORTED
        eret
1:      ldr     x2, [x1]                // x1 = the kvm_nvhe_init_params: the runtime vectors, the stack
        ldr     x3, [x1, #8]
        movz    x4, #0x183d
        movk    x4, #0x30c5, lsl #16
        msr     sctlr_el2, x4           // the EL2 MMU on (the model only keeps the bit)
        isb
        mov     sp, x3
        msr     vbar_el2, x2
        mov     x0, xzr                 // SMCCC_RET_SUCCESS
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

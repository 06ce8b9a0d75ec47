// hyp-stub-v5.12.s: the arm64 hyp-stub of ≈v5.12 (first release
// UNCONFIRMED) to the FINALISE_EL2 rename (torvalds/linux
// arch/arm64/kernel/hyp-stub.S @005e1267), written from
// ../shared/abi-facts.md §3.1 and §3.2: HVC_SET_VECTORS 0, HVC_SOFT_RESTART
// 1, HVC_RESET_VECTORS 2, HVC_VHE_RESTART 3 (mutate_to_vhe: HVC_STUB_ERR
// when the EL2 MMU is on or the CPU has no VHE; otherwise HCR_EL2 for a VHE
// host, the EL1 stack, per-CPU offset, vectors and MM state moved to EL2,
// MDCR_EL2.E2PB/E2TB cleared, and the eret back at EL2h with x0 = 0, the
// EL1 state read through the _EL12 aliases (by their generic S3_5_… names,
// as the kernel's mrs_s does: llvm-mc needs v8.1a for the _EL12 names) and
// written through the EL1 names E2H redirects to EL2; the EL1 SCTLR reset and the arm64.nohvhe
// override are not modelled), anything else HVC_STUB_ERR. "Synchronous EL2h" (+0x200) goes
// to the same handler. Every other slot spins.

        .equ    HVC_SET_VECTORS, 0
        .equ    HVC_SOFT_RESTART, 1
        .equ    HVC_RESET_VECTORS, 2
        .equ    HVC_VHE_RESTART, 3
        .equ    ID_AA64MMFR1_VH_SHIFT, 8
        .equ    PSR_MODE_EL2H, 0x9
        .equ    MDCR_EL2_E2PB_MASK, 0x3
        .equ    MDCR_EL2_E2PB_SHIFT, 12
        .equ    MDCR_EL2_E2TB_MASK, 0x3
        .equ    MDCR_EL2_E2TB_SHIFT, 24

        .align  11
__hyp_stub_vectors:
el2t_sync_invalid:      b       el2t_sync_invalid       // +0x000 EL2t synchronous
        .align  7
el2t_irq_invalid:       b       el2t_irq_invalid        // +0x080
        .align  7
el2t_fiq_invalid:       b       el2t_fiq_invalid        // +0x100
        .align  7
el2t_error_invalid:     b       el2t_error_invalid      // +0x180
        .align  7
el2h_sync:              b       elx_sync                // +0x200 EL2h synchronous: the same handler
        .align  7
el2h_irq_invalid:       b       el2h_irq_invalid        // +0x280
        .align  7
el2h_fiq_invalid:       b       el2h_fiq_invalid        // +0x300
        .align  7
el2h_error_invalid:     b       el2h_error_invalid      // +0x380
        .align  7
elx_sync:                                               // +0x400 synchronous from EL1, AArch64 (and EL2h)
        cmp     x0, #HVC_SET_VECTORS
        b.ne    1f
        msr     vbar_el2, x1
        b       9f
1:      cmp     x0, #HVC_VHE_RESTART
        b.eq    mutate_to_vhe
2:      cmp     x0, #HVC_SOFT_RESTART
        b.ne    3f
        mov     x0, x2
        mov     x2, x4
        mov     x4, x1
        mov     x1, x3
        br      x4                      // no return: the entry, at EL2
3:      cmp     x0, #HVC_RESET_VECTORS
        b.eq    9f                      // nothing to reset
        b       stub_err                // someone called kvm_call_hyp() against the hyp-stub
9:      mov     x0, xzr
        eret
        .align  7
el1_irq_invalid:        b       el1_irq_invalid         // +0x480
        .align  7
el1_fiq_invalid:        b       el1_fiq_invalid         // +0x500
        .align  7
el1_error_invalid:      b       el1_error_invalid       // +0x580
        .align  7
el1_sync_invalid:       b       el1_sync_invalid        // +0x600 synchronous from EL1, AArch32
        .align  7
el1_irq32_invalid:      b       el1_irq32_invalid       // +0x680
        .align  7
el1_fiq32_invalid:      b       el1_fiq32_invalid       // +0x700
        .align  7
el1_error32_invalid:    b       el1_error32_invalid     // +0x780

mutate_to_vhe:                          // the sanity checks, then the upgrade
        mrs     x1, sctlr_el2
        tbnz    x1, #0, stub_err        // the EL2 MMU must be off
        mrs     x1, id_aa64mmfr1_el1
        ubfx    x1, x1, #ID_AA64MMFR1_VH_SHIFT, #4
        cbz     x1, stub_err            // needs to be VHE capable, obviously
        movz    x1, #0x8800, lsl #16    // HCR_HOST_VHE_FLAGS: RW | TGE | E2H
        movk    x1, #0x4, lsl #32
        msr     hcr_el2, x1
        isb
        mrs     x1, sp_el1              // the EL1 stack and per-CPU offset become EL2's
        mov     sp, x1
        mrs     x1, tpidr_el1
        msr     tpidr_el2, x1
        mrs     x1, s3_5_c1_c0_2        // CPACR_EL12 (mrs_s, as the kernel writes it). FP configuration: with E2H = 1 an EL2 write of CPACR_EL1 is CPTR_EL2
        msr     cpacr_el1, x1
        mrs     x1, s3_5_c12_c0_0       // VBAR_EL12: the kernel's vectors become EL2's (VBAR_EL1 is VBAR_EL2 here)
        msr     vbar_el1, x1
        mrs     x1, mdcr_el2            // EL2 translations for SPE and TRBE
        bic     x1, x1, #(MDCR_EL2_E2PB_MASK << MDCR_EL2_E2PB_SHIFT)
        bic     x1, x1, #(MDCR_EL2_E2TB_MASK << MDCR_EL2_E2TB_SHIFT)
        msr     mdcr_el2, x1
        mrs     x1, s3_5_c2_c0_2        // TCR_EL12: the MM state moves from EL1 to EL2, through the _EL12 aliases
        msr     tcr_el1, x1
        mrs     x1, s3_5_c2_c0_0        // TTBR0_EL12
        msr     ttbr0_el1, x1
        mrs     x1, s3_5_c2_c0_1        // TTBR1_EL12
        msr     ttbr1_el1, x1
        mrs     x1, s3_5_c10_c2_0       // MAIR_EL12
        msr     mair_el1, x1
        isb
        mrs     x1, spsr_el1            // the eret stays at EL2 (SPSR_EL1 is SPSR_EL2 here)
        mov     x2, #PSR_MODE_EL2H
        bfi     x1, x2, #0, #4          // M[3:0] (PSR_MODE_MASK) ← EL2h
        msr     spsr_el1, x1
        mrs     x1, s3_5_c1_c0_0        // SCTLR_EL12: enter_vhe: the EL2 MMU as the kernel set EL1's up
        msr     sctlr_el1, x1
        isb
        mov     x0, xzr
        eret
stub_err:
        movz    x0, #0xca11             // HVC_STUB_ERR (0xbadca11)
        movk    x0, #0xbad, lsl #16
        eret

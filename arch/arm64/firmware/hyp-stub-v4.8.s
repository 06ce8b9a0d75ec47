// hyp-stub-v4.8.s: the arm64 hyp-stub of v4.8–v4.11 (arch/arm64/kernel/hyp-stub.S),
// written from ../shared/abi-facts.md §3.1 and §3.2: HVC_GET_VECTORS 0,
// HVC_SET_VECTORS 1 (the base in x1), HVC_SOFT_RESTART 2 (x0 ← x2,
// x1 ← x3, x2 ← x4, then a branch to the old x1, at EL2), anything else
// ARM_EXCEPTION_HYP_GONE (3). Only an HVC64 trap is a call: every other
// synchronous exception from EL1 just returns. The table is 2 KiB aligned;
// every slot but "synchronous, lower EL, AArch64" (+0x400) spins (`b .`,
// the stub's invalid_vector).

        .equ    ESR_ELX_EC_SHIFT, 26
        .equ    ESR_ELX_EC_HVC64, 0x16
        .equ    HVC_GET_VECTORS, 0
        .equ    HVC_SET_VECTORS, 1
        .equ    HVC_SOFT_RESTART, 2
        .equ    ARM_EXCEPTION_HYP_GONE, 3

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
el2h_sync_invalid:      b       el2h_sync_invalid       // +0x200 EL2h synchronous
        .align  7
el2h_irq_invalid:       b       el2h_irq_invalid        // +0x280
        .align  7
el2h_fiq_invalid:       b       el2h_fiq_invalid        // +0x300
        .align  7
el2h_error_invalid:     b       el2h_error_invalid      // +0x380
        .align  7
el1_sync:                                               // +0x400 synchronous from EL1, AArch64
        mrs     x30, esr_el2
        lsr     x30, x30, #ESR_ELX_EC_SHIFT
        cmp     x30, #ESR_ELX_EC_HVC64
        b.ne    9f                      // not an HVC trap
        cmp     x0, #HVC_GET_VECTORS
        b.ne    1f
        mrs     x0, vbar_el2
        b       9f
1:      cmp     x0, #HVC_SET_VECTORS
        b.ne    2f
        msr     vbar_el2, x1
        b       9f
2:      cmp     x0, #HVC_SOFT_RESTART
        b.ne    3f
        mov     x0, x2
        mov     x2, x4
        mov     x4, x1
        mov     x1, x3
        br      x4                      // no return: the entry, at EL2
3:      mov     x0, #ARM_EXCEPTION_HYP_GONE     // someone called kvm_call_hyp() against the hyp-stub
9:      eret
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

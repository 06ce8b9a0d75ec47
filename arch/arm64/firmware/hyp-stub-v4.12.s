// hyp-stub-v4.12.s: the arm64 hyp-stub of v4.12 to about v5.11
// (arch/arm64/kernel/hyp-stub.S), written from ../shared/abi-facts.md §3.1
// and §3.2: the renumbering. HVC_SET_VECTORS 0 (the base in x1; x0 = 0),
// HVC_SOFT_RESTART 1 (x0 ← x2, x1 ← x3, x2 ← x4, then a branch to the old
// x1 at EL2, no return), HVC_RESET_VECTORS 2 (nothing to undo; x0 = 0),
// anything else HVC_STUB_ERR (0xbadca11): someone called kvm_call_hyp()
// against the hyp-stub. The ESR check is gone. Every slot but +0x400 spins.

        .equ    HVC_SET_VECTORS, 0
        .equ    HVC_SOFT_RESTART, 1
        .equ    HVC_RESET_VECTORS, 2

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
        cmp     x0, #HVC_SET_VECTORS
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
3:      cmp     x0, #HVC_RESET_VECTORS
        b.eq    9f                      // nothing to reset
        movz    x0, #0xca11             // HVC_STUB_ERR: someone called kvm_call_hyp() against the hyp-stub
        movk    x0, #0xbad, lsl #16
        eret
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

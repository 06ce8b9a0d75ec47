// hyp-stub-v3.9.s: the arm64 hyp-stub of v3.9 to about v4.6
// (arch/arm64/kernel/hyp-stub.S), written from ../shared/abi-facts.md §3.1
// and §3.2: no call numbers. x0 = 0 reads VBAR_EL2 into x0 (what
// __hyp_get_vectors asks), any other x0 is the new VBAR_EL2
// (__hyp_set_vectors). Only an HVC64 trap is a call: every other
// synchronous exception from EL1 just returns. The table is 2 KiB aligned;
// every slot but +0x400 spins.

        .equ    ESR_ELX_EC_SHIFT, 26
        .equ    ESR_ELX_EC_HVC64, 0x16

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
        mrs     x1, esr_el2
        lsr     x1, x1, #ESR_ELX_EC_SHIFT
        cmp     x1, #ESR_ELX_EC_HVC64
        b.ne    2f                      // not an HVC trap
        cbnz    x0, 1f
        mrs     x0, vbar_el2            // x0 = 0: get the vectors
        b       2f
1:      msr     vbar_el2, x0            // any other x0: the new vectors
        isb
2:      eret
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

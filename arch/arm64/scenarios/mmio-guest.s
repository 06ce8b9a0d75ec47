// mmio-guest.s: an arm64 guest kernel at EL1 in a VM (stage 2 on, VMID 1)
// touching an emulated device (issue 13; abi-facts §12.5 and §12.7), the
// AArch64 twin of arch/arm32/scenarios/mmio-guest.s. The prelude
// (arch/arm64/scenarios/mmio.scenario.ts) sets ACCESS, TEST_DEVICE (the
// test register file's IPA, outside the guest's memory, so every access
// faults at stage 2) and the values the device answers:
//
//   ACCESS 0 (isv)        str w1 to CTRL (+8), ldr x2 of DATA (+0, 8
//                         bytes), ldrsh x3 of SIGNED (+16): x3 must be SIGNED sign-extended to
//                         64 bits. Then guest_done.
//   ACCESS 1 (ldrsh-w)    ldrsh w4 (SF = 0) of SIGNED: a
//                         W register write zeroes bits 63:32, so x4 must be
//                         0x00000000ffff8001 (guest_done); 0xffffffffffff8001
//                         is a hypervisor that sign-extended past the
//                         register (ldrsh_misread).
//   ACCESS 2 (writeback)  ldr w1, [x0], #4 (b8404401, post-index: ISV = 0),
//                         the accessor U-Boot used on an XHCI BAR. A
//                         synchronous exception at EL1 checks ESR_EL1 for
//                         0x96000010 (EC 0x25, IL, FSC 0x10: an external
//                         abort from the same EL) and FAR_EL1 for the
//                         device address before guest_data_abort.
//
// Encodings: llvm-mc -triple=aarch64 -show-encoding.

        .text
guest_entry:
        adr     x9, guest_vectors
        msr     vbar_el1, x9                    // D13.2.143
        isb
        ldr     x0, =TEST_DEVICE
        mov     x1, #ACCESS
        cmp     x1, #1
        b.eq    access_ldrsh_w
        cmp     x1, #2
        b.eq    access_writeback

access_isv:
        mov     w1, #0x41
        str     w1, [x0, #8]                    // CTRL: a 4-byte write the device logs
        ldr     x2, [x0]                        // DATA, 8 bytes (SAS = 3, SF)
        ldr     x5, =DATA_VALUE
        cmp     x2, x5
        b.ne    guest_fail
        ldrsh   x3, [x0, #16]                    // SIGNED, sign-extended to 64 bits
        ldr     x5, =SIGNED_X
        cmp     x3, x5
        b.ne    guest_fail
        b       guest_done

access_ldrsh_w:
        mov     x4, #-1                         // every bit set, so a missing zero-extension shows
        ldrsh   w4, [x0, #16]                    // SIGNED into a W register
        ldr     x5, =SIGNED_W
        cmp     x4, x5
        b.eq    guest_done
        ldr     x5, =SIGNED_X
        cmp     x4, x5
        b.eq    ldrsh_misread
        b       guest_fail

access_writeback:
        ldr     w1, [x0], #4                    // post-index: ISV = 0
        b       guest_fail                      // the access never completes on any era modelled

guest_sync:
        mrs     x10, esr_el1                    // D13.2.37
        ldr     x11, =0x96000010
        cmp     x10, x11
        b.ne    guest_fail
        mrs     x10, far_el1                    // D13.2.40
        ldr     x11, =TEST_DEVICE
        cmp     x10, x11
        b.ne    guest_fail
        b       guest_data_abort

guest_done:
        wfi                                     // every value the guest checked was right
ldrsh_misread:
        wfi                                     // x4 has SIGNED sign-extended to 64 bits after a W load
guest_data_abort:
        wfi                                     // the external abort QEMU injected, as U-Boot saw it
guest_fail:
        wfi                                     // a wrong value, or an exception the guest never expects

        .ltorg

        .balign 2048
guest_vectors:
        b       guest_fail                      // 0x000 current EL, SP_EL0: sync
        .balign 0x80
        b       guest_fail                      // 0x080 IRQ
        .balign 0x80
        b       guest_fail                      // 0x100 FIQ
        .balign 0x80
        b       guest_fail                      // 0x180 SError
        .balign 0x80
        b       guest_sync                      // 0x200 current EL, SP_ELx: sync
        .balign 0x80
        b       guest_fail                      // 0x280 IRQ
        .balign 0x80
        b       guest_fail                      // 0x300 FIQ
        .balign 0x80
        b       guest_fail                      // 0x380 SError
        .balign 0x80
        b       guest_fail                      // 0x400 lower EL

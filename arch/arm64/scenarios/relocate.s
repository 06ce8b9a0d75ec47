// relocate.s: arm64_relocate_new_kernel (arch/arm64/kernel/relocate_kernel.S
// of v4.8–v5.14), the code at reboot_code_buffer that __cpu_soft_restart
// enters with x0 = kimage->head, x1 = kimage->start, x2 = 0. It walks the
// kimage list (IND_DESTINATION 1, IND_INDIRECTION 2, IND_DONE 4,
// IND_SOURCE 8) and starts the image. The model's images are loaded at
// their destinations, so a correct list is IND_DONE alone; the walk is real,
// so a wrong x0 (KVM v4.12's clobber) makes it read its list from address 0.
// Page copies and cache maintenance are left out.

        .equ    SCTLR_ELX_M, 0x1

arm64_relocate_new_kernel:
        mov     x17, x1                 // x17 = kimage_start
        mov     x16, x0                 // x16 = kimage_head
        mov     x18, x2                 // the image's x0
        mov     x14, xzr                // x14 = entry ptr
        mov     x13, xzr                // x13 = copy dest
        mrs     x0, CurrentEL           // clear the sctlr_el2 flags when at EL2
        cmp     x0, #0x8
        b.ne    1f
        mrs     x0, sctlr_el2
        mov     x1, #SCTLR_ELX_M
        bic     x0, x0, x1
        msr     sctlr_el2, x0
        isb
1:      tbnz    x16, #2, .Ldone         // IND_DONE: nothing to relocate
.Lloop:
        and     x12, x16, #0xfffffffffffff000   // x12 = addr
        tbz     x16, #3, .Ltest_indirection     // IND_SOURCE: copy_page(x13, x12), not modelled
        add     x13, x13, #0x1000
        b       .Lnext
.Ltest_indirection:
        tbz     x16, #1, .Ltest_destination
        mov     x14, x12                // ptr = addr
        b       .Lnext
.Ltest_destination:
        tbz     x16, #0, .Lnext
        mov     x13, x12                // dest = addr
.Lnext:
        ldr     x16, [x14], #8          // entry = *ptr++
        tbz     x16, #2, .Lloop         // while (!(entry & IND_DONE))
.Ldone:
        dsb     nsh
        ic      iallu
        dsb     nsh
        isb
        mov     x0, x18                 // start the new image
        mov     x1, xzr
        mov     x2, xzr
        mov     x3, xzr
        br      x17

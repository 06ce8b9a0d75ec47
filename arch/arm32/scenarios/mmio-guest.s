@ mmio-guest.s: a guest kernel (SVC mode, inside a VM) that touches
@ emulated devices: a test register file at TEST_DEVICE and a PL011 UART
@ at UART. The prelude's ACCESS picks what it does; each access is the
@ instruction form abi-facts section 12.4 lists, and what happens to it is
@ the hypervisor's era (the spec firmware at the Hyp vectors):
@
@   ACCESS 0  ISV = 1 accesses: str to CTRL, ldr of DATA, ldrsh of SIGNED
@             (checked against the device's scripted values)
@   ACCESS 1  stm r0, {r1, r2}: a store multiple, ISV = 0
@   ACCESS 2  ldr r1, [r0], #4: a post-indexed load (writeback), ISV = 0
@   ACCESS 3  ldr pc, [r0]: a load into the PC, ISV = 1 with SRT = 15
@   ACCESS 4  "hello\n" to the UART's UARTDR, polling UARTFR.TXFF
@   ACCESS 5  turn the MMU on with a level-1 entry whose level-2 table is
@             in MMIO (at TEST_DEVICE), then load through it: the walk
@             faults at stage 2 (S1PTW = 1)
@
@ The guest's own vectors end the run: its data- and prefetch-abort
@ handlers are where an abort the hypervisor injects lands.

guest_entry:
        ldr     r0, =guest_vectors
        mcr     p15, 0, r0, c12, c0, 0  @ VBAR (ARM ARM B4.1.156)
        isb
        ldr     r0, =TEST_DEVICE
        mov     r5, #ACCESS
        cmp     r5, #0
        beq     access_isv
        cmp     r5, #1
        beq     access_stm
        cmp     r5, #2
        beq     access_writeback
        cmp     r5, #3
        beq     access_pc
        cmp     r5, #4
        beq     access_uart
        b       access_s1ptw

access_isv:
        mov     r1, #0x41
        str     r1, [r0, #4]            @ CTRL ← 0x41: ISV = 1, SAS word, WnR
        ldr     r2, [r0]                @ DATA: ISV = 1, a word load
        ldrsh   r3, [r0, #8]            @ SIGNED: ISV = 1, SSE, a halfword
        ldr     r4, =DATA_VALUE
        cmp     r2, r4
        bne     guest_fail
        ldr     r4, =SIGNED_EXTENDED
        cmp     r3, r4
        bne     guest_fail
        b       guest_done

@ quote: mmio-stm
access_stm:
        mov     r1, #1
        mov     r2, #2
        stm     r0, {r1, r2}            @ a store multiple: no valid syndrome
        b       guest_done
@ /quote: mmio-stm

@ quote: mmio-writeback
access_writeback:
        ldr     r1, [r0], #4            @ post-indexed: no valid syndrome
        ldr     r4, =TEST_DEVICE + 4
        cmp     r0, r4
        bne     guest_fail
        ldr     r4, =DATA_VALUE
        cmp     r1, r4
        bne     guest_fail
        b       guest_done
@ /quote: mmio-writeback

access_pc:
        ldr     pc, [r0]                @ MMIO into the PC
        b       guest_fail

access_uart:
        ldr     r0, =UART
        adr     r3, hello
1:      ldrb    r2, [r3], #1            @ from RAM: never faults
        cmp     r2, #0
        beq     guest_done
2:      ldr     r4, [r0, #0x18]         @ UARTFR
        tst     r4, #0x20               @ TXFF: transmit FIFO full
        bne     2b
        str     r2, [r0]                @ UARTDR
        b       1b

hello:
        .asciz  "hello\n"
        .balign 4

@ Short-descriptor stage 1 (ARM ARM B3.5): L1_TABLE is 16 KiB, one entry
@ per MiB of VA. The guest's own MiB is a section mapped flat (AP = 0b11);
@ the MiB at S1PTW_VA points at a level-2 table at TEST_DEVICE, an IPA
@ stage 2 does not map.
access_s1ptw:
        ldr     r1, =L1_TABLE
        ldr     r2, =0x80000c02         @ section 0x800: PA 0x80000000, AP 0b11, domain 0
        add     r3, r1, #(0x800 * 4)
        str     r2, [r3]
        ldr     r2, =TEST_DEVICE + 1    @ page-table descriptor: level 2 at TEST_DEVICE
        add     r3, r1, #((S1PTW_VA >> 20) * 4)
        str     r2, [r3]
        mcr     p15, 0, r1, c2, c0, 0   @ TTBR0
        mov     r2, #0
        mcr     p15, 0, r2, c2, c0, 2   @ TTBCR: short descriptors, TTBR0 only
        mov     r2, #3
        mcr     p15, 0, r2, c3, c0, 0   @ DACR: domain 0 manager
        mrc     p15, 0, r2, c1, c0, 0
        orr     r2, r2, #1
        mcr     p15, 0, r2, c1, c0, 0   @ SCTLR.M
        isb
        ldr     r0, =S1PTW_VA
        ldr     r1, [r0]                @ the walk reads its level-2 descriptor from MMIO
        b       guest_fail

guest_done:
        wfi                             @ the guest finished
guest_fail:
        wfi                             @ a value the guest checks was wrong

        .ltorg

        .balign 32
guest_vectors:
        b       guest_fail              @ 0x00 reset
        b       guest_undef             @ 0x04 undefined instruction
        b       guest_fail              @ 0x08 supervisor call
        b       guest_prefetch_abort    @ 0x0c
        b       guest_data_abort        @ 0x10
        b       guest_fail              @ 0x14 not used
        b       guest_fail              @ 0x18 IRQ
        b       guest_fail              @ 0x1c FIQ
guest_undef:
        wfi
guest_prefetch_abort:
        wfi                             @ the guest's prefetch-abort handler
guest_data_abort:
        wfi                             @ the guest's data-abort handler

@ mmio-fetch-race.s: the ISV = 0 instruction-fetch race of the pre-merge
@ KVM/ARM trees (issue 13 section 3; abi-facts section 12.6), on two
@ vCPUs of one VM (SVC mode, stage 2 on, the test device outside the
@ guest's memory). Both vCPUs start at start and part by MPIDR.Aff0:
@
@   vCPU 0  ldr r1, [r0], #4 to the test device's DATA: a post-indexed
@           load, so the HSR has no valid syndrome (ISV = 0) and the
@           hypervisor must fetch the instruction and decode it. It then
@           checks what the emulation did: r1 = DATA and r0 advanced by 4
@           is the instruction that trapped (fetch_consistent); r2 = the
@           low half of DATA and r0 advanced by 2 is the instruction
@           vCPU 1 wrote (fetch_raced); anything else is fetch_bad.
@   vCPU 1  stands for the guest kernel taking that text page away and
@           reusing its frame: it invalidates the page's translations
@           everywhere (TLBIALLIS, then DSB to wait for completion), then
@           writes the frame's new contents (ldrh r2, [r0], #2 over the
@           word vCPU 0 trapped on), and parks. The guest runs with its
@           stage 1 off, so nothing is unmapped at stage 1; the order of
@           invalidate, complete, reuse is what matters, because an IPI
@           shootdown holds the reuse back at the DSB.
@
@ Encodings (llvm-mc -triple=armv7a -mattr=+virtualization -show-encoding):
@   ldr  r1, [r0], #4   e4901004
@   ldrh r2, [r0], #2   e0d020b2
@
@ Where vCPU 1's write lands is the schedule's (the scenario's fixed one
@ puts it between the hypervisor's translation of vCPU 0's PC and its
@ read of the word) and the shootdown design's (under IPI, vCPU 1 waits at
@ its DSB until vCPU 0 is back in the guest); what it does to the
@ emulation is the era's.

        .equ    LDRH_R2_POST_2, 0xe0d020b2

        .text
start:
        mrc     p15, 0, r4, c0, c0, 5   @ MPIDR (B4.1.106)
        and     r4, r4, #0xff           @ Aff0: this vCPU's number
        cmp     r4, #0
        bne     rewriter
        ldr     r0, =guest_vectors
        mcr     p15, 0, r0, c12, c0, 0  @ VBAR (B4.1.156)
        ldr     r0, =TEST_DEVICE
        mov     r1, #0
        mov     r2, #0
race_access:
        ldr     r1, [r0], #4            @ e4901004; vCPU 1 writes e0d020b2 over it
        ldr     r5, =results
        str     r0, [r5]                @ result_r0
        str     r1, [r5, #4]            @ result_r1
        str     r2, [r5, #8]            @ result_r2
        ldr     r4, =DATA_VALUE
        ldr     r6, =TEST_DEVICE + 4
        cmp     r0, r6
        cmpeq   r1, r4
        cmpeq   r2, #0
        beq     fetch_consistent
        ldr     r6, =TEST_DEVICE + 2
        mov     r4, r4, lsl #16
        mov     r4, r4, lsr #16         @ the low half of DATA
        cmp     r0, r6
        cmpeq   r2, r4
        cmpeq   r1, #0
        beq     fetch_raced
        b       fetch_bad

rewriter:
        ldr     r0, =race_access
        ldr     r1, =LDRH_R2_POST_2
        mcr     p15, 0, r0, c8, c3, 0   @ TLBIALLIS (B4.2.2)
        dsb                             @ complete on every vCPU (B3.10.6)
        str     r1, [r0]                @ the frame reused: the new instruction word
rewritten:
        b       rewritten

fetch_consistent:
        wfi                             @ the hypervisor emulated the load that trapped
fetch_raced:
        wfi                             @ the hypervisor emulated the word vCPU 1 wrote
fetch_bad:
        wfi                             @ neither

        .ltorg

        .balign 32
guest_vectors:
        b       guest_fail              @ 0x00 reset
        b       guest_fail              @ 0x04 undefined instruction
        b       guest_fail              @ 0x08 supervisor call
        b       guest_fail              @ 0x0c prefetch abort
        b       guest_data_abort        @ 0x10
        b       guest_fail              @ 0x14 not used
        b       guest_fail              @ 0x18 IRQ
        b       guest_fail              @ 0x1c FIQ
guest_fail:
        wfi                             @ an exception the guest never expects
guest_data_abort:
        wfi                             @ the guest's data-abort handler (an injected abort)

        .balign 16
results:
result_r0:
        .word   0x5a5a5a5a
result_r1:
        .word   0x5a5a5a5a
result_r2:
        .word   0x5a5a5a5a

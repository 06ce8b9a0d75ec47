@ PSCI CPU_ON raced from every vCPU at one target (issue 13 §3; the
@ kvm-unit-tests arm/psci.c cpu-on test, abi-facts §5.5): vCPUs 0, 2 and 3
@ start here in SVC; vCPU 1 is off. Each calls CPU_ON(target = vCPU 1,
@ entry = secondary_entry, context_id = 0xc0de0000 + its own number)
@ through the hypervisor's PSCI (hvc #0), stores the answer in results[n]
@ and sets done[n]. The target starts at secondary_entry with the winner's
@ context_id in r0 and records it. vCPU 0 then checks: exactly one
@ SUCCESS (0), the other two ALREADY_ON (-4), and the target's r0 is the
@ winner's context_id; it ends at race_ok, or at race_bad.
@ vCPUs 2 and 3 power themselves off (CPU_OFF) when they are done.

        .equ    PSCI_0_2_FN_CPU_ON, 0x84000003
        .equ    PSCI_0_2_FN_CPU_OFF, 0x84000002
        .equ    PSCI_RET_ALREADY_ON, -4
        .equ    TARGET_MPIDR, 1
        .equ    CONTEXT_BASE, 0xc0de0000
        .equ    CALLERS, 3

        .text
start:
        mrc     p15, 0, r4, c0, c0, 5           @ MPIDR (B4.1.106)
        and     r4, r4, #0xff                   @ Aff0: this vCPU's number
        ldr     r0, =PSCI_0_2_FN_CPU_ON
        mov     r1, #TARGET_MPIDR
        adr     r2, secondary_entry
        ldr     r3, =CONTEXT_BASE
        orr     r3, r3, r4                      @ context_id names the caller
        hvc     #0
        ldr     r5, =results
        str     r0, [r5, r4, lsl #2]            @ results[n] = the answer
        ldr     r5, =done
        mov     r6, #1
        str     r6, [r5, r4, lsl #2]            @ done[n] = 1, after the answer
        cmp     r4, #0
        bne     power_off

        @ vCPU 0 waits for the other callers and the target.
wait:
        ldr     r6, [r5, #8]                    @ done[2]
        ldr     r7, [r5, #12]                   @ done[3]
        and     r6, r6, r7
        ldr     r7, =target_started
        ldr     r7, [r7]
        and     r6, r6, r7
        cmp     r6, #1
        bne     wait

        @ Count the answers of callers 0, 2 and 3; the winner is the one that got SUCCESS.
        ldr     r5, =results
        mov     r8, #0                          @ SUCCESS answers
        mov     r9, #0                          @ ALREADY_ON answers
        mvn     r10, #0                         @ the winner (none yet)
        mov     r4, #0
count:
        cmp     r4, #TARGET_MPIDR
        beq     next                            @ the target is no caller
        ldr     r6, [r5, r4, lsl #2]
        cmp     r6, #0
        addeq   r8, r8, #1
        moveq   r10, r4
        cmn     r6, #-PSCI_RET_ALREADY_ON
        addeq   r9, r9, #1
next:
        add     r4, r4, #1
        cmp     r4, #4
        bne     count
        cmp     r8, #1
        bne     race_bad
        cmp     r9, #CALLERS - 1
        bne     race_bad
        ldr     r6, =target_context
        ldr     r6, [r6]
        ldr     r7, =CONTEXT_BASE
        orr     r7, r7, r10
        cmp     r6, r7
        bne     race_bad
race_ok:
        b       race_ok
race_bad:
        b       race_bad

power_off:
        ldr     r0, =PSCI_0_2_FN_CPU_OFF
        hvc     #0
        b       race_bad                        @ CPU_OFF does not return

        @ The target: r0 = the context_id of the CPU_ON that started it.
secondary_entry:
        ldr     r5, =target_context
        str     r0, [r5]
        mov     r6, #1
        str     r6, [r5, #4]                    @ target_started
park:
        b       park

        .ltorg

        .balign 4096
results:                                        @ what each vCPU's CPU_ON returned (vCPU 1 is the target)
result0:
        .word   0x5a5a5a5a
result1:
        .word   0x5a5a5a5a
result2:
        .word   0x5a5a5a5a
result3:
        .word   0x5a5a5a5a
done:
        .word   0, 0, 0, 0
target_context:
        .word   0
target_started:
        .word   0

// PSCI CPU_ON raced from every vCPU at one target (issue 13 §3; the
// kvm-unit-tests arm/psci.c cpu-on test, abi-facts §5.5), the arm64 twin
// of arch/arm32/scenarios/psci-cpu-on-race.s: vCPUs 0, 2 and 3 start here
// at EL1; vCPU 1 is off. Each calls CPU_ON (the SMC64 ID a 64-bit caller
// uses: target = vCPU 1, entry = secondary_entry, context_id = 0xc0de0000 +
// its own number) through the hypervisor's PSCI (hvc #0), stores the answer
// in results[n] and sets done[n]. The target starts at secondary_entry with
// the winner's context_id in x0 and records it. vCPU 0 then checks: exactly
// one SUCCESS (0), the other two ALREADY_ON (-4), and the target's x0 is the
// winner's context_id; it ends at race_ok, or at race_bad. vCPUs 2 and 3
// power themselves off (CPU_OFF) when they are done.

        .equ    PSCI_0_2_FN64_CPU_ON, 0xc4000003
        .equ    PSCI_0_2_FN_CPU_OFF, 0x84000002
        .equ    TARGET_MPIDR, 1
        .equ    CONTEXT_BASE, 0xc0de0000
        .equ    CALLERS, 3

        .text
start:
        mrs     x4, mpidr_el1                   // D13.2.86
        and     x4, x4, #0xff                   // Aff0: this vCPU's number
        ldr     x0, =PSCI_0_2_FN64_CPU_ON
        mov     x1, #TARGET_MPIDR
        adr     x2, secondary_entry
        ldr     x3, =CONTEXT_BASE
        orr     x3, x3, x4                      // context_id names the caller
        hvc     #0
        ldr     x5, =results
        add     x6, x5, x4, lsl #3
        str     x0, [x6]                        // results[n] = the answer
        ldr     x5, =done
        add     x6, x5, x4, lsl #3
        mov     x7, #1
        str     x7, [x6]                        // done[n] = 1, after the answer
        cbnz    x4, power_off

        // vCPU 0 waits for the other callers and the target.
wait:
        ldr     x6, [x5, #16]                   // done[2]
        ldr     x7, [x5, #24]                   // done[3]
        and     x6, x6, x7
        ldr     x7, =target_started
        ldr     x7, [x7]
        and     x6, x6, x7
        cmp     x6, #1
        b.ne    wait

        // Count the answers of callers 0, 2 and 3; the winner is the one that got SUCCESS.
        ldr     x5, =results
        mov     x8, #0                          // SUCCESS answers
        mov     x9, #0                          // ALREADY_ON answers
        mov     x10, #-1                        // the winner (none yet)
        mov     x4, #0
count:
        cmp     x4, #TARGET_MPIDR
        b.eq    next                            // the target is no caller
        add     x6, x5, x4, lsl #3
        ldr     x6, [x6]
        cbnz    x6, not_success
        add     x8, x8, #1
        mov     x10, x4
not_success:
        cmn     x6, #4                          // PSCI_RET_ALREADY_ON, sign-extended to 64 bits
        b.ne    next
        add     x9, x9, #1
next:
        add     x4, x4, #1
        cmp     x4, #4
        b.ne    count
        cmp     x8, #1
        b.ne    race_bad
        cmp     x9, #CALLERS - 1
        b.ne    race_bad
        ldr     x6, =target_context
        ldr     x6, [x6]
        ldr     x7, =CONTEXT_BASE
        orr     x7, x7, x10
        cmp     x6, x7
        b.ne    race_bad
race_ok:
        b       race_ok
race_bad:
        b       race_bad

power_off:
        ldr     x0, =PSCI_0_2_FN_CPU_OFF
        hvc     #0
        b       race_bad                        // CPU_OFF does not return

        // The target: x0 = the context_id of the CPU_ON that started it.
secondary_entry:
        ldr     x5, =target_context
        str     x0, [x5]
        mov     x6, #1
        str     x6, [x5, #8]                    // target_started
park:
        b       park

        .ltorg

        .balign 4096
results:                                        // what each vCPU's CPU_ON returned (vCPU 1 is the target)
result0:
        .quad   0x5a5a5a5a5a5a5a5a
result1:
        .quad   0x5a5a5a5a5a5a5a5a
result2:
        .quad   0x5a5a5a5a5a5a5a5a
result3:
        .quad   0x5a5a5a5a5a5a5a5a
done:
        .quad   0, 0, 0, 0
target_context:
        .quad   0
target_started:
        .quad   0

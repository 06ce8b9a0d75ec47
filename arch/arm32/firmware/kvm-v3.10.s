@ A model of how KVM/ARM v3.10 to v4.11 answers `hvc #0` from the host
@ (kvm_call_hyp), written for hyplay from the ABI facts
@ (../shared/abi-facts.md, sections 2.1 and 2.2), not taken from any kernel
@ source. Only the host-call path is modelled: hyplay runs no guests, so the
@ guest-exit path and every other vector spin.
@
@ The convention:
@   r0 = -1        r0 <- HVBAR (KVM answers the original stub's get-vectors
@                  itself, from v3.10)
@   any other r0   a Hyp function pointer: r1, r2, r3 move down to r0, r1,
@                  r2, the function is called with blx, and its r0 (r0:r1
@                  for 64 bits) goes back to the caller through eret
@
@ The trap is checked first: HSR.EC must be HVC (0x12) and VTTBR.VMID must
@ be 0 (the host). The handler needs a Hyp stack: whoever installs this
@ table sets SP_hyp. A small r0 such as 1 is still a function pointer:
@ `blx 1` is a branch to Thumb code at address 0, which is not mapped in
@ Hyp, so the result is a prefetch abort taken in Hyp at HVBAR + 0x0c,
@ where this table spins.

        .align  5                           @ HVBAR needs bits 4:0 clear
kvm_vectors:
kvm_reset:      b       kvm_reset           @ +0x00
kvm_undef:      b       kvm_undef           @ +0x04
kvm_hyp_svc:    b       kvm_hyp_svc         @ +0x08
kvm_pabt:       b       kvm_pabt            @ +0x0c: the hang a bad pointer ends in
kvm_dabt:       b       kvm_dabt            @ +0x10
                b       kvm_hyp_hvc         @ +0x14 Hyp trap
kvm_irq:        b       kvm_irq             @ +0x18
kvm_fiq:        b       kvm_fiq             @ +0x1c

kvm_hyp_hvc:
        push    {r0, r1, r2}                @ scratch for the checks
        mrc     p15, #4, r1, c5, c2, #0     @ HSR
        mov     r1, r1, lsr #26             @ HSR.EC
        cmp     r1, #0x12                   @ HVC?
        bne     kvm_guest_trap
        mrrc    p15, #6, r0, r1, c2         @ VTTBR: VMID is bits 55:48
        mov     r1, r1, lsr #16
        ands    r1, r1, #0xff
        bne     kvm_guest_trap              @ a guest's hvc, not kvm_call_hyp
        pop     {r0, r1, r2}

        cmn     r0, #1                      @ r0 = -1: get vectors
        mrceq   p15, #4, r0, c12, c0, #0    @ r0 <- HVBAR
        ereteq

        push    {lr}                        @ Hyp shares LR with usr/sys
        mrs     lr, spsr
        push    {lr}                        @ the function may trap again
        mov     lr, r0
        mov     r0, r1
        mov     r1, r2
        mov     r2, r3
        blx     lr                          @ call the Hyp function
        pop     {lr}
        msr     spsr_fsxc, lr
        pop     {lr}
        eret

kvm_guest_trap:
        b       kvm_guest_trap              @ guest exits are not modelled

@ A Hyp-mode stub for the 32-bit ARM Linux hyp-stub ABI of v4.12 to v5.6,
@ written for hyplay from the ABI facts (../shared/abi-facts.md, sections
@ 1.1 to 1.3), not taken from any kernel source.
@
@ The ABI: the host kernel, in a PL1 mode, executes `hvc #0` with a call
@ number in r0. The exception is taken to Hyp mode at HVBAR + 0x14 (ARM ARM
@ B1.8.4), with the caller's CPSR in SPSR_hyp and the address after the hvc
@ in ELR_hyp, so `eret` goes back to the caller.
@
@   r0 = 0  HVC_SET_VECTORS    HVBAR <- r1, then r0 <- 0 and return
@   r0 = 1  HVC_SOFT_RESTART   continue at r1, still in Hyp mode (no return)
@   r0 = 2  HVC_RESET_VECTORS  nothing to undo while the stub owns Hyp:
@                              r0 <- 0 and return
@   r0 >= 3 (HVC_STUB_HCALL_NR) not a stub call: r0 <- HVC_STUB_ERR
@                              (0xbadca11) and return
@
@ Only r0 changes on a returning call (and HVBAR for HVC_SET_VECTORS): the
@ dispatch below uses the flags, which ERET restores from SPSR_hyp, and no
@ other register. The code is position independent (branches only, no
@ literal addresses), so it runs wherever it is loaded.
@
@ hyplay's assembler and llvm-mc (-triple=armv7a -mattr=+virtualization)
@ must give the same bytes for this file: test/firmware/asm-firmware.test.ts.

        .align  5                           @ HVBAR needs bits 4:0 clear
stub_vectors:
spin_reset:     b       spin_reset          @ +0x00 reset
spin_undef:     b       spin_undef          @ +0x04 undefined instruction in Hyp
spin_hyp_call:  b       spin_hyp_call       @ +0x08 svc/hvc executed in Hyp
spin_pabt:      b       spin_pabt           @ +0x0c prefetch abort in Hyp
spin_dabt:      b       spin_dabt           @ +0x10 data abort in Hyp
                b       stub_hcall          @ +0x14 Hyp trap: the one live slot
spin_irq:       b       spin_irq            @ +0x18 IRQ
spin_fiq:       b       spin_fiq            @ +0x1c FIQ

@ Calls 0..2 go through a branch table indexed by r0. Reading the PC in A32
@ gives the instruction's address + 8 (ARM ARM A2.3), which is the first
@ table entry, two instructions below the add.
stub_hcall:
        cmp     r0, #3                      @ HVC_STUB_HCALL_NR
        addlo   pc, pc, r0, lsl #2
        b       stub_not_a_call             @ r0 >= 3 (unsigned)
        b       stub_set_vectors            @ r0 = 0
        b       stub_soft_restart           @ r0 = 1
        b       stub_return_zero            @ r0 = 2: HVC_RESET_VECTORS

stub_set_vectors:
        mcr     p15, #4, r1, c12, c0, #0    @ HVBAR <- r1 (ARM ARM B4.1.75)
stub_return_zero:
        mov     r0, #0
        eret

stub_soft_restart:
        bx      r1                          @ stays in Hyp; ELR/SPSR are dropped

stub_not_a_call:
        movw    r0, #0xca11
        movt    r0, #0xbad                  @ HVC_STUB_ERR
        eret

@ An AArch32 guest kernel that visits every mode with an SPSR and leaves a
@ distinct value in each bank, then stops (abi-facts §7.6). SPSR_und and
@ SPSR_svc are written by real exception entries (an undefined instruction
@ taken from SVC with C set, an SVC taken from System with Z set); SPSR_abt,
@ SPSR_fiq and SPSR_irq are written with MSR in their own modes (no abort
@ or interrupt source is modelled), SPSR_abt and SPSR_irq with the values
@ of the facts' shifted-banks scenario. Every mode also gets its own SP
@ and LR, and FIQ its own r8-r12. STOP_MODE (a .equ prelude) is the mode
@ the guest stops in: IRQ (0x12) or System (0x1f).

start:
	adr	r0, vectors
	mcr	p15, 0, r0, c12, c0, 0		@ VBAR (ARM ARM B4.1.156)
	mov	sp, #0x7000			@ SP_svc
	msr	CPSR_f, #0x20000000		@ C set: what SPSR_und will hold
	.word	0xe7f000f0			@ UDF #0: undefined instruction, taken to und
after_svc:
	cps	#0x17				@ abt
	mov	sp, #0x6000
	mov	lr, #0x6004
	ldr	r0, =0x1d7
	msr	SPSR_fsxc, r0
	cps	#0x11				@ fiq
	mov	r8, #0x88
	mov	r9, #0x99
	mov	r10, #0xaa
	mov	r11, #0xbb
	mov	r12, #0xcc
	mov	sp, #0x5000
	mov	lr, #0x5004
	ldr	r0, =0x200001d1
	msr	SPSR_fsxc, r0
	cps	#0x12				@ irq
	mov	sp, #0x4000
	mov	lr, #0x4004
	ldr	r0, =0x1d2
	msr	SPSR_fsxc, r0
	cps	#STOP_MODE
	mov	r0, #0x10
	mov	r1, #0x11
	b	done
	.ltorg

	.balign	32
vectors:
	b	.				@ reset
	b	und_handler			@ undefined instruction
	b	svc_handler			@ SVC
	b	.				@ prefetch abort
	b	.				@ data abort
	b	.
	b	.				@ IRQ
	b	.				@ FIQ

und_handler:					@ und: SPSR_und = CPSR of svc with C set
	mov	sp, #0x3000
	cps	#0x1f				@ sys (shares usr's SP and LR)
	mov	sp, #0x2000
	mov	lr, #0x2004
	msr	CPSR_f, #0x40000000		@ Z set: what SPSR_svc will hold
	svc	#0				@ taken to svc: SPSR_svc = CPSR of sys, LR_svc = after the svc
	b	.

svc_handler:					@ svc: SPSR_svc written by the entry
	b	after_svc

done:
	nop

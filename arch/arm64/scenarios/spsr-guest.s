// An AArch64 guest kernel at EL1h (D, A, I, F masked, as the vCPU reset
// leaves it) that installs its vectors and takes an SVC from EL1h: the
// exception entry writes SPSR_EL1 = 0x3c5 (EL1h with DAIF masked, the value
// of the facts' negative-index scenario, abi-facts §7.6) and ELR_EL1, and
// the handler branches to `done`, where the guest stops.

start:
	adr	x0, vectors
	msr	vbar_el1, x0
	mov	x1, #0x1111
	mov	x19, #0x1919
	svc	#0
	b	.

	.balign	0x800
vectors:
	.skip	0x200
	b	done				// current EL with SP_ELx, synchronous (VBAR_EL1 + 0x200)

done:
	nop

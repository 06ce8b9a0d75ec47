// kdump.s: the crash path of the old kernel (kernel/kexec_core.c
// __crash_kexec, arch/arm64/kernel/machine_kexec.c machine_crash_shutdown;
// ../shared/abi-facts.md §4.2). No reboot notifier runs, so whoever holds
// EL2 at the crash still holds it when the soft restart asks for EL2.
// Before v4.12 arm64 cannot reserve a crash kernel (crashkernel=) and
// machine_crash_shutdown is an empty stub: CRASH_KERNEL 0, and panic()
// finds no crash image.

// quote: kdump
panic:                                  // panic() → __crash_kexec(NULL)
        msr     daifset, #0xf           // local_irq_disable()
__crash_kexec:                          // kexec_trylock(), crash_setup_regs(), crash_save_vmcoreinfo()
        mov     x0, #CRASH_KERNEL
        cbz     x0, panic_halt          // kexec_crash_image is NULL: nothing to start
        bl      machine_crash_shutdown
        adr     x0, kexec_crash_image
        b       machine_kexec           // machine_kexec(kexec_crash_image)
machine_crash_shutdown:                 // IRQs off, crash_smp_send_stop(), crash_save_cpu(): nothing touches EL2
        ret
panic_halt:                             // panic(): no crash kernel; the machine stops here
        b       panic_halt
// /quote: kdump

@ kdump.s: the crash path of the old kernel (kernel/kexec_core.c
@ __crash_kexec, arch/arm/kernel/machine_kexec.c machine_crash_shutdown;
@ ../shared/abi-facts.md section 4.2). kernel_restart_prepare is never
@ called: no reboot notifier runs, so whoever owns Hyp mode at the crash
@ still owns it when the soft restart asks for Hyp. From v4.6 that is KVM
@ only while a VM exists (kvm.s); otherwise the stub. The v4.12 and v5.7
@ trees' steps; newer kernels take kexec_trylock() instead of the mutex.

@ quote: kdump
panic:                                  @ panic() with a crash kernel loaded → __crash_kexec(NULL)
        cpsid   if
__crash_kexec:                          @ mutex_trylock(&kexec_mutex), crash_setup_regs(), crash_save_vmcoreinfo()
        bl      machine_crash_shutdown
        ldr     r0, kexec_crash_image_ptr
        b       machine_kexec           @ machine_kexec(kexec_crash_image): the same soft restart
machine_crash_shutdown:                 @ IRQs off, crash_smp_send_stop(), crash_save_cpu(): nothing touches Hyp
        bx      lr
@ /quote: kdump

        .align  2
kexec_crash_image_ptr:      .word   kexec_crash_image

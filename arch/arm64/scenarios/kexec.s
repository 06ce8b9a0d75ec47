// kexec.s: the kexec path of the old kernel (kernel/kexec_core.c
// kernel_kexec; kernel/reboot.c kernel_restart_prepare;
// ../shared/abi-facts.md §4.1). The reboot notifiers run before
// machine_kexec: kvm_reboot gives EL2 back to the stub where KVM holds it
// and may give it back. With VCPU_RACE a vCPU runs once more after the
// notifier (a guest pre-empted by kvm_reboot's shutdown call, §4.3).

        .equ    SYS_RESTART, 1

// quote: kexec
sys_reboot:                             // reboot(LINUX_REBOOT_CMD_KEXEC)
kernel_kexec:
        mov     w0, #1
        adr     x1, kexec_in_progress
        str     w0, [x1]                // kexec_in_progress = true
        bl      kernel_restart_prepare  // the reboot notifiers run
        mov     x0, #VCPU_RACE
        cbz     x0, 1f
        bl      kvm_arch_vcpu_ioctl_run // the racing vCPU thread enters the guest again
1:      bl      migrate_to_reboot_cpu
        bl      cpu_hotplug_enable
        bl      machine_shutdown
        adr     x0, kexec_image
        b       machine_kexec           // machine_kexec(kexec_image)
kernel_restart_prepare:                 // reboot.c
        stp     x29, x30, [sp, #-16]!
        stp     x19, x20, [sp, #-16]!
        adr     x19, reboot_notifier_list
notifier_call_chain:                    // blocking_notifier_call_chain(&reboot_notifier_list, SYS_RESTART, cmd)
        ldr     x20, [x19], #8
        cbz     x20, notifiers_done
        mov     x0, #SYS_RESTART
        blr     x20
        b       notifier_call_chain
notifiers_done:                         // system_state = SYSTEM_RESTART; device_shutdown(): no devices here
        ldp     x19, x20, [sp], #16
        ldp     x29, x30, [sp], #16
        ret
migrate_to_reboot_cpu:                  // one CPU here
        ret
cpu_hotplug_enable:
        ret
machine_shutdown:                       // smp_send_stop(): one CPU here
        ret
// /quote: kexec

        .align  2
kexec_in_progress:      .word   0

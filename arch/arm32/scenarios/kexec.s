@ kexec.s: the kexec path of the old kernel (kernel/kexec_core.c
@ kernel_kexec, kernel/reboot.c kernel_restart_prepare;
@ ../shared/abi-facts.md section 4.1). The reboot notifiers run before
@ machine_kexec: KVM's notifier gives Hyp mode back to the hyp-stub.

        .equ    SYS_RESTART, 1

@ quote: kexec
sys_reboot:                             @ reboot(LINUX_REBOOT_CMD_KEXEC)
kernel_kexec:                           @ kexec_core.c: kexec_in_progress = true
        bl      kernel_restart_prepare  @ ("kexec reboot"): the reboot notifiers run
        bl      machine_shutdown        @ after migrate_to_reboot_cpu(), syscore_shutdown()
        ldr     r0, kexec_image_ptr
        b       machine_kexec           @ machine_kexec(kexec_image)
kernel_restart_prepare:                 @ reboot.c
        push    {r4, lr}
        ldr     r4, reboot_notifier_list_ptr
notifier_call_chain:                    @ blocking_notifier_call_chain(&reboot_notifier_list, SYS_RESTART, cmd)
        ldr     r3, [r4], #4
        cmp     r3, #0
        beq     notifiers_done
        mov     r0, #SYS_RESTART
        blx     r3
        b       notifier_call_chain
notifiers_done:                         @ system_state = SYSTEM_RESTART; device_shutdown(): no devices here
        pop     {r4, pc}
machine_shutdown:                       @ arch/arm/kernel/reboot.c: smp_send_stop(); one CPU here
        bx      lr
@ /quote: kexec

        .align  2
kexec_image_ptr:            .word   kexec_image
reboot_notifier_list_ptr:   .word   reboot_notifier_list

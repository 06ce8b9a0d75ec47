@ kexec.s: the kexec path of the old kernel (kernel/kexec_core.c, before
@ v3.14 kernel/kexec.c: kernel_kexec; kernel/reboot.c:
@ kernel_restart_prepare; ../shared/abi-facts.md section 4.1). The reboot
@ notifiers run before machine_kexec: KVM's notifier gives Hyp mode back
@ to the hyp-stub in the eras that give it back at all.
@
@ The prelude's KEXEC_REBOOT_CPU is 1 for kernels whose kernel_kexec also
@ sets kexec_in_progress and calls migrate_to_reboot_cpu() and
@ cpu_hotplug_enable() before machine_shutdown() (the v4.12 and v5.7
@ trees); 0 for the older sequence, kernel_restart_prepare(NULL) then
@ machine_shutdown() (the v3.9 tree). The releases that added the steps
@ are UNCONFIRMED (believed v3.11 to v3.18). No KVM/arm32 era has the
@ later kernels' syscore_shutdown() or kmsg_dump() here. One CPU: the
@ added steps change nothing in the model, and the order is the same.

        .equ    SYS_RESTART, 1

@ quote: kexec
sys_reboot:                             @ reboot(LINUX_REBOOT_CMD_KEXEC)
kernel_kexec:
        mov     r0, #KEXEC_REBOOT_CPU
        cmp     r0, #0
        ldrne   r1, kexec_in_progress_ptr
        strne   r0, [r1]                @ kexec_in_progress = true
        bl      kernel_restart_prepare  @ kernel_restart_prepare(NULL): the reboot notifiers run
        mov     r0, #KEXEC_REBOOT_CPU
        cmp     r0, #0
        blne    migrate_to_reboot_cpu
        mov     r0, #KEXEC_REBOOT_CPU
        cmp     r0, #0
        blne    cpu_hotplug_enable
        bl      machine_shutdown
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
migrate_to_reboot_cpu:                  @ reboot.c: move to the reboot CPU, CPU hotplug off; one CPU here
        bx      lr
cpu_hotplug_enable:                     @ cpu.c: hotplug back on for machine_shutdown
        bx      lr
machine_shutdown:                       @ arch/arm/kernel/reboot.c: stop the other CPUs; one CPU here
        bx      lr
@ /quote: kexec

        .align  2
kexec_image_ptr:            .word   kexec_image
reboot_notifier_list_ptr:   .word   reboot_notifier_list
kexec_in_progress_ptr:      .word   kexec_in_progress
kexec_in_progress:          .word   0

// kvm.s: KVM/arm64's host side in the old kernel (arch/arm64/kvm/arm.c,
// earlier virt/kvm/arm/arm.c; virt/kvm/kvm_main.c; ../shared/abi-facts.md
// §3.3, §4.1, §4.3). KVM's EL2 code is its own segment (kvm-hyp-<era>.s).
//
// From v4.6 ("arm64: kvm: allows kvm cpu hotplug") KVM holds EL2 only while
// the hardware is enabled: init_subsystems enables it so that
// initialisation can reach EL2 and disables it again; creating a VM
// enables it (hardware_enable_all); the reboot notifier kvm_reboot disables
// it on the way to a kexec. Protected KVM (pKVM) keeps EL2 for good: it is
// never given back.
//
// The prelude sets:
//   CONFIG_KVM           1 when KVM is built in (and loads if EL2 is available)
//   KVM_HOST_CALLS       0 function pointers in x0 (≤ v5.9), 1 SMCCC IDs 0xC6000000 + n (v5.10+)
//   KVM_PROTECTED        1 for protected mode (kvm-arm.mode=protected)
//   KVM_REBOOT_NOTIFIER  1 when kvm_reboot is registered; 0 for the test-harness
//                        variant whose KVM is not torn down before kexec
//   VM_RUNNING           1 when a VM has been created and a vCPU has run
//   VCPU_RACE            1 when a vCPU runs again after kvm_reboot (kexec.s)
//   ARM_EXCEPTION_HYP_GONE   what the stub answers a kvm_call_hyp with (3 in
//                        v4.11; HVC_STUB_ERR 0xbadca11 from v4.12)

        .equ    KVM_HOST_SMCCC_HI, 0xc600       // KVM_HOST_SMCCC_ID(n) = 0xC6000000 + n
        .equ    VCPU_RUN_FUNC, 1                // __KVM_HOST_SMCCC_FUNC___kvm_vcpu_run (v5.10–≈v6.1)

// quote: kvm-init
kvm_init:                               // kvm_arch_init → init_hyp_mode → init_subsystems
        mov     x0, #CONFIG_KVM
        cbz     x0, 9f
        stp     x29, x30, [sp, #-16]!
        bl      is_hyp_mode_available
        cbz     x0, 8f                  // "HYP mode not available": no KVM
        bl      cpu_hyp_init            // enable, so that initialisation can reach EL2
        mov     x0, #KVM_PROTECTED
        cbnz    x0, 1f                  // protected: EL2 stays KVM's
        bl      cpu_hyp_reset           // and disable again: the stub holds EL2 until a VM exists
1:      mov     x0, #KVM_REBOOT_NOTIFIER
        cbz     x0, 2f
        adr     x0, kvm_reboot
        adr     x1, reboot_notifier_list
        str     x0, [x1]                // register_reboot_notifier(&kvm_reboot_notifier)
2:      mov     x0, #VM_RUNNING
        cbz     x0, 8f
        bl      kvm_dev_ioctl_create_vm
        bl      kvm_arch_vcpu_ioctl_run
8:      ldp     x29, x30, [sp], #16
9:      ret

kvm_dev_ioctl_create_vm:                // hardware_enable_all → kvm_arch_hardware_enable
        mov     x0, #KVM_PROTECTED
        cbnz    x0, 1f                  // pKVM already holds EL2
        b       cpu_hyp_init
1:      ret

cpu_hyp_init:                           // cpu_init_hyp_mode: the stub hands EL2 to KVM's init vectors
        stp     x29, x30, [sp, #-16]!
        ldr     x0, kvm_init_vectors_ptr
        bl      __hyp_set_vectors       // __hyp_set_vectors(kvm_get_idmap_vector())
        mov     x0, #KVM_HOST_CALLS
        cbnz    x0, 1f
        ldr     x0, hyp_pgd_ptr         // __cpu_init_hyp_mode(pgd_ptr, hyp_stack_ptr, vector_ptr)
        ldr     x1, hyp_stack_ptr
        ldr     x2, kvm_vectors_ptr
        bl      __kvm_call_hyp
        b       2f
1:      movz    x0, #KVM_HOST_SMCCC_HI, lsl #16 // KVM_HOST_SMCCC_FUNC(__kvm_hyp_init)
        adr     x1, kvm_init_params     // virt_to_phys(params): the runtime vectors and stack
        bl      __kvm_call_hyp
2:      mov     w0, #1
        adr     x1, kvm_hardware_enabled
        str     w0, [x1]
        ldp     x29, x30, [sp], #16
        ret

cpu_hyp_reset:                          // kvm_arch_hardware_disable → cpu_hyp_reset: EL2 back to the stub
        stp     x29, x30, [sp, #-16]!
        mov     x0, #STUB_RESET_VECTORS
        cbz     x0, 1f
        bl      __hyp_reset_vectors     // v4.12+: HVC_RESET_VECTORS, which KVM's handler takes
        b       2f
1:      ldr     x0, kvm_hyp_reset_ptr   // v4.6–v4.11: __kvm_call_hyp(kvm_hyp_reset_entry(), boot_pgd_ptr, phys_idmap_start)
        ldr     x1, hyp_pgd_ptr
        mov     x2, xzr
        bl      kvm_call_hyp
2:      adr     x1, kvm_hardware_enabled
        str     wzr, [x1]
        ldp     x29, x30, [sp], #16
        ret
// /quote: kvm-init

// quote: kvm-reboot
kvm_reboot:                             // kvm_main.c: kvm_rebooting = true; on_each_cpu(hardware_disable_nolock)
        stp     x29, x30, [sp, #-16]!
        mov     w0, #1
        adr     x1, kvm_rebooting
        str     w0, [x1]
        adr     x1, kvm_hardware_enabled
        ldr     w0, [x1]
        cbz     w0, 1f                  // hardware_disable_nolock: nothing to do on a CPU KVM does not hold
        mov     x0, #KVM_PROTECTED
        cbnz    x0, 1f                  // cpu_hyp_uninit: protected mode never gives EL2 back
        bl      cpu_hyp_reset
1:      ldp     x29, x30, [sp], #16
        ret
// /quote: kvm-reboot

// quote: vcpu-run
kvm_arch_vcpu_ioctl_run:                // arm.c: ret = kvm_call_hyp(__kvm_vcpu_run, vcpu); handle_exit(vcpu, ret)
        stp     x29, x30, [sp, #-16]!
        mov     x0, #KVM_HOST_CALLS
        cbnz    x0, 1f
        ldr     x0, kvm_vcpu_run_ptr    // the function pointer
        b       2f
1:      movz    x0, #KVM_HOST_SMCCC_HI, lsl #16
        movk    x0, #VCPU_RUN_FUNC      // KVM_HOST_SMCCC_FUNC(__kvm_vcpu_run)
2:      adr     x1, vcpu
        bl      kvm_call_hyp
        mov     x1, #KVM_HOST_CALLS
        cbz     x1, 3f
        cbnz    x0, 3f                  // kvm_call_hyp_nvhe: x0 is SMCCC_RET_SUCCESS, the result in x1
        mov     x0, x1
3:      ldr     x1, hyp_gone
        cmp     x0, x1
        b.eq    kvm_exit_fail_entry     // handle_exit: ARM_EXCEPTION_HYP_GONE
        ldp     x29, x30, [sp], #16
        ret
kvm_exit_fail_entry:                    // run->exit_reason = KVM_EXIT_FAIL_ENTRY (9): "EL2 has been reset to the hyp-stub"
        b       kvm_exit_fail_entry
// /quote: vcpu-run

kvm_call_hyp:                           // kvm_call_hyp / arm_smccc_1_1_hvc: the call in x0, arguments in x1–x3
__kvm_call_hyp:
        str     lr, [sp, #-16]!         // EL2 may clobber x30 (v4.6 hyp.S saves it here)
        hvc     #0
        ldr     lr, [sp], #16
        ret

        .align  3
kvm_init_vectors_ptr:   .quad   KVM_INIT_VECTORS
kvm_vectors_ptr:        .quad   KVM_VECTORS
kvm_vcpu_run_ptr:       .quad   KVM_VCPU_RUN
kvm_hyp_reset_ptr:      .quad   KVM_HYP_RESET
hyp_pgd_ptr:            .quad   HYP_PGD
hyp_stack_ptr:          .quad   HYP_STACK_TOP
hyp_gone:               .quad   ARM_EXCEPTION_HYP_GONE
kvm_init_params:        .quad   KVM_VECTORS, HYP_STACK_TOP      // struct kvm_nvhe_init_params (the fields the model uses)
kvm_hardware_enabled:   .word   0
kvm_rebooting:          .word   0
vcpu:                   .quad   0

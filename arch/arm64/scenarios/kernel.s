// kernel.s: the old kernel of every arm64 reset scenario, in A64 assembly.
//
// The code follows the order of the real paths (../shared/abi-facts.md
// §3 and §4) and keeps the names of the functions it stands for:
// arch/arm64/kernel/head.S (el2_setup, later init_kernel_el/init_el2),
// arch/arm64/kernel/machine_kexec.c, cpu-reset.h and cpu-reset.S (the soft
// restart). What the model leaves out (the MMU, caches, other CPUs,
// devices, the idmap) is said where it would happen. Beside it:
// stub-calls-<era>.s is the kernel's side of the hyp-stub ABI, kvm.s is
// KVM's host side (its EL2 code is kvm-hyp-<era>.s, its own segment), and
// kexec.s and kdump.s are the two reboot paths.
//
// The scenario's .equ prelude (arch/arm64/scenarios/kernel-image.ts) sets:
//   EVENT            what happens once booted: 0 reboot(LINUX_REBOOT_CMD_KEXEC),
//                    1 panic() with a crash kernel loaded, 2 nothing (idle)
//   SOFT_RESTART_ERA how machine_kexec calls cpu_soft_restart: 0 v4.8–v4.11
//                    (el2_switch 1 for every image), 1 v4.12 (el2_switch
//                    false for the crash kernel), 2 v4.19–v5.14 (el2_switch
//                    computed inside for every image), 3 v5.15+ (the crash
//                    kernel restarts in place: entry kimage->start, x0 the dtb)
//   CRASH_KERNEL     1 when a crash kernel can be loaded (crashkernel=, v4.12+)
//   CONFIG_KVM, KVM_*, VM_RUNNING, VCPU_RACE   KVM's era (kvm.s)
//   and the memory map: KERNEL_STACK_TOP, HYP_STUB_VECTORS, KVM_VECTORS,
//   KVM_INIT_VECTORS, KVM_VCPU_RUN, KVM_HYP_RESET, HYP_STACK_TOP,
//   RELOCATE_CODE, KEXEC_START, CRASH_START, DTB.

        .equ    CURRENTEL_EL2, 0x8
        .equ    BOOT_CPU_MODE_EL1, 0xe11
        .equ    BOOT_CPU_MODE_EL2, 0xe12
        .equ    HCR_RW, 0x80000000
        .equ    PSR_MODE_EL1H_MASKED, 0x3c5     // D, A, I, F masked; EL1h
        .equ    IND_DONE, 0x4
        .equ    SCTLR_ELX_FLAGS, 0x100f         // SCTLR_ELx_FLAGS: M | A | C | SA | I
// quote: boot
stext:                                  // head.S: the boot loader enters here, at EL2 or at EL1
        bl      el2_setup               // drop to EL1, installing the stub if booted at EL2
        adr     x1, __boot_cpu_mode
        str     w0, [x1]                // set_cpu_boot_mode_flag
        ldr     x0, kernel_stack_ptr    // __primary_switched: the init task's stack
        mov     sp, x0
        adr     x0, vectors
        msr     vbar_el1, x0            // the kernel's own exception vectors
        isb
        b       start_kernel

el2_setup:                              // head.S (v5.10+: init_kernel_el → init_el2)
        msr     spsel, #1               // use SP_ELx
        mrs     x0, CurrentEL
        cmp     x0, #CURRENTEL_EL2
        b.eq    1f
        mov     w0, #BOOT_CPU_MODE_EL1  // booted at EL1: no stub, and no KVM later
        ret
1:      mov     x0, #HCR_RW             // EL1 is AArch64
        msr     hcr_el2, x0
        msr     vttbr_el2, xzr          // stage 2 off: VMID 0 is the host
        ldr     x0, hyp_stub_vectors_ptr
        msr     vbar_el2, x0            // install the hyp-stub (__hyp_stub_vectors)
        isb
        mov     x0, #PSR_MODE_EL1H_MASKED
        msr     spsr_el2, x0
        msr     elr_el2, lr
        mov     w0, #BOOT_CPU_MODE_EL2
        eret                            // to EL1h, where the kernel runs below the stub
// /quote: boot

start_kernel:
        bl      kvm_init                // module_init(arm_init) → kvm_init() → kvm_arch_init()
        mov     x0, #EVENT
        cmp     x0, #1
        b.eq    panic                   // EVENT 1: a crash: kdump, if a crash kernel is loaded
        b.hi    cpu_idle                // EVENT 2: nothing happens
        b       sys_reboot              // EVENT 0: reboot(LINUX_REBOOT_CMD_KEXEC): kexec

cpu_idle:                               // the idle loop; no interrupt ever comes
        b       cpu_idle

is_hyp_mode_available:                  // asm/virt.h: every CPU booted at EL2
        adr     x0, __boot_cpu_mode
        ldr     w0, [x0]
        mov     w1, #BOOT_CPU_MODE_EL2
        cmp     w0, w1
        cset    x0, eq
        ret

// quote: soft-restart
machine_kexec:                          // machine_kexec.c: x0 = the kimage
        ldr     x9, [x0]                // kimage->head
        ldr     x10, [x0, #8]           // kimage->start
        adr     x11, kexec_crash_image
        cmp     x0, x11
        cset    x12, ne                 // kimage != kexec_crash_image
        mov     x13, #SOFT_RESTART_ERA
        cmp     x13, #3
        b.ne    1f
        cbnz    x12, 1f                 // v5.15+: only the crash kernel restarts in place
        mov     x0, #1                  // restart(is_hyp_nvhe(), kimage->start, dtb_mem, 0, 0)
        mov     x1, x10
        ldr     x2, dtb_ptr
        mov     x3, xzr
        mov     x4, xzr
        b       cpu_soft_restart
1:      mov     x0, #1                  // v4.8–v4.11: cpu_soft_restart(1, …); v4.19+: el2_switch is computed inside
        cmp     x13, #1
        csel    x0, x12, x0, eq         // v4.12: cpu_soft_restart(kimage != kexec_crash_image, …)
        ldr     x1, relocate_code_ptr   // reboot_code_buffer_phys: arm64_relocate_new_kernel
        mov     x2, x9                  // kimage->head
        mov     x3, x10                 // kimage->start
        mov     x4, xzr                 // arg2 0: kexec-tools' purgatory (kimage->start) finds the dtb
        b       cpu_soft_restart

cpu_soft_restart:                       // cpu-reset.h: el2_switch && !is_kernel_in_hyp_mode() && is_hyp_mode_available()
        mov     x19, x0
        mov     x20, x1
        mov     x21, x2
        mov     x22, x3
        mov     x23, x4
        bl      is_hyp_mode_available
        and     x0, x0, x19             // a VHE kernel (already at EL2) is not modelled
        mov     x1, x20
        mov     x2, x21
        mov     x3, x22
        mov     x4, x23
        // cpu_install_idmap(); restart = __pa_symbol(__cpu_soft_restart): no MMU here
__cpu_soft_restart:                     // cpu-reset.S: x0 = el2_switch, x1 = entry, x2–x4 = its arguments
        mrs     x12, sctlr_el1
        mov     x13, #SCTLR_ELX_FLAGS
        bic     x12, x12, x13           // MMU, alignment check, caches off
        msr     sctlr_el1, x12
        isb
        cbz     x0, 1f                  // el2_switch?
        mov     x0, #HVC_SOFT_RESTART
        hvc     #0                      // no return
1:      mov     x8, x1                  // entry (x18 before v5.5)
        mov     x0, x2                  // arg0
        mov     x1, x3                  // arg1
        mov     x2, x4                  // arg2
        br      x8
// /quote: soft-restart

        .align  11
vectors:                                // the kernel's EL1 vectors (entry.S): anything taken here is fatal
        .align  7
        b       die                     // +0x000 EL1t synchronous
        .align  7
        b       die
        .align  7
        b       die
        .align  7
        b       die
        .align  7
        b       die                     // +0x200 EL1h synchronous: el1_sync → do_undefinstr / do_mem_abort → die
        .align  7
        b       die
        .align  7
        b       die
        .align  7
        b       die
die:                                    // traps.c: the old kernel is gone, and nothing boots
        b       die

        .align  3
kernel_stack_ptr:       .quad   KERNEL_STACK_TOP
hyp_stub_vectors_ptr:   .quad   HYP_STUB_VECTORS
relocate_code_ptr:      .quad   RELOCATE_CODE
dtb_ptr:                .quad   DTB
__boot_cpu_mode:        .quad   0
reboot_notifier_list:   .quad   0, 0    // the reboot notifier chain: handlers, then 0
kexec_image:            .quad   IND_DONE, KEXEC_START   // struct kimage: head, start (kexec -l)
kexec_crash_image:      .quad   IND_DONE, CRASH_START   // the crash kernel (kexec -p, crashkernel=)

@ kernel.s: the old kernel of every arm32 reset scenario, in A32 assembly.
@
@ The code follows the order of the real paths (../shared/abi-facts.md
@ sections 1.4 and 4) and keeps the names of the functions it stands for:
@ arch/arm/kernel/head.S and hyp-stub.S (boot), arch/arm/kernel/reboot.c,
@ machine_kexec.c and arch/arm/mm/proc-v7.S (the soft restart). What the
@ model leaves out (the MMU, caches, other CPUs, devices) is said where it
@ would happen. The era-specific pieces are beside it: stub-<era>.s is the
@ kernel's side of the hyp-stub ABI, kvm.s is KVM (its host side and its
@ Hyp code), kexec.s and kdump.s are the two reboot paths.
@
@ The scenario's .equ prelude (arch/arm32/scenarios/kernel-image.ts) sets:
@   EVENT                what happens once booted: 0 reboot(LINUX_REBOOT_CMD_KEXEC),
@                        1 panic() with a crash kernel loaded, 2 nothing (idle)
@   CONFIG_KVM           1 when KVM is built in (and loads if Hyp mode is available)
@   KVM_INIT, KVM_TAKES_HYP, KVM_HANDLES_STUB_HVC, VM_RUNNING
@                        KVM's era and whether a VM runs (kvm.s says what each means)
@   SOFT_RESTART_IN_HYP  1 when the era's soft_restart returns to Hyp (v4.12 and
@                        the out-of-tree soft-reboot stub: phys_reset(addr,
@                        is_hyp_mode_available())), 0 before (phys_reset(addr))
@   KEXEC_REBOOT_CPU     the kexec sequence of the era (kexec.s)
@   and the memory map: KERNEL_STACK_TOP, HYP_STUB_VECTORS, KVM_HYP_VECTOR,
@   HYP_STACK_TOP, HYP_PGD, HYP_BOOT_PGD, KEXEC_START, CRASH_START.

        .equ    MODE_MASK, 0x1f
        .equ    HYP_MODE, 0x1a
        .equ    PSR_A_BIT, 0x100

@ quote: boot
stext:                                  @ head.S: the boot loader enters here, in Hyp mode or in svc
        bl      __hyp_stub_install      @ records the boot mode; in Hyp mode installs the stub
        mrs     r9, cpsr                @ safe_svcmode_maskall r9 (asm/assembler.h)
        eor     r9, r9, #HYP_MODE
        tst     r9, #MODE_MASK          @ Z set: we are in Hyp mode
        bic     r9, r9, #MODE_MASK
        orr     r9, r9, #0xd3           @ PSR_I_BIT | PSR_F_BIT | SVC_MODE
        bne     svc_boot
        orr     r9, r9, #PSR_A_BIT
        ldr     lr, after_drop_ptr
        msr     spsr_cxsf, r9
        msr     elr_hyp, lr
        eret                            @ drop from Hyp to svc: the kernel runs below the stub
svc_boot:
        msr     cpsr_c, r9              @ entered in svc: only mask interrupts
after_drop:
        ldr     sp, kernel_stack_ptr    @ __mmap_switched: the init task's stack
        ldr     r0, vectors_ptr
        mcr     p15, #0, r0, c12, c0, #0   @ VBAR: the kernel's own exception vectors (early_trap_init)
@ /quote: boot

start_kernel:
        bl      kvm_init                @ arm_init() → kvm_init(), a module_init
        mov     r0, #EVENT
        cmp     r0, #1
        beq     panic                   @ EVENT 1: a crash, with a crash kernel loaded: kdump
        bhi     cpu_idle                @ EVENT 2: nothing happens
        b       sys_reboot              @ EVENT 0: reboot(LINUX_REBOOT_CMD_KEXEC): kexec

cpu_idle:                               @ the idle loop; no interrupt ever comes
        b       cpu_idle

@ quote: stub-install
__hyp_stub_install:                     @ hyp-stub.S: record the boot mode; in Hyp mode, install the stub
        mrs     r4, cpsr
        and     r4, r4, #MODE_MASK
        ldr     r5, boot_cpu_mode_ptr
        str     r4, [r5]                @ __boot_cpu_mode
        cmp     r4, #HYP_MODE
        bxne    lr                      @ not in Hyp mode: no stub, and no KVM later
        ldr     r7, hyp_stub_vectors_ptr
        mcr     p15, #4, r7, c12, c0, #0   @ HVBAR = __hyp_stub_vectors
        mov     r7, #0
        mcr     p15, #4, r7, c1, c1, #0    @ HCR: no traps
        mcr     p15, #4, r7, c1, c1, #2    @ HCPTR
        mcr     p15, #4, r7, c1, c1, #3    @ HSTR
        mcr     p15, #4, r7, c1, c0, #0    @ HSCTLR: ARM exceptions, little-endian
        bx      lr
@ /quote: stub-install

is_hyp_mode_available:                  @ asm/virt.h: the CPU was booted in Hyp mode
        ldr     r0, boot_cpu_mode_ptr
        ldr     r0, [r0]
        and     r0, r0, #MODE_MASK
        cmp     r0, #HYP_MODE
        movne   r0, #0
        moveq   r0, #1
        bx      lr

@ quote: soft-restart
machine_kexec:                          @ machine_kexec.c: r0 = the kimage; ends in soft_restart(reboot_entry_phys)
        ldr     r0, [r0]                @ image->start (the relocation code would copy the image, then jump there)
soft_restart:                           @ reboot.c: _soft_restart(addr, …) → call_with_stack(__soft_restart, addr, stack)
        cpsid   if                      @ local_irq_disable(); local_fiq_disable()
        ldr     sp, soft_restart_stack_ptr
__soft_restart:                         @ setup_mm_for_reboot(), cache flushes, cpu_proc_fin(): no MMU or caches here
        mov     r4, r0
        bl      is_hyp_mode_available
        and     r1, r0, #SOFT_RESTART_IN_HYP   @ v4.12: phys_reset(addr, is_hyp_mode_available()); before: phys_reset(addr)
        mov     r0, r4
        bl      cpu_v7_reset            @ through the identity map
        udf     #18                     @ BUG(): "Should never get here"
cpu_v7_reset:                           @ proc-v7.S: r0 = where to go, r1 = go there in Hyp mode
        mrc     p15, #0, r2, c1, c0, #0    @ SCTLR
        bic     r2, r2, #1
        mcr     p15, #0, r2, c1, c0, #0    @ MMU off
        isb
        teq     r1, #0
        bne     __hyp_soft_restart      @ booted in Hyp: ask whoever owns Hyp mode to restart there
        bx      r0                      @ otherwise a plain branch, in svc
@ /quote: soft-restart

        .align  5
__vectors_start:                        @ the kernel's exception vectors (VBAR)
        b       die                     @ +0x00 reset
        b       __und_svc               @ +0x04 undefined instruction: BUG() is one (0xe7f001f2)
        b       die                     @ +0x08 svc
        b       die                     @ +0x0c prefetch abort
        b       die                     @ +0x10 data abort
        b       die                     @ +0x14 (not used below Hyp)
        b       die                     @ +0x18 irq
        b       die                     @ +0x1c fiq
__und_svc:                              @ entry-armv.S → do_undefinstr() → BUG: die("Oops - BUG")
die:                                    @ traps.c: the old kernel is gone, and nothing boots
        b       die

        .align  2
soft_restart_stack:     .space  128         @ u64 soft_restart_stack[16]
soft_restart_stack_top:
after_drop_ptr:         .word   after_drop
kernel_stack_ptr:       .word   KERNEL_STACK_TOP
vectors_ptr:            .word   __vectors_start
boot_cpu_mode_ptr:      .word   __boot_cpu_mode
hyp_stub_vectors_ptr:   .word   HYP_STUB_VECTORS
soft_restart_stack_ptr: .word   soft_restart_stack_top
__boot_cpu_mode:        .word   0
reboot_notifier_list:   .word   0, 0        @ the reboot notifier chain: handlers, then 0
kexec_image:            .word   KEXEC_START @ struct kimage: start (kexec -l)
kexec_crash_image:      .word   CRASH_START @ the crash kernel (kexec -p, crashkernel=)

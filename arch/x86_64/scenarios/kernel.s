# hyplay x86_64 scenario kernel: the early boot a 64-bit guest kernel does
# before its first hypercall or system call (GDT with Linux's selectors, a
# 64-bit TSS with RSP0, a 16-byte-gate IDT, the SYSCALL MSRs), then `main`,
# which each scenario supplies. Written for the project; the selectors are
# Linux's (arch/x86/include/asm/segment.h: __KERNEL32_CS 0x08, __KERNEL_CS
# 0x10, __KERNEL_DS 0x18, __USER32_CS 0x23, __USER_DS 0x2b, __USER_CS 0x33,
# TSS at GDT entry 8), the descriptors the values Linux's GDT_ENTRY_INIT
# gives them (0xc09b, 0xa09b, 0xc093, 0xc0fb, 0xc0f3, 0xa0fb), and STAR as
# syscall_init writes it ((__USER32_CS << 48) | (__KERNEL_CS << 32)).
#
# A scenario's prelude defines INT80_GATE (the 0x80 gate's type byte:
# 0xee a DPL-3 interrupt gate as Linux installs it, 0x8e a DPL-0 one).

        .equ    KSTACK_TOP, 0x200000    # the boot stack
        .equ    RSP0_TOP, 0x300000      # TSS.RSP0: the stack a CPL-3 event switches to
        .equ    USTACK_TOP, 0x400000    # the user task's stack
        .equ    IDT_BASE, 0x500000      # 256 gates of 16 bytes
        .equ    TSS_BASE, 0x501000      # the 64-bit TSS
        .equ    MSR_STAR, 0xc0000081
        .equ    MSR_LSTAR, 0xc0000082
        .equ    MSR_SFMASK, 0xc0000084

        .text
start:
        movq    $KSTACK_TOP, %rsp
        lgdt    gdt_descriptor(%rip)
        lidt    idt_descriptor(%rip)
        movq    $TSS_BASE, %rdi
        movq    $RSP0_TOP, %rax
        movq    %rax, 4(%rdi)           # TSS.RSP0
        movw    $0x40, %ax
        ltr     %ax
        movl    $6, %edi                # #UD
        leaq    ud_handler(%rip), %rsi
        movl    $0x8e, %edx
        callq   set_gate
        movl    $13, %edi               # #GP
        leaq    gp_handler(%rip), %rsi
        movl    $0x8e, %edx
        callq   set_gate
        movl    $0x80, %edi             # IA32_SYSCALL_VECTOR
        leaq    int80_entry(%rip), %rsi
        movl    $INT80_GATE, %edx
        callq   set_gate
        movl    $MSR_STAR, %ecx         # syscall_init
        xorl    %eax, %eax
        movl    $0x00230010, %edx
        wrmsr
        movl    $MSR_LSTAR, %ecx
        leaq    syscall_entry(%rip), %rax
        xorl    %edx, %edx
        wrmsr
        movl    $MSR_SFMASK, %ecx
        movl    $0x47700, %eax          # TF, DF, IF, IOPL, NT, AC cleared on entry
        wrmsr
        jmp     main

# set_gate(vector %edi, handler %rsi, type byte %edx): a 16-byte gate to
# __KERNEL_CS:handler, IST 0 (pack_gate).
set_gate:
        movq    %rdi, %rax
        shlq    $4, %rax
        addq    $IDT_BASE, %rax
        movq    %rsi, %rcx
        andl    $0xffff, %ecx
        orl     $0x100000, %ecx         # selector 0x10 in bits 31:16
        movq    %rdx, %r8
        shlq    $40, %r8
        orq     %r8, %rcx
        movq    %rsi, %r8
        shrq    $16, %r8
        andq    $0xffff, %r8
        shlq    $48, %r8
        orq     %r8, %rcx
        movq    %rcx, (%rax)
        movq    %rsi, %r8
        shrq    $32, %r8
        movq    %r8, 8(%rax)
        retq

# enter_user(entry %rdi): iretq to the user task at CPL 3, 64-bit.
enter_user:
        pushq   $0x2b                   # SS = __USER_DS
        pushq   $USTACK_TOP             # RSP
        pushq   $0x202                  # RFLAGS: IF
        pushq   $0x33                   # CS = __USER_CS
        pushq   %rdi                    # RIP
        iretq

        .p2align 3
gdt:
        .quad   0
        .quad   0x00cf9b000000ffff      # 0x08 __KERNEL32_CS
        .quad   0x00af9b000000ffff      # 0x10 __KERNEL_CS
        .quad   0x00cf93000000ffff      # 0x18 __KERNEL_DS
        .quad   0x00cffb000000ffff      # 0x23 __USER32_CS
        .quad   0x00cff3000000ffff      # 0x2b __USER_DS
        .quad   0x00affb000000ffff      # 0x33 __USER_CS
        .quad   0
        .quad   0x0000895010000067      # 0x40 TSS: base TSS_BASE, limit 0x67, 64-bit available
        .quad   0
gdt_end:
gdt_descriptor:
        .word   gdt_end - gdt - 1
        .quad   gdt
idt_descriptor:
        .word   0xfff
        .quad   IDT_BASE

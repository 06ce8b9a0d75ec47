// new-kernel.s: the kernel a soft restart starts (the kexec-ed kernel, or
// the crash kernel). Its first instruction is where a scenario ends: the
// exception level it runs at says whether the new kernel can still use EL2.

new_kernel:
        wfi                             // the new kernel's first instruction

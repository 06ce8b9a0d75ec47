@ new-kernel.s: the kernel a soft restart starts (the kexec-ed kernel, or
@ the crash kernel). Its first instruction is where a scenario ends: the
@ mode it runs in says whether the new kernel can still use Hyp mode.

new_kernel:
        wfi                             @ the new kernel's first instruction

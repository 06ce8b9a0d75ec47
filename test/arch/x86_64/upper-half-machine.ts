/**
 * A machine whose kernel lives in the upper canonical half, as Linux's
 * does: a user task (CPL 3, lower half) issues `syscall`, IA32_LSTAR is
 * 0xffff_ffff_8100_0000 (`entry_SYSCALL_64`'s neighbourhood), and the
 * guest's own 4-level tables map that address (PML4 entry 511, PDPT entry
 * 510, PD entry 8: one supervisor 2 MiB page) onto guest-physical
 * {@link KERNEL_PHYS}. The entry code switches to a stack in the upper half
 * with a RIP-relative LEA, pushes and pops there, calls and returns there,
 * loads a RIP-relative quadword, and returns with SYSRETQ.
 */

import { X86_INSTRUCTION_SETS, type X86Machine, type X86MachineOptions } from '../../../arch/x86_64/core.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { machineWith } from './machine-harness.ts';

/** The kernel's link address, 0xffff_ffff_8100_0000, as the unsigned 64-bit value. */
export const KERNEL_VA = 0xffff_ffff_8100_0000n;
/** The same address in the backend's signed representation (what `machine.pc` holds). */
export const KERNEL = Number(BigInt.asIntN(64, KERNEL_VA));
/** Where the 2 MiB kernel page lives in guest-physical memory. */
export const KERNEL_PHYS = 0x80_0000;
/** The page tables (physical). */
export const PML4 = 0x50_0000;
const PDPT_LOW = 0x50_1000;
const PD_LOW = 0x50_2000;
const PDPT_KERNEL = 0x50_3000;
const PD_KERNEL = 0x50_4000;

/** The kernel's entry code, assembled at {@link KERNEL}. */
export const KERNEL_SOURCE = `
entry:  movq    %rsp, %r12              # the user's RSP
        leaq    stack_top(%rip), %rsp   # a stack in the upper half (RIP-relative)
        pushq   %rcx
        pushq   %r11
        call    helper
after:  movq    value(%rip), %rax       # a RIP-relative load
        movq    %rsp, %r13
        popq    %r11
        popq    %rcx
        movq    %r12, %rsp
        sysretq
helper: movq    $0x42, %rbx
        movq    (%rsp), %r14            # the return address CALL pushed
        ret
        .p2align 3
value:  .quad   0x1122334455667788
        .space  0x100
stack_top:
`;

/** The kernel program (its labels are signed-representation numbers). */
export const KERNEL_PROGRAM = assemble(X86_INSTRUCTION_SETS.att, KERNEL_SOURCE, KERNEL);

/** The user task's program, at the harness's load address: load CR3, set LSTAR and STAR, drop to CPL 3, `syscall` once, then spin. */
export const USER_SOURCE = `
        movq    $${PML4}, %rax
        movq    %rax, %cr3
        movl    $0xc0000082, %ecx       # IA32_LSTAR = 0xffffffff81000000
        movl    $0x81000000, %eax
        movl    $0xffffffff, %edx
        wrmsr
        movl    $0xc0000081, %ecx       # IA32_STAR: __USER32_CS 0x23 in 63:48, __KERNEL_CS 0x10 in 47:32
        xorl    %eax, %eax
        movl    $0x00230010, %edx
        wrmsr
        pushq   $0x2b
        pushq   $0x1ff000
        pushfq
        pushq   $0x33
        leaq    user(%rip), %rax
        pushq   %rax
        iretq
user:   movq    $7, %rax
        syscall
back:   jmp     back
h_gp:   hlt
h_pf:   hlt
h_ss:   hlt
h_df:   hlt
`;

/** Build the page tables: the low 8 MiB identity-mapped (user, 2 MiB pages), the kernel's 2 MiB page at {@link KERNEL_VA} (supervisor). */
export function mapUpperHalf(machine: X86Machine): void {
  const m = machine.memory;
  m.map(PML4, 0x5000);
  m.map(KERNEL_PHYS, 0x20_0000);
  const P = 1n;
  const RW = 2n;
  const US = 4n;
  const PS = 0x80n;
  m.write64(PML4, BigInt(PDPT_LOW) | P | RW | US);
  m.write64(PDPT_LOW, BigInt(PD_LOW) | P | RW | US);
  for (let i = 0; i < 4; i++) m.write64(PD_LOW + 8 * i, BigInt(i * 0x20_0000) | P | RW | US | PS);
  // 0xffffffff81000000: PML4 index 511, PDPT index 510, PD index 8.
  m.write64(PML4 + 511 * 8, BigInt(PDPT_KERNEL) | P | RW);
  m.write64(PDPT_KERNEL + 510 * 8, BigInt(PD_KERNEL) | P | RW);
  m.write64(PD_KERNEL + 8 * 8, BigInt(KERNEL_PHYS) | P | RW | PS);
  m.load(KERNEL_PHYS, KERNEL_PROGRAM.bytes);
}

/** The whole machine: user program, handlers for #GP/#PF/#SS/#DF (each `hlt`), tables and kernel. */
export function upperHalfMachine(options: X86MachineOptions = {}): { machine: X86Machine; labels: ReadonlyMap<string, number> } {
  const probe = machineWith(USER_SOURCE);
  const at = (name: string): number => probe.labels.get(name)!;
  const built = machineWith(USER_SOURCE, {
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.vendor === undefined ? {} : { vendor: options.vendor }),
    gates: {
      8: { offset: at('h_df'), ist: 1 },
      12: { offset: at('h_ss'), ist: 1 },
      13: { offset: at('h_gp'), ist: 1 },
      14: { offset: at('h_pf'), ist: 1 },
    },
  });
  mapUpperHalf(built.machine);
  return built;
}

/** A kernel label's address as the unsigned 64-bit value. */
export function kernelLabel(name: string): bigint {
  return BigInt.asUintN(64, BigInt(KERNEL_PROGRAM.symbols.get(name)!));
}

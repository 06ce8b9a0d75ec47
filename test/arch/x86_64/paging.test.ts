/**
 * x86-64 4-level paging as guest code sees it (SDM vol. 3 §4.5–§4.10):
 * the test builds page tables in guest memory, the guest loads CR3 (which
 * starts the walks: `arch/x86_64/paging.ts`), and then a mapped access at a
 * non-identity linear address, #PF with CR2 and the error code (P, W/R,
 * U/S, RSVD, I/D), CR0.WP, U/S, NX, reserved bits, an instruction that
 * straddles into a not-present page, A/D bits, 2 MiB and 1 GiB pages, the
 * IDT read at a linear address, and INVLPG and a CR3 reload against a
 * stale TLB entry.
 */

import { describe, expect, it } from 'vitest';
import { PfError } from '../../../arch/x86_64/paging.ts';
import { machineWith, stackWord } from './machine-harness.ts';

/** The PML4 and the other tables (physical). */
const PML4 = 0x50_0000;
const PDPT_LOW = 0x50_1000;
const PDPT_GIANT = 0x50_2000;
const PDPT_HIGH = 0x50_3000;
const PD_LOW = 0x50_4000;
const PD_HIGH = 0x50_5000;
const PT_HIGH = 0x50_6000;
/** The non-identity window: PML4 index 128, mapped by PT_HIGH a page at a time. */
const VA = 0x4000_0000_0000;
/** PML4 index 1: one 1 GiB page onto physical 0 (supervisor). */
const GIANT = 0x80_0000_0000;
/** PML4 index 2: an entry with PS set (reserved in a PML4E). */
const BAD_PML4 = 0x100_0000_0000;
/** Physical frames behind the window's pages. */
const FRAME = 0x60_0000;

const P = 1n;
const RW = 2n;
const US = 4n;
const A = 0x20n;
const D = 0x40n;
const PS = 0x80n;
const XD = 1n << 63n;

/** The window's pages: index → PTE (0 = not present). */
const PAGES: Readonly<Record<number, bigint>> = {
  0: BigInt(FRAME) | P | RW | US,
  1: 0n,
  2: BigInt(FRAME + 0x1000) | P | US, // read-only, user
  3: BigInt(FRAME + 0x2000) | P | RW, // supervisor only
  4: BigInt(FRAME + 0x3000) | P | RW | US | XD, // no execute
  5: BigInt(FRAME + 0x4000) | P | RW | US, // code whose last instruction runs into page 6
  6: 0n,
  7: BigInt(FRAME + 0x5000) | P | RW | US,
  8: 0x40_1000n | P | RW, // the harness's IDT, seen at a linear address
};

const HANDLERS = `
h_ud:   hlt
h_gp:   hlt
h_pf:   hlt
h_ss:   hlt
h_df:   hlt
`;

/**
 * A machine whose guest loads CR3 and then runs `body` at CPL 0, or at
 * CPL 3 (entered with IRETQ) when `user`. The low 8 MiB are identity-mapped
 * with user-accessible 2 MiB pages (code, stacks, GDT/IDT/TSS, the tables).
 */
function paged(body: string, options: { user?: boolean; idt?: number } = {}) {
  const enter = options.user
    ? `
  pushq $0x2b
  pushq $0x1ff000
  pushfq
  pushq $0x33
  leaq user(%rip), %rax
  pushq %rax
  iretq
user:`
    : '';
  const source = `
  movq $${PML4}, %rax
  movq %rax, %cr3
${enter}
${body}
done: hlt
${HANDLERS}`;
  const probe = machineWith(source);
  const at = (name: string): number => probe.labels.get(name)!;
  const built = machineWith(source, {
    gates: {
      6: { offset: at('h_ud') },
      8: { offset: at('h_df'), ist: 1 },
      12: { offset: at('h_ss'), ist: 1 },
      13: { offset: at('h_gp'), ist: 1 },
      14: { offset: at('h_pf'), ist: 1 },
    },
  });
  const m = built.machine.memory;
  m.map(PML4, 0x7000);
  m.map(FRAME, 0x8000);
  m.write64(PML4, BigInt(PDPT_LOW) | P | RW | US);
  m.write64(PML4 + 8, BigInt(PDPT_GIANT) | P | RW | US);
  m.write64(PML4 + 16, BigInt(PDPT_LOW) | P | RW | US | PS);
  m.write64(PML4 + 128 * 8, BigInt(PDPT_HIGH) | P | RW | US);
  m.write64(PDPT_LOW, BigInt(PD_LOW) | P | RW | US);
  for (let i = 0; i < 4; i++) m.write64(PD_LOW + 8 * i, BigInt(i * 0x20_0000) | P | RW | US | PS);
  m.write64(PDPT_GIANT, P | RW | PS);
  m.write64(PDPT_HIGH, BigInt(PD_HIGH) | P | RW | US);
  m.write64(PD_HIGH, BigInt(PT_HIGH) | P | RW | US);
  for (const [index, pte] of Object.entries(PAGES)) m.write64(PT_HIGH + 8 * Number(index), pte);
  if (options.idt !== undefined) built.machine.setRegister('idtr_base', BigInt(options.idt));
  return built;
}

/** Run to the `hlt` of a handler (or `done`); returns the label reached. */
function runToHalt(machine: ReturnType<typeof paged>['machine'], labels: ReadonlyMap<string, number>): string {
  const result = machine.run(200);
  expect(result.reason).toBe('wfi');
  const pc = machine.pc - 1;
  for (const [name, address] of labels) if (address === pc && (name.startsWith('h_') || name === 'done')) return name;
  return `0x${pc.toString(16)}`;
}

/** The #PF frame on the IST1 stack: error code, then RIP, CS. */
function pfFrame(machine: ReturnType<typeof paged>['machine']) {
  const rsp = machine.register('rsp');
  return { code: stackWord(machine, rsp), rip: stackWord(machine, rsp + 8n), cs: stackWord(machine, rsp + 16n) };
}

const pte = (machine: ReturnType<typeof paged>['machine'], index: number): bigint => machine.memory.read64(PT_HIGH + 8 * index)!;

describe('x86_64 4-level paging', () => {
  it('a write and a read at a non-identity linear address reach the mapped frame; the walk sets A on every level and D on the leaf', () => {
    const { machine, labels } = paged(`
  movabsq $${VA}, %rbx
  movq $0x1234, (%rbx)
  movq (%rbx), %rcx
  movq 0x2000(%rbx), %rdx`);
    expect(runToHalt(machine, labels)).toBe('done');
    expect(machine.register('rcx')).toBe(0x1234n);
    expect(machine.memory.read64(FRAME)).toBe(0x1234n);
    expect(machine.memory.read64(VA)).toBeUndefined();
    expect(pte(machine, 0) & (A | D)).toBe(A | D);
    // Read only: A, not D.
    expect(pte(machine, 2) & (A | D)).toBe(A);
    expect(machine.memory.read64(PD_HIGH)! & (A | D)).toBe(A);
    expect(machine.memory.read64(PDPT_HIGH)! & A).toBe(A);
    expect(machine.memory.read64(PML4 + 128 * 8)! & A).toBe(A);
    // Untouched pages keep A clear.
    expect(pte(machine, 7) & A).toBe(0n);
  });

  it('a 2 MiB page (the identity map) and a 1 GiB page translate', () => {
    const { machine, labels } = paged(`
  movq $0x5a5a, ${FRAME + 0x10}
  movabsq $${GIANT + FRAME + 0x10}, %rbx
  movq (%rbx), %rcx`);
    expect(runToHalt(machine, labels)).toBe('done');
    expect(machine.register('rcx')).toBe(0x5a5an);
    expect(machine.memory.read64(PDPT_GIANT)! & A).toBe(A);
    expect(machine.memory.read64(PD_LOW + 24)! & (A | D)).toBe(A | D);
  });

  it('a read of a not-present page at CPL 0 is #PF(0): CR2 the address, RIP on the load, the destination untouched', () => {
    const { machine, labels } = paged(`
  movabsq $${VA}, %rbx
  movq $7, %rax
load: movq 0x1008(%rbx), %rax`);
    expect(runToHalt(machine, labels)).toBe('h_pf');
    expect(machine.register('cr2')).toBe(BigInt(VA + 0x1008));
    const frame = pfFrame(machine);
    expect(frame.code).toBe(0x0n);
    expect(frame.rip).toBe(BigInt(labels.get('load')!));
    expect(machine.register('rax')).toBe(7n);
  });

  it('at CPL 3: a not-present read is #PF(0x4), a not-present write #PF(0x6)', () => {
    for (const [insn, code] of [['movq 0x1000(%rbx), %rax', 0x4n], ['movq %rax, 0x1ff8(%rbx)', 0x6n]] as const) {
      const { machine, labels } = paged(`  movabsq $${VA}, %rbx\n${insn}`, { user: true });
      expect(runToHalt(machine, labels)).toBe('h_pf');
      const frame = pfFrame(machine);
      expect(frame.code).toBe(code);
      expect(frame.code).toBe(BigInt((insn.startsWith('movq %rax') ? PfError.W : 0) | PfError.U));
      expect(frame.cs).toBe(0x33n);
    }
  });

  it('a push into a not-present page is #PF with RSP unchanged', () => {
    const { machine, labels } = paged(`
  movabsq $${VA + 0x2000}, %rsp
  movq %rsp, %rbp
pushing: pushq $1`);
    expect(runToHalt(machine, labels)).toBe('h_pf');
    expect(machine.register('cr2')).toBe(BigInt(VA + 0x1ff8));
    expect(pfFrame(machine).code).toBe(BigInt(PfError.W));
    expect(pfFrame(machine).rip).toBe(BigInt(labels.get('pushing')!));
    // The handler runs on IST1; the interrupted RSP is in the frame.
    expect(stackWord(machine, machine.register('rsp') + 32n)).toBe(BigInt(VA + 0x2000));
  });

  it('a write to a read-only page: #PF(0x7) at CPL 3, #PF(0x3) at CPL 0 with CR0.WP = 1, and it lands with CR0.WP = 0', () => {
    const user = paged(`  movabsq $${VA + 0x2000}, %rbx\n  movq %rax, (%rbx)`, { user: true });
    expect(runToHalt(user.machine, user.labels)).toBe('h_pf');
    expect(pfFrame(user.machine).code).toBe(0x7n);
    expect(user.machine.register('cr2')).toBe(BigInt(VA + 0x2000));

    const kernel = paged(`  movabsq $${VA + 0x2000}, %rbx\n  movq %rax, (%rbx)`);
    expect(runToHalt(kernel.machine, kernel.labels)).toBe('h_pf');
    expect(pfFrame(kernel.machine).code).toBe(BigInt(PfError.P | PfError.W));

    const noWp = paged(`
  movq %cr0, %rax
  andq $-65537, %rax
  movq %rax, %cr0
  movabsq $${VA + 0x2000}, %rbx
  movq $0x77, (%rbx)`);
    expect(runToHalt(noWp.machine, noWp.labels)).toBe('done');
    expect(noWp.machine.memory.read64(FRAME + 0x1000)).toBe(0x77n);
    expect(pte(noWp.machine, 2) & (A | D)).toBe(A | D);
  });

  it('a CPL-3 read of a supervisor page is #PF(0x5); CPL 0 reads it', () => {
    const user = paged(`  movabsq $${VA + 0x3000}, %rbx\n  movq (%rbx), %rax`, { user: true });
    expect(runToHalt(user.machine, user.labels)).toBe('h_pf');
    expect(pfFrame(user.machine).code).toBe(0x5n);
    const kernel = paged(`  movabsq $${VA + 0x3000}, %rbx\n  movq (%rbx), %rax`);
    expect(runToHalt(kernel.machine, kernel.labels)).toBe('done');
  });

  it('a fetch from an XD page with EFER.NXE = 1 is #PF(0x11): P and I/D, RIP and CR2 the target', () => {
    const { machine, labels } = paged(`  movabsq $${VA + 0x4000}, %rbx\n  jmp *%rbx`);
    machine.memory.write8(FRAME + 0x3000, 0x90);
    expect(runToHalt(machine, labels)).toBe('h_pf');
    expect(machine.register('cr2')).toBe(BigInt(VA + 0x4000));
    const frame = pfFrame(machine);
    expect(frame.code).toBe(0x11n);
    expect(frame.rip).toBe(BigInt(VA + 0x4000));
  });

  it('XD set with EFER.NXE = 0 is a reserved bit: #PF(0x9), P and RSVD; so is PS in a PML4E', () => {
    const noNxe = paged(`
  movl $0xc0000080, %ecx
  movl $0x101, %eax
  xorl %edx, %edx
  wrmsr
  movabsq $${VA + 0x4000}, %rbx
  movq (%rbx), %rax`);
    expect(runToHalt(noNxe.machine, noNxe.labels)).toBe('h_pf');
    expect(pfFrame(noNxe.machine).code).toBe(0x9n);
    const ps = paged(`  movabsq $${BAD_PML4}, %rbx\n  movq (%rbx), %rax`);
    expect(runToHalt(ps.machine, ps.labels)).toBe('h_pf');
    expect(pfFrame(ps.machine).code).toBe(BigInt(PfError.P | PfError.RSVD));
    expect(ps.machine.register('cr2')).toBe(BigInt(BAD_PML4));
  });

  it('an instruction straddling into a not-present page is #PF on that page: CR2 its first byte, RIP the instruction start, error code I/D', () => {
    for (const user of [false, true]) {
      const { machine, labels } = paged(`  movabsq $${VA + 0x5ffe}, %rbx\n  jmp *%rbx`, { user });
      // movabsq $imm64, %rax: 48 b8 and eight bytes, of which the last eight are on page 6.
      machine.memory.write8(FRAME + 0x4ffe, 0x48);
      machine.memory.write8(FRAME + 0x4fff, 0xb8);
      expect(runToHalt(machine, labels)).toBe('h_pf');
      expect(machine.register('cr2')).toBe(BigInt(VA + 0x6000));
      const frame = pfFrame(machine);
      expect(frame.rip).toBe(BigInt(VA + 0x5ffe));
      expect(frame.code).toBe(user ? 0x14n : 0x10n);
    }
  });

  it('an instruction straddling into a present page runs', () => {
    const { machine } = paged(`  movabsq $${VA + 0x5ffe}, %rbx\n  jmp *%rbx`);
    machine.memory.write64(PT_HIGH + 6 * 8, BigInt(FRAME + 0x6000) | P | RW | US);
    const bytes = [0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 0xf4];
    // Page 5's frame holds the first two bytes, page 6's (another frame) the rest.
    bytes.forEach((b, i) => machine.memory.write8(i < 2 ? FRAME + 0x4ffe + i : FRAME + 0x6000 + i - 2, b));
    expect(machine.run(200).reason).toBe('wfi');
    expect(machine.register('rax')).toBe(0x0807060504030201n);
    expect(machine.pc).toBe(VA + 0x6009);
  });

  it('the IDT is read at its linear address: a #PF is delivered through an IDT mapped only by the page tables', () => {
    const { machine, labels } = paged(`  movabsq $${VA + 0x1000}, %rbx\n  movq (%rbx), %rax`, { idt: VA + 0x8000 });
    expect(runToHalt(machine, labels)).toBe('h_pf');
    expect(machine.register('cr2')).toBe(BigInt(VA + 0x1000));
  });

  it('an IDT on a not-present page: the #PF reading gate 6 is delivered, and its own gate read faults: a triple fault', () => {
    const { machine } = paged('  ud2', { idt: VA + 0x1000 });
    const result = machine.run(200);
    expect(result.reason).toBe('recursive-fault');
    expect(result.detail).toContain('triple fault');
    expect(machine.register('cr2')).toBe(BigInt(VA + 0x1000 + 14 * 16));
  });

  it('a non-canonical stack reference is #SS(0), a non-canonical data reference #GP(0)', () => {
    const stack = paged(`  movabsq $0x800000000010, %rsp\n  pushq $1`);
    expect(runToHalt(stack.machine, stack.labels)).toBe('h_ss');
    expect(stackWord(stack.machine, stack.machine.register('rsp'))).toBe(0n);
    const data = paged(`  movabsq $0x800000000010, %rbx\n  movq (%rbx), %rax`);
    expect(runToHalt(data.machine, data.labels)).toBe('h_gp');
  });

  it('a changed PTE is not seen while the stale TLB entry is used; INVLPG makes it visible', () => {
    const { machine, labels } = paged(`
  movabsq $${VA + 0x7000}, %rbx
  movq (%rbx), %rcx
  movq $${FRAME + 0x7000 + 0x7}, %rax
  movq %rax, ${PT_HIGH + 7 * 8}
  movq (%rbx), %rdx
  invlpg (%rbx)
  movq (%rbx), %rsi`);
    machine.memory.write64(FRAME + 0x5000, 0x1111n);
    machine.memory.write64(FRAME + 0x7000, 0x2222n);
    expect(runToHalt(machine, labels)).toBe('done');
    expect(machine.register('rcx')).toBe(0x1111n);
    expect(machine.register('rdx')).toBe(0x1111n);
    expect(machine.register('rsi')).toBe(0x2222n);
  });

  it('a MOV to CR3 flushes the TLB: the changed PTE is seen after the reload, not before', () => {
    const { machine, labels } = paged(`
  movabsq $${VA + 0x7000}, %rbx
  movq (%rbx), %rcx
  movq $${FRAME + 0x7000 + 0x7}, %rax
  movq %rax, ${PT_HIGH + 7 * 8}
  movq (%rbx), %rdx
  movq %cr3, %rax
  movq %rax, %cr3
  movq (%rbx), %rsi`);
    machine.memory.write64(FRAME + 0x5000, 0x1111n);
    machine.memory.write64(FRAME + 0x7000, 0x2222n);
    expect(runToHalt(machine, labels)).toBe('done');
    expect(machine.register('rcx')).toBe(0x1111n);
    expect(machine.register('rdx')).toBe(0x1111n);
    expect(machine.register('rsi')).toBe(0x2222n);
  });

  it('a snapshot taken with paging on restores it, with an empty TLB', () => {
    const { machine, labels } = paged(`
  movabsq $${VA}, %rbx
  movq $0x99, (%rbx)
  movq (%rbx), %rcx`);
    expect(machine.run(3).reason).toBe('budget-exhausted');
    const snapshot = machine.snapshot();
    expect(runToHalt(machine, labels)).toBe('done');
    // A PTE changed behind the TLB's back: after the restore the walk sees it.
    machine.restore(snapshot);
    machine.memory.write64(PT_HIGH, BigInt(FRAME + 0x7000) | P | RW | US);
    expect(runToHalt(machine, labels)).toBe('done');
    expect(machine.register('rcx')).toBe(0x99n);
    expect(machine.memory.read64(FRAME + 0x7000)).toBe(0x99n);
  });

  it('INVLPG is #GP(0) at CPL 3', () => {
    const { machine, labels } = paged('  invlpg (%rax)', { user: true });
    expect(runToHalt(machine, labels)).toBe('h_gp');
  });

  it('code runs at a non-identity linear address, and a code write through another mapping of its frame is seen', () => {
    // Page 7 holds `movl $1, %eax; hlt`; the guest rewrites the immediate through the identity map after running it once.
    const { machine, labels } = paged(`
  movabsq $${VA + 0x7000}, %rbx
  call *%rbx
  movb $2, ${FRAME + 0x5001}
  call *%rbx
  movl %eax, %ecx`);
    [0xb8, 1, 0, 0, 0, 0xc3].forEach((b, i) => machine.memory.write8(FRAME + 0x5000 + i, b));
    expect(runToHalt(machine, labels)).toBe('done');
    expect(machine.register('rcx')).toBe(2n);
  });
});

/**
 * The x86_64 ABI specs against ../shared/abi-facts.md §9: KVM's hypercalls
 * by era (handled numbers, −KVM_ENOSYS, −KVM_EPERM, the two truncation
 * rules), Hyper-V by dispatch rule (the MSR conditions, the 64- and 32-bit
 * conventions, the status codes, #UD at CPL 3), Xen, the two syscall
 * tables as the release's syscall_64.tbl and syscall_32.tbl list them, the
 * patching decision, the collisions with their witnesses and allow-list,
 * and the per-conduit lists.
 */

import { describe, expect, it } from 'vitest';
import { X86_64_ABIS_BY_CONDUIT } from '../../../../arch/x86_64/abis/by-conduit.ts';
import { HV_STATUS, HYPERV_TLFS_ABIS } from '../../../../arch/x86_64/abis/hyperv-tlfs.abi.ts';
import { fixHypercall, PATCHING_ERAS, type PatchQuery } from '../../../../arch/x86_64/abis/hypercall-patching.ts';
import { I386_SYSCALL_TABLE } from '../../../../arch/x86_64/abis/i386-syscall-table.ts';
import { X86_64_ABIS, X86_64_ALLOWED_COLLISIONS } from '../../../../arch/x86_64/abis/index.ts';
import { CS_ATTR_KERNEL32, CS_ATTR_KERNEL64, EFER_LONG_MODE, KVM_X86_ABIS } from '../../../../arch/x86_64/abis/kvm-x86.abi.ts';
import { LINUX_SYSCALL_I386, LINUX_SYSCALL_X86_64 } from '../../../../arch/x86_64/abis/linux-syscall-x86.abi.ts';
import { X86_64_NR_SYSCALLS, X86_64_SYSCALL_TABLE } from '../../../../arch/x86_64/abis/x86-64-syscall-table.ts';
import { XEN_X86_ABIS } from '../../../../arch/x86_64/abis/xen-x86.abi.ts';
import { AbiRegistry } from '../../../../src/abi/registry.ts';
import type { Abi, Origin } from '../../../../src/abi/spec.ts';
import { analyseCollisions } from '../../../../src/dispatch/collisions.ts';
import { ClaimedInterpretation, dispatch, interpret, type Interpretation } from '../../../../src/dispatch/dispatcher.ts';

const REGISTRY = new AbiRegistry(X86_64_ABIS, X86_64_ALLOWED_COLLISIONS);
const KERNEL: Origin = { privilege: 'kernel', world: 'guest' };
const USER: Origin = { privilege: 'user', world: 'guest' };
const MODE64 = { efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL64 };
const COMPAT = { efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL32 };
const MINUS_1000_64 = 0xffff_ffff_ffff_fc18n;
const MINUS_1_64 = 0xffff_ffff_ffff_ffffn;

function byId(id: string): Abi {
  const abi = REGISTRY.get(id);
  if (abi === undefined) throw new Error(`no spec ${id}`);
  return abi;
}

function run(abi: Abi, registers: Record<string, bigint>, origin: Origin = KERNEL): Interpretation {
  return interpret(abi, { arch: 'x86_64', conduit: abi.spec.conduit.instruction, imm: 0, privilege: origin.privilege, world: origin.world, registers });
}

function claimed(abi: Abi, registers: Record<string, bigint>, origin: Origin = KERNEL): ClaimedInterpretation {
  const result = run(abi, registers, origin);
  if (!(result instanceof ClaimedInterpretation)) throw new Error(`${abi.spec.id} declines ${JSON.stringify(registers, (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
  return result;
}

/** RAX after the call, as the spec writes it. */
function rax(abi: Abi, registers: Record<string, bigint>, origin: Origin = KERNEL): bigint | undefined {
  return claimed(abi, registers, origin).writes.rax;
}

describe('the syscall tables are the @17ae69ab syscall_64.tbl and syscall_32.tbl', () => {
  it('hold the numbers abi-facts §9.2 lists, in both tables', () => {
    const n64 = (name: string): number | undefined => X86_64_SYSCALL_TABLE.find((row) => row.name === name && row.abi !== 'x32')?.number;
    const n32 = (name: string): number | undefined => I386_SYSCALL_TABLE.find((row) => row.name === name)?.number;
    const facts: [string, number | undefined, number | undefined][] = [
      ['read', 0, 3],
      ['write', 1, 4],
      ['open', 2, 5],
      ['close', 3, 6],
      ['getpid', 39, 20],
      ['clone', 56, 120],
      ['fork', 57, 2],
      ['execve', 59, 11],
      ['exit', 60, 1],
      ['exit_group', 231, 252],
      ['kill', 62, 37],
      ['reboot', 169, 88],
      ['gettid', 186, 224],
      ['kexec_load', 246, 283],
      ['kexec_file_load', 320, undefined],
      ['bpf', 321, 357],
      ['mmap2', undefined, 192],
      ['clone3', 435, 435],
    ];
    for (const [name, sixtyFour, i386] of facts) expect([name, n64(name), n32(name)]).toEqual([name, sixtyFour, i386]);
    expect(X86_64_SYSCALL_TABLE.find((row) => row.number === 520)).toMatchObject({ abi: 'x32', name: 'execve' });
    expect(X86_64_SYSCALL_TABLE.find((row) => row.number === 528)).toMatchObject({ abi: 'x32', name: 'kexec_load' });
  });

  it('are whole: ascending, no duplicates, the gaps the tables leave and nothing else', () => {
    const numbers64 = X86_64_SYSCALL_TABLE.map((row) => row.number);
    const numbers32 = I386_SYSCALL_TABLE.map((row) => row.number);
    for (const numbers of [numbers64, numbers32]) expect(numbers).toEqual([...new Set(numbers)].sort((a, b) => a - b));
    const missing = (numbers: number[], top: number): number[] => Array.from({ length: top }, (_, i) => i).filter((n) => !numbers.includes(n));
    expect(missing(numbers64, 548)).toEqual([...Array.from({ length: 423 - 335 + 1 }, (_, i) => 335 + i), ...Array.from({ length: 511 - 447 + 1 }, (_, i) => 447 + i)]);
    expect(missing(numbers32, 447)).toEqual([222, 223, 251, 285, 387, 388, 389, 390, 391, 392, 415]);
    expect(Math.max(...X86_64_SYSCALL_TABLE.filter((row) => row.abi !== 'x32').map((row) => row.number)) + 1).toBe(X86_64_NR_SYSCALLS);
    // Rows without an entry point are sys_ni_syscall, as the generator makes them.
    expect(X86_64_SYSCALL_TABLE.find((row) => row.name === 'uselib')?.entry).toBe('sys_ni_syscall');
    expect(I386_SYSCALL_TABLE.find((row) => row.name === 'break')?.entry).toBe('sys_ni_syscall');
    expect(I386_SYSCALL_TABLE.find((row) => row.name === 'open')).toMatchObject({ entry: 'sys_open', compat: 'compat_sys_open' });
  });
});

describe('kvm-x86 by era', () => {
  const eras = ['v3.9', 'v4.11', 'v5.0', 'v5.7', 'map-gpa-range'];
  const spec = (era: string, conduit = 'vmcall'): Abi => byId(`kvm-x86-${era}-${conduit}`);

  it('every era and vendor: VAPIC_POLL_IRQ → 0, an unknown number → −KVM_ENOSYS (0xfffffffffffffc18), CPL 3 → −KVM_EPERM, no exception', () => {
    for (const era of eras) {
      for (const conduit of ['vmcall', 'vmmcall']) {
        const abi = spec(era, conduit);
        expect(rax(abi, { rax: 1n, ...MODE64 })).toBe(0n);
        expect(rax(abi, { rax: 0x100n, ...MODE64 })).toBe(MINUS_1000_64);
        expect(rax(abi, { rax: MINUS_1_64, ...MODE64 })).toBe(MINUS_1000_64);
        expect(rax(abi, { rax: 1n, ...MODE64 }, USER)).toBe(MINUS_1_64);
        expect(claimed(abi, { rax: 1n, ...MODE64 }, USER).returns).toBe(true);
      }
    }
  });

  it('handles the numbers of its era only: KICK_CPU from v4.11, SEND_IPI from v5.0, SCHED_YIELD from v5.7, MMU_OP never', () => {
    const answers = (era: string): (bigint | undefined)[] => [5n, 9n, 10n, 11n, 12n, 2n].map((nr) => rax(spec(era), { rax: nr, rbx: 1n, ...MODE64 }));
    const ENOSYS = MINUS_1000_64;
    const EOPNOTSUPP = BigInt.asUintN(64, -95n);
    expect(answers('v3.9')).toEqual([ENOSYS, ENOSYS, ENOSYS, ENOSYS, ENOSYS, ENOSYS]);
    expect(answers('v4.11')).toEqual([0n, EOPNOTSUPP, ENOSYS, ENOSYS, ENOSYS, ENOSYS]);
    expect(answers('v5.0')).toEqual([0n, EOPNOTSUPP, 1n, ENOSYS, ENOSYS, ENOSYS]);
    expect(answers('v5.7')).toEqual([0n, EOPNOTSUPP, 1n, 0n, ENOSYS, ENOSYS]);
    expect(answers('map-gpa-range')).toEqual([0n, EOPNOTSUPP, 1n, 0n, ENOSYS, ENOSYS]);
    expect(claimed(spec('v3.9'), { rax: 5n }).call).toBe('unknown');
    expect(claimed(spec('v3.9'), { rax: 2n }).call).toBe('KVM_HC_MMU_OP');
  });

  it('the compatibility-mode truncation era: RAX = 0x1_0000_0001 from 32-bit code under a long-mode kernel', () => {
    // v3.9 tests is_long_mode (EFER.LMA): not truncated, −KVM_ENOSYS written whole.
    expect(rax(spec('v3.9'), { rax: 0x1_0000_0001n, ...COMPAT })).toBe(MINUS_1000_64);
    // v4.11 on tests is_64_bit_mode: truncated to 1, VAPIC_POLL_IRQ, 0.
    for (const era of eras.slice(1)) expect(rax(spec(era), { rax: 0x1_0000_0001n, ...COMPAT })).toBe(0n);
    // Legacy (EFER.LMA clear): both truncate.
    for (const era of eras) expect(rax(spec(era), { rax: 0x1_0000_0001n, efer: 0n, cs_attr: CS_ATTR_KERNEL32 })).toBe(0n);
    // 64-bit mode: neither.
    for (const era of eras) expect(rax(spec(era), { rax: 0x1_0000_0001n, ...MODE64 })).toBe(MINUS_1000_64);
  });

  it('v4.11 on cut the result to 32 bits outside 64-bit mode; v3.9 writes the unsigned long', () => {
    expect(rax(spec('v3.9'), { rax: 0x77n, ...COMPAT })).toBe(MINUS_1000_64);
    expect(rax(spec('v4.11'), { rax: 0x77n, ...COMPAT })).toBe(0xffff_fc18n);
    expect(rax(spec('v4.11'), { rax: 0x77n, ...COMPAT }, USER)).toBe(0xffff_ffffn);
    expect(rax(spec('v3.9'), { rax: 0x77n, ...COMPAT }, USER)).toBe(MINUS_1_64);
  });

  it('SEND_IPI counts the vCPUs named, 64 APIC IDs a cluster in 64-bit mode and 32 outside it, and refuses a shorthand ICR', () => {
    const ipi = (registers: Record<string, bigint>): bigint | undefined => rax(spec('v5.0'), { rax: 10n, ...registers });
    expect(ipi({ rbx: 0b1011n, rcx: 0n, rdx: 0n, rsi: 0xfdn, ...MODE64 })).toBe(3n);
    // APIC IDs 0–3 only: bit 4 names nobody.
    expect(ipi({ rbx: 0b1_0001n, rcx: 0n, rdx: 0n, rsi: 0xfdn, ...MODE64 })).toBe(1n);
    // The high word starts at min + 64 (nobody) in 64-bit mode, at min + 32 outside it; from min = 0 neither reaches ID 3.
    expect(ipi({ rbx: 0n, rcx: 1n, rdx: 0n, rsi: 0xfdn, ...MODE64 })).toBe(0n);
    // A 64-bit bitmap word loses its upper half outside 64-bit mode.
    expect(ipi({ rbx: 0x1_0000_0001n, rcx: 0n, rdx: 0n, rsi: 0xfdn, ...MODE64 })).toBe(1n);
    expect(ipi({ rbx: 0b11n, rcx: 0n, rdx: 0n, rsi: 0x800n | 0xfdn, ...MODE64 })).toBe(BigInt.asUintN(64, -22n));
    expect(ipi({ rbx: 0b11n, rcx: 0n, rdx: 0n, rsi: 0xc_0000n, ...MODE64 })).toBe(BigInt.asUintN(64, -22n));
  });

  it('every era exists on both vendors\' instructions, and nowhere else', () => {
    expect(KVM_X86_ABIS.map((abi) => abi.spec.id).sort()).toEqual(eras.flatMap((era) => [`kvm-x86-${era}-vmcall`, `kvm-x86-${era}-vmmcall`]).sort());
    for (const abi of KVM_X86_ABIS) expect(abi.spec.selector).toEqual({ register: 'rax', width: 64 });
  });
});

describe('hyperv-tlfs', () => {
  const enabledMsr = { hv_x64_msr_hypercall: 0x1_2345_6001n };
  it('up to v5.7 a vmcall is Hyper-V only once HV_X64_MSR_HYPERCALL bit 0 is set, whatever its page address', () => {
    const abi = byId('hyperv-tlfs-v3.9-vmcall');
    expect(run(abi, { rcx: 8n, hv_x64_msr_hypercall: 0x1_2345_6000n, ...MODE64 }).mine).toBe(false);
    expect(run(abi, { rcx: 8n, ...enabledMsr, ...MODE64 }).mine).toBe(true);
    expect(run(abi, { rcx: 8n, hv_x64_msr_hypercall: 1n, ...MODE64 }).mine).toBe(true);
    // The guest OS ID does not matter in this era.
    expect(run(abi, { rcx: 8n, hv_x64_msr_guest_os_id: 0x8100n << 48n, ...MODE64 }).mine).toBe(false);
  });

  it('the per-vCPU era: a non-zero guest OS ID, whatever the hypercall MSR holds', () => {
    const abi = byId('hyperv-tlfs-per-vcpu-vmcall');
    expect(run(abi, { rcx: 8n, ...enabledMsr, ...MODE64 }).mine).toBe(false);
    expect(run(abi, { rcx: 8n, hv_x64_msr_guest_os_id: 0x8100_0005_0700_0000n, ...MODE64 }).mine).toBe(true);
  });

  it('v3.9 implements NOTIFY_LONG_SPIN_WAIT only: a KVM_HC_KICK_CPU after enablement is call code RCX & 0xffff, answered 2', () => {
    const abi = byId('hyperv-tlfs-v3.9-vmcall');
    expect(rax(abi, { rcx: 0x8n, ...enabledMsr, ...MODE64 })).toBe(BigInt(HV_STATUS.SUCCESS));
    const kick = claimed(abi, { rax: 5n, rbx: 0n, rcx: 1n, ...enabledMsr, ...MODE64 });
    expect(kick.call).toBe('unknown call code');
    expect(kick.writes.rax).toBe(BigInt(HV_STATUS.INVALID_HYPERCALL_CODE));
    expect(rax(abi, { rcx: 0x5cn, ...enabledMsr, ...MODE64 })).toBe(2n);
  });

  it('a 32-bit caller: the input value is EDX:EAX and the status comes back in EDX:EAX', () => {
    const abi = byId('hyperv-tlfs-v3.9-vmmcall');
    const result = claimed(abi, { rax: 0x8n, rdx: 0n, rcx: 0x5cn, ...enabledMsr, ...COMPAT });
    expect(result.writes).toMatchObject({ rax: 0n, rdx: 0n });
    expect(claimed(abi, { rax: 0x5cn, rdx: 0n, rcx: 0x8n, ...enabledMsr, ...COMPAT }).writes).toMatchObject({ rax: 2n, rdx: 0n });
  });

  it('the per-vCPU era rejects reserved input bits (HV_HYPERCALL_NESTED included) and a repeated spin wait', () => {
    const abi = byId('hyperv-tlfs-per-vcpu-vmcall');
    const os = { hv_x64_msr_guest_os_id: 0x8100_0005_0700_0000n };
    expect(rax(abi, { rcx: 0x8n, ...os, ...MODE64 })).toBe(0n);
    expect(rax(abi, { rcx: 0x8000_0008n, ...os, ...MODE64 })).toBe(BigInt(HV_STATUS.INVALID_HYPERCALL_INPUT));
    expect(rax(abi, { rcx: 0x1_0000_0008n, ...os, ...MODE64 })).toBe(BigInt(HV_STATUS.INVALID_HYPERCALL_INPUT));
    // The v3.9 era has no reserved mask: the nested-flagged spin wait succeeds.
    expect(rax(byId('hyperv-tlfs-v3.9-vmcall'), { rcx: 0x8000_0008n, ...enabledMsr, ...MODE64 })).toBe(0n);
  });

  it('a CPL-3 caller gets #UD, nothing written', () => {
    for (const abi of HYPERV_TLFS_ABIS.filter((a) => a.spec.id.endsWith('-cpl3'))) {
      const registers: Record<string, bigint> = abi.spec.id.includes('per-vcpu') ? { rax: 5n, rcx: 1n, hv_x64_msr_guest_os_id: 1n } : { rax: 5n, rcx: 1n, ...enabledMsr };
      const result = claimed(abi, registers, USER);
      expect(result.call).toBe('inject #UD');
      expect(result.writes).toEqual({});
      expect(run(abi, registers, KERNEL).mine).toBe(false);
    }
  });
});

describe('xen-x86', () => {
  it('RAX is the number in 64-bit mode; CPL > 0 is −EPERM, an HVM-less number −ENOSYS', () => {
    for (const abi of XEN_X86_ABIS) {
      expect(claimed(abi, { rax: 17n, ...MODE64 }).call).toBe('xen_version');
      expect(claimed(abi, { rax: 17n, ...MODE64 }).writes).toEqual({});
      expect(rax(abi, { rax: 17n, ...MODE64 }, USER)).toBe(MINUS_1_64);
      expect(rax(abi, { rax: 1n, ...MODE64 })).toBe(BigInt.asUintN(64, -38n));
      expect(rax(abi, { rax: 0x8000_0001n, ...MODE64 })).toBe(BigInt.asUintN(64, -38n));
    }
  });
});

describe('the syscall ABIs', () => {
  it('syscall takes the 64-bit table with only EAX counting; int $0x80 the i386 table', () => {
    expect(claimed(LINUX_SYSCALL_X86_64, { rax: 1n }, { privilege: 'user', world: 'host' }).call).toBe('write');
    expect(claimed(LINUX_SYSCALL_X86_64, { rax: 0x1_0000_0027n }, { privilege: 'user', world: 'host' }).call).toBe('getpid');
    expect(rax(LINUX_SYSCALL_X86_64, { rax: 512n }, { privilege: 'user', world: 'host' })).toBe(BigInt.asUintN(64, -38n));
    const exit = claimed(LINUX_SYSCALL_I386, { rax: 1n, rbx: 42n }, { privilege: 'user', world: 'host' });
    expect(exit.call).toBe('exit');
    expect(exit.args).toEqual({ status: '0x2a' });
    expect(exit.resolved.spec.args).toEqual([{ register: 'rbx', role: 'status' }]);
    expect(rax(LINUX_SYSCALL_I386, { rax: 222n }, { privilege: 'user', world: 'host' })).toBe(BigInt.asUintN(64, -38n));
  });
});

describe('the patching decision (emulator_fix_hypercall)', () => {
  const base: PatchQuery = { vendor: 'intel', instruction: 'vmmcall', cpl: 0, protectedMode: true, quirkEnabled: true, writable: true };
  const [v39, v411, quirk] = PATCHING_ERAS;

  it('Intel host, vmmcall at CPL 0: patched to vmcall, RIP not advanced; the v3.x fix-up zaps the MMU first', () => {
    expect(fixHypercall(v411!, base)).toMatchObject({ kind: 'patched', bytes: [0x0f, 0x01, 0xc1], zapsMmu: false });
    expect(fixHypercall(v39!, base)).toMatchObject({ kind: 'patched', zapsMmu: true });
  });

  it('the AMD mirror: vmcall at CPL 0 becomes vmmcall', () => {
    expect(fixHypercall(v411!, { ...base, vendor: 'amd', instruction: 'vmcall' })).toMatchObject({ kind: 'patched', bytes: [0x0f, 0x01, 0xd9] });
  });

  it('the CPL asymmetry: AMD CPL-3 vmcall is #GP(0) and not patched; Intel CPL-3 vmmcall is patched', () => {
    for (const era of PATCHING_ERAS) {
      expect(fixHypercall(era, { ...base, vendor: 'amd', instruction: 'vmcall', cpl: 3 })).toMatchObject({ kind: 'exception', vector: 'GP', errorCode: 0 });
      expect(fixHypercall(era, { ...base, cpl: 3 })).toMatchObject({ kind: 'patched' });
    }
  });

  it('real mode vmmcall is #UD; the quirk cleared is #UD in its era only; a failed write is #UD; the native instruction never comes here', () => {
    expect(fixHypercall(v411!, { ...base, protectedMode: false })).toMatchObject({ kind: 'exception', vector: 'UD' });
    expect(fixHypercall(quirk!, { ...base, quirkEnabled: false })).toMatchObject({ kind: 'exception', vector: 'UD' });
    expect(fixHypercall(v411!, { ...base, quirkEnabled: false })).toMatchObject({ kind: 'patched' });
    expect(fixHypercall(quirk!, { ...base, writable: false })).toMatchObject({ kind: 'exception', vector: 'UD' });
    expect(fixHypercall(quirk!, { ...base, instruction: 'vmcall' })).toMatchObject({ kind: 'native' });
  });
});

describe('collisions', () => {
  const REPORT = analyseCollisions(REGISTRY, 'x86_64');
  const pair = (a: string, b: string): string => [a, b].sort().join(' × ');

  it('every collision has a witness that makes both specs claim the trap, and the allow-list is not stale', () => {
    expect(REPORT.stale).toEqual([]);
    for (const collision of REPORT.collisions) {
      const registers = Object.fromEntries(Object.entries(collision.witness.registers).map(([r, v]) => [r, BigInt(v)]));
      const result = dispatch(REGISTRY, { arch: 'x86_64', conduit: collision.conduit, imm: collision.witness.imm, privilege: collision.witness.origin.privilege, world: collision.witness.origin.world, registers });
      const claims = collision.abis.map((id) => result.interpretations.find((i) => i.abi === id));
      expect(claims.map((c) => c?.mine)).toEqual([true, true]);
    }
    for (const entry of X86_64_ALLOWED_COLLISIONS) expect(entry.reason).toMatch(/^[^\n]{20,}$/);
  });

  it('leaves visible exactly the hazards: KVM × the VM-wide Hyper-V rule of its own releases, and the two syscall tables in int $0x80', () => {
    const hazards = REPORT.collisions.filter((c) => !c.allowed).map((c) => pair(...c.abis));
    const expected = [
      ...['v3.9', 'v4.11', 'v5.0', 'v5.7'].flatMap((era) => ['vmcall', 'vmmcall'].flatMap((v) => ['', '-cpl3'].map((cpl) => pair(`kvm-x86-${era}-${v}`, `hyperv-tlfs-v3.9-${v}${cpl}`)))),
      pair('linux-syscall-i386', 'x86_64-numbers-on-int80'),
    ];
    expect(hazards.sort()).toEqual(expected.sort());
    const kick = REPORT.collisions.find((c) => pair(...c.abis) === pair('kvm-x86-v5.7-vmcall', 'hyperv-tlfs-v3.9-vmcall'))!;
    expect(kick.witness.registers.hv_x64_msr_hypercall).toBe('0x1');
  });

  it('the KICK_CPU witness: after enablement the dispatcher sees two different answers, and Hyper-V comes first', () => {
    const result = dispatch(new AbiRegistry([byId('kvm-x86-v5.7-vmcall'), byId('hyperv-tlfs-v3.9-vmcall')]), { arch: 'x86_64', conduit: 'vmcall', imm: 0, privilege: 'kernel', world: 'guest', registers: { rax: 5n, rbx: 0n, rcx: 1n, hv_x64_msr_hypercall: 1n, ...MODE64 } });
    expect(result.verdict).toBe('collision');
    expect(result.interpretations.map((i) => [i.abi, i.call])).toEqual([
      ['hyperv-tlfs-v3.9-vmcall', 'unknown call code'],
      ['kvm-x86-v5.7-vmcall', 'KVM_HC_KICK_CPU'],
    ]);
  });

  it('int $0x80 in a 64-bit task: RAX = 1 is exit under the kernel, write for the caller', () => {
    const result = dispatch(REGISTRY, { arch: 'x86_64', conduit: 'int80', imm: 0, privilege: 'user', world: 'host', registers: { rax: 1n, rdi: 1n, rbx: 0n } });
    expect(result.verdict).toBe('collision');
    expect(Object.fromEntries(result.interpretations.map((i) => [i.abi, i.call]))).toEqual({ 'linux-syscall-i386': 'exit', 'x86_64-numbers-on-int80': 'write' });
    // Where the tables agree (424–446), the analysis sees agreement.
    expect(dispatch(REGISTRY, { arch: 'x86_64', conduit: 'int80', imm: 0, privilege: 'user', world: 'host', registers: { rax: 435n } }).verdict).toBe('agree');
  });
});

describe('by conduit', () => {
  it('each conduit lists every spec on it and nothing else', async () => {
    const conduits = [...new Set(X86_64_ABIS.map((abi) => abi.spec.conduit.instruction))].sort();
    expect(Object.keys(X86_64_ABIS_BY_CONDUIT).sort()).toEqual(conduits);
    for (const conduit of conduits) {
      const listed = (await X86_64_ABIS_BY_CONDUIT[conduit]!()).map((abi) => abi.spec.id).sort();
      expect(listed, conduit).toEqual(X86_64_ABIS.filter((abi) => abi.spec.conduit.instruction === conduit).map((abi) => abi.spec.id).sort());
    }
  });
});

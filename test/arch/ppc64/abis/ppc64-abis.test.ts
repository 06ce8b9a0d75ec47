/**
 * The ppc64 ABI specs (issue 5 §3–§5, issue 8 §1): every example reaches its
 * call through the dispatcher, the collisions of §4 exist with witnesses the
 * dispatcher confirms (the kernel-mode ones only against the syscall era up
 * to v5.6), the allow-list is not stale, the design cost is declared for
 * every hypercall design, and `hyplay dispatch ppc64 sc1 r3=0x8 --from
 * kernel` works. Per-family behaviour is in the tests next to this one.
 */

import { describe, expect, it } from 'vitest';
import { PPC64_ABIS, PPC64_ALLOWED_COLLISIONS } from '../../../../arch/ppc64/abis/index.ts';
import { KVM_PPC_PV_MERGED, KVM_SC_MAGIC_R0, KVM_SC_MAGIC_R3_DRAFT, KVM_SC_MAGIC_R4_DRAFT, PC_KEYED, PC_KEYED_CALL_SITE } from '../../../../arch/ppc64/abis/kvm-ppc-pv.abi.ts';
import { OSI_SC_MAGIC_R3, OSI_SC_MAGIC_R4 } from '../../../../arch/ppc64/abis/kvm-ppc-osi.abi.ts';
import { PAPR_KVM, PAPR_QEMU_TCG } from '../../../../arch/ppc64/abis/papr.abi.ts';
import { exampleTrap, type Privilege } from '../../../../src/abi/spec.ts';
import { loadAbis } from '../../../../src/di/container.ts';
import { analyseCollisions, type Collision } from '../../../../src/dispatch/collisions.ts';
import { dispatch, type TrapQuery } from '../../../../src/dispatch/dispatcher.ts';
import { json } from '../../../support/cli.ts';

const REGISTRY = loadAbis();
const REPORT = analyseCollisions(REGISTRY, 'ppc64');

function pair(a: string, b: string): string {
  return [a, b].sort().join(' × ');
}

function find(a: string, b: string): Collision | undefined {
  return REPORT.collisions.find((c) => pair(...c.abis) === pair(a, b));
}

function trap(conduit: string, privilege: Privilege, registers: Record<string, bigint>): TrapQuery {
  return { arch: 'ppc64', conduit, imm: 0, privilege, world: 'guest', registers };
}

function claims(query: TrapQuery): Record<string, string> {
  const result = dispatch(REGISTRY, query);
  return Object.fromEntries(result.interpretations.filter((i) => i.mine).map((i) => [i.abi, i.call!]));
}

const V5_0 = 'linux-syscall-ppc64-v5.0';
const V5_7 = 'linux-syscall-ppc64-v5.7';
const SYSCALLS = [V5_0, V5_7];
const PV_ERAS = KVM_PPC_PV_MERGED.map((a) => a.spec.id);
const EPAPR_IDS = ['epapr', 'epapr-kvm-booke-hv-v3.5', 'epapr-kvm-booke-hv-v3.8'];
const PAPR_IDS = ['papr-kvm', 'papr-qemu-tcg'];

describe('ppc64 specs', () => {
  it('are registered for ppc64, each with a source and an era', () => {
    const ids = REGISTRY.all('ppc64').map((a) => a.spec.id);
    expect(ids).toEqual(PPC64_ABIS.map((a) => a.spec.id).sort());
    expect(ids).toEqual([
      'epapr',
      'epapr-kvm-booke-hv-v3.5',
      'epapr-kvm-booke-hv-v3.8',
      'kvm-ppc-osi',
      'kvm-ppc-pv-2010-draft',
      'kvm-ppc-pv-2010-draft-unchecked',
      'kvm-ppc-pv-v2.6.37',
      'kvm-ppc-pv-v3.4',
      'kvm-ppc-pv-v3.8',
      'linux-syscall-ppc64-v5.0',
      'linux-syscall-ppc64-v5.7',
      'papr-kvm',
      'papr-qemu-tcg',
      'pc-keyed',
    ]);
    for (const abi of PPC64_ABIS) {
      expect(abi.spec.source.document.length).toBeGreaterThan(20);
      expect(abi.spec.era.trim()).not.toBe('');
      expect(abi.spec.source.version, abi.spec.id).toMatch(/\d+\.\d+|20\d\d/);
    }
  });

  it('narrow the selector to 32 bits exactly where KVM compares 32 bits (`int nr`, `(u32)`)', () => {
    const narrow = PPC64_ABIS.filter((a) => a.spec.selector.width === 32).map((a) => a.spec.id);
    expect(narrow.sort()).toEqual(['epapr-kvm-booke-hv-v3.5', 'epapr-kvm-booke-hv-v3.8', 'kvm-ppc-osi', ...PV_ERAS].sort());
    for (const abi of PPC64_ABIS) expect([32, 64]).toContain(abi.spec.selector.width);
  });

  it('every example dispatches to its call', () => {
    for (const abi of PPC64_ABIS) {
      for (const example of abi.spec.examples) {
        const t = exampleTrap(abi, example);
        const query: TrapQuery = { arch: 'ppc64', conduit: abi.spec.conduit.instruction, imm: t.imm, privilege: t.origin.privilege, world: t.origin.world, registers: t.registers };
        const mine = dispatch(REGISTRY, query).interpretations.find((i) => i.abi === abi.spec.id);
        expect(mine?.mine, `${abi.spec.id}: ${example.title}`).toBe(true);
        expect(mine?.call, `${abi.spec.id}: ${example.title}`).toBe(example.call);
      }
    }
  });

  it('hypercall designs declare their design cost', () => {
    for (const abi of PPC64_ABIS.filter((a) => a.spec.family !== 'linux-syscall')) expect(abi.spec.recognition, abi.spec.id).toBeDefined();
    for (const abi of PPC64_ABIS.filter((a) => a.spec.family === 'linux-syscall')) expect(abi.spec.recognition, abi.spec.id).toBeUndefined();
    expect(PC_KEYED.spec.recognition?.inspects).toEqual(['pc']);
    // Book3S PR KVM fetches every guest `sc` back to tell LEV; QEMU's translator decodes it anyway.
    expect(PAPR_KVM.spec.recognition?.inspects).toContain('instruction-fetch');
    expect(PAPR_QEMU_TCG.spec.recognition?.inspects).toEqual(['immediate', 'privilege']);
    expect(REGISTRY.get('epapr-kvm-booke-hv-v3.8')!.spec.recognition?.inspects).toEqual(['immediate', 'privilege']);
    for (const id of PV_ERAS) expect(REGISTRY.get(id)!.spec.recognition).toMatchObject({ inspects: ['magic-registers', 'privilege'], registersGivenUp: 1 });
  });
});

describe('the collisions of issue 5 §4', () => {
  it('every ppc64 collision has a witness the dispatcher confirms', () => {
    expect(REPORT.collisions.length).toBeGreaterThan(0);
    for (const collision of REPORT.collisions) {
      const registers = Object.fromEntries(Object.entries(collision.witness.registers).map(([r, v]) => [r, BigInt(v)]));
      const result = dispatch(REGISTRY, { arch: 'ppc64', conduit: collision.conduit, imm: collision.witness.imm, privilege: collision.witness.origin.privilege, world: collision.witness.origin.world, registers });
      const mine = collision.abis.map((id) => result.interpretations.find((i) => i.abi === id));
      expect(mine.map((i) => i?.mine), pair(...collision.abis)).toEqual([true, true]);
      expect(mine.map((i) => i?.call)).toEqual(collision.calls);
    }
  });

  it('a user syscall with the draft magic in r3/r4: the unchecked draft steals it, the checked one does not', () => {
    for (const syscalls of SYSCALLS) {
      expect(find(syscalls, 'kvm-ppc-pv-2010-draft-unchecked')).toMatchObject({ allowed: false, conduit: 'sc', witness: { origin: { privilege: 'user', world: 'guest' } } });
    }
    const query = trap('sc', 'user', { r0: 20n, r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT });
    expect(claims(query)).toEqual({ [V5_0]: 'getpid', [V5_7]: 'getpid', 'kvm-ppc-pv-2010-draft-unchecked': 'KVM_HYPERCALL' });
    expect(dispatch(REGISTRY, query).verdict).toBe('collision');
  });

  it('a kernel-mode sc with the r3/r4 magic against an in-kernel syscall: up to v5.6 only', () => {
    expect(find(V5_0, 'kvm-ppc-pv-2010-draft')).toMatchObject({ allowed: false, witness: { origin: { privilege: 'kernel', world: 'guest' } } });
    // From v5.7 a kernel-mode `sc` is BUG_ON, not a syscall: no overlap with a kernel-only design.
    for (const kernelOnly of ['kvm-ppc-pv-2010-draft', 'pc-keyed', ...PV_ERAS]) expect(find(V5_7, kernelOnly), kernelOnly).toBeUndefined();
    const query = trap('sc', 'kernel', { r0: 120n, r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT });
    expect(claims(query)).toEqual({ [V5_0]: 'clone', 'kvm-ppc-pv-2010-draft': 'KVM_HYPERCALL', 'kvm-ppc-pv-2010-draft-unchecked': 'KVM_HYPERCALL' });
    expect(dispatch(REGISTRY, query).verdict).toBe('collision');
  });

  it('OSI against every user syscall, and up to v5.6 every kernel one', () => {
    for (const syscalls of SYSCALLS) expect(find(syscalls, 'kvm-ppc-osi')).toMatchObject({ allowed: false });
    for (const privilege of ['user', 'kernel'] as const) {
      for (const r0 of [0n, 4n, 20n, 234n, 0x1000n]) {
        const query = trap('sc', privilege, { r0, r3: OSI_SC_MAGIC_R3, r4: OSI_SC_MAGIC_R4 });
        expect(claims(query)['kvm-ppc-osi'], `${privilege} r0=${r0}`).toBe('OSI_CALL');
        expect(claims(query)[V5_0]).toBeDefined();
        expect(claims(query)[V5_7] !== undefined).toBe(privilege === 'user');
        expect(dispatch(REGISTRY, query).verdict).toBe('collision');
      }
    }
  });

  it('KVM PV against an in-kernel syscall: by design, and only up to v5.6', () => {
    for (const pv of PV_ERAS) expect(find(V5_0, pv), pv).toMatchObject({ allowed: true, calls: ['KVM_HC_FEATURES', 'unknown'] });
    const mine = claims(trap('sc', 'kernel', { r0: KVM_SC_MAGIC_R0, r11: 0x2a_0003n }));
    expect(mine[V5_0]).toBe('unknown');
    expect(mine[V5_7]).toBeUndefined();
  });

  it('ePAPR against PAPR on sc 1, for every pair of hosts', () => {
    for (const epapr of EPAPR_IDS) for (const papr of PAPR_IDS) expect(find(epapr, papr), `${epapr} × ${papr}`).toMatchObject({ allowed: false, conduit: 'sc1' });
    expect(claims(trap('sc1', 'kernel', { r3: 8n }))).toEqual({
      epapr: 'unknown',
      'epapr-kvm-booke-hv-v3.5': 'unknown',
      'epapr-kvm-booke-hv-v3.8': 'unknown',
      'papr-kvm': 'H_ENTER',
      'papr-qemu-tcg': 'H_ENTER',
    });
    // From guest user mode the hosts part ways: BookE-HV gives a program check, QEMU TCG H_PRIVILEGE, KVM reflects (not mine).
    const user = dispatch(REGISTRY, trap('sc1', 'user', { r3: 8n, r11: 0x2a_0003n }));
    const byAbi = Object.fromEntries(user.interpretations.map((i) => [i.abi, i]));
    expect(byAbi['epapr-kvm-booke-hv-v3.8']?.outcome?.kind).toBe('jump');
    expect(byAbi['papr-qemu-tcg']?.writes).toEqual({ r3: 0xffff_ffff_ffff_fffdn });
    expect(byAbi['papr-kvm']?.mine).toBe(false);
  });

  it('a pc-keyed hypercall at the registered site, a syscall elsewhere', () => {
    const at = trap('sc', 'kernel', { pc: PC_KEYED_CALL_SITE, r0: 20n });
    expect(claims(at)).toMatchObject({ 'pc-keyed': 'hypercall', [V5_0]: 'getpid' });
    expect(claims(trap('sc', 'kernel', { pc: PC_KEYED_CALL_SITE + 4n, r0: 20n }))).toEqual({ [V5_0]: 'getpid' });
  });

  it('the allow-list holds only intended overlaps, none stale, each with a one-line reason', () => {
    expect(REPORT.stale).toEqual([]);
    const allowed = REPORT.collisions.filter((c) => c.allowed).map((c) => pair(...c.abis));
    expect(allowed.sort()).toEqual(PPC64_ALLOWED_COLLISIONS.map((e) => pair(...e.abis)).sort());
    expect(allowed.sort()).toEqual([...PV_ERAS.map((pv) => pair(V5_0, pv)), pair(V5_0, 'pc-keyed'), ...PV_ERAS.map((pv) => pair('kvm-ppc-osi', pv))].sort());
    for (const entry of PPC64_ALLOWED_COLLISIONS) expect(entry.reason).toMatch(/^[^\n]{20,}$/);
    const hazards = [
      ...SYSCALLS.map((s) => pair(s, 'kvm-ppc-pv-2010-draft-unchecked')),
      pair(V5_0, 'kvm-ppc-pv-2010-draft'),
      ...SYSCALLS.map((s) => pair(s, 'kvm-ppc-osi')),
      ...EPAPR_IDS.flatMap((e) => PAPR_IDS.map((p) => pair(e, p))),
    ];
    for (const hazard of hazards) {
      expect(REPORT.collisions.map((c) => pair(...c.abis))).toContain(hazard);
      expect(allowed).not.toContain(hazard);
    }
  });
});

describe('hyplay dispatch ppc64', () => {
  it('sc1 r3=0x8 --from kernel: PAPR H_ENTER against ePAPR', () => {
    const doc = json('dispatch', 'ppc64', 'sc1', 'r3=0x8', '--from', 'kernel');
    expect(doc.verdict).toBe('collision');
    expect(doc.interpretations.filter((i: any) => i.mine).map((i: any) => [i.abi, i.call])).toEqual([
      ['epapr', 'unknown'],
      ['epapr-kvm-booke-hv-v3.5', 'unknown'],
      ['epapr-kvm-booke-hv-v3.8', 'unknown'],
      ['papr-kvm', 'H_ENTER'],
      ['papr-qemu-tcg', 'H_ENTER'],
    ]);
  });

  it('collisions --arch ppc64 lists the hazards and no stale entry', () => {
    const doc = json('collisions', '--arch', 'ppc64');
    const pairs = doc.collisions.map((c: any) => pair(c.abis[0], c.abis[1]));
    for (const hazard of [pair(V5_7, 'kvm-ppc-pv-2010-draft-unchecked'), pair(V5_0, 'kvm-ppc-pv-2010-draft'), pair(V5_7, 'kvm-ppc-osi'), pair('epapr', 'papr-kvm'), pair('epapr-kvm-booke-hv-v3.8', 'papr-qemu-tcg')]) {
      expect(pairs).toContain(hazard);
    }
    expect(doc.stale).toEqual([]);
  });
});

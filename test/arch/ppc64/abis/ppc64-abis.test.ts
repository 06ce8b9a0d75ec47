/**
 * The ppc64 ABI specs (issue 5 §3–§5): every example reaches its call
 * through the dispatcher, the four collisions of §4 exist with witnesses the
 * dispatcher confirms, the allow-list is not stale, the design cost is
 * declared for every hypercall design, and `hyplay dispatch ppc64 sc1 r3=0x8
 * --from kernel` works.
 */

import { describe, expect, it } from 'vitest';
import { PPC64_ABIS, PPC64_ALLOWED_COLLISIONS } from '../../../../arch/ppc64/abis/index.ts';
import { EV_KVM_VENDOR_ID, hcallToken, KVM_HC_FEATURES, KVM_PPC_PV, KVM_SC_MAGIC_R0, KVM_SC_MAGIC_R3_DRAFT, KVM_SC_MAGIC_R4_DRAFT, PC_KEYED, PC_KEYED_CALL_SITE } from '../../../../arch/ppc64/abis/kvm-ppc-pv.abi.ts';
import { OSI_SC_MAGIC_R3, OSI_SC_MAGIC_R4 } from '../../../../arch/ppc64/abis/kvm-ppc-osi.abi.ts';
import { CR0_SO, ENOSYS, LINUX_SYSCALL_PPC64, MSR_LE } from '../../../../arch/ppc64/abis/linux-syscall-ppc64.abi.ts';
import { PPC64_SYSCALL_TABLE } from '../../../../arch/ppc64/abis/ppc64-syscall-table.ts';
import { H_FUNCTION, PAPR } from '../../../../arch/ppc64/abis/papr.abi.ts';
import { exampleTrap, type Privilege } from '../../../../src/abi/spec.ts';
import { loadAbis } from '../../../../src/di/container.ts';
import { analyseCollisions, type Collision } from '../../../../src/dispatch/collisions.ts';
import { dispatch, interpret, type TrapQuery } from '../../../../src/dispatch/dispatcher.ts';
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

describe('ppc64 specs', () => {
  it('are registered for ppc64, each with a source and an era', () => {
    const ids = REGISTRY.all('ppc64').map((a) => a.spec.id);
    expect(ids).toEqual(PPC64_ABIS.map((a) => a.spec.id).sort());
    expect(ids).toEqual(['epapr', 'kvm-ppc-osi', 'kvm-ppc-pv', 'kvm-ppc-pv-2010-draft', 'kvm-ppc-pv-2010-draft-unchecked', 'linux-syscall-ppc64', 'papr', 'pc-keyed']);
    for (const abi of PPC64_ABIS) {
      expect(abi.spec.source.document.length).toBeGreaterThan(20);
      expect(abi.spec.era.trim()).not.toBe('');
      expect(abi.spec.selector.width).toBe(64);
    }
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
    for (const abi of PPC64_ABIS.filter((a) => a.spec.id !== 'linux-syscall-ppc64')) expect(abi.spec.recognition, abi.spec.id).toBeDefined();
    expect(PC_KEYED.spec.recognition?.inspects).toEqual(['pc']);
    expect(PAPR.spec.recognition?.inspects).toContain('instruction-fetch');
  });
});

describe('linux-syscall-ppc64', () => {
  const run = (registers: Record<string, bigint>) => interpret(LINUX_SYSCALL_PPC64, trap('sc', 'user', registers));

  it('names calls from syscall.tbl (64-bit rows)', () => {
    const byNumber = new Map(PPC64_SYSCALL_TABLE.map((e) => [e.number, e]));
    expect(byNumber.get(20)?.name).toBe('getpid');
    expect(byNumber.get(363)).toEqual({ number: 363, name: 'switch_endian', entry: 'ppc_switch_endian' });
    expect(byNumber.get(192)?.entry).toBeUndefined();
    expect(byNumber.has(224)).toBe(false);
    expect(run({ r0: 20n }).call).toBe('getpid');
  });

  it('fails the ppc64 way: r3 = positive errno and cr0.SO set', () => {
    const result = run({ r0: 0x1000n, cr: 0x2000_0000n });
    expect(result.call).toBe('unknown');
    expect(result.writes).toEqual({ r3: ENOSYS, cr: 0x2000_0000n | CR0_SO });
  });

  it('the fast endian switch flips MSR[LE]', () => {
    const result = run({ r0: 0x1eben, msr: 0x8000_0000_0000_4000n });
    expect(result.call).toBe('fast_endian_switch');
    expect(result.writes).toEqual({ msr: 0x8000_0000_0000_4000n ^ MSR_LE });
  });
});

describe('kvm-ppc-pv (merged) and papr', () => {
  it('KVM_HC_FEATURES returns EV_SUCCESS and the magic-page bit; unknown tokens EV_UNIMPLEMENTED', () => {
    const features = interpret(KVM_PPC_PV, trap('sc', 'kernel', { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }));
    expect(features.writes).toEqual({ r3: 0n, r4: 2n });
    const map = interpret(KVM_PPC_PV, trap('sc', 'kernel', { r0: KVM_SC_MAGIC_R0, r11: 0x2a_0004n }));
    expect(map.call).toBe('KVM_HC_PPC_MAP_MAGIC_PAGE');
    expect(map.writes?.r3).toBe(0n);
    expect(interpret(KVM_PPC_PV, trap('sc', 'kernel', { r0: KVM_SC_MAGIC_R0, r11: 0x2a_0063n })).writes?.r3).toBe(12n);
    expect(interpret(KVM_PPC_PV, trap('sc', 'user', { r0: KVM_SC_MAGIC_R0, r11: 0x2a_0003n })).mine).toBe(false);
  });

  it('PAPR: H_SET_SPRG0 is 0x24, unknown opcodes get H_FUNCTION', () => {
    expect(interpret(PAPR, trap('sc1', 'kernel', { r3: 0x24n })).call).toBe('H_SET_SPRG0');
    expect(interpret(PAPR, trap('sc1', 'kernel', { r3: 0x2n })).writes).toEqual({ r3: H_FUNCTION });
    expect(H_FUNCTION).toBe(0xffff_ffff_ffff_fffen);
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
    const unchecked = find('linux-syscall-ppc64', 'kvm-ppc-pv-2010-draft-unchecked');
    expect(unchecked).toMatchObject({ allowed: false, conduit: 'sc', witness: { origin: { privilege: 'user', world: 'guest' } } });
    const query = trap('sc', 'user', { r0: 20n, r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT });
    expect(claims(query)).toEqual({ 'linux-syscall-ppc64': 'getpid', 'kvm-ppc-pv-2010-draft-unchecked': 'KVM_HYPERCALL' });
    expect(dispatch(REGISTRY, query).verdict).toBe('collision');
  });

  it('a kernel-mode sc with the r3/r4 magic against an in-kernel syscall', () => {
    const checked = find('linux-syscall-ppc64', 'kvm-ppc-pv-2010-draft');
    expect(checked).toMatchObject({ allowed: false, witness: { origin: { privilege: 'kernel', world: 'guest' } } });
    const query = trap('sc', 'kernel', { r0: 120n, r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT });
    expect(claims(query)).toMatchObject({ 'linux-syscall-ppc64': 'clone', 'kvm-ppc-pv-2010-draft': 'KVM_HYPERCALL' });
    expect(dispatch(REGISTRY, query).verdict).toBe('collision');
  });

  it('OSI against every syscall, user and kernel mode', () => {
    expect(find('linux-syscall-ppc64', 'kvm-ppc-osi')).toMatchObject({ allowed: false });
    for (const privilege of ['user', 'kernel'] as const) {
      for (const r0 of [0n, 4n, 20n, 234n, 0x1000n]) {
        const query = trap('sc', privilege, { r0, r3: OSI_SC_MAGIC_R3, r4: OSI_SC_MAGIC_R4 });
        expect(claims(query)['kvm-ppc-osi'], `${privilege} r0=${r0}`).toBe('OSI_CALL');
        expect(claims(query)['linux-syscall-ppc64']).toBeDefined();
        expect(dispatch(REGISTRY, query).verdict).toBe('collision');
      }
    }
  });

  it('ePAPR against PAPR on sc 1', () => {
    expect(find('epapr', 'papr')).toMatchObject({ allowed: false, conduit: 'sc1' });
    expect(claims(trap('sc1', 'kernel', { r3: 8n }))).toEqual({ epapr: 'unknown', papr: 'H_ENTER' });
  });

  it('a pc-keyed hypercall at the registered site, a syscall elsewhere', () => {
    const at = trap('sc', 'kernel', { pc: PC_KEYED_CALL_SITE, r0: 20n });
    expect(claims(at)).toMatchObject({ 'pc-keyed': 'hypercall', 'linux-syscall-ppc64': 'getpid' });
    expect(claims(trap('sc', 'kernel', { pc: PC_KEYED_CALL_SITE + 4n, r0: 20n }))).toEqual({ 'linux-syscall-ppc64': 'getpid' });
  });

  it('the allow-list holds only intended overlaps, none stale, each with a one-line reason', () => {
    expect(REPORT.stale).toEqual([]);
    const allowed = REPORT.collisions.filter((c) => c.allowed).map((c) => pair(...c.abis));
    expect(allowed.sort()).toEqual(PPC64_ALLOWED_COLLISIONS.map((e) => pair(...e.abis)).sort());
    for (const entry of PPC64_ALLOWED_COLLISIONS) expect(entry.reason).toMatch(/^[^\n]{20,}$/);
    for (const hazard of [
      pair('linux-syscall-ppc64', 'kvm-ppc-pv-2010-draft-unchecked'),
      pair('linux-syscall-ppc64', 'kvm-ppc-pv-2010-draft'),
      pair('linux-syscall-ppc64', 'kvm-ppc-osi'),
      pair('epapr', 'papr'),
    ]) {
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
      ['papr', 'H_ENTER'],
    ]);
  });

  it('collisions --arch ppc64 lists the four hazards and no stale entry', () => {
    const doc = json('collisions', '--arch', 'ppc64');
    const pairs = doc.collisions.map((c: any) => pair(c.abis[0], c.abis[1]));
    for (const hazard of [pair('linux-syscall-ppc64', 'kvm-ppc-pv-2010-draft-unchecked'), pair('linux-syscall-ppc64', 'kvm-ppc-pv-2010-draft'), pair('linux-syscall-ppc64', 'kvm-ppc-osi'), pair('epapr', 'papr')]) {
      expect(pairs).toContain(hazard);
    }
  });
});

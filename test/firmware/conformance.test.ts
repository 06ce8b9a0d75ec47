/**
 * The generated conformance suite (src/firmware/conformance.ts) on arm32:
 * what it generates from a spec, that it passes against the spec's own
 * firmware and the assembly hyp-stub, and that it fails, saying why, against
 * implementations that do something else: KVM v3.9 (r0 is a function
 * pointer, so SOFT_RESTART becomes a call to address 1), KVM v4.12 (the
 * same soft-restart target, other registers there), the v3.6 stub, and
 * made-up firmware that breaks one rule each.
 */

import { describe, expect, it } from 'vitest';
import { HYP_STUB_VECTORS, KVM_ARM32_V3_10, KVM_ARM32_V3_9, KVM_ARM32_V4_12 } from '../../arch/arm32/abis/kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_V3_6, LINUX_HYP_STUB_V4_12 } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { ARM32_CONFORMANCE_DRIVER, CONFORMANCE_CALLER, CONFORMANCE_HVBAR } from '../../arch/arm32/firmware/conformance-driver.ts';
import { ARM32_FIRMWARE_PORT } from '../../arch/arm32/firmware-port.ts';
import { defineAbi, returnIn, type Abi, type AbiSpec } from '../../src/abi/spec.ts';
import {
  ConformanceError,
  diffImplementations,
  formatReport,
  generateSuite,
  patternValue,
  runSuite,
  specFirmwareImplementation,
  suiteSelectorValues,
  type ConformanceReport,
  type FirmwareImplementation,
} from '../../src/firmware/conformance.ts';

const port = ARM32_FIRMWARE_PORT;
const driver = ARM32_CONFORMANCE_DRIVER;

function implementation(name: string): FirmwareImplementation {
  const found = driver.implementations.find((i) => i.name === name);
  if (found === undefined) throw new Error(`no implementation ${name}`);
  return found;
}

function run(abi: Abi, impl: FirmwareImplementation): ConformanceReport {
  return runSuite(abi, generateSuite(abi, port, driver), port, driver, impl);
}

function whyOf(report: ConformanceReport, name: string): string {
  const result = report.results.find((r) => r.name === name);
  if (result === undefined) throw new Error(`no case '${name}' in ${report.results.map((r) => r.name).join(' | ')}`);
  return `${result.pass ? 'pass' : 'FAIL'}: ${result.why}`;
}

/** A small spec built on the v4.12 stub's shape, for made-up implementations and refusals. */
function localSpec(overrides: Partial<AbiSpec>): Abi {
  return defineAbi({
    ...LINUX_HYP_STUB_V4_12.spec,
    id: 'local-test',
    examples: [],
    ...overrides,
  });
}

const V4_12_CASES = [
  'HVC_SET_VECTORS r0=0x0 r1=0x80001000',
  'HVC_SOFT_RESTART r0=0x1 r1=0x80008000',
  'HVC_RESET_VECTORS r0=0x2',
  'invalid r0=0xc0100000',
  'invalid r0=0x3',
  'invalid r0=0xffffffff',
  'invalid r0=0x80000000',
];

describe('suite generation from linux-hyp-stub-v4.12', () => {
  const suite = generateSuite(LINUX_HYP_STUB_V4_12, port, driver);

  it('one case per listed selector value, the examples, and three representatives of the otherwise call', () => {
    expect(suite.abi).toBe('linux-hyp-stub-v4.12');
    expect(suite.cases.map((c) => c.name)).toEqual(V4_12_CASES);
    expect(suite.skipped).toEqual([]);
    expect(suiteSelectorValues(LINUX_HYP_STUB_V4_12).get('invalid')).toEqual([3n, 0xffff_ffffn, 0x8000_0000n]);
    expect(suiteSelectorValues(KVM_ARM32_V3_10).get('__hyp_get_vectors')).toEqual([0xffff_ffffn]);
    expect(suiteSelectorValues(KVM_ARM32_V3_9).get('__hyp_get_vectors')).toBeUndefined();
  });

  it('registers come from the examples, the rest from a deterministic pattern', () => {
    const restart = suite.cases[1]!;
    expect(restart.trap).toEqual({ conduit: 'hvc', imm: 0, origin: { privilege: 'kernel', world: 'host' } });
    expect(restart.registers.r0).toBe(1n);
    expect(restart.registers.r1).toBe(0x8000_8000n);
    expect(restart.registers.r2).toBe(patternValue(2));
    expect(restart.registers.lr).toBe(patternValue(14));
    expect(new Set(driver.generalRegisters.map((_, i) => patternValue(i))).size).toBe(driver.generalRegisters.length);
    // Generation is deterministic.
    expect(generateSuite(LINUX_HYP_STUB_V4_12, port, driver)).toEqual(suite);
  });

  it("expected outcomes come from the spec's own semantics", () => {
    const [set, restart, reset, invalid] = suite.cases;
    expect(set!.expected).toEqual({
      kind: 'return',
      writes: { hvbar: 0x8000_1000n, r0: 0n },
      // r0 is the result; r1-r3 and r12 are clobbers; cpsr is restored by the eret.
      preserved: ['r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'sp', 'lr', 'cpsr'],
      clobbers: ['r1', 'r2', 'r3', 'r12'],
    });
    // A jump keeps r0-r12 (the registers Hyp does not bank): the stub's bx r1 writes nothing.
    expect(restart!.expected).toEqual({
      kind: 'jump',
      target: 0x8000_8000n,
      writes: {},
      preserved: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'],
      note: 'soft restart: the stub branches to r1 in Hyp mode (bx r1), registers untouched',
    });
    expect(reset!.expected).toMatchObject({ kind: 'return', writes: { r0: 0n } });
    expect(invalid!.expected).toMatchObject({ kind: 'return', writes: { r0: 0xbadca11n } });
  });
});

describe('linux-hyp-stub-v4.12 suite against implementations', () => {
  it("passes against the spec's own firmware", () => {
    const report = run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, LINUX_HYP_STUB_V4_12, 'spec'));
    expect(report.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.why}`)).toEqual([]);
    expect([report.passed, report.failed]).toEqual([7, 0]);
    expect(whyOf(report, 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000')).toBe('pass: landed at 0x80008000 in hyp; 13 registers preserved');
    expect(whyOf(report, 'HVC_SET_VECTORS r0=0x0 r1=0x80001000')).toBe(
      'pass: returned to the caller at 0x00008004 in svc with hvbar=0x80001000, r0=0x0; 11 registers preserved',
    );
  });

  it('passes against the assembly hyp-stub (asm:hyp-stub-v4.12)', () => {
    const report = run(LINUX_HYP_STUB_V4_12, implementation('asm:hyp-stub-v4.12'));
    expect(report.implementation).toBe('asm:hyp-stub-v4.12');
    expect(report.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.why}`)).toEqual([]);
    expect(report.passed).toBe(7);
  });

  it("FAILS against kvm-arm32-v3.9's firmware on HVC_SOFT_RESTART, saying why: r0 = 1 is a function pointer", () => {
    const report = run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, KVM_ARM32_V3_9));
    expect(report.implementation).toBe('kvm-arm32-v3.9');
    expect(whyOf(report, 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000')).toBe(
      'FAIL: expected to land at 0x80008000 in hyp; got firmware stop: kvm-arm32-v3.9 firmware: prefetch abort in Hyp at 0x00000000 (HIFAR; HVBAR+0x0c, HSR 0x86000010), taken from hyp (vector prefetch-abort)',
    );
    // In v3.9 r0 = -1 is a function pointer too: Thumb at 0xfffffffe, unmapped.
    expect(whyOf(report, 'invalid r0=0xffffffff')).toBe(
      'FAIL: expected to return to the caller at 0x00008004 in svc with r0=0xbadca11; got firmware stop: kvm-arm32-v3.9 firmware: prefetch abort in Hyp at 0xfffffffe (HIFAR; HVBAR+0x0c, HSR 0x86000010), taken from hyp (vector prefetch-abort)',
    );
    // KVM v3.10 answers it itself: HVBAR where the stub says HVC_STUB_ERR.
    expect(whyOf(run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, KVM_ARM32_V3_10)), 'invalid r0=0xffffffff')).toBe(
      `FAIL: expected to return to the caller at 0x00008004 in svc with r0=0xbadca11; returned, but r0=0x${CONFORMANCE_HVBAR.toString(16)} (expected 0xbadca11)`,
    );
    expect(report.passed).toBe(0);
    expect(report.failed).toBe(7);
  });

  it('FAILS against the assembly model of KVM v3.9 the same way, spinning in its prefetch-abort vector', () => {
    const report = run(LINUX_HYP_STUB_V4_12, implementation('asm:kvm-v3.9'));
    expect(whyOf(report, 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000')).toBe(
      'FAIL: expected to land at 0x80008000 in hyp; got no end within 10000 steps, stuck at 0x0000200c in hyp (vector prefetch-abort: prefetch abort in Hyp at 0x00000000 (HIFAR; HVBAR+0x0c, HSR 0x86000010), taken from hyp)',
    );
    expect(report.failed).toBe(7);
  });

  it('FAILS against a local spec that mimics v3.9 (r0 as a function pointer), independent of the shipped KVM spec', () => {
    const mimic = localSpec({
      id: 'local-kvm-like',
      calls: [
        {
          name: 'call',
          select: 'otherwise' as const,
          summary: 'r0 is a Hyp function pointer',
          run: (call) => ({ kind: 'call' as const, target: call.get('r0'), args: [call.get('r1'), call.get('r2'), call.get('r3')], note: 'blx r0' }),
        },
      ],
    });
    const report = run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, mimic));
    expect(whyOf(report, 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000')).toMatch(/^FAIL: expected to land at 0x80008000 in hyp; got firmware stop: local-kvm-like firmware: prefetch abort in Hyp at 0x00000000 \(HIFAR; HVBAR\+0x0c/);
  });

  it('FAILS against the v3.6 stub: SET_VECTORS takes r0, SOFT_RESTART does not exist', () => {
    const report = run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, LINUX_HYP_STUB_V3_6));
    expect(whyOf(report, 'HVC_SET_VECTORS r0=0x0 r1=0x80001000')).toBe(
      'FAIL: expected to return to the caller at 0x00008004 in svc with hvbar=0x80001000, r0=0x0; returned, but hvbar=0x0 (expected 0x80001000)',
    );
    expect(whyOf(report, 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000')).toBe('FAIL: expected to land at 0x80008000 in hyp; got a return to the caller at 0x00008004 in svc');
  });

  it('a returning call that changes a register outside results and clobbers fails, naming the register', () => {
    const leaky = localSpec({
      id: 'local-leaky',
      calls: [
        {
          name: 'leaky',
          select: 'otherwise' as const,
          summary: 'answers like RESET_VECTORS but also writes r4',
          run: (call) => {
            call.set('r0', 0n);
            call.set('r4', 0n);
            return { kind: 'return' as const };
          },
        },
      ],
    });
    const report = run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, leaky));
    expect(whyOf(report, 'HVC_RESET_VECTORS r0=0x2')).toBe(
      `FAIL: expected to return to the caller at 0x00008004 in svc with r0=0x0; returned, but r4 changed 0x${patternValue(4).toString(16)} -> 0x0`,
    );
  });

  it('formats one line per case and a summary', () => {
    const text = formatReport(run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, KVM_ARM32_V3_9)));
    const lines = text.split('\n');
    expect(lines[0]).toBe('conformance of kvm-arm32-v3.9 to linux-hyp-stub-v4.12');
    expect(lines.slice(1, -1).map((l) => l.split(':')[0])).toEqual(V4_12_CASES.map((c) => `FAIL ${c}`));
    expect(lines.at(-1)).toBe('0 passed, 7 failed');
  });
});

describe('the soft-restart target sees different registers under the stub and under KVM v4.12 (abi-facts §2.3)', () => {
  it("the stub's suite against KVM v4.12's firmware lands at r1 in Hyp, but FAILS on r0 and r1 there", () => {
    const report = run(LINUX_HYP_STUB_V4_12, specFirmwareImplementation(port, KVM_ARM32_V4_12));
    expect(whyOf(report, 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000')).toBe(
      `FAIL: expected to land at 0x80008000 in hyp; landed, but r0 changed 0x1 -> 0x0, r1 changed 0x80008000 -> 0x${HYP_STUB_VECTORS.toString(16)}`,
    );
  });

  it("KVM v4.12's own suite expects r0 = 0, r1 = the stub vectors, HVBAR = the stub and ELR_hyp = the target, and its firmware gives them", () => {
    const suite = generateSuite(KVM_ARM32_V4_12, port, driver);
    const restart = suite.cases.find((c) => c.call === 'HVC_SOFT_RESTART')!;
    expect(restart.expected).toMatchObject({ kind: 'jump', target: 0x8000_8000n, writes: { elr_hyp: 0x8000_8000n, r1: HYP_STUB_VECTORS, hvbar: HYP_STUB_VECTORS, r0: 0n } });
    const report = run(KVM_ARM32_V4_12, specFirmwareImplementation(port, KVM_ARM32_V4_12));
    expect(report.failed).toBe(0);
    // And the stub's firmware, which branches with bx r1, fails KVM's suite the other way round.
    expect(whyOf(run(KVM_ARM32_V4_12, specFirmwareImplementation(port, LINUX_HYP_STUB_V4_12)), restart.name)).toMatch(/^FAIL: expected to land at 0x80008000 in hyp with .*; landed, but .*r0=0x1 \(expected 0x0\)/);
  });
});

describe('lock step: two implementations of one suite, registers diffed', () => {
  const suite = generateSuite(LINUX_HYP_STUB_V4_12, port, driver);

  it('the spec firmware and the assembly stub end every case in the same state', () => {
    expect(diffImplementations(LINUX_HYP_STUB_V4_12, suite, driver, specFirmwareImplementation(port, LINUX_HYP_STUB_V4_12), implementation('asm:hyp-stub-v4.12'))).toEqual([]);
  });

  it('the v4.12 and v3.6 stubs differ, and the diff says where', () => {
    const diffs = diffImplementations(LINUX_HYP_STUB_V4_12, suite, driver, specFirmwareImplementation(port, LINUX_HYP_STUB_V4_12), specFirmwareImplementation(port, LINUX_HYP_STUB_V3_6));
    const restart = diffs.find((d) => d.name === 'HVC_SOFT_RESTART r0=0x1 r1=0x80008000');
    expect(restart?.differences[0]).toBe(`ended: wfi at 0x80008004 in hyp vs wfi at 0x${(CONFORMANCE_CALLER + 8).toString(16).padStart(8, '0')} in svc`);
    expect(diffs.find((d) => d.name === 'invalid r0=0x3')?.differences).toEqual(['r0: 0xbadca11 vs 0x3']);
  });
});

describe('kvm-arm32-v3.9 suite: call outcomes land in Hyp with the arguments shifted', () => {
  it("passes against its own firmware and against the assembly model; unlandable targets are skipped with a reason", () => {
    for (const impl of [specFirmwareImplementation(port, KVM_ARM32_V3_9, 'spec'), implementation('asm:kvm-v3.9')]) {
      const report = run(KVM_ARM32_V3_9, impl);
      expect(report.results.filter((r) => !r.pass).map((r) => `${impl.name} ${r.name}: ${r.why}`)).toEqual([]);
      expect(report.passed).toBeGreaterThanOrEqual(3);
      const call = report.results.find((r) => r.call === 'kvm_call_hyp');
      expect(call?.why).toMatch(/^landed at 0x[0-9a-f]+ in hyp with r0=0x[0-9a-f]+, r1=0x[0-9a-f]+, r2=0x[0-9a-f]+$/);
      expect(report.skipped.map((s) => s.why)).toContain('the expected call target 0x1 cannot take a landing pad: an odd address selects Thumb state, which hyplay does not model');
    }
  });
});

describe('kvm-arm32-v3.10 suite: r0 = -1 is get-vectors only from v3.10', () => {
  it('passes against its own firmware and asm:kvm-v3.10', () => {
    for (const impl of [specFirmwareImplementation(port, KVM_ARM32_V3_10, 'spec'), implementation('asm:kvm-v3.10')]) {
      const report = run(KVM_ARM32_V3_10, impl);
      expect(report.results.filter((r) => !r.pass).map((r) => `${impl.name} ${r.name}: ${r.why}`)).toEqual([]);
      expect(report.passed).toBeGreaterThanOrEqual(4);
    }
  });

  it('FAILS against asm:kvm-v3.9 on __hyp_get_vectors: v3.9 calls 0xffffffff', () => {
    const report = run(KVM_ARM32_V3_10, implementation('asm:kvm-v3.9'));
    expect(whyOf(report, '__hyp_get_vectors r0=0xffffffff')).toMatch(/^FAIL: expected to return to the caller at 0x00008004 in svc with r0=0x2000; got no end within 10000 steps, stuck at 0x0000200c in hyp \(vector prefetch-abort: prefetch abort in Hyp at 0xfffffffe/);
  });
});

describe('what the arm32 driver refuses', () => {
  it('a spec on another conduit cannot be driven: ConformanceError naming why', () => {
    const svc = localSpec({ id: 'local-svc', conduit: { instruction: 'svc', imm: 'any' } });
    expect(() => generateSuite(svc, port, driver)).toThrow(ConformanceError);
    expect(() => generateSuite(svc, port, driver)).toThrow('cannot run a conformance suite for local-svc: arm32 conformance drives hvc only, not svc (from PL1, svc is taken at VBAR and smc at MVBAR, not at the Hyp vectors)');
  });

  it('user callers are skipped (HVC is UNDEFINED at PL0); Hyp callers trap to HVBAR+0x08, where the asm stub spins', () => {
    const wide = localSpec({ id: 'local-wide', origin: { privilege: ['user', 'kernel', 'hyp'], world: ['host'] } });
    const suite = generateSuite(wide, port, driver);
    expect(suite.skipped.map((s) => s.name)).toContain('HVC_SET_VECTORS r0=0x0 r1=0x5a010100 from user/host');
    expect(suite.skipped.every((s) => !s.name.endsWith('from user/host') || s.why.startsWith('HVC is UNDEFINED in User mode'))).toBe(true);
    expect(runSuite(wide, suite, port, driver, specFirmwareImplementation(port, wide)).failed).toBe(0);
    const asm = runSuite(wide, suite, port, driver, implementation('asm:hyp-stub-v4.12'));
    expect(whyOf(asm, 'HVC_RESET_VECTORS r0=0x2 from hyp/host')).toMatch(/^FAIL: expected to return to the caller at 0x00008004 in hyp with r0=0x0; got no end within 10000 steps, stuck at 0x00002008 in hyp \(vector svc\/hvc-in-hyp: /);
    expect(whyOf(asm, 'HVC_RESET_VECTORS r0=0x2 from kernel/host')).toMatch(/^pass: /);
  });

  it('landing pads: not on odd or misaligned targets, the caller page or the vector area', () => {
    expect(driver.landingPadProblem(0x8000_8000n)).toBeUndefined();
    expect(driver.landingPadProblem(0x8000_8001n)).toBe('an odd address selects Thumb state, which hyplay does not model');
    expect(driver.landingPadProblem(0x8000_8002n)).toBe('not word-aligned, so not an ARM-state instruction address');
    expect(driver.landingPadProblem(BigInt(CONFORMANCE_CALLER + 0x10))).toBe('it shares a page with the caller at 0x00008000');
    expect(driver.landingPadProblem(BigInt(CONFORMANCE_HVBAR + 0x1800))).toBe('it lies in the vector area at 0x00002000');
    expect(driver.landingPadProblem(0x1_0000_0000n)).toBe('not a 32-bit address');
  });
});

describe('a call that returns its caller to another mode (ReturnOutcome.mode)', () => {
  // A made-up handler that rewrites the saved status (SPSR_hyp) to SYS with A, I and F masked, so the eret resumes the svc caller in sys: the arm32 shape of the arm64 stub's VHE upgrade.
  const TO_SYS = returnIn('sys', 'the handler rewrote SPSR_hyp.M to SYS');
  const promote = localSpec({
    id: 'local-promote',
    calls: [
      {
        name: 'promote',
        select: 'otherwise' as const,
        summary: 'r0 ← 0, and the caller resumes in sys',
        results: [{ register: 'r0', role: '0' }],
        run: (call) => {
          call.set('r0', 0n);
          call.set('spsr_hyp', 0x1dfn);
          return TO_SYS;
        },
      },
    ],
  });

  it('the suite expects the named mode and the writes; only the unbanked registers must survive', () => {
    const suite = generateSuite(promote, port, driver);
    const kase = suite.cases[0]!;
    expect(kase.expected).toMatchObject({ kind: 'return', mode: 'sys', note: TO_SYS.note, writes: { r0: 0n, spsr_hyp: 0x1dfn } });
    expect(kase.expected.kind === 'return' ? kase.expected.preserved : []).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12']);
  });

  it("passes against its own firmware, which really resumes the caller in sys", () => {
    const report = run(promote, specFirmwareImplementation(port, promote));
    expect(report.failed).toBe(0);
    expect(report.results[0]!.mode).toBe('sys');
    expect(report.results[0]!.why).toBe("returned to the caller at 0x00008004 in sys (not the caller's svc: the handler rewrote SPSR_hyp.M to SYS) with r0=0x0, spsr_hyp=0x1df; 12 registers preserved");
  });

  it('FAILS against an implementation that returns in the caller\'s mode, and the other way round', () => {
    const stub = run(promote, specFirmwareImplementation(port, LINUX_HYP_STUB_V4_12));
    expect(whyOf(stub, 'promote r0=0x0')).toMatch(/^FAIL: expected to return to the caller at 0x00008004 in sys \(not the caller's svc: .*\) with .*; got a return to the caller at 0x00008004 in svc$/);
    const reset = localSpec({ id: 'local-reset', calls: [{ ...LINUX_HYP_STUB_V4_12.calls.find((c) => c.spec.name === 'HVC_RESET_VECTORS')!.spec, select: 'otherwise' as const }] });
    const other = run(reset, specFirmwareImplementation(port, promote));
    expect(other.results[0]!.why).toMatch(/^expected to return to the caller at 0x00008004 in svc with r0=0x0; got a return to the caller at 0x00008004 in sys$/);
  });
});


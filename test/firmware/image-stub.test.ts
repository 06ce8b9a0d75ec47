/**
 * A kernel image's own hyp stubs: seen by how the image behaves (the vector
 * base written in Hyp/EL2, then a drop to a lower mode that is not a
 * return from a call), snapshotted there, and run against the hyp-stub
 * specs' generated suites, each case from the snapshot.
 *
 * The Debian images (scripts/kernel-images.sh) are booted as few times as
 * the stubs need: arm32's zImage up to its decompressor's stub (which comes
 * before the decompression), the kernel inside it booted directly (the
 * `payload` boot of `hyplay boot --payload`, so no test pays for the two
 * billion instructions of decompression) up to the kernel proper's stub,
 * and arm64's Image up to its eret into EL1. Each boot ends at the drop of
 * the stub it waits for. Without an image the tests that need it skip,
 * printing why.
 */

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7, LINUX_HYP_STUB_V5_7_ZIMAGE } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM32_FIRMWARE_PORT } from '../../arch/arm32/firmware-port.ts';
import { HYP_STUB_V4_12, installAsmFirmware } from '../../arch/arm32/firmware/index.ts';
import { createArm32Machine, ARM32_INSTRUCTION_SET } from '../../arch/arm32/core.ts';
import { LINUX_HYP_STUB_ARM64_FINALISE_EL2, LINUX_HYP_STUB_ARM64_V4_12 } from '../../arch/arm64/abis/linux-hyp-stub-arm64.abi.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { ARM64_FIRMWARE_PORT } from '../../arch/arm64/firmware-port.ts';
import type { Abi } from '../../src/abi/spec.ts';
import { generateSuite, runSuite, type ConformanceReport } from '../../src/firmware/conformance.ts';
import type { FirmwarePort } from '../../src/firmware/firmware.ts';
import { bootToStubs, imageStubDriver, imageStubImplementation, type StubBoot, type StubInstall } from '../../src/firmware/image-stub.ts';
import type { ArchBackend } from '../../src/interp/backend.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { loadBootImage, type LoadedBootImage } from '../../src/loader/boot-image.ts';
import { kernelImage } from '../support/kernel-images.ts';

/** `b .` in A32: what every slot of the arm32 stub but the Hyp trap does (abi-facts §1.3). */
const A32_BRANCH_TO_SELF = 0xeafffffe;
/** `b .` in A64. */
const A64_BRANCH_TO_SELF = 0x14000000;

/** A32 `b` target of the word at `address`. */
function a32BranchTarget(word: number, address: number): number {
  return (address + 8 + (((word << 8) >> 8) << 2)) >>> 0;
}

describe('bootToStubs on a program written here', () => {
  // Hyp: HVBAR ← 0x2000 (a real stub there), eret to svc; svc: HVC_SET_VECTORS, which the stub answers and returns from.
  const source = [
    '        mov     r7, #0x2000',
    '        mcr     p15, #4, r7, c12, c0, #0',
    '        mov     r0, #0x1d3',
    '        msr     spsr_hyp, r0',
    '        adr     r0, lower',
    '        msr     elr_hyp, r0',
    '        eret',
    'lower:  mov     r0, #0',
    '        mov     r1, #0x4000',
    '        hvc     #0',
    '        wfi',
  ].join('\n');

  it('sees the install as the drop after the HVBAR write, not the HVC that moves the vectors and returns; the snapshot is the machine at the drop', () => {
    const machine = createArm32Machine();
    installAsmFirmware(machine, HYP_STUB_V4_12, 0x2000);
    machine.setRegister('hvbar', 0n);
    const program = assemble(ARM32_INSTRUCTION_SET, source, 0x8000);
    machine.memory.load(0x8000, program.bytes);
    machine.setMode('hyp');
    machine.pc = 0x8000;
    const boot = bootToStubs(machine, { hypervisorMode: 'hyp', vectorBaseRegister: 'hvbar' }, { snapshots: [0, 1], maxSteps: 1000 });
    const lower = Number(program.symbols.get('lower'));
    expect(boot.installs).toHaveLength(1);
    expect(boot.installs[0]).toMatchObject({ index: 0, vectorBase: 0x2000, previousBase: 0, enteredBy: 'boot', instruction: 'eret', from: 'hyp', to: 'svc', target: lower, steps: 7 });
    // The HVC did move HVBAR and returned to its caller: not an installation. The run stopped on the wfi.
    expect(machine.register('hvbar')).toBe(0x4000n);
    expect(boot.stop.reason).toBe('wfi');
    expect(boot.complete).toBe(false);
    const copy = createArm32Machine();
    copy.restore(boot.installs[0]!.snapshot!);
    expect([copy.mode(), copy.pc, copy.register('hvbar')]).toEqual(['svc', lower, 0x2000n]);
  });

  it('stops on the budget when nothing is installed', () => {
    const machine = createArm32Machine();
    machine.memory.load(0x8000, new Uint8Array(0x1000));
    machine.setMode('hyp');
    machine.pc = 0x8000;
    const boot = bootToStubs(machine, { hypervisorMode: 'hyp', vectorBaseRegister: 'hvbar' }, { snapshots: [0], maxSteps: 100, slice: 30 });
    expect([boot.installs.length, boot.steps, boot.complete, boot.stop.reason]).toEqual([0, 100, false, 'budget-exhausted']);
  });
});

/** A booted image: its machine's installs, and what suites against them report. */
interface BootedImage {
  readonly loaded: LoadedBootImage;
  readonly boot: StubBoot;
  run(abi: Abi, install: StubInstall): ConformanceReport;
}

async function bootImage(backend: ArchBackend, port: FirmwarePort, path: string, ram: number, snapshots: readonly number[], payload = false): Promise<BootedImage> {
  const machine = backend.createMachine();
  const loaded = await loadBootImage(machine, new Uint8Array(readFileSync(path)), backend.boot!, { ram: { base: backend.boot!.ram.base, size: ram }, payload });
  const driver = port.conformance!;
  const boot = bootToStubs(machine, { hypervisorMode: driver.hypervisorMode, vectorBaseRegister: port.vectorBaseRegister }, { snapshots, maxSteps: 8_000_000_000 });
  return {
    loaded,
    boot,
    run: (abi, install) => {
      const imageDriver = imageStubDriver(driver, install, () => backend.createMachine({ engine: 'interp' }));
      return runSuite(abi, generateSuite(abi, port, imageDriver), port, imageDriver, imageStubImplementation(`image@${install.index}`, 'the image', install, port.vectorBaseRegister));
    },
  };
}

function failures(report: ConformanceReport): string[] {
  return report.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.why}`);
}

/** Budget of a test that runs suites: each case restores the 64 or 128 MiB snapshot. */
const SUITE_TIMEOUT = { timeout: 300_000 };

const armmp = kernelImage('armmp');

describe.skipIf(armmp.skip !== undefined)(`the armmp zImage's two stubs (${armmp.skip === undefined ? armmp.package : 'absent'})`, () => {
  // The zImage as loaded, up to its decompressor's stub; the kernel inside it, booted directly, up to the kernel proper's.
  let zimageBoot: BootedImage;
  let kernelBoot: BootedImage;
  beforeAll(async () => {
    const path = armmp.skip === undefined ? armmp.path : '';
    zimageBoot = await bootImage(ARM32_BACKEND, ARM32_FIRMWARE_PORT, path, 64 << 20, [0]);
    kernelBoot = await bootImage(ARM32_BACKEND, ARM32_FIRMWARE_PORT, path, 64 << 20, [0], true);
  }, 300_000);

  it('the decompressor and the kernel proper each write HVBAR in Hyp and eret to svc; the boot ends at the drop, and each table is a stub\'s', SUITE_TIMEOUT, () => {
    for (const { boot } of [zimageBoot, kernelBoot]) {
      expect(boot.complete, `${boot.stop.reason}: ${boot.stop.detail}`).toBe(true);
      expect(boot.installs).toHaveLength(1);
      expect(boot.stop.reason).toBe('breakpoint');
      expect(boot.steps).toBe(boot.installs[0]!.steps);
    }
    const zimage = zimageBoot.boot.installs[0]!;
    const kernel = kernelBoot.boot.installs[0]!;
    // Each was entered in Hyp at boot (the payload where the decompressor would enter it) and found HVBAR unset.
    for (const install of [zimage, kernel]) expect(install).toMatchObject({ enteredBy: 'boot', previousBase: 0, from: 'hyp', to: 'svc', instruction: 'eret' });
    // The decompressor's copy lies inside the zImage as loaded, the kernel proper's inside the decompressed kernel: two different stubs.
    expect(zimageBoot.loaded.format).toBe('zImage');
    expect(kernelBoot.loaded.format).toBe('zImage payload');
    for (const { boot, loaded } of [zimageBoot, kernelBoot]) {
      const segment = loaded.segments[0]!;
      expect(boot.installs[0]!.vectorBase).toBeGreaterThanOrEqual(segment.address);
      expect(boot.installs[0]!.vectorBase).toBeLessThan(segment.address + segment.size);
    }
    for (const install of [zimage, kernel]) {
      expect(install.vectorBase % 32).toBe(0);
      // The snapshot is the machine at the drop: svc, at the eret's target, HVBAR as the kernel wrote it.
      const machine = ARM32_BACKEND.createMachine({ engine: 'interp' });
      machine.restore(install.snapshot!);
      expect([machine.mode(), machine.pc, Number(machine.register('hvbar'))]).toEqual(['svc', install.target, install.vectorBase]);
      // The table the kernel wrote to HVBAR is a stub's (abi-facts §1.3): every slot spins but the Hyp trap at 0x14, which branches out of the table.
      const words = Array.from({ length: 8 }, (_, i) => machine.memory.read32(install.vectorBase + 4 * i));
      expect(words.filter((_, i) => i !== 5)).toEqual(Array(7).fill(A32_BRANCH_TO_SELF));
      const handler = a32BranchTarget(words[5]!, install.vectorBase + 0x14);
      expect(handler < install.vectorBase || handler >= install.vectorBase + 0x20, `handler 0x${handler.toString(16)}`).toBe(true);
    }
    // The booted machine stopped exactly there, before the drop's target ran.
    for (const { boot } of [zimageBoot, kernelBoot]) expect(boot.stop.pc).toBe(boot.installs[0]!.target);
  });

  it('the zImage stub passes linux-hyp-stub-v5.7-zimage and fails linux-hyp-stub-v5.7 on SET_VECTORS, which it still answers', SUITE_TIMEOUT, () => {
    const zimage = zimageBoot.boot.installs[0]!;
    const own = zimageBoot.run(LINUX_HYP_STUB_V5_7_ZIMAGE, zimage);
    expect(failures(own)).toEqual([]);
    expect(own.passed).toBe(own.results.length);
    const other = zimageBoot.run(LINUX_HYP_STUB_V5_7, zimage);
    expect(failures(other)).toEqual([
      `HVC_SET_VECTORS r0=0x0: expected to return to the caller at 0x00008004 in svc with r0=0xbadca11; returned, but r0=0x0 (expected 0xbadca11)`,
    ]);
  });

  it('the kernel proper stub passes linux-hyp-stub-v5.7 and fails the zImage stub spec on SET_VECTORS, leaving HVBAR alone', SUITE_TIMEOUT, () => {
    const kernel = kernelBoot.boot.installs[0]!;
    const own = kernelBoot.run(LINUX_HYP_STUB_V5_7, kernel);
    expect(failures(own)).toEqual([]);
    const hvbar = `0x${kernel.vectorBase.toString(16).padStart(8, '0')}`;
    expect(failures(kernelBoot.run(LINUX_HYP_STUB_V5_7_ZIMAGE, kernel))).toEqual([
      `HVC_SET_VECTORS r0=0x0 r1=0x80001000: expected to return to the caller at 0x00008004 in svc with hvbar=0x80001000, r0=0x0; returned, but hvbar=${hvbar} (expected 0x80001000), r0=0xbadca11 (expected 0x0)`,
    ]);
    // v4.12's stub answered RESET_VECTORS (r0 = 2) with 0; the v5.7 kernel proper has no such call.
    expect(failures(kernelBoot.run(LINUX_HYP_STUB_V4_12, kernel))).toContain(
      'HVC_RESET_VECTORS r0=0x2: expected to return to the caller at 0x00008004 in svc with r0=0x0; returned, but r0=0xbadca11 (expected 0x0)',
    );
  });
});

const arm64 = kernelImage('arm64');

describe.skipIf(arm64.skip !== undefined)(`the arm64 Image's stub (${arm64.skip === undefined ? arm64.package : 'absent'})`, () => {
  let image: BootedImage;
  beforeAll(async () => {
    image = await bootImage(ARM64_BACKEND, ARM64_FIRMWARE_PORT, arm64.skip === undefined ? arm64.path : '', 128 << 20, [0]);
  }, 300_000);

  it('installs __hyp_stub_vectors at EL2 and erets to EL1; the table routes EL1 and EL2h synchronous exceptions to one handler and spins elsewhere', () => {
    const { boot, loaded } = image;
    expect(boot.complete, `${boot.stop.reason}: ${boot.stop.detail}`).toBe(true);
    const install = boot.installs[0]!;
    const segment = loaded.segments[0]!;
    expect(install).toMatchObject({ enteredBy: 'boot', previousBase: 0, from: 'el2h', to: 'el1h', instruction: 'eret' });
    expect(install.vectorBase % 0x800).toBe(0);
    expect(install.vectorBase).toBeGreaterThanOrEqual(segment.address);
    expect(install.vectorBase).toBeLessThan(segment.address + segment.size);
    const machine = ARM64_BACKEND.createMachine({ engine: 'interp' });
    machine.restore(install.snapshot!);
    expect([machine.mode(), machine.pc, Number(machine.register('vbar_el2'))]).toEqual(['el1h', install.target, install.vectorBase]);
    // init_el2 hands BOOT_CPU_MODE_EL2 (0xe12, asm/virt.h) back in w0.
    expect(machine.register('x0') & 0xffff_ffffn).toBe(0xe12n);
    const target = (offset: number): number => {
      const word = machine.memory.read32(install.vectorBase + offset)! >>> 0;
      expect(word >>> 26, `a b at +0x${offset.toString(16)}`).toBe(0b000101);
      return install.vectorBase + offset + (((word << 6) >> 6) << 2);
    };
    // abi-facts §3.2: "Synchronous 64-bit EL1" (+0x400) and, in the newer stubs, "Synchronous EL2h" (+0x200) reach the handler.
    expect(target(0x400)).toBe(target(0x200));
    expect(target(0x400)).not.toBe(install.vectorBase + 0x400);
    // Every other slot branches to an `invalid_vector` label, which spins (`b .`).
    for (const offset of [0x000, 0x080, 0x280, 0x480, 0x600]) expect(machine.memory.read32(target(offset))! >>> 0, `+0x${offset.toString(16)}`).toBe(A64_BRANCH_TO_SELF);
  });

  it("passes linux-hyp-stub-arm64-finalise-el2: the real VHE upgrade reads the EL1 state through the _EL12 aliases and writes it through E2H's redirection of the EL1 names", SUITE_TIMEOUT, () => {
    const report = image.run(LINUX_HYP_STUB_ARM64_FINALISE_EL2, image.boot.installs[0]!);
    expect(failures(report)).toEqual([]);
    // On a CPU claiming VHE the kernel resumes at EL2h with its EL1 vectors, translation and MMU state moved to EL2.
    const upgraded = report.results.find((r) => r.call === 'HVC_FINALISE_EL2' && /^returned to the caller at 0x00008004 in el2h/.test(r.why));
    expect(upgraded?.why).toMatch(/^returned to the caller at 0x00008004 in el2h .*vbar_el2=0xffff800010010800.*tcr_el2=0x34b5593519.*ttbr0_el2=0x41234000.*mair_el2=0xff44040400.*spsr_el2=0x3c9.*sctlr_el2=0x30d0199c/);
    // Without VHE the stub refuses with HVC_STUB_ERR and the kernel stays at EL1, as the spec says.
    expect(report.results.filter((r) => r.call === 'HVC_FINALISE_EL2' && /^returned to the caller at 0x00008004 in el1h/.test(r.why)).map((r) => r.why)).toEqual([expect.stringMatching(/^returned to the caller at 0x00008004 in el1h with x0=0xbadca11;/)]);
    expect(report.passed).toBe(report.results.length);
  });

  it('fails linux-hyp-stub-arm64-v4.12: x0 = 3 is no longer an unknown call, finalise_el2 runs and clobbers x1', SUITE_TIMEOUT, () => {
    const failed = failures(image.run(LINUX_HYP_STUB_ARM64_V4_12, image.boot.installs[0]!));
    expect(failed).toEqual([expect.stringMatching(/^invalid x0=0x3: expected to return to the caller at 0x00008004 in el1h with x0=0xbadca11; returned, but x1 changed 0x5a010100 -> 0x0/)]);
  });
});

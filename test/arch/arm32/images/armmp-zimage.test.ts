/**
 * Debian's armmp zImage (a real 6.x kernel nobody here wrote) booted from
 * Hyp mode on the arm32 machine, loaded raw at RAM + 0x8000 with a minimal
 * DTB (test/support/arm32-zimage.ts). It must run its decompressor's own
 * hyp stub (HVBAR at the stub, drop to svc), decompress the kernel (about
 * two billion instructions, on the JIT), move the stub vectors with
 * HVC_SET_VECTORS, install __hyp_reentry_vectors and bounce back to Hyp with
 * `hvc #0`, and then the kernel proper's head.S must install its own stub
 * (HVBAR inside the decompressed kernel) and drop to svc again. Every HVC
 * is read by the dispatcher.
 *
 * Skips, saying why, when no armmp image is cached in ~/.cache/hyplay/images.
 */

import { describe, expect, it } from 'vitest';
import { findArmmpZimage, bootZimageFile } from '../../../support/arm32-zimage.ts';

const image = findArmmpZimage();

describe.skipIf(image === undefined)('Debian armmp zImage from Hyp mode', () => {
  it('runs the zImage stub, the decompressor, the Hyp re-entry and the kernel proper stub', { timeout: 900_000 }, () => {
    const boot = bootZimageFile(image!, { engine: 'jit' });
    // Until the kernel proper has dropped to svc after the bounce into Hyp (the kernel then boots on, which is the payload test's business).
    const kernelDropped = (): boolean => {
      const bounce = boot.hvcs[2];
      if (bounce === undefined) return false;
      const at = boot.transitions.findIndex((e) => e.kind === 'exception' && e.vector === bounce.vectorBase + 0x14);
      return at >= 0 && boot.transitions.slice(at + 1).some((e) => e.kind === 'return');
    };
    const result = boot.run(6_000_000_000, 50_000_000, kernelDropped);
    const context = `${boot.summary()}; stop ${result.reason}: ${result.detail}\n${boot.transitionLines().join('\n')}\n${boot.hvcLines.join('\n')}`;
    const returns = boot.transitions.filter((e) => e.kind === 'return');
    const hvcs = boot.hvcs;

    // 1. The zImage's own stub: HVBAR inside the image, 32-byte aligned (HVBAR<4:0> are RES0), then eret to svc.
    expect(boot.stubVectors, context).toBeDefined();
    const stub = boot.stubVectors!.base;
    expect(boot.inImage(stub), context).toBe(true);
    expect(stub % 32).toBe(0);
    expect(returns[0], context).toMatchObject({ instruction: 'eret', from: 'hyp', to: 'svc' });

    // 2. The decompressor's HVCs, all `hvc #0` from svc.
    expect(hvcs.length, context).toBeGreaterThanOrEqual(3);
    for (const call of hvcs.slice(0, 3)) expect(call, context).toMatchObject({ conduit: 'hvc', imm: 0, from: 'svc' });
    const [move, reentry, bounce] = hvcs as [(typeof hvcs)[0], (typeof hvcs)[0], (typeof hvcs)[0]];
    // HVC_SET_VECTORS (r0 = 0) to the stub's relocated copy, taken at the original stub and read as such by the dispatcher.
    expect(move.vectorBase).toBe(stub);
    expect(move.registers.r0).toBe(0n);
    expect(boot.inImage(Number(move.registers.r1))).toBe(false);
    expect(move.handled, context).toMatchObject({ abi: 'linux-hyp-stub-v5.7-zimage', call: 'HVC_SET_VECTORS', mine: true });
    // Then __hyp_set_vectors(__hyp_reentry_vectors) at the moved stub: the table the third HVC is taken at.
    expect(reentry.vectorBase).toBe(Number(move.registers.r1));
    expect(reentry.owner.name).toBe('zimage-hyp-stub');
    expect(reentry.handled, context).toMatchObject({ abi: 'linux-hyp-stub-v5.7-zimage', call: 'HVC_SET_VECTORS', mine: true });
    expect(bounce.vectorBase).toBe(Number(reentry.registers.r1));
    // The re-entry vectors are not a stub: nothing in the image's table answers the call as a spec would.
    expect(bounce.owner.name).not.toBe('zimage-hyp-stub');
    // Every HVC has the dispatcher's reading in the trace.
    expect(boot.hvcLines.filter((line) => line.startsWith('-- dispatch ')).length).toBe(hvcs.length);

    // 3. Back in Hyp through the re-entry vectors, the kernel proper installs its own stub and drops to svc.
    const bounceAt = boot.transitions.findIndex((e) => e.kind === 'exception' && e.vector === bounce.vectorBase + 0x14);
    const kernelDrop = boot.transitions.slice(bounceAt + 1).find((e) => e.kind === 'return');
    expect(kernelDrop, context).toMatchObject({ instruction: 'eret', from: 'hyp', to: 'svc' });
    const kernelStub = Number(boot.machine.register('hvbar'));
    expect(kernelStub).not.toBe(stub);
    expect(kernelStub).not.toBe(bounce.vectorBase);
    expect(kernelStub % 32).toBe(0);
    // The kernel proper is decompressed at the start of RAM + 0x8000, below the zImage's relocated copy.
    expect(kernelStub).toBeGreaterThanOrEqual(boot.loadAddress);
    expect(kernelStub).toBeLessThan(Number(move.registers.r1));
    const kernelVectors = boot.machine.memory.readBytes(kernelStub, 32)!;
    expect(kernelVectors.some((byte, i) => byte !== boot.stubVectors!.bytes[i])).toBe(true);
  });
});

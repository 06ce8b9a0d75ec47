/**
 * Booting a real ARM zImage on hyplay's arm32 machine, without the loaders:
 * a zImage is position-independent A32 code, so its bytes go straight into
 * guest RAM and the machine starts at the first byte, in Hyp mode, with the
 * boot protocol's registers (Documentation/arch/arm/booting.rst: r0 = 0,
 * r1 = machine type, r2 = the DTB's physical address; MMU off, IRQs and
 * FIQs masked).
 *
 * The run is traced into a ring of the last few events, and every
 * exception and return is kept in full: each HVC taken at a Hyp vector
 * table gets the dispatcher's reading (the scenario runner's
 * {@link HvcAnnotator}).
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { createArm32Machine } from '../../arch/arm32/core.ts';
import { ARM32_ABIS, ARM32_ALLOWED_COLLISIONS } from '../../arch/arm32/abis/index.ts';
import { ARM32_FIRMWARE_PORT } from '../../arch/arm32/firmware-port.ts';
import { mmuEnabled, translate } from '../../arch/arm32/mmu.ts';
import { Mode, type Arm32State } from '../../arch/arm32/registers.ts';
import { AbiRegistry } from '../../src/abi/registry.ts';
import type { EngineName } from '../../src/interp/backend.ts';
import type { RunResult } from '../../src/interp/interpreter.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import { hexAddress } from '../../src/interp/step-result.ts';
import { formatTraceEvent, TraceRecorder, type ExceptionEvent, type ReturnEvent, type TraceEvent } from '../../src/interp/trace.ts';
import { HvcAnnotator, type HvcRecord, type VectorOwner } from '../../src/scenario/hvc-annotator.ts';
import { encodeFdt } from '../../src/loader/fdt.ts';
import { kernelImage } from './kernel-images.ts';

/** `b .` (A32 B with offset -8): what an unhandled vector spins on. */
const BRANCH_TO_SELF = 0xeaff_fffe;

/** The cached Debian armmp zImage (`debian-armmp.vmlinuz`, fetched by scripts/kernel-images.sh), or `undefined`. */
export function findArmmpZimage(): string | undefined {
  const image = kernelImage('armmp');
  return image.skip === undefined ? image.path : undefined;
}

/** The machine a zImage boots on. */
export interface ZimageMachineOptions {
  /** The engine (default the JIT). */
  readonly engine?: EngineName;
  /** First byte of RAM (default 0x1000_0000). */
  readonly ramBase?: number;
  /** RAM size in bytes (default 256 MiB). */
  readonly ramSize?: number;
  /** Where the zImage goes (default RAM + 0x8000, the traditional offset). */
  readonly loadAddress?: number;
  /** Where the DTB goes (default 128 MiB into RAM); `false` for r2 = 0. */
  readonly dtbAddress?: number | false;
  /** r1: the machine type (default ~0, "none": the DTB describes the machine). */
  readonly machineType?: number;
  /** Base of the PL011 UART the DTB names (default 0x1c09_0000, the Versatile Express motherboard's UART0). */
  readonly uartBase?: number;
  /** The kernel command line (`/chosen/bootargs`). */
  readonly bootargs?: string;
  /** Trace events kept in the ring (default 64). */
  readonly traceLimit?: number;
}

/** The DTB for {@link ZimageMachineOptions}: one Cortex-A15, the RAM, a PL011 as stdout, the generic timer. */
export function zimageDeviceTree(ramBase: number, ramSize: number, uartBase: number, bootargs: string): Uint8Array {
  const uart = `uart@${uartBase.toString(16)}`;
  return encodeFdt({
    name: '',
    properties: { compatible: 'linux,dummy-virt', model: 'hyplay arm32', '#address-cells': [1], '#size-cells': [1], 'interrupt-parent': [1] },
    children: [
      { name: 'chosen', properties: { bootargs, 'stdout-path': `/${uart}` } },
      { name: `memory@${ramBase.toString(16)}`, properties: { device_type: 'memory', reg: [ramBase, ramSize] } },
      {
        name: 'cpus',
        properties: { '#address-cells': [1], '#size-cells': [0] },
        children: [{ name: 'cpu@0', properties: { device_type: 'cpu', compatible: 'arm,cortex-a15', reg: [0] } }],
      },
      { name: 'timer', properties: { compatible: 'arm,armv7-timer', interrupts: [1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08] } },
      { name: uart, properties: { compatible: ['arm,pl011', 'arm,primecell'], reg: [uartBase, 0x1000], 'clock-names': ['uartclk', 'apb_pclk'] } },
    ],
  });
}

/** A zImage ready to run, with what its run showed. */
export class ZimageBoot {
  /** The machine. */
  readonly machine: CoreMachine<Arm32State>;
  /** The ring of the last trace events. */
  readonly recorder: TraceRecorder;
  /** Every exception and exception return, in order. */
  readonly transitions: (ExceptionEvent | ReturnEvent)[] = [];
  /** Every hypervisor call, as the dispatcher read it. */
  readonly hvcs: HvcRecord[] = [];
  /** The `-- hvc` / `-- dispatch` lines of {@link ZimageBoot.hvcs}. */
  readonly hvcLines: string[] = [];
  /** Where the image was loaded. */
  readonly loadAddress: number;
  /** The image's length in bytes. */
  readonly imageSize: number;
  /** Instructions run so far. */
  steps = 0;
  /** The trace lines up to the first exception taken to a vector that spins (`b .`), if one was. */
  spinLines: string[] | undefined;
  /** That vector. */
  spinAt: number | undefined;
  /** What the translation table walk said about the first abort taken with the MMU on, if one was. */
  mmuNote: string | undefined;
  /** HVBAR and the table's 32 bytes at the first return from Hyp: the vectors the image's own stub installed. */
  stubVectors: { readonly base: number; readonly bytes: Uint8Array } | undefined;

  /** @param image the zImage bytes. */
  constructor(image: Uint8Array, options: ZimageMachineOptions = {}) {
    const ramBase = options.ramBase ?? 0x1000_0000;
    const ramSize = options.ramSize ?? 0x1000_0000;
    this.loadAddress = options.loadAddress ?? ramBase + 0x8000;
    this.imageSize = image.length;
    const machine = createArm32Machine({ engine: options.engine ?? 'jit' });
    machine.memory.map(ramBase, ramSize);
    machine.memory.load(this.loadAddress, image);
    let dtb = 0;
    if (options.dtbAddress !== false) {
      dtb = options.dtbAddress ?? ramBase + 0x0800_0000;
      machine.memory.load(dtb, zimageDeviceTree(ramBase, ramSize, options.uartBase ?? 0x1c09_0000, options.bootargs ?? 'earlycon console=ttyAMA0'));
    }
    machine.setRegister('cpsr', 0x1dan); // Hyp, A, I and F masked
    machine.setRegister('r0', 0n);
    machine.setRegister('r1', BigInt((options.machineType ?? 0xffff_ffff) >>> 0));
    machine.setRegister('r2', BigInt(dtb));
    machine.pc = this.loadAddress;
    this.machine = machine;
    const abis = new AbiRegistry(ARM32_ABIS, ARM32_ALLOWED_COLLISIONS);
    const zimageStub = abis.get('linux-hyp-stub-v5.7-zimage');
    // A table whose 32 bytes are the zImage stub's (the one installed before the first drop to svc), wherever it sits,
    // is that stub: the decompressor moves it when it relocates itself (the branches are PC-relative).
    const ownerAt = (base: number): VectorOwner | undefined => {
      const first = this.stubVectors;
      const here = machine.memory.readBytes(base, 32);
      if (first === undefined || here === undefined || here.some((byte, i) => byte !== first.bytes[i])) return undefined;
      const where = base === first.base ? 'the zImage stub' : `the zImage stub, moved from ${hexAddress(first.base)}`;
      return { name: 'zimage-hyp-stub', label: `${where} (guest code)`, abi: zimageStub };
    };
    const annotator = new HvcAnnotator({ arch: 'arm32', port: ARM32_FIRMWARE_PORT, abis, callRegisters: ['r0', 'r1', 'r2', 'r3'], ownerAt });
    const boot = this;
    this.recorder = new (class extends TraceRecorder {
      override emit(event: TraceEvent): void {
        super.emit(event);
        if (event.kind !== 'exception' && event.kind !== 'return') return;
        boot.transitions.push(event);
        if (event.kind === 'return' && event.from === 'hyp' && boot.stubVectors === undefined) {
          const base = Number(machine.register('hvbar'));
          const bytes = machine.memory.readBytes(base, 32);
          if (bytes !== undefined) boot.stubVectors = { base, bytes };
        }
        // An abort with the MMU on: what the table walk makes of the address (the machine's memory is physical).
        if (event.kind === 'exception' && (event.exception === 'prefetch-abort' || event.exception === 'data-abort') && boot.mmuNote === undefined) {
          boot.mmuNote = boot.explainAbort(event);
        }
        // A vector that branches to itself (an unhandled exception's spin): keep the lines that led here.
        if (event.kind === 'exception' && boot.spinLines === undefined && machine.memory.read32(event.vector) === BRANCH_TO_SELF) {
          boot.spinLines = this.lines();
          boot.spinAt = event.vector;
        }
        if (event.kind !== 'exception' || event.to !== 'hyp') return;
        const base = Number(machine.register('hvbar'));
        const slot = ARM32_FIRMWARE_PORT.slots.find((s) => s.offset === event.vector - base);
        if (slot === undefined || !slot.calls) return;
        const annotated = annotator.annotate(machine, slot, base, event.from, undefined);
        if (annotated === undefined) return;
        boot.hvcs.push(annotated.record);
        boot.hvcLines.push(...annotated.lines);
      }
    })({ limit: options.traceLimit ?? 64 });
    machine.trace = this.recorder;
  }

  /**
   * Run up to `maxSteps` more instructions, in slices of `slice`, ending
   * early when the machine stops, sits on a vector that spins, or `done`
   * says (asked after each slice) that what the caller waits for happened.
   */
  run(maxSteps: number, slice = 50_000_000, done?: () => boolean): RunResult {
    let left = maxSteps;
    for (;;) {
      const result = this.machine.run(Math.min(left, slice));
      this.steps += result.steps;
      left -= result.steps;
      if (result.reason !== 'budget-exhausted' || left <= 0 || this.spinning() || done?.() === true) return result;
    }
  }

  /** The PC is on the spinning vector {@link ZimageBoot.spinAt}. */
  spinning(): boolean {
    return this.spinAt !== undefined && this.machine.pc === this.spinAt;
  }

  /** The last trace lines and the stop, for a report. */
  lastLines(): string[] {
    return this.recorder.lines();
  }

  /** The exceptions and returns so far, one line each. */
  transitionLines(): string[] {
    return this.transitions.map((event) => formatTraceEvent(event));
  }

  /**
   * For an abort: when the MMU of the mode that took it was on, the walk of
   * the faulting address (hyplay's memory accesses are not translated yet,
   * so a walk that succeeds names the gap); `undefined` otherwise.
   */
  explainAbort(event: ExceptionEvent): string | undefined {
    const s = this.machine.state;
    const mode = s.mode;
    const from = Object.entries(Mode).find(([name]) => name === event.from)?.[1];
    if (from === undefined) return undefined;
    s.mode = from;
    const enabled = mmuEnabled(s);
    const fetch = event.exception === 'prefetch-abort';
    const address = fetch ? event.returnAddress - 4 : Number(this.machine.register(from === Mode.hyp ? 'hdfar' : 'dfar'));
    const walk = enabled ? translate(s, this.machine.memory, address, { write: false, execute: fetch, privileged: from !== Mode.usr }) : undefined;
    s.mode = mode;
    if (walk === undefined) return undefined;
    const what = walk.kind === 'ok' ? `maps it to physical ${hexAddress(walk.physical)} (${walk.format} descriptor, level ${walk.level})` : `faults: ${walk.fault} at level ${walk.level}, status 0x${walk.status.toString(16)}`;
    return `the MMU is on and the table walk of ${hexAddress(address)} ${what}; hyplay does not yet translate the accesses themselves`;
  }

  /** Whether an address lies in the loaded image. */
  inImage(address: number): boolean {
    return address >= this.loadAddress && address < this.loadAddress + this.imageSize;
  }

  /** A summary: steps, PC, mode, HVBAR. */
  summary(): string {
    const m = this.machine;
    return `${this.steps} steps; pc ${hexAddress(m.pc)} in ${m.mode()}; hvbar ${hexAddress(Number(m.register('hvbar')))}; sctlr ${hexAddress(Number(m.register('sctlr')))}`;
  }
}

/** Load a zImage file into a fresh {@link ZimageBoot}. */
export function bootZimageFile(path: string, options: ZimageMachineOptions = {}): ZimageBoot {
  return new ZimageBoot(new Uint8Array(readFileSync(path)), options);
}

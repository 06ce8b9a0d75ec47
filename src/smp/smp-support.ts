/**
 * What a backend gives machines with several vCPUs: how a vCPU learns who
 * it is, and the state the architecture's CPU_ON leaves a vCPU in. Nothing
 * here names an architecture; `arch/<name>/smp.ts` fills it in.
 *
 * @module
 */

import type { Machine } from '../interp/machine.ts';
import type { TlbShootdown, TlbTarget } from '../memory/tlb-shootdown.ts';

/** A vCPU's TLB as an SMP machine's shootdown reaches it, for invalidations of kind `Op`. */
export interface ShootdownPort<Op> {
  /** The TLB: applies an invalidation to this vCPU only. */
  readonly tlb: TlbTarget<Op>;
  /** Send the TLB's broadcast (shareable) maintenance, and its DSB's completion, through `shootdown` from now on. */
  connect(shootdown: TlbShootdown<Op>): void;
  /** An invalidation in words, for the trace. */
  describe(op: Op): string;
}

/** A backend's part of an SMP machine (`ArchBackend.smp`). */
export interface SmpSupport {
  /** The most vCPUs the backend's machine (and its PSCI model) numbers. */
  readonly maxVcpus: number;
  /** Give vCPU `n` its identity: the affinity registers the guest reads and the hypervisor keeps for it (arm32 MPIDR and VMPIDR). */
  identify(machine: Machine, n: number): void;
  /**
   * Start a powered-off vCPU as the architecture's CPU_ON does: the reset
   * state (the kernel's mode, asynchronous exceptions masked), the PC at
   * `entry`, `contextId` in the first argument register.
   */
  powerOn(machine: Machine, entry: bigint, contextId: bigint): void;
  /**
   * The vCPU's TLB for the machine's shootdown, when the backend's machine
   * has one (absent: shareable maintenance stays local, as on one vCPU).
   */
  shootdownPort?(machine: Machine): ShootdownPort<unknown> | undefined;
  /**
   * Whether the vCPU runs at the hypervisor's level now (arm32 Hyp mode:
   * the spec firmware's handling of a trap), where it cannot take an IPI
   * (an IPI shootdown's acknowledgement waits until it is back in the guest).
   */
  inHypervisor?(machine: Machine): boolean;
}

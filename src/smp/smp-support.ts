/**
 * What a backend gives machines with several vCPUs: how a vCPU learns who
 * it is, and the state the architecture's CPU_ON leaves a vCPU in. Nothing
 * here names an architecture; `arch/<name>/smp.ts` fills it in.
 *
 * @module
 */

import type { Machine } from '../interp/machine.ts';

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
}

/**
 * What machines with several arm32 vCPUs need: each vCPU's MPIDR, and the
 * state KVM/arm32's PSCI CPU_ON leaves a vCPU in.
 *
 * Each vCPU's TLB joins the machine's shootdown: its inner-shareable
 * maintenance (TLBIALLIS, TLBIMVAIS, …) reaches the other vCPUs, and its DSB
 * completes as the shootdown design says (ARM ARM B3.10.5–B3.10.6). A vCPU
 * in Hyp mode is inside the hypervisor's handling of a trap.
 *
 * Facts: ../shared/abi-facts.md §5.3 and §5.5 (kvm_psci_vcpu_on: the target's
 * PC ← entry_point_address, r0 ← context_id, after a vCPU reset).
 *
 * @module
 */

import type { Machine } from '../../src/interp/machine.ts';
import type { TlbShootdown } from '../../src/memory/tlb-shootdown.ts';
import type { ShootdownPort, SmpSupport } from '../../src/smp/smp-support.ts';
import { PSCI_MODEL_CPUS, psciVcpuMpidr } from './abis/psci.abi.ts';
import { arm32StateOf } from './firmware-port.ts';
import { Mode } from './registers.ts';
import { describeTlbOperation, tlbOf, type Arm32TlbOperation } from './tlb.ts';

/** MPIDR bit 31: RES1 in the multiprocessing-extensions format (ARM ARM B4.1.106). */
const MPIDR_M = 1n << 31n;

/**
 * The CPSR a vCPU reset gives: SVC mode with A, I and F masked (KVM/arm32's
 * cortexa_regs_reset in arch/arm/kvm/reset.c: `SVC_MODE | PSR_A_BIT |
 * PSR_I_BIT | PSR_F_BIT`), ARM state, little-endian.
 */
const RESET_CPSR = 0x1d3n;

/** The arm32 {@link SmpSupport}: up to the PSCI model's four vCPUs. */
export const ARM32_SMP: SmpSupport = {
  maxVcpus: PSCI_MODEL_CPUS,
  identify(machine: Machine, n: number): void {
    // The guest reads MPIDR; outside Hyp, KVM makes that read return VMPIDR, which it resets to the vCPU's affinity (coproc.c reset_mpidr).
    const mpidr = MPIDR_M | psciVcpuMpidr(n);
    machine.setRegister('vmpidr', mpidr);
    machine.setRegister('mpidr', mpidr);
  },
  powerOn(machine: Machine, entry: bigint, contextId: bigint): void {
    // A Thumb entry point (bit 0 set) would enter Thumb state; the model has no Thumb, so the PC keeps bit 0 and the fetch faults visibly.
    machine.setRegister('cpsr', RESET_CPSR);
    machine.setRegister('r0', contextId);
    machine.pc = Number(BigInt.asUintN(32, entry));
  },
  shootdownPort(machine: Machine): ShootdownPort<unknown> | undefined {
    const tlb = tlbOf(arm32StateOf(machine));
    if (tlb === undefined) return undefined;
    const port: ShootdownPort<Arm32TlbOperation> = {
      tlb,
      connect: (shootdown: TlbShootdown<Arm32TlbOperation>) => void (tlb.shootdown = shootdown),
      describe: describeTlbOperation,
    };
    return port as ShootdownPort<unknown>;
  },
  inHypervisor(machine: Machine): boolean {
    return arm32StateOf(machine).mode === Mode.hyp;
  },
};

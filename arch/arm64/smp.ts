/**
 * What machines with several arm64 vCPUs need: each vCPU's MPIDR_EL1, and
 * the state KVM/arm64's PSCI CPU_ON leaves a vCPU in.
 *
 * Each vCPU's TLB joins the machine's shootdown: its shareable TLBI forms
 * reach the other vCPUs, and its DSB completes as the design says (D8.13).
 * A vCPU at EL2 is inside the hypervisor's handling of a trap.
 *
 * Facts: ../shared/abi-facts.md §5.3 and §5.5 (kvm_psci_vcpu_on: reset_state
 * pc ← entry_point_address, r0 ← context_id, then a vCPU reset).
 *
 * @module
 */

import type { CoreMachine, Machine } from '../../src/interp/machine.ts';
import type { TlbShootdown } from '../../src/memory/tlb-shootdown.ts';
import type { ShootdownPort, SmpSupport } from '../../src/smp/smp-support.ts';
import type { Arm64State } from './registers.ts';
import { describeArm64TlbOperation, tlbOf, type Arm64TlbOperation } from './tlb.ts';
import { PSCI_ARM64_MODEL_CPUS, psciArm64VcpuMpidr } from './abis/psci-arm64.abi.ts';

/** MPIDR_EL1 bit 31: RES1 (ARM ARM D13.2.86). */
const MPIDR_RES1 = 1n << 31n;

/**
 * The PSTATE a vCPU reset gives an AArch64 vCPU: EL1h with D, A, I and F
 * masked (arch/arm64/kvm/reset.c default_regs_reset: `PSR_MODE_EL1h |
 * PSR_A_BIT | PSR_I_BIT | PSR_F_BIT | PSR_D_BIT`), in the SPSR layout the
 * register view's `pstate` takes.
 */
const RESET_PSTATE = 0x3c5n;

/** The arm64 {@link SmpSupport}: up to the PSCI model's four vCPUs. */
export const ARM64_SMP: SmpSupport = {
  maxVcpus: PSCI_ARM64_MODEL_CPUS,
  identify(machine: Machine, n: number): void {
    // EL1 reads of MPIDR_EL1 return VMPIDR_EL2, which KVM resets to the vCPU's affinity (sys_regs.c reset_mpidr).
    const mpidr = MPIDR_RES1 | psciArm64VcpuMpidr(n);
    machine.setRegister('vmpidr_el2', mpidr);
    machine.setRegister('mpidr_el1', mpidr);
  },
  powerOn(machine: Machine, entry: bigint, contextId: bigint): void {
    machine.setRegister('pstate', RESET_PSTATE);
    machine.setRegister('x0', contextId);
    machine.pc = Number(entry);
  },
  shootdownPort(machine: Machine): ShootdownPort<unknown> | undefined {
    const tlb = tlbOf(stateOf(machine));
    if (tlb === undefined) return undefined;
    const port: ShootdownPort<Arm64TlbOperation> = {
      tlb,
      connect: (shootdown: TlbShootdown<Arm64TlbOperation>) => void (tlb.shootdown = shootdown),
      describe: describeArm64TlbOperation,
    };
    return port as ShootdownPort<unknown>;
  },
  inHypervisor(machine: Machine): boolean {
    return stateOf(machine).el === 2;
  },
};

function stateOf(machine: Machine): Arm64State {
  return (machine as CoreMachine<Arm64State>).state;
}

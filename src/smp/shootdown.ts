/**
 * TLB shootdown between vCPUs, as a design option (issue 13 §3; abi-facts
 * §12.6):
 *
 * - `broadcast` (ARMv7 and later): a TLB maintenance operation to the
 *   Inner Shareable domain (TLBIALLIS, TLBIMVAIS, …; arm64 TLBI …IS) on one
 *   vCPU invalidates every vCPU's TLB in hardware, and is complete once the
 *   issuer executes a DSB (ARM ARM B3.10.5 and B3.10.6: maintenance is only
 *   guaranteed complete after a DSB). No other vCPU takes part: one that is
 *   inside the hypervisor's emulation of its own access is invalidated
 *   under it, which is the race of the pre-merge KVM/ARM instruction fetch.
 * - `ipi` (the x86 way): the issuer invalidates its own TLB and sends an
 *   IPI to every other powered-on vCPU; each invalidates its TLB when it
 *   takes the IPI and acknowledges; the issuer waits (at its barrier) for
 *   every acknowledgement. A vCPU inside the hypervisor's emulation cannot
 *   take the IPI until it leaves, so the issuer waits for the emulation to
 *   finish: the race cannot happen.
 *
 * The model applies a broadcast invalidation to the other vCPUs at the
 * issuer's DSB, the latest point the architecture allows, so a stale
 * translation is observable in between. State is plain data (pending
 * invalidations per vCPU); nothing here names an architecture.
 *
 * @module
 */

import type { TlbShootdown, TlbTarget } from '../memory/tlb-shootdown.ts';

/** One TLB invalidation, as the guest's maintenance operation names it. */
export interface TlbInvalidation {
  /** What goes: every entry, the entries for one virtual address, for one ASID, or for one VMID. */
  readonly scope: 'all' | 'address' | 'asid' | 'vmid';
  /** The virtual address (page), for `address`. */
  readonly address?: number;
  /** The ASID, for `asid` (and an `address` limited to one ASID). */
  readonly asid?: number;
  /** The VMID, for `vmid`. */
  readonly vmid?: number;
}

/**
 * One vCPU's own TLB as a shootdown reaches it (a machine's TLB implements
 * this), for invalidations of kind `Op`: the generic {@link TlbInvalidation}
 * unless a backend's TLB names its own operations.
 */
export type LocalTlb<Op = TlbInvalidation> = TlbTarget<Op>;

/** How TLB invalidation reaches the other vCPUs. */
export type ShootdownDesign = 'broadcast' | 'ipi';

/** Every design, in the order the docs list them. */
export const SHOOTDOWN_DESIGNS: readonly ShootdownDesign[] = ['broadcast', 'ipi'];

/**
 * The machine's shootdown as one vCPU's TLB maintenance calls it: what a
 * per-machine TLB holds when its machine is a vCPU of an SMP machine (a
 * single-vCPU machine has none, and its shareable operations are local).
 */
export interface VcpuShootdown<Op = TlbInvalidation> {
  /** A shareable invalidation issued by this vCPU: its own TLB at once, the others as the design says. */
  invalidateShareable(request: Op): void;
  /** This vCPU's DSB: true when its invalidations are complete on every vCPU; false when it must wait (the barrier is retried). */
  barrier(): boolean;
}

/** A pending invalidation on one vCPU: what, and who issued it. */
interface Pending<Op> {
  readonly request: Op;
  readonly from: number;
}

/**
 * The shootdown of one SMP machine: every vCPU's TLB, the design, and what
 * is pending where, for invalidations of kind `Op`.
 */
export class Shootdown<Op = TlbInvalidation> {
  /** Invalidations not yet applied, per target vCPU, in issue order. */
  private readonly pending: Pending<Op>[][];
  /** Per vCPU: inside the hypervisor's emulation of one of its accesses (it cannot take an IPI). */
  readonly inEmulation: boolean[];
  /** Per vCPU: stopped at a barrier that could not complete (it waits for acknowledgements). */
  private readonly atBarrier: boolean[];

  /**
   * @param design broadcast or IPI.
   * @param tlbs every vCPU's TLB, by vCPU number.
   * @param isOn whether a vCPU is powered on (an IPI goes only to those).
   * @param log where a line per shootdown event goes (the trace), if anywhere.
   * @param describe an invalidation in words, for those lines (the generic {@link TlbInvalidation}'s by default).
   */
  constructor(
    readonly design: ShootdownDesign,
    private readonly tlbs: readonly LocalTlb<Op>[],
    private readonly isOn: (n: number) => boolean,
    public log?: (vcpu: number, line: string) => void,
    private readonly describe: (request: Op) => string = describeInvalidation as unknown as (request: Op) => string,
  ) {
    this.pending = tlbs.map(() => []);
    this.inEmulation = tlbs.map(() => false);
    this.atBarrier = tlbs.map(() => false);
  }

  /** vCPU `from` issued a shareable invalidation. */
  invalidateShareable(from: number, request: Op): void {
    this.tlbs[from]!.invalidate(request);
    for (let n = 0; n < this.tlbs.length; n++) {
      if (n === from) continue;
      if (this.design === 'ipi' && !this.isOn(n)) continue;
      this.pending[n]!.push({ request, from });
    }
    this.log?.(from, `shootdown ${this.design}: ${this.describe(request)}; ${this.design === 'ipi' ? 'IPI sent to every other powered-on vCPU' : 'broadcast in hardware, complete at this vCPU\'s DSB'}`);
  }

  /** Invalidations issued by `from` not yet applied on some vCPU. */
  outstanding(from: number): number {
    let count = 0;
    for (const queue of this.pending) for (const p of queue) if (p.from === from) count++;
    return count;
  }

  /**
   * vCPU `from` executes a DSB. Broadcast: everything it issued is applied
   * everywhere now, whatever the other vCPUs are doing; true. IPI: true only
   * when every target has acknowledged; else false, and the vCPU waits.
   */
  barrier(from: number): boolean {
    if (this.design === 'broadcast') {
      for (let n = 0; n < this.pending.length; n++) this.applyFrom(n, from);
      return true;
    }
    const complete = this.outstanding(from) === 0;
    if (!complete && !this.atBarrier[from]) this.log?.(from, `shootdown ipi: DSB waits for ${this.outstanding(from)} acknowledgement(s)`);
    this.atBarrier[from] = !complete;
    return complete;
  }

  /**
   * vCPU `n` runs guest code (the scheduler calls this as each of its slices
   * starts): under IPI it takes its pending IPIs, invalidates its TLB and
   * acknowledges, unless it is inside the hypervisor's emulation.
   */
  deliver(n: number): void {
    if (this.design !== 'ipi' || this.inEmulation[n] || this.pending[n]!.length === 0) return;
    const count = this.pending[n]!.length;
    this.applyAll(n);
    this.log?.(n, `shootdown ipi: took ${count} IPI(s), TLB invalidated, acknowledged`);
  }

  /** Whether vCPU `n` waits at a barrier for acknowledgements (the scheduler does not run it until they are in). */
  waiting(n: number): boolean {
    if (!this.atBarrier[n]) return false;
    if (this.outstanding(n) > 0) return true;
    this.atBarrier[n] = false;
    return false;
  }

  /** vCPU `n` enters (true) or leaves (false) the hypervisor's emulation of one of its accesses. */
  setInEmulation(n: number, inside: boolean): void {
    this.inEmulation[n] = inside;
  }

  /** vCPU `n`'s view, for its TLB maintenance. */
  forVcpu(n: number): VcpuShootdown<Op> {
    return { invalidateShareable: (request) => this.invalidateShareable(n, request), barrier: () => this.barrier(n) };
  }

  /**
   * vCPU `n`'s TLB's view of the machine (what its broadcast maintenance
   * and its DSB reach): a shareable operation it applied to itself goes to
   * the others as the design says, and its barrier completes as
   * {@link Shootdown.barrier} says.
   */
  forTlb(n: number): TlbShootdown<Op> {
    return { broadcast: (_origin, op) => this.invalidateShareable(n, op), complete: () => this.barrier(n) };
  }

  private applyFrom(n: number, from: number): void {
    const queue = this.pending[n]!;
    const keep: Pending<Op>[] = [];
    for (const p of queue) {
      if (p.from === from) this.tlbs[n]!.invalidate(p.request);
      else keep.push(p);
    }
    this.pending[n] = keep;
  }

  private applyAll(n: number): void {
    for (const p of this.pending[n]!) this.tlbs[n]!.invalidate(p.request);
    this.pending[n] = [];
  }
}

/** What an SMP machine and its runner use of a {@link Shootdown} of any kind of invalidation. */
export type MachineShootdown = Pick<Shootdown<never>, 'design' | 'waiting' | 'deliver' | 'setInEmulation' | 'log'>;

/** `all entries`, `VA 0x00001000`, `ASID 5`, `VMID 1`. */
export function describeInvalidation(request: TlbInvalidation): string {
  switch (request.scope) {
    case 'all':
      return 'invalidate all entries';
    case 'address':
      return `invalidate VA 0x${(request.address ?? 0).toString(16).padStart(8, '0')}${request.asid === undefined ? '' : ` ASID ${request.asid}`}`;
    case 'asid':
      return `invalidate ASID ${request.asid ?? 0}`;
    case 'vmid':
      return `invalidate VMID ${request.vmid ?? 0}`;
    default: {
      const unreachable: never = request.scope;
      return unreachable;
    }
  }
}

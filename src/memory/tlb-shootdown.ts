/**
 * How a TLB invalidation that the architecture broadcasts (the Arm
 * inner-shareable forms, `TLBIALLIS`, `TLBIMVAIS`, …) reaches the other
 * processors' TLBs. A machine's TLB applies every invalidation to itself
 * and hands the broadcast forms to its {@link TlbShootdown}; the default,
 * {@link LOCAL_SHOOTDOWN}, has no other processors to reach. A multi-vCPU
 * machine replaces it: hardware broadcast (apply to every vCPU at once, the
 * ARMv7+ way) or an IPI-and-acknowledge design (queue for each vCPU and
 * wait, the x86 way).
 *
 * @module
 */

/** A TLB that can apply an invalidation of its architecture's kind `Op`. */
export interface TlbTarget<Op> {
  /** Apply `op` to this TLB only. */
  invalidate(op: Op): void;
}

/** Delivers broadcast invalidations (see the module comment). */
export interface TlbShootdown<Op> {
  /** `origin` issued the broadcast invalidation `op` (and has already applied it to itself): make the other TLBs see it. */
  broadcast(origin: TlbTarget<Op>, op: Op): void;
  /**
   * The origin's DSB: true when every broadcast invalidation it issued is
   * complete on every processor; false when it must wait (the barrier does
   * not complete, and the processor retries it).
   */
  complete(): boolean;
}

/** A uniprocessor: nothing else to reach. */
export const LOCAL_SHOOTDOWN: TlbShootdown<never> = { broadcast: () => undefined, complete: () => true };

/**
 * Scenario outcomes as values: how a run ended, with the details that say
 * why. Every outcome carries a one-line `detail`, the text the reset matrix
 * shows.
 *
 * @module
 */

import { hexAddress } from '../interp/step-result.ts';

/** The new kernel's first instruction ran in the hypervisor's mode. */
export interface NewKernelInHyp {
  /** Discriminant. */
  readonly kind: 'new-kernel-in-hyp';
  /** The new kernel's entry. */
  readonly entry: number;
  /** The mode it ran in. */
  readonly mode: string;
  /** One line: how it got there. */
  readonly detail: string;
}

/** The new kernel's first instruction ran below the hypervisor, in the kernel's own mode. */
export interface NewKernelInSvc {
  /** Discriminant. */
  readonly kind: 'new-kernel-in-svc';
  /** The new kernel's entry. */
  readonly entry: number;
  /** The mode it ran in. */
  readonly mode: string;
  /** One line: how it got there, and who was left owning the hypervisor vectors. */
  readonly detail: string;
}

/** An exception was taken in the hypervisor's mode at a slot no call arrives at: the hypervisor crashed. */
export interface HypCrash {
  /** Discriminant. */
  readonly kind: 'hyp-crash';
  /** The vector slot's name (`prefetch-abort`). */
  readonly vector: string;
  /** The slot's offset from the vector base, when the vector lies in a table. */
  readonly offset: number | undefined;
  /** The vector's address. */
  readonly vectorAddress: number;
  /** The faulting address (for a prefetch abort, the instruction fetched). */
  readonly faultAddress: number;
  /** The mode the exception was taken from. */
  readonly mode: string;
  /** One line: what was taken where, and which call led there. */
  readonly detail: string;
}

/** The step budget ran out before any other outcome (a guest that spins). */
export interface BudgetExhausted {
  /** Discriminant. */
  readonly kind: 'budget-exhausted';
  /** Instructions executed. */
  readonly steps: number;
  /** Where it was. */
  readonly pc: number;
  /** The mode it was in. */
  readonly mode: string;
  /** One line. */
  readonly detail: string;
}

/** The guest gave up or did something the model does not define (a kernel BUG, an UNPREDICTABLE return, …). */
export interface GuestError {
  /** Discriminant. */
  readonly kind: 'guest-error';
  /** Why the run stopped (`bug`, or the interpreter's stop reason). */
  readonly reason: string;
  /** Where. */
  readonly pc: number;
  /** The mode. */
  readonly mode: string;
  /** One line. */
  readonly detail: string;
}

/**
 * The guest reached an address the scenario names as an ending (a `ScenarioExit` of scenario.ts):
 * - `guest-done`: the guest finished what it set out to do (its calls returned what it checks for);
 * - `syscall-reflected`: a system call the guest made reached the guest kernel's own handler
 *   (the hypervisor did not take it as a hypercall, or passed it on);
 * - `hypercall-intercepted`: a system call the guest made never reached the guest kernel:
 *   the hypervisor took it as a hypercall and returned straight to the caller;
 * - `guest-exception`: an exception reached the guest kernel's own handler, raised by the
 *   CPU or injected by the hypervisor (a #GP for a call it refused, a #UD it queued);
 * - `hypercall-misread`: a hypercall was answered under another convention than the one
 *   the guest spoke (another hypervisor's ABI took the same instruction and registers).
 *
 * The scenario says which kind each of its exits ends with.
 */
export interface ExitReached {
  /** Discriminant. */
  readonly kind: ExitKind;
  /** The address reached. */
  readonly pc: number;
  /** The mode it was reached in. */
  readonly mode: string;
  /** One line: what reaching it means, and the last call. */
  readonly detail: string;
}

/**
 * The outcome kinds a scenario exit can end a run with (see {@link ExitReached}); also
 * `guest-abort`: the guest's own abort handler ran (the hypervisor injected an abort,
 * or the guest took one).
 */
export type ExitKind = 'guest-done' | 'syscall-reflected' | 'hypercall-intercepted' | 'guest-exception' | 'hypercall-misread' | 'guest-abort';

/** The hypervisor gave the vCPU back to its host (`KVM_RUN` returned an error): the virtual machine stopped. */
export interface VmStopped {
  /** Discriminant. */
  readonly kind: 'vm-stopped';
  /** What the host saw (`KVM_RUN: -ENOSYS`) and why, one line. */
  readonly detail: string;
  /** Where the run stopped: the hypervisor vector the vCPU left the guest from. */
  readonly pc: number;
  /** The mode the run ended in. */
  readonly mode: string;
}

/** How a scenario ended. */
export type Outcome = NewKernelInHyp | NewKernelInSvc | HypCrash | BudgetExhausted | GuestError | ExitReached | VmStopped;

/** The name of an outcome. */
export type OutcomeKind = Outcome['kind'];

/** Every outcome name, in the order the docs list them. */
export const OUTCOME_KINDS: readonly OutcomeKind[] = ['new-kernel-in-hyp', 'new-kernel-in-svc', 'hyp-crash', 'budget-exhausted', 'guest-error', 'guest-done', 'syscall-reflected', 'hypercall-intercepted', 'guest-exception', 'hypercall-misread', 'guest-abort', 'vm-stopped'];

/** An outcome as JSON: addresses as `0x` hex strings. */
export type OutcomeJson = Readonly<Record<string, string | number | null>>;

/** The outcome as JSON, addresses as hex. */
export function outcomeJson(outcome: Outcome): OutcomeJson {
  switch (outcome.kind) {
    case 'new-kernel-in-hyp':
    case 'new-kernel-in-svc':
      return { kind: outcome.kind, entry: hexAddress(outcome.entry), mode: outcome.mode, detail: outcome.detail };
    case 'hyp-crash':
      return {
        kind: outcome.kind,
        vector: outcome.vector,
        offset: outcome.offset === undefined ? null : `0x${outcome.offset.toString(16).padStart(2, '0')}`,
        vectorAddress: hexAddress(outcome.vectorAddress),
        faultAddress: hexAddress(outcome.faultAddress),
        mode: outcome.mode,
        detail: outcome.detail,
      };
    case 'budget-exhausted':
      return { kind: outcome.kind, steps: outcome.steps, pc: hexAddress(outcome.pc), mode: outcome.mode, detail: outcome.detail };
    case 'guest-done':
    case 'syscall-reflected':
    case 'hypercall-intercepted':
    case 'guest-exception':
    case 'hypercall-misread':
    case 'guest-abort':
    case 'vm-stopped':
      return { kind: outcome.kind, pc: hexAddress(outcome.pc), mode: outcome.mode, detail: outcome.detail };
    case 'guest-error':
      return { kind: outcome.kind, reason: outcome.reason, pc: hexAddress(outcome.pc), mode: outcome.mode, detail: outcome.detail };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/** One line: `hyp-crash: prefetch abort in Hyp at …`. */
export function formatOutcome(outcome: Outcome): string {
  return `${outcome.kind}: ${outcome.detail}`;
}

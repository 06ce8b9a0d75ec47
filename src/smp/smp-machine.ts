/**
 * Machines with several vCPUs: N machines of one backend over one guest
 * memory, each with its own registers, predecode cache, JIT and (with a
 * translating backend) TLB, run one at a time by a deterministic
 * {@link Scheduler}.
 *
 * Every vCPU is a whole `Machine`, so each runs under the engine it was made
 * with (interpreter or JIT) and nothing on a single-vCPU machine's path
 * changes: the memory's code-write listeners already reach every vCPU's
 * caches, because each interpreter and JIT registers its own. Power state is
 * plain data (one flag per vCPU); a powered-off vCPU does not run.
 *
 * @module
 */

import type { VcpuControl } from '../abi/spec.ts';
import type { ArchBackend, MachineOptions } from '../interp/backend.ts';
import type { RunResult } from '../interp/interpreter.ts';
import type { Machine } from '../interp/machine.ts';
import type { GuestMemory } from '../memory/guest-memory.ts';
import type { ScheduleChoice, Scheduler } from './schedule.ts';
import { Shootdown, type MachineShootdown, type ShootdownDesign } from './shootdown.ts';
import type { SmpSupport } from './smp-support.ts';

/** A machine that cannot be made with that many vCPUs, or on that backend. */
export class SmpError extends Error {
  /** Always `'SmpError'`. */
  override readonly name = 'SmpError';
}

/** What a run tells its observer. */
export interface SmpObserver {
  /** A slice starts: `vcpu` runs for up to `budget` steps. */
  slice?(choice: ScheduleChoice, budget: number): void;
  /** The scheduler named a vCPU that cannot run (off, stopped or waiting); the slice is skipped. */
  skipped?(choice: ScheduleChoice, why: string): void;
  /** A vCPU's run stopped (other than by its slice's budget); true ends the whole run there. */
  stopped?(vcpu: number, result: RunResult): boolean;
  /** vCPU `vcpu` was powered on at `entry` with `contextId` (by a call on another vCPU). */
  poweredOn?(vcpu: number, entry: bigint, contextId: bigint): void;
  /** vCPU `vcpu` was powered off. */
  poweredOff?(vcpu: number): void;
}

/** How an SMP run ended. */
export interface SmpRunResult {
  /** `budget-exhausted`: the step budget is used up; `idle`: no vCPU can run (all off, stopped or waiting); `ended`: the observer ended it at a vCPU's stop. */
  readonly reason: 'budget-exhausted' | 'idle' | 'ended';
  /** Steps run, all vCPUs together. */
  readonly steps: number;
  /** The vCPU whose stop ended the run (`ended`). */
  readonly vcpu: number | undefined;
  /** That stop (`ended`). */
  readonly result: RunResult | undefined;
}

/** One vCPU's run state, as plain data. */
export interface VcpuRunState {
  /** Powered on. */
  on: boolean;
  /** Its last run's stop, when it stopped (a stopped vCPU runs again only after a power-on). */
  stopped: RunResult | undefined;
  /** Steps it has run. */
  steps: number;
  /** Whether it has run since it was last powered on (a slice that starts on a breakpoint then stops there rather than step over it). */
  resumed: boolean;
}

/** N vCPUs over one memory. */
export class SmpMachine {
  /** Per vCPU: power, stop, steps. */
  readonly states: VcpuRunState[];
  /** The TLB shootdown, where the machine has one. */
  shootdown: MachineShootdown | undefined = undefined;

  /**
   * @param vcpus the vCPUs, sharing one memory.
   * @param support the backend's SMP part.
   * @param powered which vCPUs are on at first (default: vCPU 0 only, as a guest boots).
   */
  constructor(
    readonly vcpus: readonly Machine[],
    private readonly support: SmpSupport,
    powered: readonly boolean[] = vcpus.map((_, n) => n === 0),
  ) {
    if (vcpus.length === 0) throw new SmpError('an SMP machine needs at least one vCPU');
    const memory = vcpus[0]!.memory;
    if (vcpus.some((v) => v.memory !== memory)) throw new SmpError('the vCPUs of one machine must share one memory');
    vcpus.forEach((machine, n) => support.identify(machine, n));
    this.states = vcpus.map((_, n) => ({ on: powered[n] === true, stopped: undefined, steps: 0, resumed: false }));
  }

  /** The shared memory. */
  get memory(): GuestMemory {
    return this.vcpus[0]!.memory;
  }

  /** vCPU `n` as the firmware's calls see the machine (see `CallContext.vcpus`). */
  control(self: number): VcpuControl {
    return {
      count: this.vcpus.length,
      self,
      isOn: (n) => this.states[n]?.on === true,
      powerOn: (n, entry, contextId) => this.powerOn(n, entry, contextId),
      powerOff: (n) => this.powerOff(n),
    };
  }

  /** Power vCPU `n` on at `entry` with `contextId`, as the architecture's CPU_ON leaves it. */
  powerOn(n: number, entry: bigint, contextId: bigint): void {
    const state = this.states[n]!;
    this.support.powerOn(this.vcpus[n]!, entry, contextId);
    state.on = true;
    state.stopped = undefined;
    state.resumed = false;
    this.observer?.poweredOn?.(n, entry, contextId);
  }

  /** The observer of the run in progress. */
  private observer: SmpObserver | undefined = undefined;

  /** Power vCPU `n` off. */
  powerOff(n: number): void {
    this.states[n]!.on = false;
    this.observer?.poweredOff?.(n);
  }

  /** Whether vCPU `n` can run now: on, not stopped, not waiting at a shootdown. */
  runnable(n: number): boolean {
    const state = this.states[n]!;
    return state.on && state.stopped === undefined && this.shootdown?.waiting(n) !== true;
  }

  /** Why vCPU `n` cannot run, for the trace. */
  private whyNot(n: number): string {
    const state = this.states[n]!;
    if (!state.on) return 'powered off';
    if (state.stopped !== undefined) return `stopped (${state.stopped.reason})`;
    return 'waiting for a TLB shootdown';
  }

  /**
   * Run until the budget of `maxSteps` (all vCPUs together) is used, no vCPU
   * can run, or `observer` ends it, the slices chosen by `scheduler`.
   */
  run(scheduler: Scheduler, maxSteps: number, observer: SmpObserver = {}): SmpRunResult {
    this.observer = observer;
    try {
      return this.runSlices(scheduler, maxSteps, observer);
    } finally {
      this.observer = undefined;
    }
  }

  private runSlices(scheduler: Scheduler, maxSteps: number, observer: SmpObserver): SmpRunResult {
    let steps = 0;
    const runnable: number[] = [];
    while (steps < maxSteps) {
      runnable.length = 0;
      for (let n = 0; n < this.vcpus.length; n++) if (this.runnable(n)) runnable.push(n);
      if (runnable.length === 0) return { reason: 'idle', steps, vcpu: undefined, result: undefined };
      const choice = scheduler.next(runnable);
      if (!this.runnable(choice.vcpu)) {
        observer.skipped?.(choice, this.whyNot(choice.vcpu));
        continue;
      }
      const left = maxSteps - steps;
      const budget = choice.steps === 'rest' ? left : Math.min(choice.steps, left);
      const machine = this.vcpus[choice.vcpu]!;
      const state = this.states[choice.vcpu]!;
      if (this.shootdown !== undefined) {
        if (this.support.inHypervisor !== undefined) this.shootdown.setInEmulation(choice.vcpu, this.support.inHypervisor(machine));
        this.shootdown.deliver(choice.vcpu);
      }
      observer.slice?.(choice, budget);
      // The interpreter steps over a breakpoint a run starts on (so a user can resume from one); a slice boundary is no resume.
      const result: RunResult =
        state.resumed && machine.breakpoints.has(machine.pc)
          ? { reason: 'breakpoint', detail: `breakpoint at 0x${machine.pc.toString(16)}`, pc: machine.pc, steps: 0 }
          : machine.run(budget);
      state.resumed = true;
      steps += result.steps;
      state.steps += result.steps;
      // A DSB waiting for acknowledgements: not stopped; the vCPU runs again once they are in (see runnable).
      if (result.reason === 'budget-exhausted' || result.reason === 'waiting') continue;
      // Powered off by its own call (CPU_OFF, SYSTEM_OFF): off, not stopped; a later CPU_ON starts it afresh.
      if (result.reason === 'powered-off' && !state.on) continue;
      state.stopped = result;
      if (observer.stopped?.(choice.vcpu, result) === true) return { reason: 'ended', steps, vcpu: choice.vcpu, result };
    }
    return { reason: 'budget-exhausted', steps, vcpu: undefined, result: undefined };
  }
}

/**
 * An SMP machine of `count` vCPUs on `backend`, each made with `options`
 * (an engine) over the first one's memory, their TLBs (where the backend's
 * machine has them) joined by a shootdown of `design`. Throws an
 * {@link SmpError} when the backend has no SMP support or `count` is out of
 * its range.
 */
export function createSmpMachine(backend: ArchBackend, count: number, options: MachineOptions = {}, powered?: readonly boolean[], design: ShootdownDesign = 'broadcast'): SmpMachine {
  const support = backend.smp;
  if (support === undefined) throw new SmpError(`${backend.name} has no SMP support`);
  if (!Number.isInteger(count) || count < 1 || count > support.maxVcpus) throw new SmpError(`${backend.name}: ${count} vCPUs (1–${support.maxVcpus})`);
  const first = backend.createMachine(options);
  const vcpus = [first];
  for (let n = 1; n < count; n++) vcpus.push(backend.createMachine({ ...options, memory: first.memory }));
  const smp = new SmpMachine(vcpus, support, powered);
  const ports = support.shootdownPort === undefined ? [] : vcpus.map((vcpu) => support.shootdownPort!(vcpu));
  if (ports.length > 0 && ports.every((port) => port !== undefined)) {
    const joined = ports as NonNullable<(typeof ports)[number]>[];
    const shootdown = new Shootdown<unknown>(design, joined.map((port) => port.tlb), (n) => smp.states[n]!.on, undefined, (op) => joined[0]!.describe(op));
    joined.forEach((port, n) => port.connect(shootdown.forTlb(n)));
    smp.shootdown = shootdown;
  }
  return smp;
}

/**
 * Conformance: a suite generated from an ABI spec, run against any
 * implementation installed at the hypervisor vectors.
 *
 * The suite is architecture-neutral. For every call of the spec it picks
 * selector values (each listed value, both ends of each range, and a few
 * representatives of an `otherwise` call), presets the caller's registers
 * (from the spec's examples, else a deterministic pattern), and computes the
 * expected outcome by running the spec's own semantics on a
 * {@link RecordingContext}, exactly as the dispatcher does.
 *
 * What differs per architecture (the caller program, how a mode is entered,
 * where a landing pad goes and how a run stops on it) is a
 * {@link ConformanceDriver} the backend provides beside its
 * {@link FirmwarePort}.
 *
 * An implementation is anything that can be installed at a vector base: the
 * spec's own firmware, another spec's firmware standing in for a different
 * hypervisor, or real assembly the backend interprets.
 *
 * @module
 */

import { bigIntOutcome, exampleTrap, IMMEDIATE_SELECTOR, selectsByImmediate, type Abi, type CallOutcome, type Origin, type ResolvedCall } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import { RecordingContext } from '../dispatch/dispatcher.ts';
import type { RunResult } from '../interp/interpreter.ts';
import type { Machine } from '../interp/machine.ts';
import { hexAddress, type StopReason } from '../interp/step-result.ts';
import { TraceRecorder, type ExceptionEvent } from '../interp/trace.ts';
import { installSpecFirmware, type FirmwarePort } from './firmware.ts';

/** Something that can sit at a hypervisor vector base and answer traps. */
export interface FirmwareImplementation {
  /** Name as the CLI takes it (`spec`, `kvm-arm32-v3.9`, `asm:hyp-stub-v4.12`). */
  readonly name: string;
  /** One line: what it is. */
  readonly description: string;
  /** The ABI id it claims to implement, when it claims one. */
  readonly implements?: string;
  /** Install it at `base` and point the vector base register at it. */
  install(machine: Machine, base: number): void;
}

/** The firmware of `abi` (see {@link installSpecFirmware}) as an implementation named `name`. */
export function specFirmwareImplementation(port: FirmwarePort, abi: Abi, name: string = abi.spec.id): FirmwareImplementation {
  return {
    name,
    description: `spec firmware running ${abi.spec.id} (${abi.spec.era})`,
    implements: abi.spec.id,
    install: (machine, base) => {
      installSpecFirmware(machine, port, abi, base);
    },
  };
}

/** A place where a run stops: reaching `address`, the run ends with `reason` and the PC at `pc`. */
export interface Pad {
  /** The address that, once reached, ends the run. */
  readonly address: number;
  /** The stop reason a run ends with there. */
  readonly reason: StopReason;
  /** The PC the stop reports. */
  readonly pc: number;
}

/** A trap a suite case makes. */
export interface CaseTrap {
  /** Conduit instruction. */
  readonly conduit: string;
  /** Its immediate. */
  readonly imm: number;
  /** Where the caller runs. */
  readonly origin: Origin;
}

/** What {@link ConformanceDriver.prepareCaller} set up. */
export interface CallerSetup {
  /** Address of the trapping instruction. */
  readonly trapAddress: number;
  /** Where the caller resumes when the call returns. */
  readonly resume: Pad;
  /** The caller's mode. */
  readonly mode: string;
}

/** What a backend provides so that conformance suites run on it. */
export interface ConformanceDriver {
  /** A fresh machine with nothing mapped. */
  createMachine(): Machine;
  /** Where implementations are installed. */
  readonly vectorBase: number;
  /** The mode hypervisor code runs in (where jump and call targets must land). */
  readonly hypervisorMode: string;
  /**
   * Bits in a general register. Results and preserved registers are
   * compared (and shown) at this width when it is wider than the spec's
   * selector, so that a 32-bit −1 where the ABI writes a 64-bit one fails:
   * an SMCCC function ID is read from w0, but the answer fills x0. Absent:
   * the selector's width.
   */
  readonly registerWidth?: number;
  /** Registers the suite presets and, for returning calls, checks are preserved (in the caller's mode). */
  readonly generalRegisters: readonly string[];
  /** Further state a returning call must preserve, restored by the exception return (e.g. `cpsr`). */
  readonly statusRegisters: readonly string[];
  /** Where a called hypervisor function finds its arguments, in order. */
  readonly argumentRegisters: readonly string[];
  /**
   * General registers that keep their value across the entry into the
   * hypervisor's mode (not banked there, unlike sp and lr on arm32): a jump
   * must leave each of them as the caller had it unless the spec writes or
   * clobbers it, so that a handler that lands in the right place with other
   * registers fails. Absent: jumps are checked for their target and writes only.
   */
  readonly unbankedRegisters?: readonly string[];
  /** Why a trap cannot be driven on this architecture, or `undefined` when it can. */
  unsupported(trap: CaseTrap): string | undefined;
  /**
   * Load the caller program (the trapping instruction, then a pad), enter
   * the caller's mode, set `registers` and put the PC on the program.
   */
  prepareCaller(machine: Machine, trap: CaseTrap, registers: Readonly<Record<string, bigint>>): CallerSetup;
  /** Why no landing pad can sit at `address` (not aligned, or overlapping the caller or the vectors), or `undefined`. */
  landingPadProblem(address: bigint): string | undefined;
  /** Put a landing pad at `address`, to be reached in {@link ConformanceDriver.hypervisorMode}. */
  placeLandingPad(machine: Machine, address: bigint): Pad;
  /** Implementations the backend ships (real assembly), by name. */
  readonly implementations: readonly FirmwareImplementation[];
}

/** The caller resumes after the trap, with `writes` made and the `preserved` registers unchanged: in its own mode, or in {@link ReturnExpectation.mode}. */
export interface ReturnExpectation {
  /** Discriminant. */
  readonly kind: 'return';
  /** The mode the caller must resume in when the spec returns it to another exception level or mode; absent: the caller's own. */
  readonly mode?: string;
  /** Why it resumes in {@link ReturnExpectation.mode} (the spec's note). */
  readonly note?: string;
  /** Register writes the spec's semantics made (results, system registers). */
  readonly writes: Readonly<Record<string, bigint>>;
  /**
   * Registers that must keep their value: not results, clobbers or writes.
   * In the caller's mode, the general and status registers; in another
   * mode, only the driver's unbanked registers (a banked stack pointer or
   * the status word are the new mode's, and the spec states what it writes
   * to them).
   */
  readonly preserved: readonly string[];
  /** Registers the call may clobber: any value is accepted. */
  readonly clobbers: readonly string[];
}

/** The run continues at `target` in the hypervisor's mode, with `writes` made and the `preserved` registers unchanged. */
export interface JumpExpectation {
  /** Discriminant. */
  readonly kind: 'jump';
  /** Where it must land. */
  readonly target: bigint;
  /** Register writes the spec's semantics made before the jump. */
  readonly writes: Readonly<Record<string, bigint>>;
  /** Registers that must arrive at the target as the caller had them (the driver's unbanked registers, less results, clobbers and writes). */
  readonly preserved: readonly string[];
  /** What the jump means. */
  readonly note: string;
}

/** The hypervisor leaves the guest (an `exit` outcome): generated only to be skipped, since nothing at the vectors shows it. */
export interface ExitExpectation {
  /** Discriminant. */
  readonly kind: 'exit';
  /** What the host sees. */
  readonly exit: string;
  /** What it means. */
  readonly note: string;
}

/** A hypervisor function at `target` is entered in the hypervisor's mode with `args` in the argument registers. */
export interface CallExpectation {
  /** Discriminant. */
  readonly kind: 'call';
  /** The function's address. */
  readonly target: bigint;
  /** Its arguments. */
  readonly args: readonly bigint[];
  /** What the call means. */
  readonly note: string;
}

/** What a case expects, from the spec's semantics. */
export type Expectation = ReturnExpectation | JumpExpectation | CallExpectation;

/** One generated case. */
export interface ConformanceCase {
  /** One-line label: the call, the selector and the call's argument registers (`HVC_SOFT_RESTART r0=0x1 r1=0x80008000`). */
  readonly name: string;
  /** The call of the spec it exercises. */
  readonly call: string;
  /** The trap. */
  readonly trap: CaseTrap;
  /** Registers preset at the trap. */
  readonly registers: Readonly<Record<string, bigint>>;
  /** The expected outcome. */
  readonly expected: Expectation;
}

/** A case the generator could not make observable, and why. */
export interface SkippedCase {
  /** The case label. */
  readonly name: string;
  /** Why, one line. */
  readonly why: string;
}

/** A suite generated from one spec. */
export interface ConformanceSuite {
  /** The spec id. */
  readonly abi: string;
  /** The cases, call by call in the spec's order. */
  readonly cases: readonly ConformanceCase[];
  /** Cases left out, with reasons. */
  readonly skipped: readonly SkippedCase[];
}

/** A suite cannot be generated or run (the spec's conduit or origins cannot be driven, …): an input problem, not a failure. */
export class ConformanceError extends Error {
  /** Always `'ConformanceError'`. */
  override readonly name = 'ConformanceError';
}

/** Step budget of one case unless told otherwise. */
export const DEFAULT_CASE_STEPS = 10_000;

/** How many representatives an `otherwise` call gets (besides its examples). */
const OTHERWISE_REPRESENTATIVES = 3;

/**
 * Preset value of the i-th general register when no example gives one:
 * distinct per register, word aligned and far from the low memory where
 * drivers put callers and vectors, so that a value used as a jump target
 * can take a landing pad.
 */
export function patternValue(index: number): bigint {
  return 0x5a00_0000n + BigInt(index) * 0x0001_0100n;
}

/** The width registers are compared and shown at in a suite of `abi` run by `driver`: the selector's, or the driver's register width when wider. */
export function valueWidth(abi: Abi, driver: ConformanceDriver): number {
  return Math.max(abi.spec.selector.width, driver.registerWidth ?? 0);
}

function hexRegister(value: bigint, width: number): string {
  return hexValue(BigInt.asUintN(width, value));
}

/** Selector values to try for one call: listed values, range ends, or representatives of an `otherwise` call. */
function selectorValues(call: ResolvedCall): bigint[] {
  const intervals = call.values.intervals;
  if (call.spec.select !== 'otherwise') return [...new Set(intervals.flatMap((i) => (i.min === i.max ? [i.min] : [i.min, i.max])))];
  // The smallest value, the largest, and a 4 KiB-aligned value inside the widest interval.
  const widest = intervals.reduce((a, b) => (b.max - b.min > a.max - a.min ? b : a));
  const middle = (widest.min + (widest.max - widest.min) / 2n) & ~0xfffn;
  const candidates = [intervals[0]!.min, intervals[intervals.length - 1]!.max, middle >= widest.min ? middle : widest.min];
  return [...new Set(candidates)].slice(0, OTHERWISE_REPRESENTATIVES);
}

/** Every origin the spec allows, privilege-major. */
function originsOf(abi: Abi): Origin[] {
  return abi.spec.origin.privilege.flatMap((privilege) => abi.spec.origin.world.map((world) => ({ privilege, world })));
}

function registersOf(machine: Machine): Record<string, bigint> {
  return Object.fromEntries(Object.entries(machine.registers()).map(([name, value]) => [name, BigInt(value)]));
}

function caseName(call: ResolvedCall, abi: Abi, trap: CaseTrap, registers: Readonly<Record<string, bigint>>): string {
  const width = abi.spec.selector.width;
  const shown = [abi.spec.selector.register, ...(call.spec.args ?? []).map((a) => a.register)];
  const value = (r: string): bigint => (r === IMMEDIATE_SELECTOR ? BigInt(trap.imm) : (registers[r] ?? 0n));
  return [call.spec.name, ...[...new Set(shown)].map((r) => `${r}=${hexRegister(value(r), width)}`)].join(' ');
}

function expectationOf(outcome: CallOutcome, writes: ReadonlyMap<string, bigint>, call: ResolvedCall, driver: ConformanceDriver, callerMode: string): Expectation | ExitExpectation {
  const written = Object.fromEntries(writes);
  const clobbers = [...(call.spec.clobbers ?? [])];
  const excluded = new Set([...clobbers, ...(call.spec.results ?? []).map((r) => r.register), ...writes.keys()]);
  switch (outcome.kind) {
    case 'return': {
      if (outcome.mode !== undefined && outcome.mode !== callerMode) {
        const preserved = (driver.unbankedRegisters ?? []).filter((r) => !excluded.has(r));
        return { kind: 'return', mode: outcome.mode, ...(outcome.note === undefined ? {} : { note: outcome.note }), writes: written, preserved, clobbers };
      }
      const preserved = [...driver.generalRegisters, ...driver.statusRegisters].filter((r) => !excluded.has(r));
      return { kind: 'return', writes: written, preserved, clobbers };
    }
    case 'jump':
      return { kind: 'jump', target: outcome.target, writes: written, preserved: (driver.unbankedRegisters ?? []).filter((r) => !excluded.has(r)), note: outcome.note };
    case 'call':
      return { kind: 'call', target: outcome.target, args: outcome.args, note: outcome.note };
    case 'exit':
      return { kind: 'exit', exit: outcome.exit, note: outcome.note };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/**
 * Generate the conformance suite of `abi` for the backend behind `port`
 * and `driver`. Cases the driver cannot run (its conduit, origin or
 * immediate) or whose jump target cannot take a landing pad are listed as
 * skipped, with the reason. Throws {@link ConformanceError} when no case is
 * left.
 */
export function generateSuite(abi: Abi, port: FirmwarePort, driver: ConformanceDriver): ConformanceSuite {
  const width = abi.spec.selector.width;
  const byImmediate = selectsByImmediate(abi.spec);
  const origins = originsOf(abi);
  const cases: ConformanceCase[] = [];
  const skipped: SkippedCase[] = [];
  const refusals = new Set<string>();
  const pattern = Object.fromEntries(driver.generalRegisters.map((r, i) => [r, patternValue(i)]));
  for (const origin of origins) {
    const sameOrigin = (o: Origin): boolean => o.privilege === origin.privilege && o.world === origin.world;
    for (const call of abi.calls) {
      const examples = abi.spec.examples.filter((e) => e.call === call.spec.name).map((e) => exampleTrap(abi, e)).filter((t) => sameOrigin(t.origin));
      const defaultImm = Number(abi.imm.first() ?? 0n);
      // Each example as written (unset registers from the pattern), then every selector value on the first example's registers.
      const base = { ...pattern, ...(examples[0]?.registers ?? {}) };
      const tries: { imm: number; registers: Record<string, bigint> }[] = [
        ...examples.map((e) => ({ imm: e.imm, registers: { ...pattern, ...e.registers } })),
        ...selectorValues(call).map((value) =>
          byImmediate ? { imm: Number(value), registers: base } : { imm: examples[0]?.imm ?? defaultImm, registers: { ...base, [abi.spec.selector.register]: value } },
        ),
      ];
      const seen = new Set<bigint>();
      for (const [index, { imm, registers }] of tries.entries()) {
        // Registers the spec conditions (magic values) get a value that meets the condition when the pattern does not.
        for (const [register, values] of abi.conditions) {
          if (!values.has(registers[register] ?? 0n)) registers[register] = values.first()!;
        }
        const selector = byImmediate ? BigInt(imm) : BigInt.asUintN(width, registers[abi.spec.selector.register] ?? 0n);
        // Every example runs (two examples of one call differ in what they set up, as VHE present or absent); a further selector value runs once.
        if (index >= examples.length && seen.has(selector)) continue;
        seen.add(selector);
        const trap: CaseTrap = { conduit: abi.spec.conduit.instruction, imm, origin };
        const name = caseName(call, abi, trap, registers) + (origins.length > 1 ? ` from ${origin.privilege}/${origin.world}` : '');
        const refusal = driver.unsupported(trap);
        if (refusal !== undefined) {
          refusals.add(refusal);
          skipped.push({ name, why: refusal });
          continue;
        }
        // The expected outcome: the spec's semantics on the registers the caller really has at the trap.
        const machine = driver.createMachine();
        machine.setRegister(port.vectorBaseRegister, BigInt(driver.vectorBase));
        const caller = driver.prepareCaller(machine, trap, registers);
        const context = new RecordingContext(registersOf(machine), imm, origin);
        const outcome = bigIntOutcome(call.spec.run(context));
        const expected = expectationOf(outcome, context.writes, call, driver, caller.mode);
        if (expected.kind === 'exit') {
          skipped.push({ name, why: `the hypervisor leaves the guest (${expected.exit}): no landing pad or return to judge` });
          continue;
        }
        if (expected.kind !== 'return') {
          const problem = driver.landingPadProblem(expected.target);
          if (problem !== undefined) {
            skipped.push({ name, why: `the expected ${expected.kind} target ${hexRegister(expected.target, valueWidth(abi, driver))} cannot take a landing pad: ${problem}` });
            continue;
          }
        }
        cases.push({ name, call: call.spec.name, trap, registers, expected });
      }
    }
  }
  if (cases.length === 0) {
    throw new ConformanceError(`cannot run a conformance suite for ${abi.spec.id}: ${[...refusals].join('; ') || 'no case can be observed'}`);
  }
  return { abi: abi.spec.id, cases, skipped };
}

/** The result of one case against one implementation. */
export interface CaseResult {
  /** The case label. */
  readonly name: string;
  /** The call. */
  readonly call: string;
  /** Whether the implementation did what the spec says. */
  readonly pass: boolean;
  /** Why, one line: what happened, and on failure what was expected instead. */
  readonly why: string;
  /** How the run ended. */
  readonly stop: RunResult;
  /** The mode at the stop. */
  readonly mode: string;
}

/** A suite run against one implementation. */
export interface ConformanceReport {
  /** The spec id. */
  readonly abi: string;
  /** The implementation's name. */
  readonly implementation: string;
  /** One result per case, in suite order. */
  readonly results: readonly CaseResult[];
  /** Cases the suite left out. */
  readonly skipped: readonly SkippedCase[];
  /** Passing cases. */
  readonly passed: number;
  /** Failing cases. */
  readonly failed: number;
}

/** Options for running a suite. */
export interface SuiteRunOptions {
  /** Step budget per case (default {@link DEFAULT_CASE_STEPS}). */
  readonly maxSteps?: number;
}

/** One case's machine, set up and ready to run. */
interface PreparedCase {
  readonly machine: Machine;
  readonly setup: CallerSetup;
  readonly before: Record<string, bigint>;
  readonly pad: Pad | undefined;
}

function prepareCase(kase: ConformanceCase, driver: ConformanceDriver, implementation: FirmwareImplementation): PreparedCase {
  const machine = driver.createMachine();
  implementation.install(machine, driver.vectorBase);
  const setup = driver.prepareCaller(machine, kase.trap, kase.registers);
  const pad = kase.expected.kind === 'return' ? undefined : driver.placeLandingPad(machine, kase.expected.target);
  return { machine, setup, before: registersOf(machine), pad };
}

function read(machine: Machine, register: string): bigint | undefined {
  try {
    return machine.register(register);
  } catch {
    return undefined;
  }
}

/** Where the machine is, for messages: `at 0x… in hyp`, naming a vector slot when the PC sits in one. */
function whereIs(machine: Machine, port: FirmwarePort, base: number, pc: number): string {
  const offset = pc - base;
  const slot = offset >= 0 && offset < port.tableSize ? port.slots.find((s) => s.offset === offset) : undefined;
  const at = `${hexAddress(pc)} in ${machine.mode()}`;
  return slot === undefined ? at : `${at} (vector ${slot.name}: ${port.describeException(machine, slot)})`;
}

/** One line on how a run ended; `after` is the first exception the call led to (beyond its own trap), if any. */
function describeStop(prepared: PreparedCase, result: RunResult, port: FirmwarePort, driver: ConformanceDriver, after?: ExceptionEvent): string {
  const { machine, setup, pad } = prepared;
  if (result.reason === setup.resume.reason && result.pc === setup.resume.pc) return `a return to the caller at ${hexAddress(setup.resume.address)} in ${machine.mode()}`;
  if (pad !== undefined && result.reason === pad.reason && result.pc === pad.pc) return `a landing at ${hexAddress(pad.address)} in ${machine.mode()}`;
  if (result.reason === 'firmware') return `firmware stop: ${result.detail}`;
  if (result.reason === 'budget-exhausted') {
    const where = whereIs(machine, port, driver.vectorBase, result.pc);
    // Stuck outside a vector slot (a handler looping on an exception it took itself): say which exception that was.
    const slot = port.slots.some((s) => driver.vectorBase + s.offset === result.pc);
    const cause = slot || after === undefined ? '' : `, after ${after.cause} (${after.exception}, ${after.from} -> ${after.to} at ${hexAddress(after.vector)})`;
    return `no end within ${result.steps} steps, stuck at ${where}${cause}`;
  }
  // A fault taking a fault: the exception the call led to first is what went wrong (the last is only where it ended).
  const first = result.reason === 'recursive-fault' && after !== undefined ? `, first after ${after.cause} (${after.exception}, ${after.from} -> ${after.to} at ${hexAddress(after.vector)})` : '';
  return `${result.reason} at ${whereIs(machine, port, driver.vectorBase, result.pc)}: ${result.detail}${first}`;
}

function valueList(values: Readonly<Record<string, bigint>>, width: number): string {
  return Object.entries(values)
    .map(([r, v]) => `${r}=${hexRegister(v, width)}`)
    .join(', ');
}

/** Mismatches between expected register values and the machine's, as `r0=0x2000 (expected 0xbadca11)`. */
function mismatches(machine: Machine, expected: Readonly<Record<string, bigint>>, width: number): string[] {
  const out: string[] = [];
  for (const [register, value] of Object.entries(expected)) {
    const actual = read(machine, register);
    if (actual === undefined) out.push(`${register} does not exist on this machine (expected ${hexRegister(value, width)})`);
    else if (BigInt.asUintN(width, actual) !== BigInt.asUintN(width, value)) out.push(`${register}=${hexRegister(actual, width)} (expected ${hexRegister(value, width)})`);
  }
  return out;
}

function judge(kase: ConformanceCase, prepared: PreparedCase, result: RunResult, width: number, port: FirmwarePort, driver: ConformanceDriver, after?: ExceptionEvent): { pass: boolean; why: string } {
  const { machine, setup, before, pad } = prepared;
  const got = describeStop(prepared, result, port, driver, after);
  const expected = kase.expected;
  switch (expected.kind) {
    case 'return': {
      // A spec that returns its caller to another mode names it; otherwise the caller resumes in its own.
      const mode = expected.mode ?? setup.mode;
      const elsewhere = expected.mode === undefined ? '' : ` (not the caller's ${setup.mode}${expected.note === undefined ? '' : `: ${expected.note}`})`;
      const wants = `return to the caller at ${hexAddress(setup.resume.address)} in ${mode}${elsewhere}${Object.keys(expected.writes).length === 0 ? '' : ` with ${valueList(expected.writes, width)}`}`;
      if (result.reason !== setup.resume.reason || result.pc !== setup.resume.pc || machine.mode() !== mode) return { pass: false, why: `expected to ${wants}; got ${got}` };
      const wrong = mismatches(machine, expected.writes, width);
      const changed = expected.preserved.filter((r) => read(machine, r) !== before[r]).map((r) => `${r} changed ${hexRegister(before[r] ?? 0n, width)} -> ${hexRegister(read(machine, r) ?? 0n, width)}`);
      if (wrong.length > 0 || changed.length > 0) return { pass: false, why: `expected to ${wants}; returned, but ${[...wrong, ...changed].join(', ')}` };
      return { pass: true, why: `returned to the caller at ${hexAddress(setup.resume.address)} in ${mode}${elsewhere}${Object.keys(expected.writes).length === 0 ? '' : ` with ${valueList(expected.writes, width)}`}; ${expected.preserved.length} registers preserved` };
    }
    case 'jump':
    case 'call': {
      const target = hexRegister(expected.target, width);
      const args = expected.kind === 'call' ? Object.fromEntries(expected.args.map((v, i) => [driver.argumentRegisters[i] ?? `arg${i}`, v])) : expected.writes;
      const detail = Object.keys(args).length === 0 ? '' : ` with ${valueList(args, width)}`;
      const wants = expected.kind === 'call' ? `call the hypervisor function at ${target} in ${driver.hypervisorMode}${detail}` : `land at ${target} in ${driver.hypervisorMode}${detail}`;
      if (pad === undefined || result.reason !== pad.reason || result.pc !== pad.pc || machine.mode() !== driver.hypervisorMode) return { pass: false, why: `expected to ${wants}; got ${got}` };
      const wrong = mismatches(machine, args, width);
      const preserved = expected.kind === 'jump' ? expected.preserved : [];
      const changed = preserved.filter((r) => read(machine, r) !== before[r]).map((r) => `${r} changed ${hexRegister(before[r] ?? 0n, width)} -> ${hexRegister(read(machine, r) ?? 0n, width)}`);
      if (wrong.length > 0 || changed.length > 0) return { pass: false, why: `expected to ${wants}; landed, but ${[...wrong, ...changed].join(', ')}` };
      const kept = preserved.length === 0 ? '' : `; ${preserved.length} registers preserved`;
      return { pass: true, why: `landed at ${target} in ${driver.hypervisorMode}${detail}${kept}` };
    }
    default: {
      const unreachable: never = expected;
      return unreachable;
    }
  }
}

/** Run one case against one implementation, comparing registers at `width` bits ({@link valueWidth}). */
export function runCase(kase: ConformanceCase, width: number, port: FirmwarePort, driver: ConformanceDriver, implementation: FirmwareImplementation, options: SuiteRunOptions = {}): CaseResult {
  const prepared = prepareCase(kase, driver, implementation);
  // The exceptions of the run, for a stuck case: the first is the call's own trap, the second what it led to.
  const exceptions: ExceptionEvent[] = [];
  prepared.machine.trace = new TraceRecorder({
    limit: 1,
    onEvent: (event) => {
      if (event.kind === 'exception' && exceptions.length < 2) exceptions.push(event);
    },
  });
  const result = prepared.machine.run(options.maxSteps ?? DEFAULT_CASE_STEPS);
  prepared.machine.trace = undefined;
  const { pass, why } = judge(kase, prepared, result, width, port, driver, exceptions[1]);
  return { name: kase.name, call: kase.call, pass, why, stop: result, mode: prepared.machine.mode() };
}

/** Run every case of `suite` (generated from `abi`) against `implementation`. */
export function runSuite(abi: Abi, suite: ConformanceSuite, port: FirmwarePort, driver: ConformanceDriver, implementation: FirmwareImplementation, options: SuiteRunOptions = {}): ConformanceReport {
  const width = valueWidth(abi, driver);
  const results = suite.cases.map((kase) => runCase(kase, width, port, driver, implementation, options));
  const passed = results.filter((r) => r.pass).length;
  return { abi: suite.abi, implementation: implementation.name, results, skipped: suite.skipped, passed, failed: results.length - passed };
}

/** Registers that differ between two implementations on one case. */
export interface CaseDiff {
  /** The case label. */
  readonly name: string;
  /** One line per difference: `r0: 0x0 vs 0xbadca11`, or how the runs ended. */
  readonly differences: readonly string[];
}

/**
 * Run every case on two implementations side by side and diff the state the
 * ABI defines for the case's outcome: how the run ended and the mode; for a
 * return, the general and status registers and the writes (clobbers
 * excepted); for a jump, the general registers and the writes; for a call,
 * the argument registers. Returns only the cases that differ.
 */
export function diffImplementations(abi: Abi, suite: ConformanceSuite, driver: ConformanceDriver, a: FirmwareImplementation, b: FirmwareImplementation, options: SuiteRunOptions = {}): CaseDiff[] {
  const width = valueWidth(abi, driver);
  const out: CaseDiff[] = [];
  for (const kase of suite.cases) {
    const left = prepareCase(kase, driver, a);
    const right = prepareCase(kase, driver, b);
    const l = left.machine.run(options.maxSteps ?? DEFAULT_CASE_STEPS);
    const r = right.machine.run(options.maxSteps ?? DEFAULT_CASE_STEPS);
    const differences: string[] = [];
    const ending = (result: RunResult, machine: Machine): string => `${result.reason} at ${hexAddress(result.pc)} in ${machine.mode()}`;
    if (ending(l, left.machine) !== ending(r, right.machine)) differences.push(`ended: ${ending(l, left.machine)} vs ${ending(r, right.machine)}`);
    const expected = kase.expected;
    const registers =
      expected.kind === 'return'
        ? [...driver.generalRegisters, ...driver.statusRegisters, ...Object.keys(expected.writes)].filter((x) => !expected.clobbers.includes(x))
        : expected.kind === 'jump'
          ? [...driver.generalRegisters, ...Object.keys(expected.writes)]
          : driver.argumentRegisters.slice(0, expected.args.length);
    for (const register of [...new Set(registers)]) {
      const x = read(left.machine, register);
      const y = read(right.machine, register);
      if (x !== y) differences.push(`${register}: ${x === undefined ? 'missing' : hexRegister(x, width)} vs ${y === undefined ? 'missing' : hexRegister(y, width)}`);
    }
    if (differences.length > 0) out.push({ name: kase.name, differences });
  }
  return out;
}

/** The report as text: one line per case (`pass`/`FAIL`, the case, why), the skipped cases, then a summary line. */
export function formatReport(report: ConformanceReport): string {
  const lines = [`conformance of ${report.implementation} to ${report.abi}`];
  for (const result of report.results) lines.push(`${result.pass ? 'pass' : 'FAIL'} ${result.name}: ${result.why}`);
  for (const skip of report.skipped) lines.push(`skip ${skip.name}: ${skip.why}`);
  lines.push(`${report.passed} passed, ${report.failed} failed${report.skipped.length === 0 ? '' : `, ${report.skipped.length} skipped`}`);
  return lines.join('\n');
}

/** The selector values a suite would try for each call of `abi`, for docs and tests. */
export function suiteSelectorValues(abi: Abi): ReadonlyMap<string, readonly bigint[]> {
  return new Map(abi.calls.map((call) => [call.spec.name, selectorValues(call)]));
}

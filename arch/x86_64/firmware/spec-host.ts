/**
 * Spec firmware's x86 form: a host model ({@link X86Host}) that answers the
 * guest's VM exits with ABI specs, as KVM's exit handlers do. A VMCALL exit
 * (VMX basic reason 18) or VMMCALL exit (SVM 0x81) reads the guest's
 * registers, asks the installed specs in priority order (KVM tests Hyper-V
 * before its own hypercalls: `priority`), runs the first that claims the
 * trap, advances RIP past the 3-byte instruction and resumes. A #UD exit on
 * the other vendor's hypercall instruction goes to the patching model
 * (`emulator_fix_hypercall`, `hypercall-patching.ts`): the native bytes are
 * written over it and the guest resumes at the same RIP, so it re-executes
 * the patched instruction; every other #UD is reinjected.
 *
 * Where KVM queues an exception of its own (Hyper-V's #UD at CPL 3, the
 * #GP(0) the emulator gives an AMD host's CPL-3 vmcall), the host returns
 * an inject action ({@link InjectVector}) and the exception model delivers
 * it through the guest's IDT at the guest's RIP.
 *
 * @module
 */

import { bigIntOutcome, MapHypervisorState, type Abi, type CallContext, type CallMemory, type HypervisorState, type Origin, type RegisterOperand } from '../../../src/abi/spec.ts';
import { registerName } from '../../../src/abi/spec.ts';
import { findCall } from '../../../src/dispatch/compiled-selector.ts';
import { machineMemory } from '../../../src/firmware/firmware.ts';
import { hexAddress, stop } from '../../../src/interp/step-result.ts';
import type { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { fixHypercall, HYPERCALL_BYTES, type HypercallInstruction, type PatchingEra, type PatchOutcome } from '../abis/hypercall-patching.ts';
import type { X86Machine } from '../core.ts';
import { Vector, type HostAction, type InjectVector, type VmExit, type X86Host } from '../exceptions.ts';
import { GPR_NAMES, SEG_NAMES, type X86State } from '../registers.ts';

/** How the host is set up. */
export interface SpecHostOptions {
  /** The hypervisor's ABIs on the native hypercall instruction; consulted by priority, highest first (ties by id). */
  readonly abis: readonly Abi[];
  /** The patching era for the other vendor's instruction; absent: no patching (the #UD is reinjected). */
  readonly patching?: PatchingEra;
  /** Whether userspace left KVM_X86_QUIRK_FIX_HYPERCALL_INSN set (default: yes). */
  readonly quirkEnabled?: boolean;
  /** Hypervisor state kept between calls (default: a fresh map). */
  readonly state?: HypervisorState;
  /** Whether {@link SpecHost.events} keeps every exit (default: yes); a long run (the bench) turns it off, or the list grows without bound. */
  readonly recordEvents?: boolean;
}

/** One exit the host handled, for traces and tests. */
export interface HostEvent {
  /** The exit. */
  readonly exit: VmExit;
  /** What the host did, one line. */
  readonly note: string;
}

/** General-register numbers by the names a spec reads them by (`rax` … `r15`), for the context's direct path. */
const GPR_NUMBERS: ReadonlyMap<string, number> = new Map(GPR_NAMES.map((name, i) => [name, i] as const));

/** The 32-bit system values a spec reads by name (EFER, the CPL, RFLAGS, each segment's selector and access rights), straight from the state: what the register view reads for them. */
const SYSTEM_U32: ReadonlyMap<string, (s: X86State) => number> = new Map<string, (s: X86State) => number>([
  ['efer', (s) => s.efer],
  ['cpl', (s) => s.cpl],
  ['rflags', (s) => s.rflags],
  ...SEG_NAMES.flatMap((name, i) => [
    [name, (s: X86State) => s.sel[i]!],
    [`${name}_attr`, (s: X86State) => s.segAttr[i]!],
  ] as const),
]);

/** The callers' origins, by CPL (the one object per privilege, made once). */
const KERNEL: Origin = { privilege: 'kernel', world: 'guest' };
const USER: Origin = { privilege: 'user', world: 'guest' };

/**
 * The registers of a live machine as a call context: the general registers
 * straight from the state (`gpr`, and its words `gpr32` for the 32-bit
 * forms), the 32-bit system values of {@link SYSTEM_U32} too, every other
 * name through the machine's register view.
 */
class MachineCallContext implements CallContext {
  imm = 0;
  origin: Origin = KERNEL;
  private readonly s: X86State;

  constructor(
    private readonly machine: X86Machine,
    readonly state: HypervisorState,
    readonly memory: CallMemory,
  ) {
    this.s = machine.x86.state;
  }

  get(register: RegisterOperand): bigint {
    const name = registerName(register);
    const n = GPR_NUMBERS.get(name);
    return n === undefined ? this.machine.register(name) : this.s.gpr[n]!;
  }

  set(register: RegisterOperand, value: bigint): void {
    const name = registerName(register);
    const n = GPR_NUMBERS.get(name);
    if (n === undefined) this.machine.setRegister(name, value);
    else this.s.gpr[n] = BigInt.asUintN(64, value);
  }

  /** `Number(BigInt.asUintN(32, get(register)))`: a general register's low word. */
  u32(register: RegisterOperand): number {
    const name = registerName(register);
    const n = GPR_NUMBERS.get(name);
    if (n !== undefined) return this.s.gpr32[2 * n]!;
    const system = SYSTEM_U32.get(name);
    return system === undefined ? Number(BigInt.asUintN(32, this.machine.register(name))) : system(this.s);
  }

  /** `set(register, BigInt(value >>> 0))`: a general register zero-extended. */
  setU32(register: RegisterOperand, value: number): void {
    const name = registerName(register);
    const n = GPR_NUMBERS.get(name);
    if (n === undefined) this.machine.setRegister(name, BigInt(value >>> 0));
    else {
      this.s.gpr32[2 * n] = value >>> 0;
      this.s.gpr32[2 * n + 1] = 0;
    }
  }

  /** `set(to, get(from))`. */
  copy(to: RegisterOperand, from: RegisterOperand): void {
    this.set(to, this.get(from));
  }
}

/**
 * Guest memory at linear addresses, as KVM's emulator reads and writes the
 * guest's code (through the guest's page tables once it has loaded CR3;
 * an upper-half RIP is only reachable that way).
 */
function linearMemory(machine: X86Machine): GuestMemory {
  return machine.x86.translating() ? machine.x86.translatedMemory : machine.memory;
}

/** The instruction whose bytes sit at linear `address`, if it is a hypercall instruction. */
function hypercallAt(machine: X86Machine, address: number): HypercallInstruction | undefined {
  const bytes = linearMemory(machine).readBytes(address, 3);
  if (bytes === undefined) return undefined;
  for (const name of ['vmcall', 'vmmcall'] as const) {
    const want = HYPERCALL_BYTES[name];
    if (bytes[0] === want[0] && bytes[1] === want[1] && bytes[2] === want[2]) return name;
  }
  return undefined;
}

/** The meaning of a spec call that KVM answers by queueing #UD for the guest (hyperv-tlfs …-cpl3). */
const INJECT_UNDEFINED = 'inject-undefined';

/** #UD injected at the guest's RIP. */
function undefinedAt(why: string): InjectVector {
  return { kind: 'inject', type: 'exception', vector: Vector.UD, errorCode: -1, why };
}

/** CR0.PE. */
const CR0_PE = 1n;

/** The KVM-style host model. */
export class SpecHost implements X86Host {
  /** What the host did, one entry per exit, in order. */
  readonly events: HostEvent[] = [];
  private readonly abis: readonly Abi[];
  private readonly context: MachineCallContext;

  constructor(
    private readonly machine: X86Machine,
    private readonly options: SpecHostOptions,
  ) {
    this.abis = [...options.abis].sort((a, b) => b.spec.priority - a.spec.priority || (a.spec.id < b.spec.id ? -1 : a.spec.id > b.spec.id ? 1 : 0));
    this.context = new MachineCallContext(machine, options.state ?? new MapHypervisorState(), machineMemory(machine));
  }

  /** Install a new host on `machine` and return it. */
  static install(machine: X86Machine, options: SpecHostOptions): SpecHost {
    const host = new SpecHost(machine, options);
    machine.setHost(host);
    return host;
  }

  /** Handle one exit. */
  exit(exit: VmExit): HostAction {
    if (exit.vector === 6) return this.undefinedInstruction(exit);
    if (exit.vector >= 0) return 'reinject';
    return this.hypercall(exit);
  }

  private note(exit: VmExit, note: string): void {
    if (this.options.recordEvents !== false) this.events.push({ exit, note });
    this.machine.trace?.emit({ kind: 'note', address: exit.address, message: `host: ${note}` });
  }

  /** Whether a note would go anywhere: the event list, or the machine's trace. */
  private noting(): boolean {
    return this.options.recordEvents !== false || this.machine.trace !== undefined;
  }

  /** The selector reads registers through the context (made once). */
  private readonly read = (name: string): bigint => this.context.get(name);

  private hypercall(exit: VmExit): HostAction {
    const origin = this.machine.x86.state.cpl === 0 ? KERNEL : USER;
    for (const abi of this.abis) {
      const call = findCall(abi, 0, origin, this.read);
      if (typeof call === 'string') continue;
      const context = this.context;
      context.origin = origin;
      const outcome = bigIntOutcome(call.spec.run(context));
      if (outcome.kind !== 'return') return stop('firmware', `${abi.spec.id} ${call.spec.name}: a ${outcome.kind} outcome has no x86 host form`);
      if (call.spec.noReturn === true) {
        this.note(exit, `${abi.spec.id}: ${call.spec.name} (${call.spec.summary})`);
        // KVM queues #UD and resumes at the instruction (kvm_queue_exception(vcpu, UD_VECTOR)).
        if (call.spec.meaning === INJECT_UNDEFINED) return undefinedAt(`${abi.spec.id} ${call.spec.name}`);
        return stop('firmware', `${abi.spec.id}: ${call.spec.name} at ${hexAddress(exit.address)}: the host would inject it, which the host hook cannot do`);
      }
      this.machine.pc = exit.address + exit.length;
      // The note is text: made only when it goes somewhere (a long run, the bench, keeps no events and traces nothing).
      if (this.noting()) this.note(exit, `${abi.spec.id}: ${call.spec.name}, rax ← 0x${this.machine.register('rax').toString(16)}, rip += ${exit.length}`);
      return 'resume';
    }
    return stop('firmware', `no spec of the host claims the hypercall at ${hexAddress(exit.address)} (rax=0x${this.machine.register('rax').toString(16)})`);
  }

  /** The patching decision for a #UD on a hypercall instruction (`emulator_fix_hypercall`). */
  patchDecision(exit: VmExit): PatchOutcome | undefined {
    const era = this.options.patching;
    const instruction = hypercallAt(this.machine, exit.address);
    if (era === undefined || instruction === undefined) return undefined;
    const cpl = Number(this.machine.register('cpl'));
    return fixHypercall(era, {
      vendor: exit.vendor,
      instruction,
      cpl,
      protectedMode: (this.machine.register('cr0') & CR0_PE) !== 0n,
      quirkEnabled: this.options.quirkEnabled ?? true,
      writable: linearMemory(this.machine).isWritable(exit.address) && linearMemory(this.machine).isWritable(exit.address + 2),
    });
  }

  private undefinedInstruction(exit: VmExit): HostAction {
    const decision = this.patchDecision(exit);
    if (decision === undefined) return 'reinject';
    switch (decision.kind) {
      case 'patched': {
        if (!linearMemory(this.machine).writeBytes(exit.address, Uint8Array.from(decision.bytes))) return 'reinject';
        this.note(exit, `emulator_fix_hypercall: ${decision.note}`);
        return 'resume';
      }
      case 'exception':
        this.note(exit, decision.note);
        if (decision.vector === 'UD') return 'reinject';
        return { kind: 'inject', type: 'exception', vector: Vector.GP, errorCode: decision.errorCode ?? 0, why: `the emulator refuses ${hypercallAt(this.machine, exit.address) ?? 'the instruction'} at CPL ${Number(this.machine.register('cpl'))}` };
      case 'native':
        return 'reinject';
      default: {
        const unreachable: never = decision;
        return unreachable;
      }
    }
  }
}

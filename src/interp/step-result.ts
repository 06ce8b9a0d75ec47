/**
 * What one instruction's semantics can produce: it retired, it trapped, or
 * the run must stop. Traps are values: semantics never enter an exception
 * themselves, they return a {@link Trap} and the backend's exception model
 * (one place per backend) delivers it.
 *
 * @module
 */

/** The instruction completed; execution continues at the PC it left. */
export interface Retired {
  /** Discriminant. */
  readonly kind: 'retired';
}

/** The one {@link Retired} value, compared by identity in the hot loop. */
export const RETIRED: Retired = Object.freeze({ kind: 'retired' });

/** Fields every trap carries. */
interface TrapBase {
  /** Discriminant. */
  readonly kind: 'trap';
  /** Address of the instruction that trapped (for a fetch fault, the address fetched). */
  readonly address: number;
  /** Address of the following instruction. */
  readonly next: number;
}

/** An exception-generating call instruction (`svc`, `hvc`, `smc`, `sc`, `vmcall`, …). */
export interface CallTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'call';
  /** The conduit name, e.g. `hvc`. */
  readonly conduit: string;
  /** The instruction's immediate (0 when it has none). */
  readonly imm: number;
}

/** An undefined (or illegal) instruction. */
export interface UndefinedTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'undefined';
  /** Why, in a few words: `unknown encoding`, `HVC at PL0`, `unknown system register …`. */
  readonly reason: string;
}

/** A privileged instruction in an unprivileged mode, where the architecture reports it apart from undefined ones. */
export interface PrivilegedTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'privileged';
  /** The instruction, for traces. */
  readonly reason: string;
}

/** An instruction fetch from unmapped memory. */
export interface FetchFaultTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'fetch-fault';
}

/** Why a data access faulted: nothing is mapped there, the address is not aligned as the access requires, or it is not an address the architecture can form (outside its canonical range). */
export type DataFaultKind = 'unmapped' | 'alignment' | 'non-canonical';

/** A data access to unmapped memory, or one the architecture requires to be aligned that is not. */
export interface DataFaultTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'data-fault';
  /** The faulting data address. */
  readonly faultAddress: number;
  /** True for a write. */
  readonly write: boolean;
  /** Access size in bytes. */
  readonly size: number;
  /** Why it faulted; absent means `unmapped`. */
  readonly fault?: DataFaultKind;
  /**
   * The single register the access transfers, for architectures whose abort
   * syndrome describes it (the Arm ISV/SRT/SSE fields); absent when the
   * instruction's form gives no valid syndrome (multiple registers,
   * writeback, …: the backend's semantics say which).
   */
  readonly transfer?: DataTransfer;
  /**
   * The fault is an address translation or cache maintenance instruction's,
   * not a load's or store's (the Arm syndromes' CM bit); absent means a
   * load or store.
   */
  readonly maintenance?: boolean;
  /** The access was made as an unprivileged one from a privileged level (the Arm LDRT family): its permissions were the lowest level's. */
  readonly unprivileged?: boolean;
}

/** What a faulting single-register load or store moves (see {@link DataFaultTrap.transfer}). */
export interface DataTransfer {
  /** The register number loaded or stored. */
  readonly register: number;
  /** A load that sign-extends. */
  readonly signExtend: boolean;
  /** The register is 64 bits wide (AArch64 SF); false for 32-bit registers. */
  readonly wide: boolean;
  /** Load-acquire or store-release (AArch64 AR). */
  readonly acquireRelease: boolean;
}

/** A breakpoint or trap instruction (`bkpt`, `tw`, …). */
export interface BreakpointTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'breakpoint';
  /** The instruction's immediate. */
  readonly imm: number;
}

/** A trapped wait-for-interrupt, where the architecture can trap it to a hypervisor. */
export interface WaitTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'wait';
  /** `wfi` or `wfe`. */
  readonly instruction: string;
}

/**
 * An exception the architecture identifies by a vector number and may
 * report with an error code, raised where none of the kinds above says
 * what it is (a divide error, a general-protection fault on a reserved
 * bit). Architectures whose exceptions all have a kind above never raise
 * it and take it as an undefined instruction.
 */
export interface ExceptionTrap extends TrapBase {
  /** Cause discriminant. */
  readonly cause: 'exception';
  /** The architecture's vector number. */
  readonly vector: number;
  /** The error code the exception pushes, or −1 when it pushes none. */
  readonly errorCode: number;
  /** Why, in a few words (`divide by zero`, `reserved bit in CR4`). */
  readonly reason: string;
}

/** Every trap an instruction can raise. */
export type Trap = CallTrap | UndefinedTrap | PrivilegedTrap | FetchFaultTrap | DataFaultTrap | BreakpointTrap | WaitTrap | ExceptionTrap;

/** Why a run ended. */
export type StopReason =
  | 'budget-exhausted'
  | 'breakpoint'
  | 'wfi'
  | 'thumb-unsupported'
  /** Code in a 32-bit (or 16-bit) mode of a 64-bit machine that the backend decodes but does not model (the instruction and address are in the detail): the run stops rather than run something else. */
  | 'compat-unsupported'
  | 'unpredictable'
  | 'recursive-fault'
  | 'firmware'
  | 'left-image'
  | 'powered-off'
  /** A barrier that cannot complete yet (a DSB waiting for TLB shootdown acknowledgements from other vCPUs): the PC stays on it, and it is retried when the vCPU runs again. */
  | 'waiting'
  /** Spec firmware's hypervisor gave the vCPU back to its host (`KVM_RUN` returned): the virtual machine stopped. */
  | 'vm-exit';

/** The run must end. */
export interface Stop {
  /** Discriminant. */
  readonly kind: 'stop';
  /** Why. */
  readonly reason: StopReason;
  /** One line of detail. */
  readonly detail: string;
}

/**
 * An exception-return instruction (`eret`, `subs pc, lr, #4`, `rfid`, …). Like
 * a trap, it is handed to the backend's exception model, which restores the
 * saved state.
 */
export interface ExceptionReturn {
  /** Discriminant. */
  readonly kind: 'return';
  /** The instruction, for traces. */
  readonly instruction: string;
  /** Address of the instruction. */
  readonly address: number;
  /** The return address the instruction computed, or `undefined` for the architecture's own return register (ELR_hyp, SRR0, …). */
  readonly target: number | undefined;
  /** The program status the return restores, when the instruction loaded it (an arm32 RFE); absent: the current mode's saved one. */
  readonly status?: number;
}

/** What executing one instruction produced. */
export type StepResult = Retired | Trap | Stop | ExceptionReturn;

/** Build a {@link Stop}. */
export function stop(reason: StopReason, detail: string): Stop {
  return { kind: 'stop', reason, detail };
}

/** `0x` hex of an address: 8 digits below 4 GiB, 16 above. */
export function hexAddress(address: number): string {
  // A negative address is a 64-bit one with bit 63 set in the signed representation a backend may keep (arm64's TTBR1 half): its two's complement.
  if (address < 0) return `0x${BigInt.asUintN(64, BigInt(Math.trunc(address))).toString(16)}`;
  const digits = address < 0x1_0000_0000 ? 8 : 16;
  return `0x${address.toString(16).padStart(digits, '0')}`;
}

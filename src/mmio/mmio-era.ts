/**
 * How a hypervisor answers a guest's access to emulated I/O, by era: the
 * decision KVM/ARM takes on a stage-2 data abort outside the guest's memory
 * slots, as data ({@link MmioEra}) and one function that applies it
 * ({@link resolveDataAbort}). Nothing here names an architecture: the
 * syndrome comes decoded by a {@link DataAbortLayout}, and the instruction
 * decoder an era needs for accesses without a valid syndrome is handed in.
 *
 * Facts: abi-facts §12.3 (the eras), §12.6 (the fetch and the
 * stop-the-world fix); v3.9 tree `arch/arm/kvm/mmio.c` (`io_mem_abort`,
 * `decode_hsr`); v5.5's `KVM_EXIT_ARM_NISV` patch (C. Dall) and the
 * arm64 `kvm_handle_guest_abort` of the same releases (S1PTW before the
 * syndrome, cache maintenance skipped).
 *
 * @module
 */

import type { DataAbortLayout, DataAbortSyndrome } from './data-abort.ts';
import { accessBytes } from './data-abort.ts';

/** Fetch the trapping instruction through the guest's translation and decode it (pre-merge trees). */
export interface DecodeInstruction {
  /** Discriminant. */
  readonly kind: 'decode-instruction';
  /** How the instruction is read: translate the PC and read later, or with every vCPU paused around both. */
  readonly fetch: 'translate-then-read' | 'stop-the-world';
}

/** Fail `KVM_RUN` (mainline v3.9–v5.4; v5.5+ without the capability). */
export interface FailRun {
  /** Discriminant. */
  readonly kind: 'fail';
  /** What the host sees (`KVM_RUN: -ENOSYS`). */
  readonly exit: string;
  /** The kernel's message and what follows, one line. */
  readonly message: string;
}

/** Exit to userspace with the sanitised ISS and the fault IPA; userspace answers (v5.5+ with `KVM_CAP_ARM_NISV_TO_USER`). */
export interface ExitToUserspace {
  /** Discriminant. */
  readonly kind: 'exit-to-userspace';
  /** The exit reason (`KVM_EXIT_ARM_NISV`). */
  readonly exit: string;
  /** The capability userspace enabled. */
  readonly capability: string;
  /** The ISS bits passed up. */
  readonly issMask: number;
  /** What userspace does with it (QEMU: inject an external data abort). */
  readonly userspace: 'inject-external-abort';
}

/** What the era does with an abort whose syndrome is not valid (ISV = 0). */
export type NoSyndromeHandling = DecodeInstruction | FailRun | ExitToUserspace;

/** What the era does with cache maintenance (CM = 1) on an address outside memory. */
export type CacheMaintenanceHandling = 'inject-data-abort' | 'skip-instruction';

/**
 * One check the hypervisor makes before it emulates: cache maintenance
 * (CM), a fault on a stage-1 table walk (S1PTW), or whether the syndrome is
 * valid (ISV = 0 goes to {@link MmioEra.noSyndrome}). Their order is the
 * era's, and it decides what happens to an abort with several of them.
 */
export type MmioCheck = 'cache-maintenance' | 'stage1-walk' | 'syndrome-valid';

/** One era of MMIO handling. */
export interface MmioEra {
  /** The era, as the releases it covers (`v3.9–v5.4`). */
  readonly releases: string;
  /**
   * The checks, in the order the era makes them (v3.9: `io_mem_abort` tests
   * ISV, then `decode_hsr` CM and S1PTW; v5.5: the abort handler skips
   * cache maintenance first, then `io_mem_abort` tests ISV, then S1PTW).
   */
  readonly checks: readonly MmioCheck[];
  /** Cache maintenance on MMIO. */
  readonly cacheMaintenance: CacheMaintenanceHandling;
  /** Accesses with no valid syndrome. */
  readonly noSyndrome: NoSyndromeHandling;
}

/** A base-register writeback: the register and its new value. */
export interface Writeback {
  /** The base register. */
  readonly register: number;
  /** Its value after the writeback (32 bits). */
  readonly value: number;
}

/** The access to emulate, from the syndrome or from the decoded instruction. */
export interface MmioPlan {
  /** Read or write. */
  readonly direction: 'read' | 'write';
  /** Bytes. */
  readonly length: 1 | 2 | 4 | 8;
  /** The transfer register. */
  readonly rt: number;
  /** The second register of a pair (LDRD/STRD), when there is one. */
  readonly rt2?: number;
  /** Sign-extend the load. */
  readonly signExtend: boolean;
  /** The register is 64 bits wide (SF); false where the layout has none. */
  readonly sixtyFourBit: boolean;
  /** Bytes to advance the PC by (2 or 4, from IL or from the instruction). */
  readonly instructionBytes: 2 | 4;
  /** Where the access description came from. */
  readonly via: 'syndrome' | 'instruction';
  /** A base-register writeback the decoder performed. */
  readonly writeback?: Writeback;
  /** The instruction word, when it was fetched. */
  readonly instruction?: number;
}

/** Emulate the access (a device, in the kernel or in userspace, answers it), complete it, advance the PC. */
export interface EmulateAccess {
  /** Discriminant. */
  readonly kind: 'emulate';
  /** The access. */
  readonly plan: MmioPlan;
  /** Why, one line. */
  readonly note: string;
}

/** Skip the instruction without an access (cache maintenance on MMIO, later kernels). */
export interface SkipInstruction {
  /** Discriminant. */
  readonly kind: 'skip';
  /** Bytes to advance the PC by. */
  readonly instructionBytes: 2 | 4;
  /** Why, one line. */
  readonly note: string;
}

/** Inject an abort into the guest at the faulting address (a data abort, or a prefetch abort for a transfer into the PC). */
export interface InjectAbort {
  /** Discriminant. */
  readonly kind: 'inject-data-abort' | 'inject-prefetch-abort';
  /** Why, one line. */
  readonly note: string;
}

/** The userspace model injects a synchronous external data abort (QEMU after `KVM_EXIT_ARM_NISV`). */
export interface InjectExternalAbort {
  /** Discriminant. */
  readonly kind: 'inject-external-abort';
  /** The exit that went to userspace. */
  readonly exit: string;
  /** The ISS userspace saw. */
  readonly iss: number;
  /** Why, one line. */
  readonly note: string;
}

/** `KVM_RUN` fails (the VM stops), or the host itself breaks. */
export interface RunFails {
  /** Discriminant. */
  readonly kind: 'fail';
  /** What the host sees. */
  readonly exit: string;
  /** Why, one line. */
  readonly note: string;
}

/** Re-enter the guest without doing anything (the instruction runs, and faults, again). */
export interface RetryAccess {
  /** Discriminant. */
  readonly kind: 'retry';
  /** Why, one line. */
  readonly note: string;
}

/** What the hypervisor does. */
export type MmioResolution = EmulateAccess | SkipInstruction | InjectAbort | InjectExternalAbort | RunFails | RetryAccess;

/** The decoder described the access. */
export interface Decoded {
  /** Discriminant. */
  readonly kind: 'decoded';
  /** The access, with the decoder's writeback. */
  readonly plan: MmioPlan;
}

/** The decoder's scope does not cover the instruction (the era injects a data abort), or decoding it would crash the host (a `BUG_ON` the guest can reach). */
export interface NotDecoded {
  /** Discriminant. */
  readonly kind: 'refused' | 'host-bug';
  /** The instruction word. */
  readonly instruction: number;
  /** Why, one line. */
  readonly reason: string;
}

/** The instruction could not be read (translation failed, or the read did): re-enter the guest and retry. */
export interface FetchFailed {
  /** Discriminant. */
  readonly kind: 'fetch-failed';
  /** Why, one line. */
  readonly reason: string;
}

/** What an instruction decoder gives for an ISV = 0 abort. */
export type InstructionDecode = Decoded | NotDecoded | FetchFailed;

/** The ISS bits `KVM_EXIT_ARM_NISV` passes to userspace: `kvm_vcpu_dabt_iss_nisv_sanitized` keeps CM, WnR and the FSC. */
export const NISV_ISS_MASK = (1 << 8) | (1 << 6) | 0x3f;

/**
 * Apply `era` to a data abort outside memory with syndrome `syndrome`.
 * `decodeInstruction` is called only where the era fetches and decodes the
 * instruction. The era's checks run in its order ({@link MmioEra.checks});
 * then, on the syndrome path (v3.9 `decode_hsr`): SAS = 3 where it is
 * reserved fails with −EFAULT, and a transfer into the PC injects a
 * prefetch abort; otherwise the access is emulated, the PC advanced by IL.
 */
export function resolveDataAbort(era: MmioEra, syndrome: DataAbortSyndrome, layout: DataAbortLayout, decodeInstruction: () => InstructionDecode): MmioResolution {
  for (const check of era.checks) {
    switch (check) {
      case 'cache-maintenance':
        if (syndrome.cm === 1) {
          if (era.cacheMaintenance === 'skip-instruction') return { kind: 'skip', instructionBytes: syndrome.il === 1 ? 4 : 2, note: 'cache maintenance outside memory (CM = 1): "assume that the guest is just being cautious, and skip the instruction"' };
          return { kind: 'inject-data-abort', note: 'cache maintenance on MMIO (CM = 1): a data abort is injected (decode_hsr)' };
        }
        break;
      case 'stage1-walk':
        if (syndrome.s1ptw === 1) return { kind: 'inject-data-abort', note: 'stage-1 page-table walk into MMIO (S1PTW = 1): "page table accesses IO mem: tell guest to fix its TTBR", a data abort is injected' };
        break;
      case 'syndrome-valid':
        if (syndrome.isv === 0) return noSyndrome(era, syndrome, decodeInstruction);
        break;
      default: {
        const unreachable: never = check;
        return unreachable;
      }
    }
  }
  if (syndrome.isv === 0) return noSyndrome(era, syndrome, decodeInstruction);
  if (syndrome.sas === 3 && layout.sas3 === 'reserved') return { kind: 'fail', exit: 'KVM_RUN: -EFAULT', note: 'SAS = 3 is reserved on ARMv7: kvm_err("Hardware is weird: SAS 0b11 is reserved")' };
  if (layout.pcRegister !== undefined && syndrome.srt === layout.pcRegister) return { kind: 'inject-prefetch-abort', note: 'MMIO access with the PC as the transfer register: "IO memory trying to read/write pc", a prefetch abort is injected' };
  const plan: MmioPlan = {
    direction: syndrome.wnr === 1 ? 'write' : 'read',
    length: accessBytes(syndrome.sas),
    rt: syndrome.srt,
    signExtend: syndrome.sse === 1,
    sixtyFourBit: syndrome.sf === 1,
    instructionBytes: syndrome.il === 1 ? 4 : 2,
    via: 'syndrome',
  };
  return { kind: 'emulate', plan, note: 'decoded from the syndrome (ISV = 1): KVM_EXIT_MMIO, the instruction skipped first' };
}

function noSyndrome(era: MmioEra, syndrome: DataAbortSyndrome, decodeInstruction: () => InstructionDecode): MmioResolution {
  const handling = era.noSyndrome;
  switch (handling.kind) {
    case 'fail':
      return { kind: 'fail', exit: handling.exit, note: handling.message };
    case 'exit-to-userspace':
      return new NisvExit(handling, encodeIss(syndrome) & handling.issMask);
    case 'decode-instruction': {
      const decoded = decodeInstruction();
      const fetch = handling.fetch === 'stop-the-world' ? STOP_THE_WORLD_FETCH : TRANSLATE_THEN_READ_FETCH;
      switch (decoded.kind) {
        case 'decoded':
          return new DecodedAccess(decoded.plan, fetch);
        case 'refused':
          return new UndecodedAbort(decoded, fetch);
        case 'fetch-failed':
          return new FetchRetry(decoded.reason);
        case 'host-bug':
          return new DecoderBug(decoded);
        default: {
          const unreachable: never = decoded;
          return unreachable;
        }
      }
    }
    default: {
      const unreachable: never = handling;
      return unreachable;
    }
  }
}

const STOP_THE_WORLD_FETCH = 'every vCPU paused (pause flag + IPI), the VA translated with AT and PAR, the instruction read, the vCPUs resumed';
const TRANSLATE_THEN_READ_FETCH = 'the PC translated with AT and PAR, the instruction read from guest memory afterwards';

/** An instruction word as the kernel prints it: `0x` and 8 hex digits. */
function hexWord(word: number): string {
  return `0x${word.toString(16).padStart(8, '0')}`;
}

// The resolutions of the ISV = 0 paths whose notes hold values: the note is built when read, because the semantics that
// resolve an abort on every classified trap (the dispatcher's) mostly never read it. The inputs are private fields, so
// the objects show the same properties as the plain ones of the other paths.

class NisvExit implements InjectExternalAbort {
  readonly kind = 'inject-external-abort';
  readonly exit: string;
  readonly #capability: string;

  constructor(
    handling: ExitToUserspace,
    readonly iss: number,
  ) {
    this.exit = handling.exit;
    this.#capability = handling.capability;
  }

  get note(): string {
    return `${this.exit} with esr_iss 0x${this.iss.toString(16)} and the fault IPA (${this.#capability} enabled); the PC is not advanced; userspace (QEMU) sets ext_dabt_pending: the guest takes a synchronous external abort`;
  }
}

class DecodedAccess implements EmulateAccess {
  readonly kind = 'emulate';
  readonly #fetch: string;

  constructor(
    readonly plan: MmioPlan,
    fetch: string,
  ) {
    this.#fetch = fetch;
  }

  get note(): string {
    return `no valid syndrome (ISV = 0): ${this.#fetch}; decoded ${hexWord(this.plan.instruction ?? 0)}, KVM_EXIT_MMIO`;
  }
}

class UndecodedAbort implements InjectAbort {
  readonly kind = 'inject-data-abort';
  readonly #decoded: NotDecoded;
  readonly #fetch: string;

  constructor(decoded: NotDecoded, fetch: string) {
    this.#decoded = decoded;
    this.#fetch = fetch;
  }

  get note(): string {
    return `no valid syndrome (ISV = 0): ${this.#fetch}; "Unable to decode inst" ${hexWord(this.#decoded.instruction)} (${this.#decoded.reason}): a data abort is injected`;
  }
}

class FetchRetry implements RetryAccess {
  readonly kind = 'retry';
  readonly #reason: string;

  constructor(reason: string) {
    this.#reason = reason;
  }

  get note(): string {
    return `no valid syndrome (ISV = 0): the instruction could not be read (${this.#reason}): re-enter the guest to retry ("SMP race?")`;
  }
}

class DecoderBug implements RunFails {
  readonly kind = 'fail';
  readonly exit = 'host oops';
  readonly #decoded: NotDecoded;

  constructor(decoded: NotDecoded) {
    this.#decoded = decoded;
  }

  get note(): string {
    return `no valid syndrome (ISV = 0): decoding ${hexWord(this.#decoded.instruction)} hits ${this.#decoded.reason}`;
  }
}

/** The ISS bits of a decoded syndrome back as a number (bits 24:0). */
function encodeIss(s: DataAbortSyndrome): number {
  return ((s.isv << 24) | (s.sas << 22) | (s.sse << 21) | (s.srt << 16) | (s.sf << 15) | (s.ar << 14) | (s.ea << 9) | (s.cm << 8) | (s.s1ptw << 7) | (s.wnr << 6) | s.dfsc) >>> 0;
}

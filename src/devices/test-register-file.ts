/**
 * A scriptable test device: a register file whose registers a test or a
 * scenario names and sets up (a reset value, read-only, a script of values
 * successive reads return), with a log of every access. Offsets no
 * register covers read as {@link TestRegisterFileOptions.unmapped} and are
 * reported as unimplemented, never silently.
 *
 * @module
 */

import type { MmioDevice, MmioDirection, MmioRegisterName, MmioSize } from './mmio-bus.ts';

/** One register. */
export interface TestRegister {
  /** Its name (`DATA`). */
  readonly name: string;
  /** Byte offset in the window. */
  readonly offset: number;
  /** Value at reset (default 0). */
  readonly value?: bigint;
  /** Writes are ignored (logged all the same). */
  readonly readOnly?: boolean;
  /** Values successive reads return before the register's own value (a status that turns ready, a FIFO). */
  readonly reads?: readonly bigint[];
}

/** Options of a {@link TestRegisterFile}. */
export interface TestRegisterFileOptions {
  /** Bytes the window spans (default 0x1000). */
  readonly size?: number;
  /** The registers. */
  readonly registers: readonly TestRegister[];
  /** What an offset no register covers reads as (default 0). */
  readonly unmapped?: bigint;
}

/** One logged access. */
export interface TestRegisterAccess {
  /** Read or write. */
  readonly direction: MmioDirection;
  /** Offset in the window. */
  readonly offset: number;
  /** Width. */
  readonly size: MmioSize;
  /** The value read or written. */
  readonly value: bigint;
}

/** The device. */
export class TestRegisterFile implements MmioDevice {
  /** Always `'test-registers'`. */
  readonly kind = 'test-registers';
  /** Bytes the window spans. */
  readonly size: number;
  /** Every access, in order. */
  readonly log: TestRegisterAccess[] = [];
  private readonly registers: ReadonlyMap<number, TestRegister>;
  private readonly values = new Map<number, bigint>();
  private readonly scripts = new Map<number, bigint[]>();
  private readonly unmapped: bigint;

  /** @param options the registers and the window. */
  constructor(options: TestRegisterFileOptions) {
    this.size = options.size ?? 0x1000;
    this.unmapped = options.unmapped ?? 0n;
    const registers = new Map<number, TestRegister>();
    for (const register of options.registers) {
      if (register.offset < 0 || register.offset >= this.size) throw new RangeError(`test register ${register.name} at +0x${register.offset.toString(16)} is outside the 0x${this.size.toString(16)}-byte window`);
      if (registers.has(register.offset)) throw new RangeError(`test registers ${registers.get(register.offset)!.name} and ${register.name} share offset +0x${register.offset.toString(16)}`);
      registers.set(register.offset, register);
      this.values.set(register.offset, register.value ?? 0n);
      this.scripts.set(register.offset, [...(register.reads ?? [])]);
    }
    this.registers = registers;
  }

  /** A register's current value by name. */
  value(name: string): bigint {
    for (const [offset, register] of this.registers) if (register.name === name) return this.values.get(offset)!;
    throw new RangeError(`no test register ${name}`);
  }

  /** Answer a read: the next scripted value, else the register's value, else the unmapped value. */
  read(offset: number, size: MmioSize): bigint {
    const scripted = this.scripts.get(offset)?.shift();
    const value = scripted ?? this.values.get(offset) ?? this.unmapped;
    this.log.push({ direction: 'read', offset, size, value });
    return value;
  }

  /** Take a write (kept unless the register is read-only or there is none). */
  write(offset: number, size: MmioSize, value: bigint): void {
    this.log.push({ direction: 'write', offset, size, value });
    const register = this.registers.get(offset);
    if (register !== undefined && register.readOnly !== true) this.values.set(offset, value);
  }

  /** The register's name, or the offset as unimplemented. */
  describe(offset: number): MmioRegisterName {
    const register = this.registers.get(offset);
    return register === undefined ? { register: `+0x${offset.toString(16)}`, unimplemented: true } : { register: register.name, unimplemented: false };
  }
}

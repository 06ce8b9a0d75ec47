/**
 * Generated code over a backend's architectural state.
 *
 * A backend numbers every value of its state that generated code may touch
 * (registers, flags, mode, system registers) as a *slot*, and says where each
 * lives (`s.r[3]`, `s.n`, `s.cp15[12]`). Code templates (an exception entry,
 * an instruction's effect) are written once against {@link StateCode}: they
 * read and write slots and bind temporaries, and never name the storage. The
 * same template then becomes
 * - straight code over the state object ({@link DirectCode}), built once per
 *   process into the interpreter's fast paths, and
 * - code over JS locals ({@link LocalCode}) inside a translated block, where
 *   every slot the block touches is loaded once at entry and written back at
 *   each exit.
 *
 * So the interpreter and the JIT run one definition of what the template
 * does.
 *
 * @module
 */

/** What a code template may do: read and write state slots, bind temporaries, add statements. */
export interface StateCode {
  /** An expression with the current value of `slot`. */
  get(slot: number): string;
  /** Append a statement setting `slot` to `expression`. */
  set(slot: number, expression: string): void;
  /** Bind `expression` to a new constant and return its name. */
  temp(expression: string): string;
  /** Append a statement. */
  emit(statement: string): void;
}

/** Where a slot lives in the state: an assignable expression such as `s.r[3]`. */
export type SlotPlace = (slot: number) => string;

/** Temporaries and statements, shared by both kinds of {@link StateCode}. */
abstract class CodeBase implements StateCode {
  /** The statements so far. */
  protected readonly lines: string[] = [];
  private temps = 0;

  /** An expression with the current value of `slot`. */
  abstract get(slot: number): string;
  /** Append a statement setting `slot` to `expression`. */
  abstract set(slot: number, expression: string): void;

  /** Bind `expression` to a new constant and return its name. */
  temp(expression: string): string {
    const name = `t${this.temps++}`;
    this.lines.push(`const ${name} = ${expression};`);
    return name;
  }

  /** Append a statement. */
  emit(statement: string): void {
    this.lines.push(statement);
  }
}

/** A {@link StateCode} that reads and writes the state in place (for functions built once, outside any block). */
export class DirectCode extends CodeBase {
  /** @param place where each slot lives. */
  constructor(private readonly place: SlotPlace) {
    super();
  }

  /** The slot's place itself. */
  get(slot: number): string {
    return this.place(slot);
  }

  /** Assign the slot's place. */
  set(slot: number, expression: string): void {
    this.lines.push(`${this.place(slot)} = ${expression};`);
  }

  /** The statements so far. */
  body(): string {
    return this.lines.join('\n');
  }
}

/** Marker replaced by the write-back of every slot the block assigns. */
const WRITE_BACK = '/*write-back*/';
/** Marker replaced by a reload of every slot the block reads or assigns. */
const RELOAD = '/*reload*/';

/**
 * A {@link StateCode} that keeps slots in JS locals (`l3`, `l50`, …): the
 * prologue loads every slot the code touches, {@link LocalCode.writeBack}
 * stores every slot it assigns (placed at exits), and
 * {@link LocalCode.reload} reloads them (after a call that may change the
 * state behind the block's back).
 */
export class LocalCode extends CodeBase {
  private readonly used = new Set<number>();
  private readonly assigned = new Set<number>();

  /** @param place where each slot lives. */
  constructor(private readonly place: SlotPlace) {
    super();
  }

  /** The slot's local, `l<slot>`. */
  get(slot: number): string {
    this.used.add(slot);
    return `l${slot}`;
  }

  /** Assign the slot's local. */
  set(slot: number, expression: string): void {
    this.lines.push(this.assign(slot, expression));
  }

  /** The statement that sets `slot` (for code that places statements itself). */
  assign(slot: number, expression: string): string {
    this.used.add(slot);
    this.assigned.add(slot);
    return `l${slot} = ${expression};`;
  }

  /** A placeholder for storing every assigned local back to the state. */
  writeBack(): string {
    return WRITE_BACK;
  }

  /** A placeholder for loading every local again from the state. */
  reload(): string {
    return RELOAD;
  }

  /** Whether `slot` is read or assigned anywhere. */
  touches(slot: number): boolean {
    return this.used.has(slot);
  }

  /** The declarations of the locals (with their loads), for the top of the function. */
  prologue(): string {
    const slots = [...this.used].sort((a, b) => a - b);
    return slots.length === 0 ? '' : `let ${slots.map((slot) => `l${slot} = ${this.place(slot)}`).join(', ')};`;
  }

  /** The statements so far with the placeholders filled in. */
  body(): string {
    const back = [...this.assigned]
      .sort((a, b) => a - b)
      .map((slot) => `${this.place(slot)} = l${slot};`)
      .join(' ');
    const reload = [...this.used]
      .sort((a, b) => a - b)
      .map((slot) => `l${slot} = ${this.place(slot)};`)
      .join(' ');
    return this.lines.join('\n').replaceAll(WRITE_BACK, back).replaceAll(RELOAD, reload);
  }
}

/**
 * Build a function from a template run over {@link DirectCode}: the
 * interpreter's copy of a template (an exception entry for one pair of
 * modes, a bank switch), made once and then called like any function.
 *
 * @param parameters the function's parameter names (the state object first, named as `place` expects).
 * @param place where each slot lives.
 * @param template writes the body; what it leaves in `return` statements is the function's result.
 */
export function buildDirect<F>(parameters: readonly string[], place: SlotPlace, template: (code: DirectCode) => void): F {
  const code = new DirectCode(place);
  template(code);
  return new Function(...parameters, code.body()) as F;
}

/**
 * Copies of a hot function with code of their own, one per machine.
 *
 * V8 keeps type feedback and optimised code per function literal, shared by
 * every closure made from it. A run loop shared by several machines in one
 * process (the bench runs an ALU loop, a trap loop, spec firmware and traced
 * runs side by side) sees all their ops and results: its calls go
 * polymorphic, inlining stops short, and each machine runs slower than it
 * would alone (measured on the arm32 interpreter's loop: the ALU loop at
 * 0.8× of its speed alone). A copy compiled from the function's own source,
 * with a label that makes the source unique, gets a fresh feedback vector:
 * each machine's loop sees only its own ops (the JIT does the same for its
 * blocks, see `src/jit/jit.ts`).
 *
 * The function must be closed: it may use its parameters and globals only,
 * never a binding of its module (a bundler renames those), so that its source
 * means the same thing anywhere. What it needs it takes as a parameter.
 *
 * @module
 */

let copies = 0;

/**
 * A fresh copy of the closed function `fn` (see the module comment), its
 * source labelled with `label` and a serial number.
 *
 * @typeParam F the function's type, which the copy keeps.
 */
export function instanceCopy<F extends (...args: never[]) => unknown>(fn: F, label: string): F {
  const source = fn.toString();
  // A method (`name(a, b) { … }`) prints without the keyword.
  const text = /^(async\s+)?function\b/.test(source) ? source : `function ${source}`;
  return new Function(`// ${label.replace(/[\r\n]/g, ' ')} (copy ${++copies})\nreturn ${text};`)() as F;
}

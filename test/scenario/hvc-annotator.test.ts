/**
 * The compact call outcome in scenario traces and `scenario --json`: a call
 * marked noReturn never reads "returns", even where its model hands back.
 */

import { describe, expect, it } from 'vitest';
import { describeCallOutcome } from '../../src/scenario/hvc-annotator.ts';

describe('describeCallOutcome', () => {
  it('says returns for an ordinary call and does not return for a noReturn one', () => {
    expect(describeCallOutcome({ kind: 'return' }, { r0: 0n })).toBe('r0 ← 0x0; returns');
    expect(describeCallOutcome({ kind: 'return' }, { r0: 0xfffffffan }, false)).toBe('r0 ← 0xfffffffa; does not return');
    expect(describeCallOutcome({ kind: 'jump', target: 0x8000n, note: 'x' }, {})).toBe('jumps to 0x8000');
    expect(describeCallOutcome(undefined, undefined)).toBe('no outcome');
  });
});

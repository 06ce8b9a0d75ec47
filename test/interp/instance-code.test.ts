/**
 * instanceCopy: a copy is a new function, compiled from the same source,
 * that computes the same thing, for plain functions and methods alike.
 */

import { describe, expect, it } from 'vitest';
import { instanceCopy } from '../../src/interp/instance-code.ts';

function sumTo(kit: { readonly step: number }, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i += kit.step) total += i;
  return total;
}

describe('instanceCopy', () => {
  it('makes a distinct function with the same results', () => {
    const copy = instanceCopy(sumTo, 'test');
    expect(copy).not.toBe(sumTo);
    expect(copy).not.toBe(instanceCopy(sumTo, 'test'));
    for (const n of [0, 1, 10, 1000]) expect(copy({ step: 3 }, n)).toBe(sumTo({ step: 3 }, n));
  });

  it('copies a method written in shorthand', () => {
    const holder = {
      twice(x: number): number {
        return 2 * x;
      },
    };
    expect(instanceCopy(holder.twice, 'method')(21)).toBe(42);
  });

  it('labels the source, whatever the label holds', () => {
    expect(instanceCopy(sumTo, 'a\nlabel')({ step: 1 }, 4)).toBe(6);
  });
});

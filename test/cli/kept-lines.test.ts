/**
 * `hyplay boot`'s bounded event list (`KeptLines`): the first half of the
 * limit as the lines came, the latest half in a ring, and one line saying
 * how many between them were dropped.
 */

import { describe, expect, it } from 'vitest';
import { KeptLines } from '../../src/cli/boot-command.ts';

function keep(limit: number, count: number): KeptLines {
  const kept = new KeptLines(limit);
  for (let i = 0; i < count; i++) kept.push(`e${i}`);
  return kept;
}

describe('KeptLines', () => {
  it('keeps everything up to the limit, in order', () => {
    expect(keep(4, 3).lines()).toEqual(['e0', 'e1', 'e2']);
    expect(keep(4, 4).lines()).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(keep(4, 4).seen).toBe(4);
  });

  it('past the limit keeps the first half and the latest half, and says how many were dropped', () => {
    const kept = keep(4, 11);
    expect(kept.seen).toBe(11);
    expect(kept.lines()).toEqual(['e0', 'e1', '... 7 event lines not kept (--max-events 4) ...', 'e9', 'e10']);
    expect(keep(5, 6).lines()).toEqual(['e0', 'e1', 'e2', '... 1 event line not kept (--max-events 5) ...', 'e4', 'e5']);
  });

  it('wraps the ring any number of times without losing the order of the latest lines', () => {
    for (let count = 6; count < 40; count++) {
      const lines = keep(6, count).lines();
      expect(lines.slice(0, 3)).toEqual(['e0', 'e1', 'e2']);
      expect(lines.slice(-3)).toEqual([`e${count - 3}`, `e${count - 2}`, `e${count - 1}`]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { SymbolTable } from '../../src/loader/symbols.ts';

describe('SymbolTable', () => {
  const table = new SymbolTable(
    [
      { name: 'stext', value: 0xc0008000n, size: 0n, type: 0 },
      { name: 'sized', value: 0xc0008100n, size: 0x10n, type: 2 },
      { name: 'after', value: 0xc0008200n, size: 0n, type: 0 },
    ],
    [{ virtual: 0xc0008000n, physical: 0x40008000n, memorySize: 0x1000 }],
  );

  it('names an address by the symbol covering it, a label reaching the next symbol', () => {
    expect(table.nameOf(0xc0008000)).toBe('stext');
    expect(table.nameOf(0xc00080fc)).toBe('stext+0xfc');
    expect(table.nameOf(0xc000810f)).toBe('sized+0xf');
    expect(table.nameOf(0xc0008110)).toBeUndefined();
    expect(table.nameOf(0xc0008200)).toBe('after');
    // The last label runs to the end of its segment (0xc0009000), and no further.
    expect(table.nameOf(0xc0008fff)).toBe('after+0xdff');
    expect(table.nameOf(0xc0009000)).toBeUndefined();
    expect(table.nameOf(0xbfffffff)).toBeUndefined();
  });

  it('knows each symbol at its physical alias too, and finds a symbol by name at its link address', () => {
    expect(table.nameOf(0x40008104)).toBe('sized+0x4');
    expect(table.address('sized')).toBe(0xc0008100n);
    expect(table.address('nothing')).toBeUndefined();
    expect(SymbolTable.EMPTY.nameOf(0)).toBeUndefined();
  });
});

/**
 * Sparse guest memory: byte order, page-crossing accesses, faults as values
 * with nothing partially written, regions, snapshot/restore and the
 * code-write notifications the predecode cache relies on.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestMemory, PAGE_CODE, PAGE_MAPPED, PAGE_SIZE, WINDOW_SPAN } from '../../src/memory/guest-memory.ts';

const hex = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '));

describe('byte order', () => {
  it('little-endian 16/32/64-bit writes put the least significant byte first', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, 0x100);
    expect(m.write16(0x1000, 0x1122)).toBe(true);
    expect(m.write32(0x1004, 0x1122_3344)).toBe(true);
    expect(m.write64(0x1008, 0x0102_0304_0506_0708n)).toBe(true);
    expect(m.write8(0x1010, 0x1ff)).toBe(true);
    expect(hex(m.readBytes(0x1000, 2))).toBe('22 11');
    expect(hex(m.readBytes(0x1004, 4))).toBe('44 33 22 11');
    expect(hex(m.readBytes(0x1008, 8))).toBe('08 07 06 05 04 03 02 01');
    expect(m.read8(0x1010)).toBe(0xff);
    expect(m.read16(0x1004)).toBe(0x3344);
    expect(m.read16(0x1006)).toBe(0x1122);
    expect(m.read32(0x1008)).toBe(0x0506_0708);
    expect(m.read32(0x100c)).toBe(0x0102_0304);
    expect(m.read64(0x1008)).toBe(0x0102_0304_0506_0708n);
    expect(m.read64(0x1004)).toBe(0x0506_0708_1122_3344n);
  });

  it('big-endian 16/32/64-bit writes put the most significant byte first', () => {
    const m = new GuestMemory('big');
    m.map(0x1000, 0x100);
    m.write16(0x1000, 0x1122);
    m.write32(0x1004, 0x1122_3344);
    m.write64(0x1008, 0x0102_0304_0506_0708n);
    expect(hex(m.readBytes(0x1000, 2))).toBe('11 22');
    expect(hex(m.readBytes(0x1004, 4))).toBe('11 22 33 44');
    expect(hex(m.readBytes(0x1008, 8))).toBe('01 02 03 04 05 06 07 08');
    expect(m.read16(0x1004)).toBe(0x1122);
    expect(m.read16(0x1006)).toBe(0x3344);
    expect(m.read32(0x1008)).toBe(0x0102_0304);
    expect(m.read64(0x1008)).toBe(0x0102_0304_0506_0708n);
    expect(m.read64(0x1004)).toBe(0x1122_3344_0102_0304n);
  });

  it('32-bit reads are unsigned and writes take signed or unsigned values', () => {
    for (const endian of ['little', 'big'] as const) {
      const m = new GuestMemory(endian);
      m.map(0, 16);
      m.write32(0, -1);
      expect(m.read32(0)).toBe(0xffff_ffff);
      m.write32(4, 0x8000_0000);
      expect(m.read32(4)).toBe(0x8000_0000);
      m.write16(8, -2);
      expect(m.read16(8)).toBe(0xfffe);
      m.write64(8, 0xffff_ffff_ffff_ffffn);
      expect(m.read64(8)).toBe(0xffff_ffff_ffff_ffffn);
    }
  });
});

describe('accesses that cross a page boundary', () => {
  for (const endian of ['little', 'big'] as const) {
    it(`${endian}-endian 16/32/64-bit accesses across two mapped pages`, () => {
      const m = new GuestMemory(endian);
      m.map(0x1000, 2 * PAGE_SIZE);
      const edge = 0x2000;
      expect(m.write16(edge - 1, 0xa1b2)).toBe(true);
      expect(m.read16(edge - 1)).toBe(0xa1b2);
      expect(hex(m.readBytes(edge - 1, 2))).toBe(endian === 'little' ? 'b2 a1' : 'a1 b2');
      for (const offset of [1, 2, 3]) {
        expect(m.write32(edge - offset, 0xdead_beef)).toBe(true);
        expect(m.read32(edge - offset)).toBe(0xdead_beef);
        expect(hex(m.readBytes(edge - offset, 4))).toBe(endian === 'little' ? 'ef be ad de' : 'de ad be ef');
      }
      for (const offset of [1, 4, 7]) {
        expect(m.write64(edge - offset, 0x0011_2233_4455_6677n)).toBe(true);
        expect(m.read64(edge - offset)).toBe(0x0011_2233_4455_6677n);
      }
      // The last write64 started at edge - 7: its first word holds the low half (little) or the high half (big).
      expect(m.read32(edge - 7)).toBe(endian === 'little' ? 0x4455_6677 : 0x0011_2233);
      expect(m.read32(edge - 3)).toBe(endian === 'little' ? 0x0011_2233 : 0x4455_6677);
    });
  }

  it('a page-crossing little-endian word read matches the bytes', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, 2 * PAGE_SIZE);
    m.writeBytes(0x1ffe, new Uint8Array([0x01, 0x02, 0x03, 0x04]));
    expect(m.read32(0x1ffe)).toBe(0x0403_0201);
    expect(m.read16(0x1fff)).toBe(0x0302);
    const big = new GuestMemory('big');
    big.map(0x1000, 2 * PAGE_SIZE);
    big.writeBytes(0x1ffe, new Uint8Array([0x01, 0x02, 0x03, 0x04]));
    expect(big.read32(0x1ffe)).toBe(0x0102_0304);
    expect(big.read16(0x1fff)).toBe(0x0203);
  });
});

describe('faults are values', () => {
  for (const endian of ['little', 'big'] as const) {
    it(`${endian}: unmapped reads are undefined, unmapped writes are false, and nothing is partially written`, () => {
      const m = new GuestMemory(endian);
      m.map(0x1000, PAGE_SIZE);
      const filler = new Uint8Array(PAGE_SIZE).fill(0x5a);
      m.writeBytes(0x1000, filler);
      expect(m.read8(0x2000)).toBeUndefined();
      expect(m.read8(0xfff)).toBeUndefined();
      expect(m.read16(0x1fff)).toBeUndefined();
      expect(m.read32(0x1ffd)).toBeUndefined();
      expect(m.read32(0xffe)).toBeUndefined();
      expect(m.read64(0x1ffc)).toBeUndefined();
      expect(m.read64(0x1ff9)).toBeUndefined();
      expect(m.readBytes(0x1ff0, 0x20)).toBeUndefined();
      expect(m.write8(0x2000, 1)).toBe(false);
      expect(m.write16(0x1fff, 0xffff)).toBe(false);
      expect(m.write32(0x1ffd, 0xffff_ffff)).toBe(false);
      expect(m.write32(0xffe, 0xffff_ffff)).toBe(false);
      expect(m.write64(0x1ffc, -1n)).toBe(false);
      expect(m.write64(0x1ff9, -1n)).toBe(false);
      expect(m.writeBytes(0x1ff0, new Uint8Array(0x20).fill(0xff))).toBe(false);
      expect(m.writeBytes(0xff0, new Uint8Array(0x20).fill(0xff))).toBe(false);
      // Every byte of the mapped page is still the filler.
      expect(m.readBytes(0x1000, PAGE_SIZE)).toEqual(filler);
      expect(m.isMapped(0x2000)).toBe(false);
      expect(m.isMapped(0xfff)).toBe(false);
    });
  }

  it('a hole between two mapped pages faults an access that spans it', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, PAGE_SIZE);
    m.map(0x3000, PAGE_SIZE);
    expect(m.write64(0x1ff8, 1n)).toBe(true);
    expect(m.write32(0x3000, 0x7777_7777)).toBe(true);
    // From the first page, over the hole, into the third: nothing lands on either side.
    expect(m.writeBytes(0x1ff8, new Uint8Array(0x1010).fill(0xff))).toBe(false);
    expect(m.read64(0x1ff8)).toBe(1n);
    expect(m.read32(0x3000)).toBe(0x7777_7777);
    // From the hole into the third page.
    expect(m.write64(0x2ffc, -1n)).toBe(false);
    expect(m.write32(0x2ffe, 0)).toBe(false);
    expect(m.read32(0x3000)).toBe(0x7777_7777);
    expect(m.read64(0x2ffc)).toBeUndefined();
  });
});

describe('mapping', () => {
  it('map aligns outward to pages, zero-fills, and keeps bytes of pages already mapped', () => {
    const m = new GuestMemory('little');
    m.map(0x1ff0, 0x20);
    expect(m.isMapped(0x1000)).toBe(true);
    expect(m.isMapped(0x2fff)).toBe(true);
    expect(m.isMapped(0x3000)).toBe(false);
    expect(m.read32(0x1000)).toBe(0);
    m.write32(0x1ff0, 0x1234);
    m.map(0x1000, PAGE_SIZE);
    expect(m.read32(0x1ff0)).toBe(0x1234);
    m.map(0x5000, 0);
    expect(m.isMapped(0x5000)).toBe(false);
  });

  it('regions() merges adjacent pages and sorts', () => {
    const m = new GuestMemory('little');
    m.map(0x5000, 1);
    m.map(0x1000, 2 * PAGE_SIZE);
    m.map(0x3000, PAGE_SIZE);
    m.map(0x10000, PAGE_SIZE);
    expect(m.regions()).toEqual([
      { base: 0x1000, size: 0x3000 },
      { base: 0x5000, size: 0x1000 },
      { base: 0x10000, size: 0x1000 },
    ]);
    m.unmap(0x2000, 1);
    expect(m.regions()).toEqual([
      { base: 0x1000, size: 0x1000 },
      { base: 0x3000, size: 0x1000 },
      { base: 0x5000, size: 0x1000 },
      { base: 0x10000, size: 0x1000 },
    ]);
    expect(m.read8(0x2000)).toBeUndefined();
    expect(new GuestMemory('little').regions()).toEqual([]);
  });

  it('addresses above 4 GiB are their own pages', () => {
    const m = new GuestMemory('little');
    m.map(0x1_0000_0000, PAGE_SIZE);
    expect(m.isMapped(0)).toBe(false);
    expect(m.write32(0x1_0000_0ffc, 0xcafe_f00d)).toBe(true);
    expect(m.read32(0x1_0000_0ffc)).toBe(0xcafe_f00d);
    expect(m.read32(0x0ffc)).toBeUndefined();
    expect(m.regions()).toEqual([{ base: 0x1_0000_0000, size: PAGE_SIZE }]);
  });

  it('load maps and copies', () => {
    const m = new GuestMemory('little');
    m.load(0x8ffe, new Uint8Array([1, 2, 3, 4]));
    expect(m.read32(0x8ffe)).toBe(0x0403_0201);
    expect(m.regions()).toEqual([{ base: 0x8000, size: 0x2000 }]);
  });
});

describe('snapshot and restore', () => {
  it('restore puts back every byte and the mapping, and the snapshot is not aliased', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, PAGE_SIZE);
    m.write32(0x1000, 0x1111_1111);
    const snap = m.snapshot();
    m.write32(0x1000, 0x2222_2222);
    m.map(0x8000, PAGE_SIZE);
    m.write32(0x8000, 3);
    expect(snap.pages.get(1)![0]).toBe(0x11);
    m.restore(snap);
    expect(m.read32(0x1000)).toBe(0x1111_1111);
    expect(m.isMapped(0x8000)).toBe(false);
    expect(m.regions()).toEqual([{ base: 0x1000, size: PAGE_SIZE }]);
    // Writing after the restore does not change the snapshot; it restores again.
    m.write32(0x1000, 0x4444_4444);
    m.restore(snap);
    expect(m.read32(0x1000)).toBe(0x1111_1111);
  });

  it('restore brings back unmapped pages', () => {
    const m = new GuestMemory('big');
    m.map(0x1000, PAGE_SIZE);
    m.write16(0x1002, 0xabcd);
    const snap = m.snapshot();
    m.unmap(0x1000, PAGE_SIZE);
    expect(m.read16(0x1002)).toBeUndefined();
    m.restore(snap);
    expect(m.read16(0x1002)).toBe(0xabcd);
  });
});

describe('code-write notifications', () => {
  it('only writes to pages an instruction was fetched from notify, with the written range', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, 2 * PAGE_SIZE);
    const seen: [number, number][] = [];
    m.onCodeWrite((address, length) => seen.push([address, length]));
    m.write32(0x1000, 1);
    expect(seen).toEqual([]);
    expect(m.fetch32(0x1000)).toBe(1);
    m.write32(0x1004, 2);
    m.write8(0x1008, 3);
    m.write16(0x100a, 4);
    m.write64(0x1010, 5n);
    m.writeBytes(0x1020, new Uint8Array(3));
    m.write32(0x2000, 6); // the other page: no code there
    expect(seen.slice(0, 3)).toEqual([
      [0x1004, 4],
      [0x1008, 1],
      [0x100a, 2],
    ]);
    // write64 may report as one or two writes, but it covers its 8 bytes.
    const covered = new Set<number>();
    for (const [a, n] of seen) for (let i = 0; i < n; i++) covered.add(a + i);
    for (let i = 0; i < 8; i++) expect(covered.has(0x1010 + i)).toBe(true);
    for (let i = 0; i < 3; i++) expect(covered.has(0x1020 + i)).toBe(true);
    expect([...covered].some((a) => a >= 0x2000)).toBe(false);
  });

  it('a page-crossing write into a code page notifies', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, 2 * PAGE_SIZE);
    m.fetch32(0x2000);
    const seen: [number, number][] = [];
    m.onCodeWrite((address, length) => seen.push([address, length]));
    m.write32(0x1ffe, 0xffff_ffff);
    const covered = new Set<number>();
    for (const [a, n] of seen) for (let i = 0; i < n; i++) covered.add(a + i);
    expect(covered.has(0x2000)).toBe(true);
    expect(covered.has(0x2001)).toBe(true);
  });

  it('unmapping a code page notifies; restoring notifies the code pages it changes, and only those', () => {
    for (const base of [0x1000, 0x1_0000_1000]) {
      const m = new GuestMemory('little');
      m.map(base, 3 * PAGE_SIZE);
      m.fetch32(base);
      m.fetch32(base + PAGE_SIZE);
      const snap = m.snapshot();
      const seen: [number, number][] = [];
      m.onCodeWrite((address, length) => seen.push([address, length]));
      m.unmap(base, PAGE_SIZE);
      expect(seen).toEqual([[base, PAGE_SIZE]]);
      // The first page was unmapped (already told), the second is unchanged, the third holds no code.
      m.write8(base + 2 * PAGE_SIZE, 1);
      m.restore(snap);
      expect(seen).toHaveLength(1);
      expect(m.read32(base)).toBe(0);
      // The unchanged code page is still one: a write to it notifies.
      m.write8(base + PAGE_SIZE, 5);
      expect(seen.at(-1)).toEqual([base + PAGE_SIZE, 1]);
      // Restoring over a changed code page tells of it.
      m.restore(snap);
      expect(seen.at(-1)).toEqual([base + PAGE_SIZE, PAGE_SIZE]);
      expect(m.read8(base + PAGE_SIZE)).toBe(0);
    }
  });
});

describe('against a byte-array model (fast-check)', () => {
  // Pages mapped around a hole, at two places: low memory (all in the flat window), and across the
  // end of the window's span, where the last window pages meet pages of the sparse map.
  const layouts = [
    { name: 'in the flat window', at: 0 },
    { name: 'across the end of the flat window', at: WINDOW_SPAN - 0x2000 },
  ];
  for (const layout of layouts) {
    const at = layout.at;
    const MAPPED = (a: number): boolean => (a >= at + 0x1000 && a < at + 0x3000) || (a >= at + 0x4000 && a < at + 0x5000);
    const near = (edge: number) => fc.integer({ min: at + edge - 0x10, max: at + edge + 0x10 });
    const address = fc.oneof(near(0x1000), near(0x2000), near(0x3000), near(0x4000), near(0x5000));
    const access = fc.record({ size: fc.constantFrom(1, 2, 4, 8), address, value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), write: fc.boolean() });

    for (const endian of ['little', 'big'] as const) {
      it(`${endian}, ${layout.name}: reads and writes of every size agree with the model, faults included`, () => {
        fc.assert(
          fc.property(fc.array(access, { maxLength: 40 }), (ops) => {
            const memory = new GuestMemory(endian);
            memory.map(0x1000, 0x1000); // puts the window at 0
            memory.map(at + 0x1000, 0x2000);
            memory.map(at + 0x4000, 0x1000);
            const model = new Map<number, number>();
            const byteAt = (a: number): number => model.get(a) ?? 0;
            for (const { size, address: a, value, write } of ops) {
              const inRange = Array.from({ length: size }, (_, i) => MAPPED(a + i) || (a + i >= 0x1000 && a + i < 0x2000)).every(Boolean);
              const v = BigInt.asUintN(8 * size, value);
              if (write) {
                const ok = size === 1 ? memory.write8(a, Number(v)) : size === 2 ? memory.write16(a, Number(v)) : size === 4 ? memory.write32(a, Number(v)) : memory.write64(a, v);
                expect(ok).toBe(inRange);
                if (ok) {
                  for (let i = 0; i < size; i++) {
                    const shift = endian === 'little' ? 8 * i : 8 * (size - 1 - i);
                    model.set(a + i, Number((v >> BigInt(shift)) & 0xffn));
                  }
                }
              } else {
                const got = size === 1 ? memory.read8(a) : size === 2 ? memory.read16(a) : size === 4 ? memory.read32(a) : memory.read64(a);
                if (!inRange) {
                  expect(got).toBeUndefined();
                  continue;
                }
                let expected = 0n;
                for (let i = 0; i < size; i++) {
                  const byte = BigInt(byteAt(endian === 'little' ? a + size - 1 - i : a + i));
                  expected = (expected << 8n) | byte;
                }
                expect(typeof got === 'bigint' ? got : BigInt(got!)).toBe(expected);
              }
            }
            // And every mapped byte matches the model at the end.
            for (const [a, byte] of model) expect(memory.read8(a)).toBe(byte);
          }),
          { numRuns: 300 },
        );
      });
    }
  }
});

describe('the flat window', () => {
  it('covers pages near the first mapped one, grows keeping their bytes, and says when its arrays change', () => {
    const m = new GuestMemory('little');
    let changes = 0;
    m.onLayoutChange(() => changes++);
    expect(m.window()).toMatchObject({ base: -1, size: 0 });
    m.map(0x8000, 0x1000);
    m.write32(0x8000, 0x1234_5678);
    const first = m.window();
    expect(first.base).toBe(0);
    expect(first.words[0x8000 >>> 2]).toBe(0x1234_5678);
    expect(first.pages[8]).toBe(PAGE_MAPPED);
    expect(changes).toBe(1);
    m.map(0x40_0000, 0x1000);
    const grown = m.window();
    expect(changes).toBe(2);
    expect(grown.size).toBeGreaterThan(0x40_0000);
    expect(grown.bytes).not.toBe(first.bytes);
    expect(m.read32(0x8000)).toBe(0x1234_5678);
    expect(grown.words[0x8000 >>> 2]).toBe(0x1234_5678);
    // Far away: the sparse map, and no layout change.
    m.map(0x8000_0000, 0x1000);
    expect(changes).toBe(2);
    expect(m.write32(0x8000_0000, 7)).toBe(true);
    expect(m.read32(0x8000_0000)).toBe(7);
    expect(m.regions()).toEqual([
      { base: 0x8000, size: 0x1000 },
      { base: 0x40_0000, size: 0x1000 },
      { base: 0x8000_0000, size: 0x1000 },
    ]);
  });

  it('a window page unmapped and mapped again comes back zero-filled', () => {
    const m = new GuestMemory('little');
    m.map(0x2000, 0x1000);
    m.write32(0x2010, 0xffff_ffff);
    m.unmap(0x2000, 0x1000);
    expect(m.read32(0x2010)).toBeUndefined();
    expect(m.window().pages[2]).toBe(0);
    m.map(0x2000, 0x1000);
    expect(m.read32(0x2010)).toBe(0);
  });

  it('growing copies every run of mapped pages, and a page unmapped before the growth comes back zero-filled', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, 0x3000); // a run of three pages
    m.map(0x6000, 0x1000); // a lone page after a hole
    for (const address of [0x1000, 0x2ffc, 0x3ffc, 0x6000, 0x6ffc]) m.write32(address, address ^ 0x5a5a_0000);
    m.write32(0x5000 - 4, 1); // unmapped: refused
    m.map(0x4000, 0x1000);
    m.write32(0x4010, 0xdead_beef);
    m.unmap(0x4000, 0x1000); // its bytes stay in the old buffer, unmapped
    const before = m.window().bytes;
    m.map(0x20_0000, 0x1000); // grows the window
    expect(m.window().bytes).not.toBe(before);
    for (const address of [0x1000, 0x2ffc, 0x3ffc, 0x6000, 0x6ffc]) expect(m.read32(address)).toBe((address ^ 0x5a5a_0000) >>> 0);
    m.map(0x4000, 0x1000);
    expect(m.read32(0x4010)).toBe(0);
  });

  it('marks fetched pages as code; stores there notify, stores elsewhere do not', () => {
    const m = new GuestMemory('little');
    m.map(0x1000, 0x2000);
    const seen: number[] = [];
    m.onCodeWrite((address) => seen.push(address));
    m.fetch32(0x1000);
    expect(m.window().pages[1]).toBe(PAGE_MAPPED | PAGE_CODE);
    m.write32(0x2000, 1);
    m.write32(0x1004, 1);
    m.write8(0x1008, 1);
    expect(seen).toEqual([0x1004, 0x1008]);
  });
});

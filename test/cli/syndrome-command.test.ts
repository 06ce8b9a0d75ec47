/**
 * `hyplay syndrome arm32|arm64 VALUE [--json]` against the worked
 * syndromes of abi-facts §12.5 (each derived field by field from §12.1),
 * the call syndromes of §6.4, and bad input (one line, exit status 2).
 */

import { describe, expect, it } from 'vitest';
import { cli, json } from '../support/cli.ts';

describe('hyplay syndrome', () => {
  it('decodes A64 str w1, [x0] (0x93810047) with the manual field names', () => {
    expect(json('syndrome', 'arm64', '0x93810047')).toMatchObject({ register: 'ESR_ELx', value: '0x93810047', ec: 0x24, il: 1, isv: 1, sas: 2, sse: 0, srt: 1, sf: 0, ar: 0, ea: 0, cm: 0, s1ptw: 0, wnr: 1, dfsc: 7 });
  });

  it('decodes A64 ldr x2, [x0] (0x93C28007): SAS 3 doubleword, SRT 2, SF 1', () => {
    const decoded = json('syndrome', 'arm64', '0x93C28007');
    expect(decoded).toMatchObject({ isv: 1, sas: 3, srt: 2, sf: 1, wnr: 0, dfsc: 7 });
    expect(decoded.meanings.sas).toMatch(/doubleword/);
    expect(decoded.meanings.srt).toMatch(/x2/);
  });

  it('decodes A64 ldrsh x1, [x0] (0x93618007): SAS 1, SSE, SRT 1, SF 1', () => {
    expect(json('syndrome', 'arm64', '0x93618007')).toMatchObject({ isv: 1, sas: 1, sse: 1, srt: 1, sf: 1, wnr: 0 });
  });

  it('decodes A32 str r1, [r0] (0x93810047) as an HSR with a 4-bit SRT and no SF or AR', () => {
    const decoded = json('syndrome', 'arm32', '0x93810047');
    expect(decoded).toMatchObject({ register: 'HSR', ec: 0x24, il: 1, isv: 1, sas: 2, sse: 0, srt: 1, ea: 0, cm: 0, s1ptw: 0, wnr: 1, dfsc: 7 });
    expect(decoded).not.toHaveProperty('sf');
    expect(decoded).not.toHaveProperty('ar');
    expect(decoded.meanings.dfsc).toBe('translation fault, level 3');
  });

  it('decodes T32 str r1, [r0] (0x91810047): IL = 0, a 16-bit instruction', () => {
    const decoded = json('syndrome', 'arm32', '0x91810047');
    expect(decoded).toMatchObject({ il: 0, isv: 1, srt: 1, wnr: 1 });
    expect(decoded.meanings.il).toMatch(/16-bit/);
  });

  it('decodes a post-index load (0x92000007): ISV = 0 and no access fields', () => {
    const decoded = json('syndrome', 'arm64', '0x92000007');
    expect(decoded).toMatchObject({ ec: 0x24, il: 1, isv: 0, dfsc: 7 });
    for (const field of ['sas', 'sse', 'srt', 'sf', 'ar']) expect(decoded).not.toHaveProperty(field);
  });

  it('decodes what U-Boot saw (0x96000010): a same-EL data abort, synchronous external abort', () => {
    const decoded = json('syndrome', 'arm64', '0x96000010');
    expect(decoded).toMatchObject({ ec: 0x25, il: 1, isv: 0, dfsc: 0x10 });
    expect(decoded.summary).toMatch(/same exception level/);
    expect(decoded.meanings.dfsc).toBe('synchronous external abort');
  });

  it('decodes the stage-2 aborts the arm64 machine raises (test/arch/arm64/stage2-abort.test.ts): ldrsh x2, ldar w1, str wzr, an S1PTW walk, instruction aborts', () => {
    expect(json('syndrome', 'arm64', '0x93628007')).toMatchObject({ ec: 0x24, isv: 1, sas: 1, sse: 1, srt: 2, sf: 1, ar: 0, wnr: 0, dfsc: 7 });
    expect(json('syndrome', 'arm64', '0x93814007')).toMatchObject({ isv: 1, sas: 2, srt: 1, sf: 0, ar: 1, wnr: 0 });
    const zr = json('syndrome', 'arm64', '0x939f0047');
    expect(zr).toMatchObject({ isv: 1, srt: 31, wnr: 1 });
    expect(zr.meanings.srt).toMatch(/wzr/);
    const walk = json('syndrome', 'arm64', '0x92000087');
    expect(walk).toMatchObject({ ec: 0x24, isv: 0, s1ptw: 1, wnr: 0, dfsc: 7 });
    expect(walk.meanings.s1ptw).toMatch(/stage-1 translation table walk/);
    const fetch = json('syndrome', 'arm64', '0x82000007');
    expect(fetch).toMatchObject({ ec: 0x20, il: 1, s1ptw: 0, ifsc: 7 });
    expect(fetch.summary).toMatch(/instruction abort from a lower exception level/);
    expect(fetch.meanings.ifsc).toBe('translation fault, level 3');
    expect(json('syndrome', 'arm64', '0x82000087')).toMatchObject({ ec: 0x20, s1ptw: 1, ifsc: 7 });
  });

  it('gives HVC and SVC their imm16 (§6.4: HVC32 0x4A000000 | imm16, HVC64 0x5A000000 | imm16)', () => {
    expect(json('syndrome', 'arm32', '0x4a000001')).toMatchObject({ ec: 0x12, il: 1, imm16: 1 });
    expect(json('syndrome', 'arm64', '0x5a00beef')).toMatchObject({ ec: 0x16, imm16: 0xbeef });
    expect(json('syndrome', 'arm64', '0x56000005')).toMatchObject({ ec: 0x15, imm16: 5 });
  });

  it('says so for an exception class the architecture does not define', () => {
    const decoded = json('syndrome', 'arm32', '0xfc000000');
    expect(decoded.ec).toBe(0x3f);
    expect(decoded.summary).toMatch(/not one/);
    expect(Object.keys(decoded)).toEqual(['register', 'value', 'summary', 'ec', 'il', 'meanings']);
  });

  it('prints one line per field in text', () => {
    const result = cli('syndrome', 'arm32', '0x93810047');
    expect(result.status).toBe(0);
    const lines = result.out.trimEnd().split('\n');
    expect(lines[0]).toBe('HSR 0x93810047: data abort from a non-Hyp mode');
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(['ec', 'il', 'isv', 'sas', 'sse', 'srt', 'ea', 'cm', 's1ptw', 'wnr', 'dfsc']);
    expect(lines.find((line) => line.trim().startsWith('wnr'))).toMatch(/write/);
  });

  it('refuses a bad value, a value wider than 32 bits, an unknown architecture and one without a syndrome register: one line, status 2', () => {
    for (const argv of [
      ['syndrome', 'arm32', 'zz'],
      ['syndrome', 'arm64', '0x1ffffffff'],
      ['syndrome', 'arm64', '-1'],
      ['syndrome', 'mips', '0'],
      ['syndrome', 'ppc64', '0'],
    ]) {
      const result = cli(...argv);
      expect(result.status, argv.join(' ')).toBe(2);
      expect(result.err.length, argv.join(' ')).toBe(1);
      expect(result.err[0]).not.toMatch(/\n.*at /);
    }
  });
});

/**
 * An LZMA2 decoder (the compression inside an XZ block) that writes into one
 * preallocated output buffer, which is also its dictionary: the way the
 * kernel's own decompressor runs xz-embedded ("single-call mode"), so a
 * kernel payload compressed with a 128 MiB dictionary needs no more memory
 * than its output.
 *
 * Sources: the LZMA algorithm as the LZMA SDK's specification
 * (lzma-specification.txt, I. Pavlov) describes it: the range decoder with
 * 11-bit probabilities and move bits 5, the 12-state machine, literal coding
 * with lc/lp and the matched literal, the length coder (choice, choice2,
 * 8 low, 8 mid, 256 high), the distance coder (6-bit slots by length state,
 * reverse bit trees below slot 14, direct bits and 4 align bits above), and
 * four repeat distances; LZMA2's chunk headers as the .xz format's
 * specification and xz-embedded document them (control byte 0x00 end, 0x01
 * and 0x02 uncompressed chunks with and without a dictionary reset, 0x80 +
 * reset level (bits 6–5) + the top bits of the unpacked size for an LZMA
 * chunk, then 16-bit sizes minus one, big-endian, and a properties byte when
 * the level is 2 or 3).
 *
 * @module
 */

/** A malformed LZMA2 stream. */
export class Lzma2Error extends Error {}

const MOVE_BITS = 5;
const TOP = 0x100_0000;
const STATES = 12;
const POS_STATES_MAX = 16;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const MATCH_LEN_MIN = 2;

// Offsets into the one probability array.
const IS_MATCH = 0;
const IS_REP = IS_MATCH + STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + STATES;
const IS_REP_G1 = IS_REP_G0 + STATES;
const IS_REP_G2 = IS_REP_G1 + STATES;
const IS_REP0_LONG = IS_REP_G2 + STATES;
const POS_SLOT = IS_REP0_LONG + STATES * POS_STATES_MAX;
const SPEC_POS = POS_SLOT + 4 * 64;
/** The spec's PosDecoders: 1 + kNumFullDistances − kEndPosModelIndex probabilities. */
const ALIGN = SPEC_POS + 1 + FULL_DISTANCES - END_POS_MODEL_INDEX;
/** A length coder: choice, choice2, low[16][8], mid[16][8], high[256]. */
const LEN_CHOICE = 0;
const LEN_CHOICE2 = 1;
const LEN_LOW = 2;
const LEN_MID = LEN_LOW + POS_STATES_MAX * 8;
const LEN_HIGH = LEN_MID + POS_STATES_MAX * 8;
const LEN_SIZE = LEN_HIGH + 256;
const LEN_CODER = ALIGN + 16;
const REP_LEN_CODER = LEN_CODER + LEN_SIZE;
const LITERAL = REP_LEN_CODER + LEN_SIZE;

/** Where decoding LZMA2 data ended. */
export interface Lzma2End {
  /** The input offset after the end marker. */
  readonly next: number;
  /** The output offset reached. */
  readonly end: number;
}

/**
 * Decode the LZMA2 data starting at `input[start]` into `output` from
 * `outputStart`, until its end marker. Returns the input offset after the
 * end marker and the output offset reached. Throws {@link Lzma2Error} for a
 * malformed stream, one that would write past `output`, or one that reads
 * before its dictionary's start.
 */
export function decodeLzma2(input: Uint8Array, start: number, output: Uint8Array, outputStart: number): Lzma2End {
  return new Lzma2Decoder(input, start, output, outputStart).run();
}

class Lzma2Decoder {
  private at: number;
  private pos: number;
  private dictStart: number;
  private range = 0;
  private code = 0;
  private probs = new Uint16Array(LITERAL + (0x300 << 4)).fill(1024);
  private lc = -1;
  private lp = 0;
  private pb = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  private needDictReset = true;
  private needProps = true;

  constructor(
    private readonly input: Uint8Array,
    start: number,
    private readonly out: Uint8Array,
    outputStart: number,
  ) {
    this.at = start;
    this.pos = outputStart;
    this.dictStart = outputStart;
  }

  private byte(): number {
    if (this.at >= this.input.length) throw new Lzma2Error('LZMA2: the stream ends early');
    return this.input[this.at++]!;
  }

  run(): Lzma2End {
    for (;;) {
      const control = this.byte();
      if (control === 0x00) return { next: this.at, end: this.pos };
      if (control === 0x01 || control === 0x02) {
        if (control === 0x01) this.resetDict();
        else if (this.needDictReset) throw new Lzma2Error('LZMA2: the first chunk does not reset the dictionary');
        const size = ((this.byte() << 8) | this.byte()) + 1;
        if (this.at + size > this.input.length) throw new Lzma2Error('LZMA2: an uncompressed chunk runs past the stream');
        if (this.pos + size > this.out.length) throw new Lzma2Error('LZMA2: more data than the block says');
        this.out.set(this.input.subarray(this.at, this.at + size), this.pos);
        this.at += size;
        this.pos += size;
        continue;
      }
      if (control < 0x80) throw new Lzma2Error(`LZMA2: invalid control byte 0x${control.toString(16)}`);
      const unpacked = (((control & 0x1f) << 16) | (this.byte() << 8) | this.byte()) + 1;
      const packed = ((this.byte() << 8) | this.byte()) + 1;
      const reset = (control >>> 5) & 3;
      if (reset === 3) this.resetDict();
      else if (this.needDictReset) throw new Lzma2Error('LZMA2: the first chunk does not reset the dictionary');
      if (reset >= 2) this.setProps(this.byte());
      else if (this.needProps) throw new Lzma2Error('LZMA2: an LZMA chunk without properties');
      if (reset >= 1) this.resetState();
      const end = this.at + packed;
      if (end > this.input.length) throw new Lzma2Error('LZMA2: a chunk runs past the stream');
      if (this.pos + unpacked > this.out.length) throw new Lzma2Error('LZMA2: more data than the block says');
      this.initRange();
      this.decodeChunk(this.pos + unpacked);
      if (this.at !== end) throw new Lzma2Error(`LZMA2: a chunk's compressed size is ${packed} bytes, its data took ${packed + this.at - end}`);
    }
  }

  private resetDict(): void {
    this.dictStart = this.pos;
    this.needDictReset = false;
  }

  private setProps(byte: number): void {
    if (byte >= 9 * 5 * 5) throw new Lzma2Error(`LZMA2: invalid properties byte 0x${byte.toString(16)}`);
    this.lc = byte % 9;
    this.lp = Math.floor(byte / 9) % 5;
    this.pb = Math.floor(byte / 45);
    if (this.lc + this.lp > 4) throw new Lzma2Error('LZMA2: lc + lp above 4');
    this.needProps = false;
  }

  private resetState(): void {
    this.probs.fill(1024);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  private initRange(): void {
    if (this.byte() !== 0) throw new Lzma2Error('LZMA2: a chunk\'s range coder does not start with 0');
    this.range = 0xffff_ffff;
    this.code = ((this.byte() << 24) | (this.byte() << 16) | (this.byte() << 8) | this.byte()) >>> 0;
    if (this.code === this.range) throw new Lzma2Error('LZMA2: invalid range coder start');
  }

  private bit(index: number): number {
    const probs = this.probs;
    const p = probs[index]!;
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = p + ((2048 - p) >>> MOVE_BITS);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = p - (p >>> MOVE_BITS);
      bit = 1;
    }
    if (this.range < TOP) {
      this.range = this.range * 256;
      this.code = this.code * 256 + this.byte();
    }
    return bit;
  }

  private tree(base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(base + m);
    return m - (1 << bits);
  }

  private reverseTree(base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  }

  private direct(bits: number): number {
    let result = 0;
    for (let i = 0; i < bits; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      result = result * 2 + b;
      if (this.range < TOP) {
        this.range = this.range * 256;
        this.code = this.code * 256 + this.byte();
      }
    }
    return result;
  }

  /** A match length minus MATCH_LEN_MIN (0…271) from the coder at `base`. */
  private length(base: number, posState: number): number {
    if (this.bit(base + LEN_CHOICE) === 0) return this.tree(base + LEN_LOW + posState * 8, 3);
    if (this.bit(base + LEN_CHOICE2) === 0) return 8 + this.tree(base + LEN_MID + posState * 8, 3);
    return 16 + this.tree(base + LEN_HIGH, 8);
  }

  private distance(length: number): number {
    const lenState = length < 3 ? length : 3;
    const slot = this.tree(POS_SLOT + lenState * 64, 6);
    if (slot < 4) return slot;
    const bits = (slot >>> 1) - 1;
    let distance = (2 | (slot & 1)) * 2 ** bits;
    if (slot < END_POS_MODEL_INDEX) return distance + this.reverseTree(SPEC_POS + distance - slot, bits);
    distance += this.direct(bits - 4) * 16;
    return distance + this.reverseTree(ALIGN, 4);
  }

  private decodeChunk(end: number): void {
    const out = this.out;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    while (this.pos < end) {
      const pos = this.pos;
      const posState = pos & pbMask;
      const state = this.state;
      if (this.bit(IS_MATCH + state * POS_STATES_MAX + posState) === 0) {
        const previous = pos > this.dictStart ? out[pos - 1]! : 0;
        const base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (previous >>> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          let match = out[this.source(pos, this.rep0)]!;
          while (symbol < 0x100) {
            const matchBit = (match >>> 7) & 1;
            match <<= 1;
            const b = this.bit(base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | b;
            if (matchBit !== b) break;
          }
        }
        while (symbol < 0x100) symbol = (symbol << 1) | this.bit(base + symbol);
        out[this.pos++] = symbol & 0xff;
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let length: number;
      if (this.bit(IS_REP + state) === 0) {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        length = this.length(LEN_CODER, posState);
        this.state = state < 7 ? 7 : 10;
        this.rep0 = this.distance(length);
        if (this.rep0 === 0xffff_ffff) throw new Lzma2Error('LZMA2: an end marker inside a chunk');
      } else {
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + state * POS_STATES_MAX + posState) === 0) {
            this.state = state < 7 ? 9 : 11;
            out[this.pos] = out[this.source(pos, this.rep0)]!;
            this.pos++;
            continue;
          }
        } else {
          let distance: number;
          if (this.bit(IS_REP_G1 + state) === 0) distance = this.rep1;
          else {
            if (this.bit(IS_REP_G2 + state) === 0) distance = this.rep2;
            else {
              distance = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = distance;
        }
        length = this.length(REP_LEN_CODER, posState);
        this.state = state < 7 ? 8 : 11;
      }
      let count = length + MATCH_LEN_MIN;
      if (pos + count > end) throw new Lzma2Error('LZMA2: a match runs past its chunk');
      let from = this.source(pos, this.rep0);
      let to = pos;
      while (count-- > 0) out[to++] = out[from++]!;
      this.pos = to;
    }
  }

  /** Where a match at distance `distance` (0-based) from `pos` reads; it must lie in the dictionary. */
  private source(pos: number, distance: number): number {
    const from = pos - distance - 1;
    if (from < this.dictStart) throw new Lzma2Error('LZMA2: a match reaches before the dictionary');
    return from;
  }
}

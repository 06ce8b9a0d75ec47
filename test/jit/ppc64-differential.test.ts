/**
 * The ppc64 JIT against the interpreter: every program must end identically
 * under both engines — every register (SPRs and MSR included), every mapped
 * byte, the stop reason, detail and PC, the step count, and the trace
 * lines. Programs: the bench loops (spec firmware included), the showcase,
 * every scenario's guest code, self-modifying code, loops, and seeded random
 * instruction sequences in both byte orders; each at many step counts, and
 * in split runs (run(n) then run(m) against run(n + m)). The JIT runs with
 * lazy flags and with eager ones, with and without traces.
 */

import { describe, expect, it } from 'vitest';
import { PPC64_BACKEND } from '../../arch/ppc64/backend.ts';
import { createPpc64Machine, ppc64InstructionSet, type Ppc64Core, type Ppc64MachineOptions } from '../../arch/ppc64/core.ts';
import { PPC64_FIRMWARE_PORT } from '../../arch/ppc64/firmware-port.ts';
import { loadAbis } from '../../src/di/container.ts';
import { installSpecFirmware } from '../../src/firmware/firmware.ts';
import type { CoreMachine, Machine } from '../../src/interp/machine.ts';
import { assemble } from '../../src/isa/assembler.ts';
import type { Endian } from '../../src/memory/guest-memory.ts';
import { setUpScenario } from '../../src/scenario/runner.ts';
import type { Ppc64State } from '../../arch/ppc64/registers.ts';
import { agree as agreeAmong, expectRestoreRunsFresh, type Plan, type Setup as SetupFor } from '../support/engine-agreement.ts';

const abis = loadAbis();

/** The engines compared: the interpreter first (the reference), then the JIT's variants. */
const ENGINES: readonly { readonly name: string; readonly options: Ppc64MachineOptions }[] = [
  { name: 'interp', options: { engine: 'interp' } },
  { name: 'jit', options: { engine: 'jit' } },
  { name: 'jit (eager flags, loops not unrolled)', options: { engine: 'jit', translation: { lazyFlags: false, unrollLoops: false } } },
  { name: 'jit (no traces)', options: { engine: 'jit', translation: { traces: false } } },
];

/** A machine set up by `setup` for one engine. */
type Setup = SetupFor<Ppc64MachineOptions>;

/** Compare every engine with the interpreter on `setup`, as `plan` says. */
function agree(label: string, setup: Setup, plan: Plan): void {
  agreeAmong(ENGINES, label, setup, plan);
}

/** The step counts every program runs at. */
const COUNTS = [...Array.from({ length: 24 }, (_, i) => i), 31, 32, 33, 63, 64, 65, 97, 250, 1000, 4097];
/** The plan for small programs: every count, splits and traces of a few. */
const SMALL: Plan = { counts: COUNTS, splits: [7, 33, 97, 1000], traced: [5, 17, 64, 250] };

const CODE = 0x10000;
const DATA = 0x20000;

/** Assemble `source` at the ppc64 load address in `endian`, with a stack below, as `hyplay run` does. */
function program(source: string, mode: string, endian: Endian = 'big', more: (machine: Machine) => void = () => undefined): Setup {
  const assembled = assemble(ppc64InstructionSet(endian), source, PPC64_BACKEND.loadAddress);
  return (options) => {
    const machine = createPpc64Machine({ ...options, endian });
    machine.memory.map(assembled.base - 0x4000, 0x4000);
    machine.memory.load(assembled.base, assembled.bytes.length === 0 ? new Uint8Array(4) : assembled.bytes);
    machine.setMode(mode);
    machine.pc = assembled.base;
    machine.setRegister('sp', BigInt(assembled.base));
    more(machine);
    return machine;
  };
}

/** The system-call, program and storage vectors as `wait` (the run stops there), and the data page. */
function withVectors(machine: Machine): void {
  const wait = assemble(ppc64InstructionSet(machine.memory.endian), 'wait', 0).bytes;
  for (const vector of [0x300, 0x400, 0x700]) machine.memory.load(vector, wait);
  machine.memory.map(DATA, 0x1000);
}

/** The same with an `rfid` at 0xC00, so that sc returns at once. */
function withReturningVectors(machine: Machine): void {
  withVectors(machine);
  machine.memory.load(0xc00, assemble(ppc64InstructionSet(machine.memory.endian), 'rfid', 0).bytes);
}

function jitOf(machine: Machine) {
  return ((machine as CoreMachine<Ppc64State>).core as Ppc64Core).jit!;
}

describe('ppc64 JIT = interpreter', () => {
  for (const endian of ['big', 'little'] as const) {
    for (const bench of PPC64_BACKEND.benchmarks) {
      it(`bench loop ${bench.metric} (${endian}-endian)`, () => {
        agree(
          `${bench.metric} ${endian}`,
          program(bench.source, bench.mode, endian, (machine) => {
            for (const [name, value] of Object.entries(bench.registers)) machine.setRegister(name, value);
            if (bench.firmware !== undefined) installSpecFirmware(machine, PPC64_FIRMWARE_PORT, abis.get(bench.firmware.abi)!, bench.firmware.base);
          }),
          { ...SMALL, counts: [...COUNTS, 12345, 100003], splits: [...SMALL.splits, 100003] },
        );
      });
    }

    it(`the showcase (${endian}-endian)`, () => {
      const showcase = PPC64_BACKEND.showcase;
      agree(`showcase ${endian}`, program(showcase.source, showcase.mode, endian), { ...SMALL, traced: [...SMALL.traced, showcase.maxSteps] });
    });
  }

  it('the bench loops are translated: the ALU loop is a loop, the sc loop a trace through 0xC00 and rfid', () => {
    const alu = program(PPC64_BACKEND.benchmarks[0]!.source, 'hv')({ engine: 'jit' });
    expect(alu.run(100_000).reason).toBe('budget-exhausted');
    expect(jitOf(alu).blocks().some((block) => block.source.includes('for (;;)'))).toBe(true);
    const trap = program(PPC64_BACKEND.benchmarks[1]!.source, 'hv')({ engine: 'jit' });
    expect(trap.run(100_000).reason).toBe('budget-exhausted');
    expect(jitOf(trap).stats.traces).toBeGreaterThan(0);
  });

  for (const scenario of PPC64_BACKEND.scenarios!.scenarios()) {
    it(`scenario ${scenario.name}`, () => {
      expect(setUpScenario(PPC64_BACKEND, scenario, { engine: 'jit' }, abis).machine.engine).toBe('jit');
      agree(scenario.name, (options) => setUpScenarioWith(scenario, options), { counts: [1, 2, 3, 8, 21, 55, 144, 377, 987, scenario.maxSteps], splits: [scenario.maxSteps], traced: [scenario.maxSteps] });
    });
  }

  for (const endian of ['big', 'little'] as const) {
    it(`self-modifying code (${endian}-endian): a store into the running block, into a loop body, and code copied and run`, () => {
      const source = [
        // r20 = the address of the words to copy from (li 3, 7; addi 6, 6, 16; li 3, 9; the function).
        'bl base',
        '.long li7, add16, li9, func',
        'base: mflr 20',
        // 1. Rewrite the instruction right after the store (same block): li 3, 1 becomes li 3, 7.
        'lwz 21, 0(20)',
        'lwz 4, 0(21)',
        'bl patchat',
        'patchat: mflr 22',
        'stw 4, 8(22)',
        'patch: li 3, 1',
        // 2. A loop whose body is rewritten on its third pass: addi 6, 6, 1 becomes addi 6, 6, 16.
        'li 5, 0',
        'li 6, 0',
        'bl loopat',
        'loopat: mflr 23',
        'loop: addi 6, 6, 1',
        'addi 5, 5, 1',
        'cmpwi 5, 3',
        'bne skip',
        'lwz 21, 4(20)',
        'lwz 4, 0(21)',
        'stw 4, 4(23)',
        'skip: cmpwi 5, 6',
        'bne loop',
        // 3. Copy a function to the data page and call it, twice, changing it in between.
        `lis 7, ${DATA >>> 16}`,
        'lwz 21, 12(20)',
        'lwz 4, 0(21)',
        'stw 4, 0(7)',
        'lwz 4, 4(21)',
        'stw 4, 4(7)',
        'mtctr 7',
        'bctrl',
        'mr 8, 3',
        'lwz 21, 8(20)',
        'lwz 4, 0(21)',
        'stw 4, 0(7)',
        'mtctr 7',
        'bctrl',
        'wait',
        'func: li 3, 5',
        'blr',
        'li7: li 3, 7',
        'add16: addi 6, 6, 16',
        'li9: li 3, 9',
      ].join('\n');
      const setup = program(source, 'hv', endian, withVectors);
      agree(`self-modifying ${endian}`, setup, { ...SMALL, traced: [...SMALL.traced, 200] });
      // A machine restored after a run that rewrote its code runs as a fresh one.
      expectRestoreRunsFresh(ENGINES, setup, [5, 30, 120, 1000]);
      const machine = setup({ engine: 'jit' });
      expect(machine.run(1000).reason).toBe('wfi');
      expect([machine.register('r3'), machine.register('r6'), machine.register('r8')]).toEqual([9n, 3n + 3n * 16n, 5n]);
    });
  }

  it('loops whose carries, CR fields, registers and memory carry from pass to pass (self-loops in translated code)', () => {
    const bodies = [
      ['adde 3, 3, 4', 'xor 6, 6, 3', 'addic. 5, 5, -1', 'bne loop'],
      ['addc 3, 3, 4', 'subfe 7, 7, 3', 'cmpdi 1, 5, 3', 'addi 5, 5, -1', 'cmpdi 5, 0', 'bgt loop'],
      ['ld 8, 0(12)', 'add. 9, 9, 8', 'std 9, 0(12)', 'lwz 10, 4(12)', 'stwu 10, 8(12)', 'bdnz loop'],
      ['rldicl 11, 4, 13, 7', 'rlwinm. 13, 4, 5, 3, 29', 'mulld 14, 11, 4', 'srad 15, 4, 5', 'cntlzd 16, 14', 'addze 17, 17', 'bdnz loop'],
      ['subfo. 18, 4, 3', 'nego 19, 18', 'lhz 20, 2(12)', 'sth 20, 3(12)', 'extsh. 21, 20', 'bdnzf 2, loop'],
      ['addi 3, 3, 1', 'b loop'],
      ['cmpld 3, 4', 'blt over', 'addi 4, 4, 7', 'over: addi 3, 3, 3', 'cmpw 7, 3, 4', 'bdnzt 28, loop'],
    ];
    for (const endian of ['big', 'little'] as const) {
      for (const [i, body] of bodies.entries()) {
        const source = ['li 5, 20', 'li 9, 0x3f', 'mtctr 5', `lis 12, ${DATA >>> 16}`, 'lis 4, -0x7000', 'ori 4, 4, 0x1234', 'li 3, -1', 'loop:', ...body, 'wait'].join('\n');
        agree(`loop ${i} ${endian}`, program(source, 'hv', endian, withVectors), { counts: [1, 4, 5, 9, 10, 11, 37, 64, 65, 110, 200], splits: [37, 200], traced: [11, 200] });
      }
    }
  });

  it('a hot sc/rfid loop whose handler now and then goes another way (trace guards fail and exit)', () => {
    const source = [
      'bl here',
      '.long loop',
      '.long handler',
      'here: mflr 9',
      'lwz 8, 0(9)',
      'mtsrr0 8',
      'li 7, 1',
      'sldi 7, 7, 63',
      'ori 7, 7, 0x1002',
      'mtsrr1 7',
      // Copy the handler (8 words) to 0xC00.
      'lwz 10, 4(9)',
      'li 12, 0xc00',
      'li 11, 8',
      'mtctr 11',
      'copy: lwz 0, 0(10)',
      'stw 0, 0(12)',
      'addi 10, 10, 4',
      'addi 12, 12, 4',
      'bdnz copy',
      'li 5, 1000',
      'rfid',
      'loop: sc',
      'addi 2, 2, 1',
      'sc 1',
      'addic. 5, 5, -1',
      'bne loop',
      'wait',
      // Every 16th call skips the instruction after the sc, and now and then returns to problem state.
      'handler: addi 14, 14, 1',
      'andi. 15, 14, 15',
      'cmpwi 15, 11',
      'bne back',
      'mfsrr0 16',
      'addi 16, 16, 4',
      'mtsrr0 16',
      'back: rfid',
    ].join('\n');
    agree('guarded trace', program(source, 'hv', 'big', withVectors), { counts: [100, 500, 1000, 1297, 2000, 4000], splits: [1297, 4000], traced: [1297] });
    const machine = program(source, 'hv', 'big', withVectors)({ engine: 'jit' });
    expect(machine.run(100_000).reason).toBe('wfi');
    expect(machine.register('r14')).toBe(2000n);
    expect(jitOf(machine).stats.traces).toBeGreaterThan(0);
  });

  it('sc, sc 1, rfid and hrfid between every pair of states, with MSR[LE] flips (which the model takes)', () => {
    for (const endian of ['big', 'little'] as const) {
      const source = [
        'bl here',
        '.long 0, kernel',
        'here: mflr 9',
        'li 12, 0xc00',
        'lwz 10, 0(9)',
        // 0xC00: hrfid when the call came from hypervisor state, else rfid (with HSRR0/1 = SRR0/1).
        'mfsrr0 16',
        'mtspr 314, 16',
        'mfsrr1 17',
        'mtspr 315, 17',
        'lwz 8, 4(9)',
        'mtsrr0 8',
        'li 7, 1',
        'sldi 7, 7, 63',
        'ori 7, 7, 0x1002',
        'mtsrr1 7',
        'rfid',
        'kernel: sc 1',
        'addi 3, 3, 1',
        'sc',
        'addi 3, 3, 1',
        'li 7, 1',
        'sldi 7, 7, 63',
        'ori 7, 7, 0x5032',
        'mfmsr 18',
        'bl after',
        'after: mflr 19',
        'addi 19, 19, 16',
        'mtsrr0 19',
        'mtsrr1 7',
        'rfid',
        'user: sc',
        'addi 3, 3, 1',
        'wait',
      ].join('\n');
      const vectors = (machine: Machine): void => {
        withVectors(machine);
        machine.memory.load(0xc00, assemble(ppc64InstructionSet(machine.memory.endian), 'rfid', 0).bytes);
      };
      agree(`state pairs ${endian}`, program(source, 'hv', endian, vectors), { counts: [5, 10, 17, 18, 19, 25, 30, 40, 60, 200], splits: [40, 200], traced: [40, 200] });
      // MSR[LE] flipped by rfid (SRR1 = the other byte order): both engines fall over the same way.
      const flip = program(['li 7, 1', 'sldi 7, 7, 63', `ori 7, 7, ${endian === 'big' ? '0x1003' : '0x1002'}`, 'mtsrr1 7', 'bl there', 'there: mflr 8', 'addi 8, 8, 12', 'mtsrr0 8', 'rfid', 'sc', 'addi 3, 3, 1', 'wait'].join('\n'), 'hv', endian, withReturningVectors);
      agree(`LE flip ${endian}`, flip, { counts: [5, 9, 10, 11, 12, 20, 100], splits: [100], traced: [20] });
    }
  });

  it('loads and stores everywhere: unaligned, across pages, unmapped, into code, through every form and width', () => {
    const forms = ['lbz', 'lhz', 'lha', 'lwz', 'lwa', 'ld', 'stb', 'sth', 'stw', 'std'];
    for (const endian of ['big', 'little'] as const) {
      for (const offset of [0, 1, 2, 3, 4, 6, 0xffc, 0xffe, 0xfff, 0x1000, -4]) {
        const lines = [`lis 12, ${DATA >>> 16}`, `li 13, ${offset}`, 'lis 14, -1', 'ori 14, 14, 0x8421'];
        for (const form of forms) {
          const ds = form === 'lwa' || form === 'ld' || form === 'std';
          const d = ds ? offset & ~3 : offset;
          lines.push(`${form} 14, ${d}(12)`, `${form}x 15, 12, 13`);
          if (form !== 'lwa' && form !== 'lha' && !ds) lines.push(`${form}u 16, ${d}(12)`, `lis 12, ${DATA >>> 16}`);
        }
        lines.push('wait');
        agree(`transfers ${endian} +${offset}`, program(lines.join('\n'), 'hv', endian, withVectors), { counts: [3, 5, 10, 20, 40, 80], splits: [40], traced: [80] });
      }
    }
  });

  it('seeded random instruction sequences from random registers, both byte orders', () => {
    let seed = 0x5eed;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = (): number => ((random(0x10000) << 16) | random(0x10000)) >>> 0;
    const reg = (): number => random(12);
    const instruction = (): number => {
      const kind = random(14);
      const rt = reg();
      const ra = reg();
      const rb = reg();
      if (kind < 3) {
        // D-form arithmetic and logical immediates: addi, addis, addic, addic., subfic, mulli, ori, oris, xori, xoris, andi., andis.
        const primary = [14, 15, 12, 13, 8, 7, 24, 25, 26, 27, 28, 29][random(12)]!;
        return ((primary << 26) | (rt << 21) | (ra << 16) | random(0x10000)) >>> 0;
      }
      if (kind < 6) {
        // XO-form adds and subtracts with OE and Rc, and the X-form logicals, shifts, extends, cntlz, compares.
        const xo = [266, 10, 138, 40, 8, 136, 202, 200, 104, 233, 235, 457, 489, 28, 60, 444, 412, 316, 124, 476, 284, 24, 536, 792, 27, 539, 794, 922, 954, 986, 26, 58, 0, 32][random(34)]!;
        const oe = xo < 600 && [266, 10, 138, 40, 8, 136, 202, 200, 104, 233].includes(xo) ? random(2) : 0;
        if (xo === 0 || xo === 32) return ((31 << 26) | (random(8) << 23) | (random(2) << 21) | (ra << 16) | (rb << 11) | (xo << 1)) >>> 0;
        return ((31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (oe << 10) | ((xo & 0x1ff) << 1) | random(2)) >>> 0;
      }
      if (kind < 8) {
        // Rotates: rlwinm, rlwimi, rlwnm, and the MD/MDS forms.
        const which = random(4);
        if (which === 0) return ((21 << 26) | (rt << 21) | (ra << 16) | (random(32) << 11) | (random(32) << 6) | (random(32) << 1) | random(2)) >>> 0;
        if (which === 1) return ((20 << 26) | (rt << 21) | (ra << 16) | (random(32) << 11) | (random(32) << 6) | (random(32) << 1) | random(2)) >>> 0;
        if (which === 2) return ((23 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (random(32) << 6) | (random(32) << 1) | random(2)) >>> 0;
        return ((30 << 26) | (rt << 21) | (ra << 16) | (random(32) << 11) | (random(64) << 5) | (random(4) << 2) | (random(2) << 1) | random(2)) >>> 0;
      }
      if (kind < 11) {
        // Loads and stores off r12 (the data page), D-form, DS-form and X-form (r13 a small offset), with update.
        const primary = [32, 33, 34, 35, 40, 41, 42, 43, 36, 37, 38, 39, 44, 45][random(14)]!;
        if (random(3) === 0) return ((58 << 26) | (rt << 21) | (12 << 16) | (random(0x4000) << 2) | random(2)) >>> 0;
        if (random(3) === 0) return ((62 << 26) | (rt << 21) | (12 << 16) | (random(0x4000) << 2) | random(2)) >>> 0;
        if (random(2) === 0) {
          const xo = [23, 87, 279, 343, 21, 341, 151, 215, 407, 149, 55, 119, 311, 183, 247, 439, 181, 53][random(18)]!;
          return ((31 << 26) | (rt << 21) | (12 << 16) | (13 << 11) | (xo << 1)) >>> 0;
        }
        return ((primary << 26) | (rt << 21) | (12 << 16) | ((random(2) ? random(64) : random(0x10000)) & 0xffff)) >>> 0;
      }
      if (kind === 11) {
        // Compares into any field.
        const primary = random(2) ? 11 : 10;
        return ((primary << 26) | (random(8) << 23) | (random(2) << 21) | (ra << 16) | random(0x10000)) >>> 0;
      }
      if (kind === 12) {
        // Short forward conditional branches with any BO and BI, and sc now and then.
        if (random(4) === 0) return 0x44000002 | (random(2) << 5);
        const bo = [4, 12, 16, 18, 0, 2, 8, 10, 20][random(9)]!;
        return ((16 << 26) | (bo << 21) | (random(32) << 16) | ((4 * (1 + random(3))) & 0xfffc) | random(2)) >>> 0;
      }
      // Anything at all.
      return word();
    };
    const programs = 300;
    for (let c = 0; c < programs; c++) {
      const endian: Endian = c % 2 === 0 ? 'big' : 'little';
      const words = Array.from({ length: 1 + random(16) }, instruction);
      words.push(0x7c00007c); // wait
      const registers = Array.from({ length: 12 }, () => (random(4) === 0 ? BigInt(random(16)) : (BigInt(word()) << 32n) | BigInt(word())));
      const xer = BigInt(random(8) << 29);
      const cr = BigInt(word());
      const offset = BigInt(random(3) * 4);
      const setup: Setup = (options) => {
        const machine = createPpc64Machine({ ...options, endian });
        machine.memory.map(0, 0x1000);
        withReturningVectors(machine);
        machine.memory.map(CODE, 0x1000);
        const bytes = new Uint8Array(words.length * 4);
        words.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w, endian === 'little'));
        machine.memory.load(CODE, bytes);
        for (let a = DATA; a < DATA + 0x1000; a += 4) machine.memory.write32(a, Math.imul(a, 2654435761) >>> 0);
        registers.forEach((value, i) => machine.setRegister(`r${i}`, value));
        machine.setRegister('r12', BigInt(DATA + 0x800));
        machine.setRegister('r13', offset);
        machine.setRegister('xer', xer);
        machine.setRegister('cr', cr);
        machine.setRegister('srr0', BigInt(CODE + 4 * words.length - 4));
        machine.setRegister('srr1', 0x9000_0000_0000_1000n | (endian === 'little' ? 1n : 0n));
        machine.pc = CODE;
        return machine;
      };
      agree(`random #${c} ${endian} [${words.map((w) => w.toString(16).padStart(8, '0')).join(' ')}]`, setup, { counts: [words.length, 3], splits: [40], traced: [40] });
    }
  });
});

/** A scenario's machine with JIT translation options (setUpScenario takes only what the backend's factory takes). */
function setUpScenarioWith(scenario: Parameters<typeof setUpScenario>[1], options: Ppc64MachineOptions): Machine {
  const backend = { ...PPC64_BACKEND, createMachine: () => createPpc64Machine(options) };
  return setUpScenario(backend, scenario, {}, abis).machine;
}

/**
 * The block loop's inline ops (`DecodedOp.fast`, chosen in ppc64's
 * `fastKindOf`, numbered by `Ppc64FastKind`) mean exactly what their
 * handlers do. Each program runs three ways on the interpreter from the
 * same random registers, CR and XER, in 64- and 32-bit mode: through the
 * block loop untraced (the inline forms), through the block loop traced into
 * a `TraceRecorder` (the inline forms, recorded a block at a time), and one
 * step at a time through `op.exec` (a plain trace sink takes the
 * interpreter's observed loop). All three must end the same way after the
 * same number of steps with the same registers, and both traces must hold
 * the same events.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPpc64Machine, Ppc64FastKind, ppc64InstructionSet, predecodePpc64, type Ppc64Memory } from '../../../arch/ppc64/core.ts';
import { PPC64_BACKEND } from '../../../arch/ppc64/backend.ts';
import { assembleOrFail, loadProgram } from '../../../src/cli/run-program.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import type { RunResult } from '../../../src/interp/interpreter.ts';
import { TraceRecorder, type TraceEvent } from '../../../src/interp/trace.ts';
import type { Endian } from '../../../src/memory/guest-memory.ts';
import { CODE, DATA, load, type Ppc64Machine } from './machine-harness.ts';

/** A starting state: eight GPRs (r0–r7, 64-bit), the CR, XER[SO] and XER[CA], and the mode. */
interface Start {
  readonly registers: readonly bigint[];
  readonly cr: number;
  readonly so: boolean;
  readonly ca: boolean;
  /** MSR[SF]: 64-bit mode. */
  readonly sf: boolean;
}

/** Options of one program's runs. */
interface Setup {
  /** Where the program goes (default {@link CODE}). */
  readonly base?: number;
  /** Handlers to assemble at addresses, before the program. */
  readonly at?: Readonly<Record<number, string>>;
  /** Starting mode (default `hv`). */
  readonly mode?: 'hv' | 'supervisor' | 'problem';
  /** Machine byte order (default big). */
  readonly endian?: Endian;
  /** Registers to set last (over the start's). */
  readonly registers?: Readonly<Record<string, bigint>>;
  /** Extra ranges to map. */
  readonly map?: readonly (readonly [number, number])[];
  /** Code to assemble at addresses in the byte order opposite to the machine's (run with MSR[LE] against the memory's). */
  readonly opposite?: Readonly<Record<number, string>>;
}

const MSR_SF = 1n << 63n;

function machineWith(source: string, start: Start, setup: Setup): Ppc64Machine {
  const machine = createPpc64Machine({ engine: 'interp', endian: setup.endian ?? 'big' });
  machine.memory.map(0, 0x2000);
  machine.memory.map(CODE, 0x2000);
  machine.memory.map(DATA, 0x1000);
  for (const [base, size] of setup.map ?? []) machine.memory.map(base, size);
  for (const [address, text] of Object.entries(setup.at ?? {})) load(machine, text, Number(address));
  const other = machine.memory.endian === 'big' ? 'little' : 'big';
  for (const [address, text] of Object.entries(setup.opposite ?? {})) machine.memory.load(Number(address), assemble(ppc64InstructionSet(other), text, Number(address)).bytes);
  const base = setup.base ?? CODE;
  load(machine, source, base);
  machine.setMode(setup.mode ?? 'hv');
  if (!start.sf) machine.setRegister('msr', machine.register('msr') & ~MSR_SF);
  machine.pc = base;
  start.registers.forEach((value, k) => machine.setRegister(`r${k}`, value));
  machine.setRegister('cr', BigInt(start.cr >>> 0));
  machine.setRegister('xer', (start.so ? 1n << 31n : 0n) | (start.ca ? (1n << 29n) | (1n << 18n) : 0n));
  for (const [name, value] of Object.entries(setup.registers ?? {})) machine.setRegister(name, value);
  return machine;
}

/** The events of a trace, as comparable plain data. */
function plain(events: readonly TraceEvent[]): unknown[] {
  return events.map((event) => ({ ...event }));
}

/** Run `source` the three ways for `steps`; everything must agree. Returns the untraced run's result. */
function agree(source: string, start: Start, steps: number, setup: Setup = {}): RunResult {
  const fast = machineWith(source, start, setup);
  const recorded = machineWith(source, start, setup);
  const stepped = machineWith(source, start, setup);
  const recorder = new TraceRecorder();
  recorded.trace = recorder;
  const events: TraceEvent[] = [];
  stepped.trace = { emit: (event) => events.push(event) };
  const a = fast.run(steps);
  const r = recorded.run(steps);
  const b = stepped.run(steps);
  const what = `${source.trim().split('\n').join(' / ')} (${start.sf ? '64' : '32'}-bit, ${steps} steps)`;
  const expected = { reason: b.reason, steps: b.steps, pc: b.pc, registers: stepped.registers() };
  expect({ reason: a.reason, steps: a.steps, pc: a.pc, registers: fast.registers() }, what).toEqual(expected);
  expect({ reason: r.reason, steps: r.steps, pc: r.pc, registers: recorded.registers() }, `${what}, traced`).toEqual(expected);
  expect(plain(recorder.events), `${what}: the recorded trace`).toEqual(plain(events));
  return a;
}

/** Random doublewords, and often the edges: 0, ±1, the word and doubleword sign boundaries, a 0xc000… kernel address. */
const doubleword = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
  fc.constantFrom(0n, 1n, 5n, 0xffffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 0xffff_ffff_8000_0000n, 0xc000_0000_0000_1234n),
);
const start = fc.record({
  registers: fc.array(doubleword, { minLength: 8, maxLength: 8 }),
  cr: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  so: fc.boolean(),
  ca: fc.boolean(),
  sf: fc.boolean(),
});

/** One instruction of each inline ALU form, with registers that alias and not. */
const ALU_FORMS: readonly string[] = [
  'li 3, -5',
  'lis 3, -0x8000',
  'li 3, 0x7fff',
  'addi 3, 4, -1',
  'addi 4, 4, 0x7fff',
  'addis 3, 4, -0x8000',
  'addis 5, 5, 1',
  'addic 3, 4, -1',
  'addic 3, 4, 1',
  'addic 4, 4, 0',
  'addic. 3, 4, -1',
  'addic. 3, 4, 0x7fff',
  'addic. 5, 5, 0',
  'add 3, 4, 5',
  'add 4, 4, 4',
  'subf 3, 4, 5',
  'subf 5, 5, 4',
  'subf 3, 3, 3',
  'or 3, 4, 5',
  'mr 3, 4',
  'xor 3, 4, 5',
  'xor 4, 4, 4',
  'and 3, 4, 5',
  'ori 3, 4, 0xffff',
  'oris 3, 4, 0x8000',
  'xori 3, 4, 0x8001',
  'xoris 4, 4, 0xffff',
  'andi. 3, 4, 0x8000',
  'andi. 3, 4, 0',
  'andis. 3, 4, 0x8000',
  'andis. 4, 4, 0x7fff',
  'rlwinm 3, 4, 5, 6, 7',
  'rlwinm 3, 4, 0, 0, 31',
  'rlwinm 3, 4, 27, 5, 31',
  'rlwinm 3, 4, 5, 31, 3',
  'rlwinm 4, 4, 31, 0, 0',
  'rlwinm. 3, 4, 5, 0, 26',
  'rlwinm. 3, 4, 0, 0, 0',
  'rlwinm. 3, 4, 1, 31, 0',
  'rldicl 3, 4, 5, 6',
  'rldicl 3, 4, 0, 32',
  'rldicl 3, 4, 32, 0',
  'rldicl 3, 4, 63, 63',
  'rldicr 3, 4, 40, 63',
  'sldi 3, 4, 31',
  'rldic 3, 4, 37, 0',
  'rldic 4, 4, 0, 63',
  'rldicl. 3, 4, 60, 4',
  'rldicr. 3, 4, 5, 0',
  'rldic. 3, 4, 33, 1',
  'cmpw 3, 4',
  'cmpw 3, 3, 4',
  'cmplw 7, 4, 5',
  'cmpd 4, 5',
  'cmpd 4, 4',
  'cmpld 1, 4, 5',
  'cmpwi 4, -1',
  'cmpwi 2, 4, 5',
  'cmplwi 4, 0xffff',
  'cmpdi 4, 0',
  'cmpdi 6, 4, -0x8000',
  'cmpldi 4, 1',
  'cmpldi 5, 5, 0xffff',
  'extsb 3, 4',
  'extsh 3, 4',
  'extsw 3, 4',
  'extsw 4, 4',
  'mtlr 4',
  'mtctr 5',
  'mflr 3',
  'mfctr 3',
  'nop',
  'isync',
];

describe('ppc64 inline ops', () => {
  it('every inline ALU form agrees with its handler, in 64- and 32-bit mode', () => {
    fc.assert(
      fc.property(start, (s) => {
        // lr and ctr from r6 and r7 first, so that the moves from them read something.
        for (const form of ALU_FORMS) agree(`mtlr 6\nmtctr 7\n${form}\nwait`, s, 10);
      }),
      { numRuns: 25 },
    );
  });

  it('the forms the loop must leave to their handlers are not inline', () => {
    const memory = createPpc64Machine({ engine: 'interp' });
    memory.memory.map(CODE, 0x1000);
    const cases: readonly [string, number][] = [
      ['addi 3, 4, 1', Ppc64FastKind.addImmediate],
      ['li 3, 1', Ppc64FastKind.loadImmediate],
      ['add. 3, 4, 5', 0],
      ['addo 3, 4, 5', 0],
      ['subf. 3, 4, 5', 0],
      ['subfc 3, 4, 5', 0],
      ['and. 3, 4, 5', 0],
      ['or. 3, 4, 5', 0],
      ['rlwimi 3, 4, 5, 6, 7', 0],
      ['rlwnm 3, 4, 5, 6, 7', 0],
      ['rldimi 3, 4, 5, 6', 0],
      ['extsw. 3, 4', 0],
      ['ba 0x100', 0],
      ['bla 0x100', 0],
      ['beql 8', 0],
      ['bdnzt 2, 8', 0],
      ['beqlr', 0],
      ['blrl', 0],
      ['beqctr', 0],
      ['bdnzlr', 0],
      ['hrfid', 0],
      ['tw 4, 3, 4', 0],
      ['blr', Ppc64FastKind.branchToLink],
      ['bctrl', Ppc64FastKind.branchToCountWithLink],
      ['sc 1', Ppc64FastKind.systemCall],
      ['rfid', Ppc64FastKind.returnFromInterrupt],
    ];
    for (const [text, fast] of cases) {
      load(memory, text, CODE);
      const op = predecodePpc64(memory.memory as Ppc64Memory, memory.state, CODE);
      expect(op.fast, text).toBe(fast);
    }
  });

  it('the compares get one inline form per kind, and sc at the vector itself is left to the model', () => {
    const machine = createPpc64Machine({ engine: 'interp' });
    machine.memory.map(0, 0x2000);
    const kinds = new Set<number>();
    for (const text of ['cmpw 3, 4', 'cmpd 3, 4', 'cmplw 3, 4', 'cmpld 3, 4', 'cmpwi 3, 4', 'cmpdi 3, 4', 'cmplwi 3, 4', 'cmpldi 3, 4']) {
      load(machine, text, 0x1000);
      kinds.add(predecodePpc64(machine.memory as Ppc64Memory, machine.state, 0x1000).fast);
    }
    expect([...kinds].sort((x, y) => x - y)).toEqual([17, 18, 19, 20, 21, 22, 23, 24]);
    load(machine, 'sc', 0xc00);
    expect(predecodePpc64(machine.memory as Ppc64Memory, machine.state, 0xc00).fast).toBe(0);
  });

  it('b, bl and bc under every condition agree, and a block of inline ops stops exactly at the budget', () => {
    const conditions = ['beq', 'bne', 'blt', 'bge', 'bgt', 'ble', 'bso', 'bns', 'beq 3,', 'bne 7,'];
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 40 }), (s, budget) => {
        for (const cond of conditions) {
          agree(`loop: addi 3, 3, 1\ncmpw 3, 4\n${cond} there\nli 5, 7\nthere: bl next\nnext: xor 6, 6, 3\naddic. 7, 7, -1\nbne loop\nb done\nli 5, 9\ndone: wait`, s, budget);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('bc far from its target (above 2^31) and b wrapping below 0 agree with the handlers', () => {
    const high = 0x1_0000_0000;
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 12 }), (s, budget) => {
        // Above 2^32 (bc's far form: the target is not fixed below 2^31); in 32-bit mode the branches wrap to 32 bits.
        agree(`loop: addic. 3, 3, -1\nbeq out\nbne loop\nout: cmpd 3, 4\nbgt loop\nwait`, s, budget, { base: high, map: [[high, 0x1000]] });
        // b back from 0x8 to -8: 0xfffffff8 in 32-bit mode, the doubleword's top in 64-bit mode, both unmapped: an ISI.
        agree(`.long 0x60000000\n.long 0x60000000\n.long 0x4bfffff0`, s, budget, { base: 0, at: { 0x400: 'wait' } });
      }),
      { numRuns: 10 },
    );
  });

  it('bdnz, bdz, blr, bctr and bctrl agree, CTR and LR from every edge', () => {
    const targets = [BigInt(CODE + 0x40), BigInt(CODE + 0x43), 0xc000_0000_0001_0040n, 0x1_0001_0040n];
    fc.assert(
      fc.property(start, fc.constantFrom(...targets), fc.boolean(), fc.integer({ min: 1, max: 30 }), (s, target, relocate, budget) => {
        const registers = { ctr: s.registers[7]! & 0x3n, lr: target, r9: target };
        const setup = (source: string): void => {
          const msr: Record<string, bigint> = relocate ? { msr: 0x9000_0000_0000_1032n & (s.sf ? ~0n : ~MSR_SF) } : {};
          agree(source, s, budget, { registers: { ...registers, ...msr }, at: { 0x400: 'wait', 0x700: 'wait' } });
        };
        setup(`loop: addi 3, 3, 1\nbdnz loop\nbdz out\nli 4, 1\nout: wait`);
        setup(`blr\nwait\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\nwait`);
        setup(`mtctr 9\nbctr\nwait\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\nwait`);
        setup(`mtctr 9\nbctrl\nwait\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\n.long 0\nmflr 3\nwait`);
      }),
      { numRuns: 15 },
    );
  });

  it('sc and rfid round trips agree with the handlers from every state, LEV and byte order', () => {
    // The 0xC00 handler counts in r8 and returns; the caller drops to supervisor or problem state with rfid first.
    const source = `
        bl      here
        .long   loop
here:   mflr    9
        lwz     8, 0(9)
        mtsrr0  8
        mtsrr1  10
        rfid
loop:   sc      LEV
        sc
        addic.  5, 5, -1
        bne     loop
        wait
`;
    const handler = 'addi 8, 8, 1\nrfid';
    const srr1s = [0x9000_0000_0000_1002n, 0x8000_0000_0000_1002n, 0x8000_0000_0000_d032n, 0x8000_0000_0000_1003n, 0x0000_0000_0000_1002n];
    for (const endian of ['big', 'little'] as const) {
      for (const srr1 of srr1s) {
        for (const lev of ['0', '1', '127']) {
          for (const budget of [1, 6, 7, 8, 9, 10, 23, 100]) {
            const s: Start = { registers: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], cr: 0, so: false, ca: false, sf: true };
            const littleSrr1 = endian === 'little' ? srr1 ^ 1n : srr1;
            agree(source.replace('LEV', lev), s, budget, { endian, at: { 0xc00: handler, 0x700: 'wait' }, registers: { r5: 5n, r10: littleSrr1 } });
          }
        }
      }
    }
  });

  it('sc with MSR[LE] against the byte order of the memory (the entry changes it) agrees with the handler', () => {
    const s: Start = { registers: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], cr: 0, so: false, ca: false, sf: true };
    const code = CODE + 0x1000;
    for (const endian of ['big', 'little'] as const) {
      // MSR[LE] is the opposite of the memory's: the code runs in the other byte order; the handler at 0xC00 in the memory's, and
      // its rfid returns to SRR1's MSR[LE].
      const msr = endian === 'big' ? 0x9000_0000_0000_1003n : 0x9000_0000_0000_1002n;
      for (const budget of [1, 2, 3, 4, 5, 6, 7, 20]) {
        const result = agree('wait', s, budget, {
          endian,
          opposite: { [code]: 'li 3, 1\nsc\naddi 3, 3, 1\nsc 1\naddi 3, 3, 1\nwait' },
          at: { 0xc00: 'addi 8, 8, 1\nrfid', 0x700: 'wait' },
          registers: { msr, pc: BigInt(code) },
        });
        if (budget === 20) expect(result).toEqual({ reason: 'wfi', steps: 10, pc: code + 24, detail: expect.any(String) });
      }
    }
  });

  it('sc with its vector unmapped, and rfid to an address relocation cannot fetch, stop or trap as the model says', () => {
    const s: Start = { registers: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], cr: 0, so: false, ca: false, sf: true };
    const unmapped = createPpc64Machine({ engine: 'interp' });
    const run = (traced: boolean): unknown => {
      const machine = createPpc64Machine({ engine: 'interp' });
      machine.memory.map(CODE, 0x1000);
      load(machine, 'li 3, 1\nsc\nwait', CODE);
      machine.pc = CODE;
      if (traced) machine.trace = new TraceRecorder();
      return { result: machine.run(10), registers: machine.registers() };
    };
    expect(unmapped.mode()).toBe('hv');
    const untraced = run(false) as { result: { reason: string } };
    expect(untraced.result.reason).toBe('recursive-fault');
    expect(untraced).toEqual(run(true));
    // rfid with SRR1[IR] = 1 to a 0xc000… address: nothing is mapped at 2^60 and up, so the fetch there is an ISI.
    agree('mtsrr0 9\nmtsrr1 10\nrfid\nwait', s, 10, { registers: { r9: 0xc000_0000_0001_0000n, r10: 0x8000_0000_0000_1032n }, at: { 0x400: 'wait' } });
    // sc at the vector itself would re-enter forever: the model stops it there.
    expect(agree('sc\nwait', s, 10, { base: 0xc00 }).reason).toBe('recursive-fault');
  });

  it('a machine that runs long gets copies of its own of the loop, sc and rfid, and they run as the JIT does', () => {
    // 2^20 steps asked of the loop make the machine copy it (and the inline sc and rfid): closed functions, or the copies throw.
    for (const metric of ['alu-ips', 'trap-rtps']) {
      const bench = PPC64_BACKEND.benchmarks.find((b) => b.metric === metric)!;
      const program = assembleOrFail(PPC64_BACKEND, bench.source, metric, PPC64_BACKEND.loadAddress);
      const machines = (['interp', 'jit'] as const).map((engine) => loadProgram(PPC64_BACKEND, program, bench.mode, undefined, engine));
      const results = machines.map((machine) => [machine.run(1 << 20), machine.run(5003)]);
      expect(results[0], metric).toEqual(results[1]);
      expect(machines[0]!.registers(), metric).toEqual(machines[1]!.registers());
    }
  });
});


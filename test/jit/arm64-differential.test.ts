/**
 * The arm64 JIT against the interpreter: every program must end identically
 * under both engines — every register (system registers, banked SPs and
 * PSTATE included), every mapped byte, the stop reason, detail and PC, the
 * step count, and the trace lines. Programs: the bench loops (spec firmware
 * included), the showcase, every scenario's guest code, the assembly hyp
 * stubs driven by hvc calls, self-modifying code, loops, guarded traces, and
 * seeded random sequences from the Unicorn differential test's generator;
 * each at many step counts, and in split runs (run(n) then run(m) against
 * run(n + m)). The JIT runs with lazy flags and with eager ones, with and
 * without traces.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { ARM64_INSTRUCTION_SET, createArm64Machine, type Arm64Core, type Arm64MachineOptions } from '../../arch/arm64/core.ts';
import { ARM64_FIRMWARE_IMPLEMENTATIONS } from '../../arch/arm64/firmware/index.ts';
import { ARM64_HYP_STUBS, installArm64AsmFirmware } from '../../arch/arm64/firmware/hyp-stubs.ts';
import { ARM64_FIRMWARE_PORT } from '../../arch/arm64/firmware-port.ts';
import { loadAbis } from '../../src/di/container.ts';
import { generateSuite, runSuite } from '../../src/firmware/conformance.ts';
import { installSpecFirmware } from '../../src/firmware/firmware.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { setUpScenario } from '../../src/scenario/runner.ts';
import { CODE_REGION, CODE_REGION_SIZE, DATA as DIFF_DATA, DATA_SIZE, generateArm64Case, TERMINATOR } from '../diff/arm64-generator.ts';
import { Coverage } from '../diff/differential.ts';
import { Random } from '../diff/random.ts';
import { agree as agreeAmong, expectRestoreRunsFresh, type Plan, type Setup as SetupFor } from '../support/engine-agreement.ts';

const abis = loadAbis();

/** The engines compared: the interpreter first (the reference), then the JIT's variants. */
const ENGINES: readonly { readonly name: string; readonly options: Arm64MachineOptions }[] = [
  { name: 'interp', options: { engine: 'interp' } },
  { name: 'jit', options: { engine: 'jit' } },
  { name: 'jit (eager flags, loops not unrolled)', options: { engine: 'jit', translation: { lazyFlags: false, unrollLoops: false } } },
  { name: 'jit (no traces)', options: { engine: 'jit', translation: { traces: false } } },
];

/** A machine set up by `setup` for one engine. */
type Setup = SetupFor<Arm64MachineOptions>;

/** Compare every engine with the interpreter on `setup`, as `plan` says. */
function agree(label: string, setup: Setup, plan: Plan): void {
  agreeAmong(ENGINES, label, setup, plan);
}

/** The step counts every program runs at. */
const COUNTS = [...Array.from({ length: 24 }, (_, i) => i), 31, 32, 33, 63, 64, 65, 97, 250, 1000, 4097];
/** The plan for small programs: every count, splits and traces of a few. */
const SMALL: Plan = { counts: COUNTS, splits: [7, 33, 97, 1000], traced: [5, 17, 64, 250] };

/** VBAR_EL1 and VBAR_EL2 of {@link withVectors}, and a data page. */
const VBAR1 = 0x1_0000;
const VBAR2 = 0x2_0000;
const DATA = 0x4_0000;

/** Assemble `source` at the arm64 load address, with a stack below, as `hyplay run` does. */
function program(source: string, mode: string, more: (machine: Machine) => void = () => undefined): Setup {
  const assembled = assemble(ARM64_INSTRUCTION_SET, source, ARM64_BACKEND.loadAddress);
  return (options) => {
    const machine = createArm64Machine(options);
    machine.memory.map(assembled.base - 0x4000, 0x4000);
    machine.memory.load(assembled.base, assembled.bytes.length === 0 ? new Uint8Array(4) : assembled.bytes);
    machine.setMode(mode);
    machine.pc = assembled.base;
    machine.setRegister('sp', BigInt(assembled.base));
    more(machine);
    return machine;
  };
}

/** A vector table whose every slot is `wfi`. */
const WFI_TABLE = assemble(ARM64_INSTRUCTION_SET, Array.from({ length: 0x800 / 4 }, () => 'wfi').join('\n'), 0).bytes;

/** Both vector tables with every slot `wfi` (the run stops there), and the data page. */
function withVectors(machine: Machine): void {
  for (const base of [VBAR1, VBAR2]) {
    machine.memory.map(base, 0x800);
    machine.memory.load(base, WFI_TABLE);
  }
  machine.setRegister('vbar_el1', BigInt(VBAR1));
  machine.setRegister('vbar_el2', BigInt(VBAR2));
  machine.memory.map(DATA, 0x1000);
}

function jitOf(machine: Machine) {
  return ((machine as ReturnType<typeof createArm64Machine>).core as Arm64Core).jit!;
}

describe('arm64 JIT = interpreter', () => {
  for (const bench of ARM64_BACKEND.benchmarks) {
    it(`bench loop ${bench.metric}`, () => {
      agree(
        bench.metric,
        program(bench.source, bench.mode, (machine) => {
          for (const [name, value] of Object.entries(bench.registers)) machine.setRegister(name, value);
          if (bench.firmware !== undefined) installSpecFirmware(machine, ARM64_FIRMWARE_PORT, abis.get(bench.firmware.abi)!, bench.firmware.base);
        }),
        { ...SMALL, counts: [...COUNTS, 12345, 100003], splits: [...SMALL.splits, 100003] },
      );
    });
  }

  it('the bench loops are translated: the ALU loop is a loop, the hvc loops traces through VBAR_EL2 + 0x400 and eret', () => {
    const [alu, trap, spec] = ARM64_BACKEND.benchmarks;
    const aluMachine = program(alu!.source, alu!.mode)({ engine: 'jit' });
    expect(aluMachine.run(100_000).reason).toBe('budget-exhausted');
    expect(jitOf(aluMachine).blocks().some((block) => block.source.includes('for (;;)'))).toBe(true);
    const trapMachine = program(trap!.source, trap!.mode)({ engine: 'jit' });
    expect(trapMachine.run(100_000).reason).toBe('budget-exhausted');
    expect(jitOf(trapMachine).stats.traces).toBeGreaterThan(0);
    const specMachine = program(spec!.source, spec!.mode, (machine) => installSpecFirmware(machine, ARM64_FIRMWARE_PORT, abis.get(spec!.firmware!.abi)!, spec!.firmware!.base))({ engine: 'jit' });
    expect(specMachine.run(100_000).reason).toBe('budget-exhausted');
    expect(jitOf(specMachine).stats.traces).toBeGreaterThan(0);
  });

  it('spec firmware left other ways than a return inside a hot trace: an error result, then a soft restart (a jump at EL2) on the last pass', () => {
    // The loop's trace calls the v4.12 stub in place; the last pass's HVC_SOFT_RESTART jumps to x1 at EL2 instead of returning.
    const source = `
        mov     x0, #0x3c5
        msr     spsr_el2, x0
        adr     x0, loop
        msr     elr_el2, x0
        mov     x4, #300
        adr     x1, done
        eret
loop:   mov     x0, #2                     // HVC_RESET_VECTORS: x0 = 0
        hvc     #0
        cmp     x4, #1
        mov     x0, #7                     // not a stub call: x0 = HVC_STUB_ERR
        b.ne    call
        mov     x0, #1                     // the last pass: HVC_SOFT_RESTART to x1, at EL2
call:   hvc     #0
        subs    x4, x4, #1
        b.ne    loop
        wfi
done:   mov     x2, #42
        wfi
`;
    const setup = program(source, 'el2h', (machine) => installSpecFirmware(machine, ARM64_FIRMWARE_PORT, abis.get('linux-hyp-stub-arm64-v4.12')!, 0x4_0000));
    const machine = setup({ engine: 'jit' });
    const result = machine.run(10_000);
    expect(result.reason).toBe('wfi');
    expect(machine.register('x2')).toBe(42n);
    expect(machine.mode()).toBe('el2h');
    expect(jitOf(machine).stats.traces).toBeGreaterThan(0);
    agree('spec firmware, varied outcomes', setup, { counts: [...COUNTS, 2000, 2100, 2101, 2102, 10_000], splits: [2101, 10_000], traced: [250] });
  });

  it('the showcase', () => {
    const showcase = ARM64_BACKEND.showcase;
    agree('showcase', program(showcase.source, showcase.mode), { ...SMALL, traced: [...SMALL.traced, showcase.maxSteps] });
  });

  // A scenario's machine costs about a second to set up (its memory map spans the 64 MiB flat window and beyond), so each
  // engine sets one up once and every run starts from its snapshot; the interpreter and the default JIT are compared.
  for (const scenario of ARM64_BACKEND.scenarios!.scenarios()) {
    it(`scenario ${scenario.name}`, () => {
      const machines = new Map<Arm64MachineOptions, { machine: Machine; start: ReturnType<Machine['snapshot']> }>();
      const setup: Setup = (options) => {
        const known = machines.get(options);
        if (known !== undefined) {
          known.machine.trace = undefined;
          known.machine.restore(known.start);
          return known.machine;
        }
        const machine = setUpScenarioWith(scenario, options);
        machines.set(options, { machine, start: machine.snapshot() });
        return machine;
      };
      expect(setup(ENGINES[1]!.options).engine).toBe('jit');
      agreeAmong(ENGINES.slice(0, 2), scenario.name, setup, { counts: [8, 144, scenario.maxSteps], splits: [scenario.maxSteps], traced: [scenario.maxSteps] });
    });
  }

  for (const firmware of ARM64_HYP_STUBS) {
    it(`assembly firmware ${firmware.name}, called by hvc with x0 = 0 … 9`, () => {
      for (let x0 = 0; x0 < 10; x0++) {
        const caller = `mov x0, #0x3c5\nmsr spsr_el2, x0\nadr x0, kernel\nmsr elr_el2, x0\neret\nkernel: mov x0, #${x0}\nmov x1, #0x9000\nmov x2, #7\nhvc #0\nwfi`;
        agree(
          `${firmware.name} x0=${x0}`,
          program(caller, 'el2h', (machine) => {
            machine.memory.map(0x4_0000, 0x2000);
            installArm64AsmFirmware(machine, firmware, 0x4_0000);
            machine.setRegister('vbar_el2', 0x4_0000n);
            machine.memory.map(0x9000, 0x1000);
          }),
          { counts: [5, 9, 12, 20, 40, 200], splits: [200], traced: [200] },
        );
      }
    });

    it(`assembly firmware ${firmware.name}: its conformance report is the same under both engines`, () => {
      const abi = abis.get(firmware.implements)!;
      const implementation = ARM64_FIRMWARE_IMPLEMENTATIONS.find((i) => i.name === `asm:${firmware.name}`)!;
      const driver = ARM64_FIRMWARE_PORT.conformance!;
      const report = (engine: 'interp' | 'jit') => {
        const engineDriver = { ...driver, createMachine: () => createArm64Machine({ engine }) };
        return runSuite(abi, generateSuite(abi, ARM64_FIRMWARE_PORT, engineDriver), ARM64_FIRMWARE_PORT, engineDriver, implementation);
      };
      const interp = report('interp');
      expect(interp.results.length).toBeGreaterThan(0);
      expect(report('jit')).toEqual(interp);
    });
  }

  it('self-modifying code: a store into the running block, into a loop body, and code copied and run', () => {
    const source = [
      // 1. Rewrite the instruction right after the store (same block): mov x0, #1 becomes mov x0, #7.
      'ldr w1, movseven',
      'adr x9, patch',
      'str w1, [x9]',
      'patch: mov x0, #1',
      // 2. A loop whose body is rewritten on its third pass: add x3, x3, #1 becomes add x3, x3, #16.
      'mov x2, #0',
      'mov x3, #0',
      'adr x10, loop',
      'loop: add x3, x3, #1',
      'add x2, x2, #1',
      'cmp x2, #3',
      'b.ne skip',
      'ldr w1, addsixteen',
      'str w1, [x10]',
      'skip: cmp x2, #6',
      'b.ne loop',
      // 3. Copy a function to the data page and call it, twice, changing it in between (an STP and a register-offset STR).
      `mov x4, #${DATA}`,
      'adr x5, func',
      'ldp w6, w7, [x5]',
      'stp w6, w7, [x4]',
      'blr x4',
      'mov x7, x0',
      'ldr w1, movnine',
      'mov x8, #0',
      'str w1, [x4, x8]',
      'blr x4',
      'wfi',
      'func: mov x0, #5',
      'ret',
      'movseven: .word 0xd28000e0',
      'addsixteen: .word 0x91004063',
      'movnine: .word 0xd2800120',
    ].join('\n');
    const setup = program(source, 'el1h', withVectors);
    agree('self-modifying', setup, { ...SMALL, traced: [...SMALL.traced, 200] });
    // A machine restored after a run that rewrote its code runs as a fresh one (what it translated from the old bytes is dropped).
    expectRestoreRunsFresh(ENGINES, setup, [5, 30, 120, 1000]);
    const machine = setup({ engine: 'jit' });
    expect(machine.run(1000).reason).toBe('wfi');
    expect([machine.register('x0'), machine.register('x3'), machine.register('x7')]).toEqual([9n, 3n + 3n * 16n, 5n]);
  });

  it('loops whose flags, registers and memory carry from pass to pass (self-loops in translated code)', () => {
    const bodies = [
      ['adcs x0, x0, x2', 'eor x3, x3, x0', 'subs x1, x1, #1', 'b.ne loop'],
      ['csinc x0, x0, x5, cs', 'extr x4, x4, x0, #3', 'sub x1, x1, #1', 'cmp x1, #0', 'b.gt loop'],
      ['ldr x5, [x12], #8', 'adds x6, x6, x5', 'str x6, [x12, #-8]', 'ldp w7, w8, [x12]', 'stp w8, w7, [x12, #8]!', 'subs w1, w1, #1', 'b.ne loop'],
      ['tst x1, #6', 'csel x7, x1, x7, eq', 'mul x8, x1, x1', 'madd x9, x8, x1, x9', 'subs x1, x1, #1', 'b.pl loop'],
      ['add x0, x0, #1', 'tbz x0, #3, loop', 'cbnz x1, next', 'next: sub x1, x1, #1', 'cbnz x1, loop'],
      ['ldrsb x5, [x12, #3]', 'ldrsh w6, [x12, #6]', 'strb w1, [x12, #3]', 'strh w0, [x12, #6]', 'add x0, x0, x5, lsl #7', 'sub x1, x1, #1', 'cbnz x1, loop'],
      // Flags stay lazy over the operands: the register the adder read changes before a condition reads C and V.
      ['adds x0, x0, x2, lsl #1', 'mov x2, x1', 'cinc x6, x6, vs', 'cinc x7, x7, cs', 'subs w9, w0, w2', 'mov w2, w7', 'csinv x5, x5, x6, lo', 'subs x1, x1, #1', 'b.ne loop'],
      ['add x0, x0, #1', 'b loop'],
    ];
    for (const [i, body] of bodies.entries()) {
      const source = ['mov x1, #20', `mov x12, #${DATA}`, 'movn x2, #0', 'msr nzcv, x2', 'loop:', ...body, 'wfi'].join('\n');
      agree(`loop ${i}`, program(source, 'el1h', withVectors), { counts: [1, 4, 5, 9, 10, 11, 37, 64, 65, 110, 200], splits: [37, 200], traced: [11, 200] });
    }
  });

  it('a hot hvc/eret loop whose handler now and then goes another way (trace guards fail and exit)', () => {
    const source = [
      'adr x0, vectors',
      'msr vbar_el2, x0',
      'mov x0, #0x3c5',
      'msr spsr_el2, x0',
      'adr x0, loop',
      'msr elr_el2, x0',
      'mov x1, #1000',
      'eret',
      'loop: hvc #0',
      'add x2, x2, #1',
      'hvc #1',
      'subs x1, x1, #1',
      'b.ne loop',
      'wfi',
      '.balign 0x800',
      'vectors: .skip 0x400',
      'handler: add x3, x3, #1',
      'and x4, x3, #15',
      'cmp x4, #11',
      'b.eq rare',
      'eret',
      // Every 16th call skips the instruction after the hvc, and returns to EL1t or EL1h in turn (with the flags of its SPSR).
      'rare: mrs x5, elr_el2',
      'add x5, x5, #4',
      'msr elr_el2, x5',
      'tst x3, #16',
      'mov x6, #0x3c4',
      'mov x7, #0x3c5',
      'csel x6, x6, x7, ne',
      'orr x6, x6, #0x60000000',
      'msr spsr_el2, x6',
      'eret',
    ].join('\n');
    agree('guarded trace', program(source, 'el2h', withVectors), { counts: [100, 500, 1000, 1297, 2000, 4000], splits: [1297, 4000], traced: [1297] });
    const machine = program(source, 'el2h', withVectors)({ engine: 'jit' });
    expect(machine.run(8000).reason).toBe('budget-exhausted');
    expect(machine.register('x3')).toBeGreaterThan(64n);
    expect(jitOf(machine).stats.traces).toBeGreaterThan(0);
  });

  it('a hot loop through a BR whose target changes now and then (the trace guard on it fails and exits)', () => {
    const source = [
      'adr x8, t1',
      'adr x9, t2',
      'mov x1, #1000',
      'loop: add x2, x2, #1',
      'and x3, x2, #7',
      'cmp x3, #5',
      'csel x7, x9, x8, eq',
      'br x7',
      't1: add x4, x4, #1',
      'b back',
      't2: add x5, x5, #1',
      'back: subs x1, x1, #1',
      'b.ne loop',
      'wfi',
    ].join('\n');
    agree('br trace', program(source, 'el1h', withVectors), { counts: [100, 700, 1500, 5000, 9000], splits: [1500, 9000], traced: [1500] });
    const machine = program(source, 'el1h', withVectors)({ engine: 'jit' });
    expect(machine.run(10_000).reason).toBe('wfi');
    expect([machine.register('x4'), machine.register('x5')]).toEqual([875n, 125n]);
    expect(jitOf(machine).stats.traces).toBeGreaterThan(0);
  });

  it('faults and traps inside translated code: data aborts, an UNDEFINED MRS, SP and SPSel, at EL1 and EL0', () => {
    const source = [
      `mov x12, #${DATA}`,
      'ldr x0, [x12, #8]',
      'add x13, x12, #0xffc',
      'str x0, [x13]', // crosses the end of the data page: a data abort (the interpreter takes it)
      'ldr x1, [x12, x0]', // register offset, called in place: a data abort from the handler
      'mrs x2, s3_0_c15_c0_0', // an unimplemented register: UNDEFINED
      'ldxr x3, [x12]',
      'stxr w4, x3, [x12]',
      'stp x0, x1, [sp, #-16]!',
      'ldp x5, x6, [sp], #16',
      'wfi',
    ].join('\n');
    const vectors = (machine: Machine): void => {
      withVectors(machine);
      // EL1's current-SPx synchronous slot returns past the faulting instruction.
      const handler = assemble(ARM64_INSTRUCTION_SET, 'mrs x20, elr_el1\nadd x20, x20, #4\nmsr elr_el1, x20\nadd x21, x21, #1\neret', VBAR1 + 0x200).bytes;
      machine.memory.load(VBAR1 + 0x200, handler);
      machine.memory.write32(DATA + 8, 0x10_0000);
    };
    agree('faults at EL1', program(source, 'el1h', vectors), SMALL);
    const machine = program(source, 'el1h', vectors)({ engine: 'jit' });
    expect(machine.run(1000).reason).toBe('wfi');
    expect(machine.register('x21')).toBe(3n);
  });

  it('seeded random sequences from the Unicorn differential generator, from random registers, flags and data', () => {
    const coverage = new Coverage();
    for (let index = 0; index < 120; index++) {
      const c = generateArm64Case(0xa64, index, Random.forCase(0xa64, index), coverage);
      const words = [...c.instructions.map((i) => i.word), TERMINATOR];
      const setup: Setup = (options) => {
        const machine = createArm64Machine(options);
        machine.memory.map(CODE_REGION, CODE_REGION_SIZE);
        machine.memory.map(DIFF_DATA, DATA_SIZE);
        for (const block of c.memory) machine.memory.load(block.base, block.bytes);
        const bytes = new Uint8Array(words.length * 4);
        words.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w, true));
        machine.memory.load(c.code, bytes);
        withVectors(machine);
        machine.setMode('el1h');
        for (const [name, value] of Object.entries(c.registers)) machine.setRegister(name, value);
        machine.pc = c.code;
        return machine;
      };
      const listing = words.map((w) => w.toString(16).padStart(8, '0')).join(' ');
      agree(`random #${index} [${listing}]`, setup, { counts: [words.length, 3], splits: [words.length], traced: [words.length] });
    }
  }, 600_000);
});

/** A scenario's machine with JIT translation options (setUpScenario takes only what the backend's factory takes). */
function setUpScenarioWith(scenario: Parameters<typeof setUpScenario>[1], options: Arm64MachineOptions): Machine {
  const backend = { ...ARM64_BACKEND, createMachine: () => createArm64Machine(options) };
  return setUpScenario(backend, scenario, {}, abis).machine;
}

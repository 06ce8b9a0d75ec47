/**
 * The arm32 JIT against the interpreter: every program must end identically
 * under both engines — every register (banked and cp15 included), every
 * mapped byte, the stop reason, detail and PC, the step count, and the trace
 * lines. Programs: the bench loops (spec firmware included), the showcase,
 * every scenario's guest code, the assembly firmware driven by hvc calls,
 * self-modifying code, and seeded random instruction sequences; each at
 * many step counts, and in split runs (run(n) then run(m) against
 * run(n + m)). The JIT runs with lazy flags and with eager ones.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM32_INSTRUCTION_SET, createArm32Machine, type Arm32Core, type Arm32MachineOptions } from '../../arch/arm32/core.ts';
import { ARM32_CONFORMANCE_DRIVER } from '../../arch/arm32/firmware/conformance-driver.ts';
import { ARM32_ASM_FIRMWARE, ARM32_FIRMWARE_IMPLEMENTATIONS, installAsmFirmware } from '../../arch/arm32/firmware/index.ts';
import { ARM32_FIRMWARE_PORT } from '../../arch/arm32/firmware-port.ts';
import { loadAbis } from '../../src/di/container.ts';
import { installSpecFirmware } from '../../src/firmware/firmware.ts';
import { generateSuite, runSuite } from '../../src/firmware/conformance.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { setUpScenario } from '../../src/scenario/runner.ts';
import { CODE, DATA, installWfiVectors } from '../arch/arm32/machine-harness.ts';
import { agree as agreeAmong, expectRestoreRunsFresh, type Plan, type Setup as SetupFor } from '../support/engine-agreement.ts';

const abis = loadAbis();

/** The engines compared: the interpreter first (the reference), then the JIT's variants. */
const ENGINES: readonly { readonly name: string; readonly options: Arm32MachineOptions }[] = [
  { name: 'interp', options: { engine: 'interp' } },
  { name: 'jit', options: { engine: 'jit' } },
  { name: 'jit (eager flags, loops not unrolled)', options: { engine: 'jit', translation: { lazyFlags: false, unrollLoops: false } } },
  { name: 'jit (no traces)', options: { engine: 'jit', translation: { traces: false } } },
];

/** A machine set up by `setup` for one engine. */
type Setup = SetupFor<Arm32MachineOptions>;

/** Compare every engine with the interpreter on `setup`, as `plan` says. */
function agree(label: string, setup: Setup, plan: Plan): void {
  agreeAmong(ENGINES, label, setup, plan);
}

/** The step counts every program runs at. */
const COUNTS = [...Array.from({ length: 24 }, (_, i) => i), 31, 32, 33, 63, 64, 65, 97, 250, 1000, 4097];
/** The plan for small programs: every count, splits and traces of a few. */
const SMALL: Plan = { counts: COUNTS, splits: [7, 33, 97, 1000], traced: [5, 17, 64, 250] };

/** Assemble `source` at the arm32 load address, with a stack below and the test vector tables, as `hyplay run` does. */
function program(source: string, mode: string, more: (machine: Machine) => void = () => undefined): Setup {
  const assembled = assemble(ARM32_INSTRUCTION_SET, source, ARM32_BACKEND.loadAddress);
  return (options) => {
    const machine = createArm32Machine(options);
    machine.memory.map(assembled.base - 0x4000, 0x4000);
    machine.memory.load(assembled.base, assembled.bytes.length === 0 ? new Uint8Array(4) : assembled.bytes);
    machine.setMode(mode);
    machine.pc = assembled.base;
    machine.setRegister('sp', BigInt(assembled.base));
    more(machine);
    return machine;
  };
}

/** A machine with wfi vector tables and the data page, as the arm32 test harness sets one up. */
function withVectors(machine: Machine): void {
  installWfiVectors(machine as ReturnType<typeof createArm32Machine>);
  machine.memory.map(DATA, 0x1000);
}

describe('arm32 JIT = interpreter', () => {
  for (const bench of ARM32_BACKEND.benchmarks) {
    it(`bench loop ${bench.metric}`, () => {
      agree(
        bench.metric,
        program(bench.source, bench.mode, (machine) => {
          for (const [name, value] of Object.entries(bench.registers)) machine.setRegister(name, value);
          if (bench.firmware !== undefined) installSpecFirmware(machine, ARM32_FIRMWARE_PORT, abis.get(bench.firmware.abi)!, bench.firmware.base);
        }),
        { ...SMALL, counts: [...COUNTS, 12345, 100003], splits: [...SMALL.splits, 100003] },
      );
    });
  }

  it('spec firmware left other ways than a return inside a hot trace: an error result, then a soft restart (a jump in Hyp) on the last pass', () => {
    // The loop's trace calls the firmware in place; the last pass's SOFT_RESTART retires at the target instead of returning.
    const source = `
        movw    r0, #0x1d3
        msr     spsr_fsxc, r0
        ldr     r0, laddr
        msr     elr_hyp, r0
        ldr     r4, count
        ldr     r1, target
        eret
loop:   mov     r0, #2                     @ HVC_RESET_VECTORS: r0 = 0
        hvc     #0
        cmp     r4, #1
        moveq   r0, #1                     @ the last pass: HVC_SOFT_RESTART to r1, in Hyp
        movne   r0, #7                     @ otherwise not a stub call: r0 = HVC_STUB_ERR
        hvc     #0
        subs    r4, r4, #1
        bne     loop
        wfi
done:   mov     r2, #42
        wfi
laddr:  .word   loop
count:  .word   300
target: .word   done
`;
    const setup = program(source, 'hyp', (machine) => installSpecFirmware(machine, ARM32_FIRMWARE_PORT, abis.get('linux-hyp-stub-v4.12')!, 0x4000));
    const machine = setup({ engine: 'jit' });
    const result = machine.run(10_000);
    expect(result.reason).toBe('wfi');
    expect(machine.register('r2')).toBe(42n);
    expect(machine.mode()).toBe('hyp');
    expect(((machine as ReturnType<typeof createArm32Machine>).core as Arm32Core).jit!.stats.traces).toBeGreaterThan(0);
    agree('spec firmware, varied outcomes', setup, { counts: [...COUNTS, 2000, 2103, 2104, 2105, 10_000], splits: [2104, 10_000], traced: [250] });
  });

  it('the showcase', () => {
    const showcase = ARM32_BACKEND.showcase;
    agree('showcase', program(showcase.source, showcase.mode), { ...SMALL, traced: [...SMALL.traced, showcase.maxSteps] });
  });

  for (const scenario of ARM32_BACKEND.scenarios!.scenarios()) {
    it(`scenario ${scenario.name}`, () => {
      expect(setUpScenario(ARM32_BACKEND, scenario, { engine: 'jit' }).machine.engine).toBe('jit');
      agree(scenario.name, (options) => setUpScenarioWith(scenario, options), { counts: [1, 2, 3, 8, 21, 55, 144, 377, 987, scenario.maxSteps], splits: [scenario.maxSteps], traced: [scenario.maxSteps] });
    });
  }

  for (const firmware of ARM32_ASM_FIRMWARE) {
    it(`assembly firmware ${firmware.name}, called by hvc with r0 = 0 … 9`, () => {
      for (let r0 = 0; r0 < 10; r0++) {
        const caller = `movw r0, #0x1d3\nmsr spsr_fsxc, r0\nldr r0, entry\nmsr elr_hyp, r0\neret\nentry: .word kernel\nkernel: mov r0, #${r0}\nmov r1, #0x9000\nmov r2, #7\nhvc #0\nwfi`;
        agree(`${firmware.name} r0=${r0}`, program(caller, 'hyp', (machine) => {
          machine.memory.map(0x4_0000, 0x2000);
          installAsmFirmware(machine, firmware, 0x4_0000);
          machine.setRegister('hvbar', 0x4_0000n);
          machine.memory.map(0x9000, 0x1000);
        }), { counts: [5, 9, 12, 20, 40, 200], splits: [200], traced: [200] });
      }
    });

    it(`assembly firmware ${firmware.name}: its conformance report is the same under both engines`, () => {
      const abi = abis.get(firmware.implements)!;
      const implementation = ARM32_FIRMWARE_IMPLEMENTATIONS.find((i) => i.name === `asm:${firmware.name}`)!;
      const report = (engine: 'interp' | 'jit') => {
        const driver = { ...ARM32_CONFORMANCE_DRIVER, createMachine: () => createArm32Machine({ engine }) };
        return runSuite(abi, generateSuite(abi, ARM32_FIRMWARE_PORT, driver), ARM32_FIRMWARE_PORT, driver, implementation);
      };
      const interp = report('interp');
      expect(interp.results.length).toBeGreaterThan(0);
      expect(report('jit')).toEqual(interp);
    });
  }

  it('self-modifying code: a store into the running block, into a loop body, and code copied and run', () => {
    const source = [
      // 1. Rewrite the instruction right after the store (same block).
      'ldr r1, movseven',
      'str r1, patch',
      'patch: mov r0, #1',
      // 2. A loop whose body is rewritten on its third pass: add r3, r3, #1 becomes add r3, r3, #16.
      'mov r2, #0',
      'mov r3, #0',
      'loop: add r3, r3, #1',
      'add r2, r2, #1',
      'cmp r2, #3',
      'ldreq r1, addsixteen',
      'streq r1, loop',
      'cmp r2, #6',
      'bne loop',
      // 3. Copy a function to the data page and call it, twice, changing it in between.
      'ldr r4, dest',
      'ldr r5, source',
      'ldr r6, [r5], #4',
      'str r6, [r4], #4',
      'ldr r6, [r5], #4',
      'str r6, [r4], #4',
      'ldr r4, dest',
      'blx r4',
      'mov r7, r0',
      'ldr r1, movnine',
      'str r1, [r4]',
      'blx r4',
      'wfi',
      'func: mov r0, #5',
      'bx lr',
      'movseven: .word 0xe3a00007',
      'addsixteen: .word 0xe2833010',
      'movnine: .word 0xe3a00009',
      `dest: .word ${DATA}`,
      'source: .word func',
    ].join('\n');
    const setup = program(source, 'svc', withVectors);
    agree('self-modifying', setup, { ...SMALL, traced: [...SMALL.traced, 200] });
    // A machine restored after a run that rewrote its code runs as a fresh one (what it translated from the old bytes is dropped).
    expectRestoreRunsFresh(ENGINES, setup, [5, 30, 120, 1000]);
    const machine = setup({ engine: 'jit' });
    expect(machine.run(1000).reason).toBe('wfi');
    expect([machine.register('r0'), machine.register('r3'), machine.register('r7')]).toEqual([9n, 3n + 3n * 16n, 5n]);
  });

  it('loops whose flags, registers and memory carry from pass to pass (self-loops in translated code)', () => {
    const bodies = [
      ['adcs r0, r0, r2', 'eor r3, r3, r0', 'subs r1, r1, #1', 'bne loop'],
      ['addcs r0, r0, #7', 'movs r4, r4, rrx', 'sub r1, r1, #1', 'cmp r1, #0', 'bgt loop'],
      ['ldr r5, [r12], #4', 'adds r6, r6, r5', 'str r6, [r12, #-4]', 'subs r1, r1, #1', 'bne loop'],
      ['teq r1, #5', 'moveq r7, r1', 'mul r8, r1, r1', 'mla r9, r8, r1, r9', 'subs r1, r1, #1', 'bpl loop'],
      ['add r0, r0, #1', 'b loop'],
    ];
    for (const [i, body] of bodies.entries()) {
      const source = ['mov r1, #20', `ldr r12, data`, 'msr cpsr_f, #0x80000000', 'loop:', ...body, 'wfi', `data: .word ${DATA}`].join('\n');
      agree(`loop ${i}`, program(source, 'svc', withVectors), { counts: [1, 4, 5, 9, 10, 11, 37, 64, 65, 110, 200], splits: [37, 200], traced: [11, 200] });
    }
  });

  it('a hot hvc/eret loop whose handler now and then goes another way (trace guards fail and exit)', () => {
    const source = [
      'ldr r0, vaddr',
      'mcr p15, #4, r0, c12, c0, #0',
      'movw r0, #0x1d3',
      'msr spsr_fsxc, r0',
      'ldr r0, laddr',
      'msr elr_hyp, r0',
      'mov r1, #1000',
      'eret',
      'loop: hvc #0',
      'add r2, r2, #1',
      'hvc #1',
      'subs r1, r1, #1',
      'bne loop',
      'wfi',
      '.align 5',
      'vectors: b vectors',
      'b vectors',
      'b vectors',
      'b vectors',
      'b vectors',
      'b handler',
      'b vectors',
      'b vectors',
      'handler: add r3, r3, #1',
      'and r4, r3, #15',
      'cmp r4, #11',
      'beq rare',
      'eret',
      // Every 16th call skips the instruction after the hvc, and returns to sys or svc mode in turn.
      'rare: mrs r5, elr_hyp',
      'add r5, r5, #4',
      'msr elr_hyp, r5',
      'tst r3, #16',
      'movne r6, #0x1df',
      'moveq r6, #0x1d3',
      'msr spsr_fsxc, r6',
      'eret',
      'vaddr: .word vectors',
      'laddr: .word loop',
    ].join('\n');
    agree('guarded trace', program(source, 'hyp', withVectors), { counts: [100, 500, 1000, 1297, 2000, 4000], splits: [1297, 4000], traced: [1297] });
    const machine = program(source, 'hyp', withVectors)({ engine: 'jit' });
    expect(machine.run(8000).reason).toBe('budget-exhausted');
    expect(machine.register('r3')).toBeGreaterThan(64n);
    expect(((machine as ReturnType<typeof createArm32Machine>).core as Arm32Core).jit!.stats.traces).toBeGreaterThan(0);
  });

  it('a hot loop through a BX whose target changes now and then (the trace guard on it fails and exits)', () => {
    const source = [
      'ldr r8, one',
      'ldr r9, two',
      'mov r1, #1000',
      'loop: add r2, r2, #1',
      'and r3, r2, #7',
      'cmp r3, #5',
      'moveq r7, r9',
      'movne r7, r8',
      'bx r7',
      't1: add r4, r4, #1',
      'b back',
      't2: add r5, r5, #1',
      'back: subs r1, r1, #1',
      'bne loop',
      'wfi',
      'one: .word t1',
      'two: .word t2',
    ].join('\n');
    agree('bx trace', program(source, 'svc', withVectors), { counts: [100, 700, 1500, 5000, 9000], splits: [1500, 9000], traced: [1500] });
    const machine = program(source, 'svc', withVectors)({ engine: 'jit' });
    expect(machine.run(10_000).reason).toBe('wfi');
    expect([machine.register('r4'), machine.register('r5')]).toEqual([875n, 125n]);
    expect(((machine as ReturnType<typeof createArm32Machine>).core as Arm32Core).jit!.stats.traces).toBeGreaterThan(0);
  });

  it('seeded random instruction sequences, from random registers and flags', () => {
    let seed = 0x5eed;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = (): number => ((random(0x10000) << 16) | random(0x10000)) >>> 0;
    const instruction = (): number => {
      const cond = random(4) === 0 ? random(15) : 14;
      const kind = random(12);
      if (kind < 6) {
        // Data processing, every opcode and form, Rd = PC now and then.
        const opcode = random(16);
        const rd = random(8) === 0 ? 15 : random(13);
        const form = random(3);
        let w = (cond << 28) | (opcode << 21) | (random(2) << 20) | (random(16) << 16) | (rd << 12);
        if (form === 0) w |= (1 << 25) | random(4096);
        else if (form === 1) w |= (random(32) << 7) | (random(4) << 5) | random(16);
        else w |= (random(16) << 8) | (random(4) << 5) | (1 << 4) | random(16);
        return w >>> 0;
      }
      if (kind === 6) return ((cond << 28) | (random(2) ? 0x03000000 : 0x03400000) | (random(16) << 16) | (random(13) << 12) | random(4096)) >>> 0;
      if (kind === 7) return ((cond << 28) | (random(2) << 21) | (random(2) << 20) | (random(13) << 16) | (random(13) << 12) | (random(13) << 8) | 0x90 | random(13)) >>> 0;
      if (kind < 10) {
        // LDR/STR/LDRB/STRB off r12 (the data page), immediate or register offset, every addressing mode.
        const p = random(2);
        const w = random(2);
        const reg = random(2);
        const offset = reg ? (random(32) << 7) | (random(4) << 5) | 11 : random(2) ? random(64) * 4 : random(4096);
        return ((cond << 28) | (1 << 26) | (reg << 25) | (p << 24) | (random(2) << 23) | (random(2) << 22) | ((p === 0 ? 0 : w) << 21) | (random(2) << 20) | (12 << 16) | (random(12) << 12) | offset) >>> 0;
      }
      if (kind === 10) {
        // LDRH/STRH/LDRSB/LDRSH, immediate offset.
        const sh = [0xb, 0xd, 0xf][random(3)]!;
        const l = sh === 0xb ? random(2) : 1;
        return ((cond << 28) | (1 << 24) | (random(2) << 23) | (1 << 22) | (l << 20) | (12 << 16) | (random(12) << 12) | (random(16) << 8) | (sh << 4) | random(16)) >>> 0;
      }
      // Anything at all: undefined encodings, branches, system instructions.
      return word();
    };
    const programs = 400;
    for (let c = 0; c < programs; c++) {
      const words = Array.from({ length: 1 + random(16) }, instruction);
      words.push(0xe320f003); // wfi
      const registers = Array.from({ length: 12 }, () => (random(4) === 0 ? random(16) : word()));
      const flags = random(16);
      const setup: Setup = (options) => {
        const machine = createArm32Machine(options);
        withVectors(machine);
        const bytes = new Uint8Array(words.length * 4);
        words.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w, true));
        machine.memory.load(CODE, bytes);
        for (let a = DATA; a < DATA + 0x1000; a += 4) machine.memory.write32(a, Math.imul(a, 2654435761) >>> 0);
        registers.forEach((value, i) => machine.setRegister(`r${i}`, BigInt(value)));
        machine.setRegister('r12', BigInt(DATA + 0x800));
        machine.setRegister('cpsr', BigInt(((flags << 28) | 0x1d3) >>> 0));
        machine.pc = CODE;
        return machine;
      };
      agree(`random #${c} [${words.map((w) => w.toString(16).padStart(8, '0')).join(' ')}]`, setup, { counts: [words.length, 3], splits: [40], traced: [40] });
    }
  });
});

/** A scenario's machine with JIT translation options (setUpScenario takes only what the backend's factory takes). */
function setUpScenarioWith(scenario: Parameters<typeof setUpScenario>[1], options: Arm32MachineOptions): Machine {
  const backend = { ...ARM32_BACKEND, createMachine: () => createArm32Machine(options) };
  return setUpScenario(backend, scenario, {}, abis).machine;
}

/**
 * `hyplay asm`, `disasm` and `run` for ppc64 against the contract in
 * DESIGN.md, driven in-process through `runCli`: big- and little-endian,
 * the register names of the JSON dump, and one-line input errors with
 * exit status 2.
 */

import { describe, expect, it } from 'vitest';
import { cli, json } from '../../support/cli.ts';
import { tempFiles } from '../../support/temp-files.ts';

const { file } = tempFiles('ppc64-cli');

/** A program that installs an rfid at 0xC00, drops to supervisor state and makes a hypercall. */
const HYPERCALL = `
        lis     6, 0x4c00
        ori     6, 6, 0x24          # rfid
        li      7, 0xc00
        stw     6, 0(7)
        bl      here
        .long   kernel
here:   mflr    9
        lwz     8, 0(9)
        mtsrr0  8
        li      7, 1
        sldi    7, 7, 63
        ori     7, 7, MSRLOW            # SF | ME | RI (| LE): supervisor state
        mtsrr1  7
        rfid
kernel: li      3, 0x300
        sc      1
        wait
`;

describe('hyplay asm ppc64', () => {
  it('assembles sc and sc 1 big-endian, and little-endian with --endian little', () => {
    expect(json('asm', 'ppc64', 'sc; sc 1').instructions).toEqual([
      { address: '0x00000000', bytes: '44 00 00 02', text: 'sc' },
      { address: '0x00000004', bytes: '44 00 00 22', text: 'sc 1' },
    ]);
    expect(json('asm', 'ppc64', 'sc 1', '--endian', 'little').instructions).toEqual([{ address: '0x00000000', bytes: '22 00 00 44', text: 'sc 1' }]);
  });

  it('prints extended mnemonics as llvm-mc does and takes # comments', () => {
    const result = cli('asm', 'ppc64', 'li 3, 5 # a comment; mr 4, 3; beq cr2, .+8; mtsrr0 3; mtspr 8, 3');
    expect(result.status).toBe(0);
    expect(result.out.split('\n').map((l) => l.replace(/^\S+:\s+(\S\S ){4}\s*/, ''))).toEqual(['li 3, 5']);
    const several = json('asm', 'ppc64', 'mr 4, 3; beq cr2, .+8; mtsrr0 3; mtspr 8, 3; rldicr 3, 4, 5, 58');
    expect(several.instructions.map((i: { text: string }) => i.text)).toEqual(['mr 4, 3', 'bt 10, .+8', 'mtsrr0 3', 'mtlr 3', 'sldi 3, 4, 5']);
  });
});

describe('hyplay disasm ppc64', () => {
  it('reads bytes in memory order and 0x words in the byte order', () => {
    expect(json('disasm', 'ppc64', '44000022', '0x4c000024').instructions).toEqual([
      { address: '0x00000000', bytes: '44 00 00 22', text: 'sc 1' },
      { address: '0x00000004', bytes: '4c 00 00 24', text: 'rfid' },
    ]);
    expect(json('disasm', 'ppc64', '--endian', 'little', '0x44000022', '02000044').instructions.map((i: { bytes: string; text: string }) => [i.bytes, i.text])).toEqual([
      ['22 00 00 44', 'sc 1'],
      ['02 00 00 44', 'sc'],
    ]);
  });

  it('shows an illegal word as .inst', () => {
    expect(json('disasm', 'ppc64', '00000000').instructions[0].text).toBe('.inst 0x00000000');
  });
});

describe('hyplay run ppc64', () => {
  it('starts in hv at 0x4000 with r1 = 0x4000 and dumps 64-bit registers by their ISA names', () => {
    const report = json('run', 'ppc64', file('li 3, -1\nwait\n'));
    expect(report.stop.reason).toBe('wfi');
    expect(report.registers.r3).toBe('0xffffffffffffffff');
    expect(report.registers.r1).toBe('0x0000000000004000');
    expect(report.registers.pc).toBe('0x0000000000004008');
    expect(report.registers.msr).toBe('0x9000000000001002');
    const names = Object.keys(report.registers);
    expect(names.slice(0, 32)).toEqual(Array.from({ length: 32 }, (_, i) => `r${i}`));
    for (const name of ['cr', 'xer', 'lr', 'ctr', 'msr', 'srr0', 'srr1', 'hsrr0', 'hsrr1', 'sprg0', 'sprg3', 'hsprg0', 'hsprg1', 'pvr', 'pir', 'dar', 'dsisr']) {
      expect(names).toContain(name);
    }
    for (const value of Object.values(report.registers)) expect(value).toMatch(/^0x[0-9a-f]{16}$/);
  });

  it('runs a hypercall through 0xC00 with a trace, in both byte orders', () => {
    for (const endian of ['big', 'little']) {
      // The supervisor MSR keeps LE = 1 on a little-endian machine, or its code would be fetched big-endian.
      const report = json('run', 'ppc64', file(HYPERCALL.replace('MSRLOW', endian === 'big' ? '0x1002' : '0x1003')), '--trace', '--endian', endian);
      expect(report.stop.reason).toBe('wfi');
      expect(report.trace).toContain('-- exception system-call: sc 1 from supervisor; supervisor -> hv, vector 0x00000c00, return 0x00004040');
      expect(report.trace).toContain('-- return rfid: hv -> supervisor at 0x00004040');
      expect(report.registers.msr).toBe(endian === 'big' ? '0x8000000000001002' : '0x8000000000001003');
    }
  });

  it('takes --mode supervisor and --mode problem', () => {
    expect(json('run', 'ppc64', file('mfmsr 3\nwait\n'), '--mode', 'supervisor').registers.r3).toBe('0x8000000000001002');
    // mfmsr is privileged: a program interrupt, into a vector page where nothing was loaded: the run stops there.
    const problem = json('run', 'ppc64', file('mfmsr 3\nwait\n'), '--mode', 'problem', '--trace');
    expect(problem.trace[1]).toBe(
      '-- exception program: privileged instruction at 0x00004000 (mfmsr in problem state); problem -> supervisor, vector 0x00000700, return 0x00004000, syndrome 0x00040000',
    );
    expect(problem.stop).toEqual({ reason: 'left-image', pc: '0x00000700', detail: 'the PC left the loaded image (0x00004000..0x00004008): nothing was loaded or written at 0x00000700' });
    expect(problem.steps).toBe(1);
  });
});

describe('ppc64 input errors: one line, status 2', () => {
  const cases: readonly (readonly [string, string[], string])[] = [
    ['unknown mnemonic', ['asm', 'ppc64', 'frob 3'], "hyplay: <text>:1:1: unknown mnemonic 'frob'"],
    ['unknown register', ['asm', 'ppc64', 'add 3, 4, r32'], "hyplay: <text>:1:11: unknown register 'r32' (GPRs are 0..31)"],
    ['bad register', ['asm', 'ppc64', 'add 3, 4, x5'], "hyplay: <text>:1:11: unknown register 'x5'"],
    ['immediate out of range', ['asm', 'ppc64', 'li 3, 40000'], 'hyplay: <text>:1:7: immediate 40000 out of range -32768..32767'],
    ['unsigned immediate out of range', ['asm', 'ppc64', 'ori 3, 3, -1'], 'hyplay: <text>:1:11: immediate -1 out of range 0..65535'],
    ['DS displacement not a multiple of 4', ['asm', 'ppc64', 'ld 3, 6(1)'], 'hyplay: <text>:1:7: displacement 6 is not a multiple of 4'],
    ['bad operands', ['asm', 'ppc64', 'sc 1, 2'], "hyplay: <text>:1:4: bad operands for 'sc' (expected sc | sc <lev>)"],
    ['bad hex', ['disasm', 'ppc64', '44zz'], "hyplay: bad hex '44zz' (argument 1, column 3)"],
    ['bad --endian', ['asm', 'ppc64', 'sc', '--endian', 'middle'], "hyplay: --endian: 'middle' is not 'little' or 'big'"],
    ['bad --mode', ['run', 'ppc64', 'PROGRAM', '--mode', 'kernel'], "hyplay: --mode: unknown mode 'kernel' (one of hv, supervisor, problem) ('kernel' is a privilege; --mode takes a CPU mode)"],
    ['bad --mode, not a privilege', ['run', 'ppc64', 'PROGRAM', '--mode', 'svc'], "hyplay: --mode: unknown mode 'svc' (one of hv, supervisor, problem)"],
  ];

  it.each(cases)('%s', (_, argv, expected) => {
    const program = file('nop\n');
    const result = cli(...argv.map((a) => (a === 'PROGRAM' ? program : a)));
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toEqual([expected]);
  });
});

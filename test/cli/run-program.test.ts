/**
 * `hyplay run` as a user drives it: firmware at the vectors, initial
 * registers, the stop when the PC leaves the loaded image, breakpoints,
 * memory dumps, a register filter, the engine choice, and the program on
 * standard input. In-process through `runCli`, plus the real binary for
 * standard input.
 */

import { describe, expect, it } from 'vitest';
import { firmwareBase } from '../../src/cli/run-program.ts';
import { loadBackends } from '../../src/di/container.ts';
import { hyplay } from '../support/binary.ts';
import { cli, json } from '../support/cli.ts';
import { tempFiles } from '../support/temp-files.ts';

const { file } = tempFiles('run');

/** The one stderr line of a failed run, which must exit 2 with nothing on stdout. */
function failure(...argv: string[]): string {
  const result = cli(...argv);
  expect(result.status).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toHaveLength(1);
  return result.err[0]!;
}

describe('run --firmware', () => {
  // HVC_RESET_VECTORS (r0 = 2) of the v4.12 hyp-stub ABI returns r0 = 0 (HVC_STUB_ERR is only for unknown calls).
  const CALL = 'mov r0, #2\nhvc #0\nwfi\n';

  it.each(['linux-hyp-stub-v4.12', 'asm:hyp-stub-v4.12'])('%s at the Hyp vectors answers `mov r0, #2; hvc #0` and returns to svc', (firmware) => {
    const report = json('run', 'arm32', file(CALL), '--firmware', firmware, '--trace');
    expect(report.stop.reason).toBe('wfi');
    expect(report.registers.r0).toBe('0x00000000');
    expect(Number(report.registers.cpsr) & 0x1f).toBe(0x13); // back in svc
    expect(report.registers.hvbar).toBe(`0x${firmwareBase(loadBackends().get('arm32')!).toString(16).padStart(8, '0')}`);
    expect(report.trace.some((line: string) => line.startsWith('-- exception ') && line.includes('hvc'))).toBe(true);
  });

  it('without firmware the same hvc finds no vectors: a recursive fault, an outcome', () => {
    const report = json('run', 'arm32', file(CALL));
    expect(report.stop.reason).toBe('recursive-fault');
  });

  it('puts firmware below the stack, aligned as the vector base must be', () => {
    for (const backend of loadBackends().all()) {
      const base = firmwareBase(backend);
      expect(base % (backend.firmware?.alignment ?? 1)).toBe(0);
      expect(base).toBeLessThan(backend.loadAddress);
    }
  });

  it('ppc64: papr-kvm spec firmware at 0xC00 answers sc 1 from a guest kernel and returns with rfid', () => {
    const report = json('run', 'ppc64', file('li 3, 0x24\nli 4, 0x55\nsc 1\nwait\n'), '--mode', 'supervisor', '--firmware', 'papr-kvm', '--trace');
    expect(report.stop.reason).toBe('wfi');
    expect(report.registers.pc).toBe('0x0000000000004010');
    expect(report.trace).toContain('-- return rfid: hv -> supervisor at 0x0000400c');
    // H_SET_SPRG0 (r3 = 0x24) set SPRG0 to r4 and answered H_SUCCESS.
    expect(report.registers.sprg0).toBe('0x0000000000000055');
    expect(report.registers.r3).toBe('0x0000000000000000');
  });

  it.each([
    [['arm32', '--firmware', 'no-such-spec'], "hyplay: --firmware: unknown ABI 'no-such-spec' (a spec id of arm32 from `hyplay abi list --arch arm32`, or asm:NAME)"],
    [['arm32', '--firmware', 'papr-kvm'], "hyplay: --firmware: 'papr-kvm' is a ppc64 spec, not arm32"],
    [
      ['arm32', '--firmware', 'asm:nothing'],
      `hyplay: --firmware: unknown assembly implementation 'asm:nothing' (one of ${loadBackends()
        .get('arm32')!
        .firmware!.conformance!.implementations.map((i) => i.name)
        .join(', ')})`,
    ],
    [['ppc64', '--firmware', 'asm:hyp-stub-v4.12'], "hyplay: --firmware: unknown assembly implementation 'asm:hyp-stub-v4.12' (ppc64 ships none)"],
  ])('rejects %j cleanly', ([arch, ...options], expected) => {
    expect(failure('run', arch!, file('nop\n'), ...options)).toBe(expected);
  });
});

describe('run REG=VAL', () => {
  it('sets registers after the mode and the stack, so they win', () => {
    const report = json('run', 'arm32', file('add r2, r0, r1\nwfi\n'), 'r0=40', 'R1=0x2', 'sp=0x7000');
    expect(report.registers.r2).toBe('0x0000002a');
    expect(report.registers.sp).toBe('0x00007000');
  });

  it('takes a negative value two\'s complement and 64-bit values on ppc64', () => {
    expect(json('run', 'arm32', file('wfi\n'), 'r3=-1').registers.r3).toBe('0xffffffff');
    expect(json('run', 'ppc64', file('wait\n'), 'r3=0x8000000000000001').registers.r3).toBe('0x8000000000000001');
  });

  it.each([
    [['r0'], "hyplay: run: 'r0' (argument 3) is not REG=VAL"],
    [['r0=1', 'q9=1'], "hyplay: run: unknown register 'q9' for arm32 (argument 4)"],
    [['r0=1', 'r0=2'], "hyplay: run: register 'r0' is given twice (argument 4)"],
    [['r0=0x100000000'], 'hyplay: run: r0 (argument 3): 0x100000000 does not fit a 32-bit register'],
    [['r0=ten'], "hyplay: run: r0 (argument 3): 'ten' is not a number (decimal or 0x hex)"],
  ])('rejects %j', (assignments, expected) => {
    expect(failure('run', 'arm32', file('nop\n'), ...assignments)).toBe(expected);
  });
});

describe('run stops when the PC leaves the loaded image', () => {
  it('falling off the end stops at the first address past it, with no step counted there', () => {
    const report = json('run', 'arm32', file('mov r0, #1\nmov r1, #2\n'), '--trace');
    expect(report.stop).toEqual({
      reason: 'left-image',
      pc: '0x00008008',
      detail: 'the PC left the loaded image (0x00008000..0x00008008): nothing was loaded or written at 0x00008008',
    });
    expect(report.steps).toBe(2);
    expect(report.trace).toHaveLength(3);
    expect(report.trace[2]).toMatch(/^-- stop left-image at 0x00008008/);
  });

  it('an empty program stops before executing anything', () => {
    const report = json('run', 'arm32', file('@ nothing\n'));
    expect(report.stop.reason).toBe('left-image');
    expect(report.stop.pc).toBe('0x00008000');
    expect(report.steps).toBe(0);
  });

  it('a jump into the zero-filled stack stops there', () => {
    const report = json('run', 'arm32', file('mov r0, #0x7000\nbx r0\n'));
    expect(report.stop).toMatchObject({ reason: 'left-image', pc: '0x00007000' });
  });

  it('code the guest stored outside the image runs', () => {
    // Store `mov r2, #7` (e3a02007) and `wfi` (e320f003) into the stack page, then branch there.
    const source = ['ldr r1, insn1', 'ldr r3, insn2', 'mov r0, #0x7000', 'str r1, [r0]', 'str r3, [r0, #4]', 'bx r0', 'insn1: .word 0xe3a02007', 'insn2: .word 0xe320f003'].join('\n');
    const report = json('run', 'arm32', file(source));
    expect(report.stop.reason).toBe('wfi');
    expect(report.registers.r2).toBe('0x00000007');
  });

  it('a fetch from unmapped memory stays the architecture\'s fault', () => {
    // No vectors mapped: the prefetch abort cannot be taken, a recursive fault.
    expect(json('run', 'arm32', file('mov r0, #0x100000\nbx r0\n')).stop.reason).toBe('recursive-fault');
  });
});

describe('run --break', () => {
  const LOOP = 'start: mov r0, #0\nloop: add r0, r0, #1\nnext: cmp r0, #5\nbne loop\ndone: wfi\n';

  it('stops on reaching a label or an address, the first one reached', () => {
    expect(json('run', 'arm32', file(LOOP), '--break', 'done').stop).toMatchObject({ reason: 'breakpoint', pc: '0x00008010' });
    const both = json('run', 'arm32', file(LOOP), '--break', 'done', '--break', '0x8008');
    expect(both.stop).toMatchObject({ reason: 'breakpoint', pc: '0x00008008' });
    expect(both.registers.r0).toBe('0x00000001');
  });

  it.each([
    [['--break', 'nowhere'], "hyplay: --break: 'nowhere' is neither an address nor a label of the program (labels: start, loop, next, done)"],
    [['--break', '0x100000000'], 'hyplay: --break: 0x100000000 is out of range 0..0xffffffff'],
    [['--break', '-4'], 'hyplay: --break: -4 is out of range 0..0xffffffff'],
  ])('rejects %j', (options, expected) => {
    expect(failure('run', 'arm32', file(LOOP), ...options)).toBe(expected);
  });
});

describe('run --break on a 64-bit machine', () => {
  // The guest maps its own image at 0xffffffff80000000 (PML4 511, PDPT 510, one 2 MiB page at physical 0, beside the
  // identity map it runs from) and jumps there: an upper-half PC, which hyplay holds in the signed representation.
  const UPPER = `
        movq    $pml4, %rax
        movq    %rax, %cr3
        movabsq $0xffffffff80000000 + upper, %rax
        jmpq    *%rax
        .p2align 8
upper:  nop
        hlt
        .p2align 12
pml4:   .quad   pdpt_low + 3
        .space  8 * 510
        .quad   pdpt_kernel + 3
pdpt_low:
        .quad   pd + 3
        .space  8 * 511
pdpt_kernel:
        .space  8 * 510
        .quad   pd + 3
        .space  8
pd:     .quad   0x83
        .space  8 * 511
`;

  it.each(['interp', 'jit'])('stops at an upper-half address given as its 64-bit value (%s)', (engine) => {
    const free = json('run', 'x86_64', file(UPPER), '--engine', engine);
    expect(free.stop).toMatchObject({ reason: 'wfi', pc: '0xffffffff80100102' });
    const stopped = json('run', 'x86_64', file(UPPER), '--engine', engine, '--break', '0xffffffff80100101');
    expect(stopped.stop).toMatchObject({ reason: 'breakpoint', pc: '0xffffffff80100101' });
  });

  it.each([
    [['--break', '0x8000000000000000'], 'hyplay: --break: 0x8000000000000000 cannot be a PC: hyplay holds 64-bit addresses in their signed representation, exact within ±2^53 (every canonical address is)'],
    [['--break', '0x10000000000000000'], 'hyplay: --break: 0x10000000000000000 is out of range 0..0xffffffffffffffff'],
    [['--dump', '0xffffffff80100101:4'], 'hyplay: --dump: 0xffffffff80100101 is beyond guest physical memory (--dump reads physical memory, 0..0x1fffffffffffff)'],
  ])('rejects %j', (options, expected) => {
    expect(failure('run', 'x86_64', file(UPPER), ...options)).toBe(expected);
  });
});

describe('run --dump', () => {
  const DATA = 'mov r0, #1\nwfi\ntable: .word 0x64636261\n.word 0x0a\n';

  it('shows memory after the run as an object in JSON, in the order given', () => {
    const report = json('run', 'arm32', file(DATA), '--dump', 'table:8', '--dump', '0x8000:4');
    expect(report.dumps).toEqual([
      { address: '0x00008008', length: 8, bytes: '61 62 63 64 0a 00 00 00' },
      { address: '0x00008000', length: 4, bytes: '01 00 a0 e3' },
    ]);
  });

  it('shows a hex dump with the printable characters in text', () => {
    const result = cli('run', 'arm32', file(DATA), '--dump', '0x8000:20');
    expect(result.status).toBe(0);
    expect(result.out.split('\n').slice(-3)).toEqual([
      'dump 0x00008000, 20 bytes:',
      '  0x00008000  01 00 a0 e3 03 f0 20 e3  61 62 63 64 0a 00 00 00  |...... .abcd....|',
      '  0x00008010  00 00 00 00                                       |....|',
    ]);
  });

  it('has no dumps key without --dump (the contract\'s four keys)', () => {
    expect(Object.keys(json('run', 'arm32', file(DATA)))).toEqual(['stop', 'steps', 'registers', 'trace']);
  });

  it.each([
    [['--dump', '0x8000'], "hyplay: --dump: '0x8000' is not ADDR:LEN"],
    [['--dump', '0x8000:0'], 'hyplay: --dump: length 0 is out of range 1..0x10000'],
    [['--dump', '0x8000:0x10001'], 'hyplay: --dump: length 0x10001 is out of range 1..0x10000'],
    [['--dump', '0x8000:many'], "hyplay: --dump 0x8000:many: 'many' is not a number (decimal or 0x hex)"],
    [['--dump', '0x100:4'], 'hyplay: --dump 0x100:4: 0x00000100 is not mapped'],
    [['--dump', 'nolabel:4'], "hyplay: --dump: 'nolabel' is neither an address nor a label of the program (labels: table)"],
  ])('rejects %j', (options, expected) => {
    expect(failure('run', 'arm32', file(DATA), ...options)).toBe(expected);
  });
});

describe('run --regs', () => {
  it('reports only the registers named, in that order, at the register width', () => {
    const report = json('run', 'arm32', file('mov r1, #3\nwfi\n'), '--regs', 'pc,R1,cpsr,r1');
    expect(report.registers).toEqual({ pc: '0x00008008', r1: '0x00000003', cpsr: expect.stringMatching(/^0x[0-9a-f]{8}$/) });
    expect(Object.keys(json('run', 'ppc64', file('wait\n'), '--regs', 'r3,msr').registers)).toEqual(['r3', 'msr']);
  });

  it.each([
    [['--regs', 'r0,bogus'], "hyplay: --regs: unknown register 'bogus' for arm32"],
    [['--regs', 'r0,,r1'], "hyplay: --regs: empty register name in 'r0,,r1'"],
  ])('rejects %j', (options, expected) => {
    expect(failure('run', 'arm32', file('nop\n'), ...options)).toBe(expected);
  });
});

/** A short program for each backend that loops and stops on its own. */
const ENGINE_PROGRAMS: Readonly<Record<string, string>> = {
  arm32: 'mov r0, #5\nloop: subs r0, r0, #1\nbne loop\nwfi\n',
  arm64: 'mov x0, #5\nloop: subs x0, x0, #1\nb.ne loop\nwfi\n',
  ppc64: 'li 3, 5\nwait\n',
  x86_64: 'movl $5, %eax\nloop: subl $1, %eax\njne loop\nhlt\n',
};

describe('run --engine', () => {
  for (const backend of loadBackends().all()) {
    const offered = backend.engines ?? ['interp'];
    for (const engine of ['interp', 'jit']) {
      if (offered.includes(engine as 'interp' | 'jit')) {
        it(`${backend.name} --engine ${engine} runs as the default engine does`, () => {
          const source = file(ENGINE_PROGRAMS[backend.name]!);
          const chosen = json('run', backend.name, source, '--engine', engine);
          const plain = json('run', backend.name, source);
          expect(chosen.registers).toEqual(plain.registers);
          expect(chosen.stop).toEqual(plain.stop);
        });
      } else {
        it(`${backend.name} --engine ${engine} is refused: the backend has none`, () => {
          expect(failure('run', backend.name, file('nop\n'), '--engine', engine)).toBe(`hyplay: --engine: ${backend.name} has no ${engine} engine (${backend.name} offers ${offered.join(', ')})`);
        });
      }
    }
    it(`${backend.name} --engine fast is an unknown engine`, () => {
      expect(failure('run', backend.name, file('nop\n'), '--engine', 'fast')).toBe(`hyplay: --engine: unknown engine 'fast' (${backend.name} offers ${offered.join(', ')})`);
    });
  }
});

describe('run - (the program on standard input, through the binary)', () => {
  it('assembles and runs standard input, naming it <stdin> in errors', () => {
    const ok = hyplay(['run', 'arm32', '-', '--regs', 'r0', '--json'], { input: 'mov r0, #9\nwfi\n' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).registers).toEqual({ r0: '0x00000009' });
    const bad = hyplay(['run', 'arm32', '-'], { input: 'mov r0, #9\nfrob\n' });
    expect(bad).toMatchObject({ status: 2, stdout: '', stderr: "hyplay: <stdin>:2:1: unknown mnemonic 'frob'\n" });
  });
});

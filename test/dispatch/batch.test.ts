/**
 * `hyplay dispatch --batch`: one trap per JSON line in, one result per line
 * out. Each result line is exactly the `dispatch --json` document of the same
 * trap on one line (checked against `JSON.stringify` of the object form for
 * every example and many varied traps); bad lines give an error line and
 * the run goes on; the exit status is 2 when any line was bad. The command
 * is driven in-process for files, and as a real process for standard input.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleTrap } from '../../src/abi/spec.ts';
import { dispatchDocument, trapInput } from '../../src/cli/dispatch-command.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { DispatchBatch } from '../../src/dispatch/batch.ts';
import { dispatch } from '../../src/dispatch/dispatcher.ts';
import { cli, json } from '../support/cli.ts';

const ABIS = loadAbis();
const BACKENDS = loadBackends();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function batch(compact = false): DispatchBatch {
  return new DispatchBatch({ registry: ABIS, backend: (name) => BACKENDS.get(name), archNames: BACKENDS.names(), input: 'traps.jsonl', compact });
}

/** Every example of every spec as a trap line, and the same with the argument registers varied and the world left open. */
function lines(): string[] {
  const out: string[] = [];
  let n = 0;
  for (const abi of ABIS.all()) {
    for (const example of abi.spec.examples) {
      const trap = exampleTrap(abi, example);
      const registers = Object.fromEntries(Object.entries(trap.registers).map(([r, v]) => [r, `0x${v.toString(16)}`]));
      out.push(JSON.stringify({ arch: abi.spec.arch, conduit: abi.spec.conduit.instruction, registers, imm: trap.imm, from: trap.origin.privilege, world: trap.origin.world }));
      const varied = { ...registers, r1: String(++n * 0x1001), r3: `-${n}` };
      out.push(JSON.stringify({ world: null, from: trap.origin.privilege, imm: `0x${trap.imm.toString(16)}`, registers: varied, conduit: abi.spec.conduit.instruction, arch: abi.spec.arch }));
    }
  }
  return out;
}

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hyplay-batch-')), 'traps.jsonl');
  writeFileSync(path, text);
  return path;
}

describe('DispatchBatch', () => {
  it('gives, per trap line, exactly the one-line --json document of that trap', () => {
    const run = batch();
    let checked = 0;
    for (const [index, text] of lines().entries()) {
      const trap = JSON.parse(text);
      const backend = BACKENDS.get(trap.arch)!;
      const input = trapInput(backend, ABIS);
      const registers = Object.entries(trap.registers as Record<string, string>);
      let query;
      try {
        query = input.query({ conduit: trap.conduit, registers, imm: trap.imm, from: trap.from, ...(trap.world === null ? {} : { world: trap.world }) }, { register: () => 'in registers', imm: 'imm', from: 'from', world: 'world' });
      } catch (error) {
        // Only a varied line (odd index) may name a register no spec on the conduit reads; a spec's own example is a valid trap.
        expect(index % 2, `${text}: ${String(error)}`).toBe(1);
        // The batch must give an error line for it.
        expect(JSON.parse(run.line(text, index + 1)!)).toHaveProperty('error');
        continue;
      }
      expect(run.line(text, index + 1)).toBe(JSON.stringify(dispatchDocument(input, query, dispatch(ABIS, query))));
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('compact: per trap line, the full document cut down to the verdict and each claiming spec and call', () => {
    const full = batch();
    const compact = batch(true);
    const verdicts = new Set<string>();
    let claims = 0;
    for (const [index, text] of lines().entries()) {
      const whole = JSON.parse(full.line(text, index + 1)!);
      const line = compact.line(text, index + 1)!;
      if ('error' in whole) {
        expect(JSON.parse(line)).toEqual(whole);
        continue;
      }
      const mine = (whole.interpretations as { abi: string; mine: boolean; call: string | null }[]).filter((i) => i.mine).map((i) => ({ abi: i.abi, call: i.call }));
      expect(line, text).toBe(JSON.stringify({ verdict: whole.verdict, claims: mine }));
      verdicts.add(whole.verdict);
      claims += mine.length;
    }
    // The examples reach more than one verdict and many claims, so the comparison is not of empty lists.
    expect(verdicts.size).toBeGreaterThan(1);
    expect(claims).toBeGreaterThan(60);
    expect(compact).toMatchObject({ traps: full.traps, errors: full.errors });
  });

  it('bad lines give an error line with the input and line number, and are counted; blank lines give nothing', () => {
    const run = batch();
    const cases: readonly (readonly [string, string])[] = [
      ['not json', 'not JSON: '],
      ['[1, 2]', 'a trap is a JSON object'],
      ['{"arch":"arm32"}', '"conduit" must be a string'],
      ['{"arch":"arm33","conduit":"hvc"}', "unknown architecture 'arm33' (one of arm32, arm64, ppc64, x86_64)"],
      ['{"arch":"arm32","conduit":"hvc","form":"user"}', "unknown key 'form'"],
      ['{"arch":"arm32","conduit":"vmcall"}', "unknown conduit 'vmcall' for arm32 (one of data-abort, hvc, smc, svc)"],
      ['{"arch":"arm32","conduit":"hvc","imm":65536}', "imm: 65536 does not fit hvc's imm16 (0..0xffff)"],
      ['{"arch":"arm32","conduit":"hvc","registers":{"r0":"0x100000000"}}', 'r0 (in registers): 0x100000000 does not fit a 32-bit register'],
      ['{"arch":"arm32","conduit":"hvc","registers":{"pc":"0x8000"}}', 'pc (in registers): no spec on arm32 hvc reads pc'],
      ['{"arch":"arm32","conduit":"hvc","registers":{"r0":true}}', 'registers.r0: give the value as a string'],
      ['{"arch":"arm32","conduit":"hvc","from":"svc"}', "from: 'svc' is a CPU mode of arm32, not a privilege"],
      ['{"arch":"arm32","conduit":"hvc","registers":{"cpsr":"0x1da"},"from":"kernel"}', 'cpsr (in registers): M[4:0]=0x1a (hyp) means hyp, but from says kernel'],
      ['{"arch":"ppc64","conduit":"sc","imm":1}', 'imm: sc reports no immediate'],
    ];
    cases.forEach(([text, message], index) => {
      const out = JSON.parse(run.line(text, index + 1)!);
      expect(Object.keys(out)).toEqual(['error']);
      expect(out.error.message, text).toContain(message);
      expect(out.error).toMatchObject({ input: 'traps.jsonl', line: index + 1 });
    });
    expect(JSON.parse(run.line('   {]', 40)!).error).toMatchObject({ line: 40, column: expect.any(Number) });
    expect(run.line('   ', 41)).toBeUndefined();
    expect(run.line('', 42)).toBeUndefined();
    expect(JSON.parse(run.line('{"arch":"arm32","conduit":"svc","registers":{"r7":20},"from":"user"}', 43)!).verdict).toBe('unique');
    expect(run).toMatchObject({ traps: cases.length + 2, errors: cases.length + 1, firstError: 1 });
  });
});

describe('hyplay dispatch --batch', () => {
  it('reads a file: one result per trap, an error line per bad one, exit 2 with a one-line summary', () => {
    const good = '{"arch":"arm32","conduit":"hvc","registers":{"r0":"1","r1":"0x80008000"}}';
    const result = cli('dispatch', '--batch', tempFile(`${good}\n\n{"arch":"arm32","conduit":"hvc","registers":{"pc":"1"}}\n${good}`));
    expect(result.status).toBe(2);
    // The capture joins each write with a newline; each write already ends in one.
    const out = result.out.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
    expect(out).toHaveLength(3);
    const single = json('dispatch', 'arm32', 'hvc', 'r0=1', 'r1=0x80008000');
    expect(out[0]).toEqual(single);
    expect(out[1].error).toMatchObject({ line: 3 });
    expect(out[2]).toEqual(single);
    expect(result.err).toEqual(['hyplay: dispatch --batch: 1 of 3 lines were not valid traps (the first is line 3); each has an {"error":…} line']);
  });

  it('--compact: one short line per trap, and only with --batch', () => {
    const result = cli('dispatch', '--batch', tempFile('{"arch":"arm32","conduit":"hvc","registers":{"r0":"1","r1":"0x80008000"}}\n{"arch":"ppc64","conduit":"sc","registers":{"r0":"20"},"from":"user"}\n'), '--compact');
    expect(result).toMatchObject({ status: 0, err: [] });
    const out = result.out.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
    const single = json('dispatch', 'arm32', 'hvc', 'r0=1', 'r1=0x80008000') as { verdict: string; interpretations: { abi: string; mine: boolean; call: string }[] };
    expect(out[0]).toEqual({ verdict: single.verdict, claims: single.interpretations.filter((i) => i.mine).map((i) => ({ abi: i.abi, call: i.call })) });
    expect(out[0].claims.length).toBeGreaterThan(1);
    expect(out[1]).toEqual({ verdict: 'agree', claims: [{ abi: 'linux-syscall-ppc64-v5.0', call: 'getpid' }, { abi: 'linux-syscall-ppc64-v5.7', call: 'getpid' }] });
    expect(cli('dispatch', 'arm32', 'hvc', 'r0=1', '--compact')).toMatchObject({ status: 2, err: ['hyplay: dispatch --compact: only with --batch (a single dispatch has --json)'] });
  });

  it('a clean batch exits 0; a last line without a newline counts', () => {
    const result = cli('dispatch', '--batch', tempFile('{"arch":"ppc64","conduit":"sc","registers":{"r0":"20"},"from":"user"}'));
    expect(result).toMatchObject({ status: 0, err: [] });
    expect(JSON.parse(result.out).interpretations[0]).toMatchObject({ abi: 'linux-syscall-ppc64-v5.0', call: 'getpid' });
  });

  it('refuses what a batch does not take, and a file it cannot read, in one line', () => {
    expect(cli('dispatch', 'arm32', '--batch', '-').err).toEqual(['hyplay: dispatch --batch: each line names its own trap; give no ARCH, CONDUIT or REG=VAL']);
    expect(cli('dispatch', '--batch', '-', '--from', 'user').err).toEqual(['hyplay: dispatch --batch: give from on each line, not as --from']);
    expect(cli('dispatch', '--batch', join(tmpdir(), 'no-such-hyplay-batch.jsonl')).err).toEqual([`hyplay: dispatch --batch: cannot read '${join(tmpdir(), 'no-such-hyplay-batch.jsonl')}': no such file`]);
    expect(cli('dispatch', '--batch', tmpdir()).err).toEqual([`hyplay: dispatch --batch: cannot read '${tmpdir()}': is a directory`]);
    expect(cli('dispatch').err).toEqual(['hyplay: dispatch: give ARCH and CONDUIT (e.g. dispatch arm32 hvc r0=1), or --batch FILE']);
  });

  it("reads standard input with '-' (a real process)", () => {
    const input = '{"arch":"arm32","conduit":"svc","registers":{"r7":"1"},"from":"user"}\nnot json\n';
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/hyplay.ts'), 'dispatch', '--batch', '-'], { input, encoding: 'utf8', cwd: ROOT });
    expect(result.status).toBe(2);
    const out = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(out[0].interpretations[0]).toMatchObject({ call: 'exit', effect: 'does not return', returns: false });
    expect(out[1].error).toMatchObject({ input: '-', line: 2 });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

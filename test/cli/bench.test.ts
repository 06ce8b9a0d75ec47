/**
 * The benchmark programs and `hyplay bench`, checked for what they run and
 * report rather than how fast (tests never time anything): the
 * spec-firmware round trip really goes through linux-hyp-stub-v4.12, every
 * figure has its rounds with their median and range, every engine a backend
 * lists is measured, progress goes to stderr and never into `--json`, and
 * with a (fake) peer each ratio is the round's figure over the same round's
 * peer, with the target judged on it.
 */

import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleQueries as dispatchQueries } from '../../src/dispatch/classify-batch.ts';
import { benchJson, benchTarget, formatBenchReport, lineProgress, MIN_BOOT_STEPS, prepareBootWorkloads, registerBenchCommand, runBenchmarks, type BenchReport } from '../../src/cli/bench.ts';
import type { PeerCommand } from '../../src/cli/bench-peer.ts';
import { summarise } from '../../src/cli/bench-summary.ts';
import { assembleOrFail, loadProgram } from '../../src/cli/run-program.ts';
import { BackendRegistry, loadAbis, loadBackends } from '../../src/di/container.ts';
import { installSpecFirmware } from '../../src/firmware/firmware.ts';
import type { ArchBackend, MachineOptions } from '../../src/interp/backend.ts';
import { cli, cliAsync } from '../support/cli.ts';
import { kernelImage } from '../support/kernel-images.ts';
import { tempFiles } from '../support/temp-files.ts';

const BACKENDS = loadBackends();
const ARM32 = BACKENDS.get('arm32')!;
const ABIS = loadAbis();
const FAKE = fileURLToPath(new URL('./fixtures/fake-peer.mjs', import.meta.url));
const fake = (mode: string): PeerCommand => ({ command: process.execPath, args: [FAKE, mode] });
/** The shortest rounds: the figures mean nothing, the shape everything. */
const QUICK = { rounds: 5, roundMs: 1 } as const;

describe('arm32 spec-trap-rtps', () => {
  const bench = ARM32.benchmarks.find((b) => b.metric === 'spec-trap-rtps')!;

  it('installs the v4.12 stub spec as firmware', () => {
    expect(bench.firmware?.abi).toBe('linux-hyp-stub-v4.12');
    expect(ABIS.get(bench.firmware!.abi)).toBeDefined();
  });

  it('loops HVC_RESET_VECTORS through the firmware in svc: 14 steps per 4 round trips after 6 of setup', () => {
    const program = assembleOrFail(ARM32, bench.source, 'spec-trap-rtps', ARM32.loadAddress);
    const machine = loadProgram(ARM32, program, bench.mode);
    const firmware = installSpecFirmware(machine, ARM32.firmware!, ABIS.get(bench.firmware!.abi)!, bench.firmware!.base);
    const loop = Number(machine.register('pc')) + 6 * 4;
    const iterations = 1000;
    const result = machine.run(6 + iterations * 14);
    expect(result.reason).toBe('budget-exhausted');
    expect(result.pc).toBe(loop);
    expect(machine.mode()).toBe('svc');
    expect(machine.register('r1')).toBe(0x7fff_ffffn - BigInt(iterations));
    expect(machine.register('r0')).toBe(0n); // HVC_RESET_VECTORS returned 0
    expect(machine.register('hvbar')).toBe(BigInt(firmware.base));
    expect(machine.register('hsr')).toBe(0x4a00_0000n); // EC 0x12 (HVC), IL, imm 0
    expect(bench.instructionsPerUnit).toBe(14 / 4);
  });
});

describe('x86_64 trap loops', () => {
  const X86 = BACKENDS.get('x86_64')!;
  const setup = (metric: string) => {
    const bench = X86.benchmarks.find((b) => b.metric === metric)!;
    const program = assembleOrFail(X86, bench.source, metric, X86.loadAddress);
    const machine = loadProgram(X86, program, bench.mode);
    if (bench.firmware !== undefined) bench.firmware.install!(machine, ABIS.get(bench.firmware.abi)!);
    return { bench, program, machine };
  };

  it('trap-rtps: syscall from CPL 3 to the LSTAR handler and sysretq back, 10 steps per 4 round trips after 12 of setup', () => {
    const { bench, program, machine } = setup('trap-rtps');
    const iterations = 1000;
    const result = machine.run(12 + iterations * 10);
    expect(result.reason).toBe('budget-exhausted');
    expect(result.pc).toBe(program.symbols.get('loop'));
    expect(machine.mode()).toBe('cpl3');
    expect(machine.register('rbx')).toBe(0x7fff_ffffn - BigInt(iterations));
    expect(machine.register('lstar')).toBe(BigInt(program.symbols.get('handler')!));
    expect(machine.register('rcx')).toBe(BigInt(program.symbols.get('loop')! + 8)); // the return address of the loop's last syscall
    expect(bench.instructionsPerUnit).toBe(10 / 4);
  });

  it('spec-trap-rtps: vmcall exits to the kvm-x86 host, which answers KVM_HC_VAPIC_POLL_IRQ with RAX = 0 and resumes after it', () => {
    const { bench, program, machine } = setup('spec-trap-rtps');
    expect(ABIS.get(bench.firmware!.abi)?.spec.family).toBe('kvm-x86');
    const iterations = 1000;
    const result = machine.run(1 + iterations * 10);
    expect(result.reason).toBe('budget-exhausted');
    expect(result.pc).toBe(program.symbols.get('loop'));
    expect(machine.register('rbx')).toBe(0x7fff_ffffn - BigInt(iterations));
    expect(machine.register('rax')).toBe(0n);
    expect(bench.instructionsPerUnit).toBe(10 / 4);
  });
});

describe('dispatch queries', () => {
  it('are every example of every spec of the arch, and none for an arch without specs', () => {
    const queries = dispatchQueries(ABIS, 'arm32');
    const examples = ABIS.all('arm32').reduce((n, abi) => n + abi.spec.examples.length, 0);
    expect(queries.length).toBe(examples);
    expect(new Set(queries.map((q) => q.conduit))).toEqual(new Set(ABIS.all('arm32').map((abi) => abi.spec.conduit.instruction)));
    expect(dispatchQueries(ABIS, 'no-such-arch')).toEqual([]);
  });
});

function key(f: { arch: string; metric: string; engine?: string | undefined }): string {
  return `${f.arch} ${f.metric} ${f.engine ?? '-'}`;
}

describe('runBenchmarks', () => {
  const progress: string[] = [];
  const report = runBenchmarks(BACKENDS, ABIS, { ...QUICK, progress: lineProgress((line) => progress.push(line)) });

  it('measures every figure: per engine the ALU, traced, trap and spec-trap loops, then dispatch and collisions', () => {
    expect(report.figures.map(key).sort()).toEqual(
      [
        'arm32 alu-ips jit',
        'arm32 traced-ips jit',
        'arm32 trap-rtps jit',
        'arm32 spec-trap-rtps jit',
        'arm32 alu-ips interp',
        'arm32 traced-ips interp',
        'arm32 trap-rtps interp',
        'arm32 spec-trap-rtps interp',
        'arm32 dispatch-per-s -',
        'arm64 alu-ips jit',
        'arm64 traced-ips jit',
        'arm64 trap-rtps jit',
        'arm64 spec-trap-rtps jit',
        'arm64 alu-ips interp',
        'arm64 traced-ips interp',
        'arm64 trap-rtps interp',
        'arm64 spec-trap-rtps interp',
        'arm64 dispatch-per-s -',
        'ppc64 alu-ips jit',
        'ppc64 traced-ips jit',
        'ppc64 trap-rtps jit',
        'ppc64 spec-trap-rtps jit',
        'ppc64 alu-ips interp',
        'ppc64 traced-ips interp',
        'ppc64 trap-rtps interp',
        'ppc64 spec-trap-rtps interp',
        'ppc64 dispatch-per-s -',
        'x86_64 alu-ips jit',
        'x86_64 traced-ips jit',
        'x86_64 trap-rtps jit',
        'x86_64 spec-trap-rtps jit',
        'x86_64 alu-ips interp',
        'x86_64 traced-ips interp',
        'x86_64 trap-rtps interp',
        'x86_64 spec-trap-rtps interp',
        'x86_64 dispatch-per-s -',
        'all collision-analysis-ms -',
      ].sort(),
    );
    expect(report.peer).toBeUndefined();
  });

  it('with an arch, measures only that backend and leaves the collision analysis out', () => {
    const one = runBenchmarks(BACKENDS, ABIS, { ...QUICK, arch: 'x86_64' });
    expect(one.figures.map(key).sort()).toEqual(report.figures.map(key).filter((k) => k.startsWith('x86_64 ')).sort());
    expect(() => runBenchmarks(BACKENDS, ABIS, { ...QUICK, arch: 'mips' })).toThrow("no backend 'mips'");
  });

  it('reports each figure as the median and range of its five rounds', () => {
    for (const figure of report.figures) {
      expect(figure.rounds).toHaveLength(5);
      for (const value of figure.rounds) expect(value).toBeGreaterThan(0);
      expect(figure.summary).toEqual(summarise(figure.rounds));
      expect(figure.perRound).toBeGreaterThanOrEqual(1);
    }
  });

  it('shows what it measures and which round on the progress channel', () => {
    for (const figure of report.figures) {
      const name = `${figure.arch} ${figure.metric}${figure.engine === undefined ? '' : ` (${figure.engine})`}`;
      expect(progress).toContain(`bench: ${name}: warm-up`);
      for (let round = 1; round <= 5; round++) expect(progress).toContain(`bench: ${name}: round ${round}/5`);
    }
  });

  it('gives JSON in the contract’s shape: arch, metric, value (the median), engine where there is one, and the range', () => {
    const json = benchJson(report);
    expect(Object.keys(json)).toEqual(['results']);
    for (const entry of json.results) {
      expect(Object.keys(entry).sort()).toEqual([...('engine' in entry ? ['engine'] : []), 'arch', 'max', 'metric', 'min', 'rounds', 'value'].sort());
      expect(entry.min).toBeLessThanOrEqual(entry.value);
      expect(entry.value).toBeLessThanOrEqual(entry.max);
      expect(entry.rounds).toHaveLength(5);
    }
    expect(json.results.find((r) => r.metric === 'alu-ips')?.engine).toBe(ARM32.engines![0]);
    expect(json.results.find((r) => r.metric === 'dispatch-per-s')).not.toHaveProperty('engine');
  });

  it('prints a table with rates in units that fit and times in ms', () => {
    const text = formatBenchReport(report);
    expect(text).toMatch(/^hyplay bench: 5 rounds per figure, each about 1 ms/);
    for (const line of text.split('\n').filter((l) => /^(arm32|ppc64|all) /.test(l))) {
      if (line.includes('collision-analysis-ms')) expect(line).toMatch(/ \d[\d.]* ms \([\d.]+–[\d.]+\)/);
      else expect(line).toMatch(/ \d[\d.]* (\/s|k\/s|M\/s|G\/s) \([\d.]+–[\d.]+\)/);
    }
  });

  it('refuses fewer than five rounds', () => {
    expect(() => runBenchmarks(BACKENDS, ABIS, { rounds: 4, roundMs: 1 })).toThrow(/at least 5/);
  });
});

describe('engines', () => {
  it('measures each engine a backend lists, on machines created with that engine', () => {
    const asked: (MachineOptions | undefined)[] = [];
    const twoEngines: ArchBackend = {
      ...ARM32,
      engines: ['jit', 'interp'],
      createMachine: (options) => {
        asked.push(options);
        return ARM32.createMachine(options);
      },
    };
    const report = runBenchmarks(new BackendRegistry([twoEngines]), ABIS, QUICK);
    for (const engine of ['jit', 'interp']) {
      for (const metric of ['alu-ips', 'traced-ips', 'trap-rtps', 'spec-trap-rtps']) expect(report.figures.map(key)).toContain(`arm32 ${metric} ${engine}`);
    }
    expect(asked.filter((o) => o?.engine === 'jit')).toHaveLength(4);
    expect(asked.filter((o) => o?.engine === 'interp')).toHaveLength(4);
  });

  it('have their own targets: the JIT’s ALU in every round and in the median, its traps 500×', () => {
    expect(benchTarget('alu-ips', 'jit')).toEqual({ every: 0.5, median: 1 });
    expect(benchTarget('alu-ips', 'interp')).toEqual({ median: 0.06 });
    expect(benchTarget('trap-rtps', 'jit')).toEqual({ median: 500 });
    expect(benchTarget('trap-rtps', 'interp')).toEqual({ median: 80 });
    expect(benchTarget('spec-trap-rtps', 'interp')).toEqual({ median: 100 });
    expect(benchTarget('traced-ips', 'interp')).toEqual({ median: 30 });
    expect(benchTarget('dispatch-per-s', undefined)).toEqual({ median: 4 });
    expect(benchTarget('collision-analysis-ms', undefined)).toBeUndefined();
  });
});

function peerOf(report: BenchReport): Extract<NonNullable<BenchReport['peer']>, { ratios: unknown }> {
  const peer = report.peer;
  if (peer === undefined || 'skipped' in peer) throw new Error(`no peer figures: ${JSON.stringify(peer)}`);
  return peer;
}

describe('with a peer (a fake one)', () => {
  const arm32Only = new BackendRegistry([ARM32]);

  it('measures each peer loop every round and divides each round’s figure by the same round’s peer', () => {
    const progress: string[] = [];
    const report = runBenchmarks(arm32Only, ABIS, { ...QUICK, peers: fake('ok'), progress: lineProgress((line) => progress.push(line)) });
    const peer = peerOf(report);
    expect(peer.identity.version).toBe('9.9.9');
    expect(peer.notes).toEqual([]);
    // The fake counts right and always takes 0.5 s for its 1000 iterations.
    const rates = Object.fromEntries(peer.figures.map((p) => [p.kind, p.rounds]));
    expect(rates).toEqual({ alu: Array(5).fill(8000), traced: Array(5).fill(8000), trap: Array(5).fill(8000) });
    expect(peer.figures.find((p) => p.kind === 'trap')?.conduit).toBe('hvc');
    for (let round = 1; round <= 5; round++) for (const kind of ['alu', 'trap', 'traced']) expect(progress).toContain(`bench: Unicorn arm32 ${kind}: round ${round}/5`);

    const compared = { 'alu-ips': 'alu', 'traced-ips': 'traced', 'trap-rtps': 'trap', 'spec-trap-rtps': 'trap', 'dispatch-per-s': 'trap' } as const;
    // One ratio per figure: per arm32 engine for the machine loops, once for dispatch.
    const engines = ARM32.engines ?? ['interp'];
    expect(peer.ratios.map((r) => r.metric).sort()).toEqual(Object.keys(compared).flatMap((metric) => (metric === 'dispatch-per-s' ? [metric] : engines.map(() => metric))).sort());
    for (const ratio of peer.ratios) {
      const figure = report.figures.find((f) => f.metric === ratio.metric && f.engine === ratio.engine)!;
      expect(ratio.peerKind).toBe(compared[ratio.metric as keyof typeof compared]);
      expect(ratio.peerArch).toBe('arm32');
      expect(ratio.rounds).toEqual(figure.rounds.map((value) => value / 8000));
      expect(ratio.summary).toEqual(summarise(ratio.rounds));
      expect(ratio.target).toEqual(benchTarget(ratio.metric, ratio.engine));
      expect(ratio.holds).toBe(ratio.summary.median >= ratio.target!.median!);
    }
    expect(report.figures.find((f) => f.metric === 'collision-analysis-ms')).toBeDefined();
    expect(peer.ratios.find((r) => r.metric === 'collision-analysis-ms')).toBeUndefined();

    const json = benchJson(report);
    expect(json.peer).toEqual({ name: 'fake-unicorn', version: '9.9.9', python: '3.0.0', notes: [] });
    expect(json.peers?.map((p) => p.loop).sort()).toEqual(['alu', 'traced', 'trap']);
    const trapRatio = json.ratios!.find((r) => r.metric === 'trap-rtps' && r.engine === 'interp')!;
    expect(Object.keys(trapRatio).sort()).toEqual(['arch', 'engine', 'holds', 'max', 'metric', 'min', 'peer', 'rounds', 'target', 'value']);
    expect(trapRatio).toMatchObject({ arch: 'arm32', engine: 'interp', peer: { arch: 'arm32', loop: 'trap' }, target: { median: 80 } });

    const text = formatBenchReport(report);
    expect(text).toContain('peer: Unicorn 9.9.9');
    expect(text).toMatch(/arm32 +alu +8\.00 k\/s \(8\.00–8\.00\)/);
    expect(text).toMatch(/arm32 +interp +trap-rtps +arm32 trap +[\d.]+× \([\d.]+–[\d.]+\) +≥ 80× median +(yes|no)/);
  });

  it('compares a backend the peer cannot run with the first backend’s loop, and says so', () => {
    const report = runBenchmarks(BACKENDS, ABIS, { ...QUICK, peers: fake('no-ppc64') });
    const peer = peerOf(report);
    expect(peer.figures.map((p) => p.arch).sort()).toEqual(['arm32', 'arm32', 'arm32', 'arm64', 'arm64', 'arm64']);
    for (const kind of ['alu', 'traced', 'trap']) expect(peer.notes).toContain(`ppc64 ${kind}: Unicorn 9.9.9 cannot run it (POWERPC_EXCP_HISI at 0x4004); its ratios use the arm32 ${kind} loop`);
    const ppc = peer.ratios.filter((r) => r.arch === 'ppc64');
    expect(ppc.map((r) => `${r.metric} ${r.engine ?? '-'}`).sort()).toEqual(
      ['alu-ips jit', 'alu-ips interp', 'dispatch-per-s -', 'spec-trap-rtps jit', 'spec-trap-rtps interp', 'traced-ips jit', 'traced-ips interp', 'trap-rtps jit', 'trap-rtps interp'].sort(),
    );
    for (const ratio of ppc) expect(ratio.peerArch).toBe('arm32');
    // arm64's loops run on the peer itself: its ratios are to arm64's loops.
    const arm64 = peer.ratios.filter((r) => r.arch === 'arm64');
    expect(arm64.map((r) => `${r.metric} ${r.engine ?? '-'}`).sort()).toEqual(
      ['alu-ips jit', 'alu-ips interp', 'dispatch-per-s -', 'spec-trap-rtps jit', 'spec-trap-rtps interp', 'traced-ips jit', 'traced-ips interp', 'trap-rtps jit', 'trap-rtps interp'].sort(),
    );
    for (const ratio of arm64) expect(ratio.peerArch).toBe('arm64');
  });

  it('borrows the stand-in loop from outside --arch: `bench --arch ppc64 --peers` still gives ratios', () => {
    const report = runBenchmarks(BACKENDS, ABIS, { ...QUICK, arch: 'ppc64', peers: fake('no-ppc64') });
    const peer = peerOf(report);
    // Only ppc64 is measured; arm32's loops run on the peer for its ratios, and nothing else does.
    expect(new Set(report.figures.map((f) => f.arch))).toEqual(new Set(['ppc64']));
    expect(peer.figures.map((p) => `${p.arch} ${p.kind}`).sort()).toEqual(['arm32 alu', 'arm32 traced', 'arm32 trap']);
    for (const kind of ['alu', 'traced', 'trap']) expect(peer.notes).toContain(`ppc64 ${kind}: Unicorn 9.9.9 cannot run it (POWERPC_EXCP_HISI at 0x4004); its ratios use the arm32 ${kind} loop`);
    expect(peer.ratios.map((r) => `${r.metric} ${r.engine ?? '-'}`).sort()).toEqual(
      ['alu-ips jit', 'alu-ips interp', 'dispatch-per-s -', 'spec-trap-rtps jit', 'spec-trap-rtps interp', 'traced-ips jit', 'traced-ips interp', 'trap-rtps jit', 'trap-rtps interp'].sort(),
    );
    for (const ratio of peer.ratios) expect(`${ratio.arch} ${ratio.peerArch}`).toBe('ppc64 arm32');
    // The stand-in is measured in every round, like a loop of the backend's own.
    for (const figure of peer.figures) expect(figure.rounds).toHaveLength(5);
  });

  it('drops a loop that fails during the rounds, with the reason', () => {
    const report = runBenchmarks(arm32Only, ABIS, { ...QUICK, peers: fake('fail-later') });
    const peer = peerOf(report);
    expect(peer.figures).toEqual([]);
    expect(peer.ratios).toEqual([]);
    expect(peer.notes).toContain('arm32 alu: Unicorn 9.9.9 cannot run it (round 1: the timed loop did not finish (r1 = 7)); no ratio');
  });

  it('is skipped, with the reason, when Unicorn is missing or the peer cannot start', () => {
    const missing = runBenchmarks(arm32Only, ABIS, { ...QUICK, peers: fake('no-unicorn') });
    expect(missing.peer).toEqual({ skipped: "Unicorn is not importable by /usr/bin/python3 (ModuleNotFoundError: No module named 'unicorn')" });
    expect(benchJson(missing)).toMatchObject({ peer: { skipped: expect.stringContaining('not importable') }, peers: [], ratios: [] });
    expect(formatBenchReport(missing)).toContain('peers: skipped: Unicorn is not importable');
    // hyplay's own figures are all still there.
    expect(missing.figures.length).toBe(runBenchmarks(arm32Only, ABIS, QUICK).figures.length);

    const absent = runBenchmarks(arm32Only, ABIS, { ...QUICK, peers: { command: '/nonexistent/python3', args: [] } });
    expect(absent.peer).toEqual({ skipped: '/nonexistent/python3 not found' });
  });
});

describe('hyplay bench', () => {
  it('prints JSON only on stdout and its progress on stderr', () => {
    const run = cli('bench', '--json', '--round-ms', '1');
    expect(run.status).toBe(0);
    const json = JSON.parse(run.out);
    expect(json.results.map((r: { metric: string }) => r.metric)).toContain('traced-ips');
    expect(run.err.length).toBeGreaterThan(0);
    for (const line of run.err) expect(line).toMatch(/^bench: .+: (warm-up|round \d\/5)$/);
  });

  it('prints why --peers was skipped, on stderr and in the report, and still measures', () => {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command().exitOverride();
    registerBenchCommand(program, { out: (t) => out.push(t), err: (t) => err.push(t) }, { backends: () => new BackendRegistry([ARM32]), abis: () => ABIS }, fake('no-unicorn'));
    program.parse(['bench', '--peers', '--round-ms', '1'], { from: 'user' });
    const reason = "Unicorn is not importable by /usr/bin/python3 (ModuleNotFoundError: No module named 'unicorn')";
    expect(err).toContain(`hyplay bench: --peers skipped: ${reason}`);
    expect(out.join('\n')).toContain(`peers: skipped: ${reason}`);
    expect(out.join('\n')).toMatch(/arm32 +interp +alu-ips/);
  });

  it('takes more rounds, but not fewer than five, and checks its numbers', () => {
    expect(cli('bench', '--rounds', '3').err).toEqual(['hyplay: --rounds: 3 is out of range (5 to 1000000)']);
    expect(cli('bench', '--rounds', '3').status).toBe(2);
    expect(cli('bench', '--round-ms', 'soon').err).toEqual(["hyplay: --round-ms: 'soon' is not a number (decimal or 0x hex)"]);
    const seven = JSON.parse(cli('bench', '--json', '--rounds', '7', '--round-ms', '1').out);
    for (const entry of seven.results) expect(entry.rounds).toHaveLength(7);
  });
});

describe('hyplay bench --boot', () => {
  const armmp = kernelImage('armmp');
  const { dir, file } = tempFiles('bench-boot');
  const tools = ['llvm-mc', 'ld.lld-14'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
  if (tools.length > 0) console.warn(`skipping the short-boot bench case: ${tools.join(', ')} not installed`);

  it.skipIf(armmp.skip !== undefined)('boots the Debian armmp zImage on each engine and walks on through it, round after round', async () => {
    if (armmp.skip !== undefined) return;
    const boots = await prepareBootWorkloads(BACKENDS, [`arm32=${armmp.path}`], 'arm32');
    expect(boots.map((b) => b.engine)).toEqual(ARM32.engines ?? ['interp']);
    const entries = boots.map((b) => b.machine.pc);
    const report = runBenchmarks(new BackendRegistry([ARM32]), ABIS, { ...QUICK, arch: 'arm32', boots });
    const figures = report.figures.filter((f) => f.metric === 'boot-ips');
    expect(figures.map((f) => f.engine)).toEqual(boots.map((b) => b.engine));
    for (const [i, figure] of figures.entries()) {
      expect(figure.rounds).toHaveLength(5);
      expect(figure.peerKind).toBeUndefined();
      expect(figure.description).toContain('zImage');
      // The rounds ran on from the entry: the decompressor left Hyp (it drops to SVC) and is past its first instruction.
      expect(boots[i]!.machine.pc).not.toBe(entries[i]);
      expect(boots[i]!.machine.mode()).not.toBe('hyp');
    }
    expect(benchJson(report).results.filter((r) => r.metric === 'boot-ips')).toHaveLength(figures.length);
  }, 120_000);

  it.skipIf(tools.length > 0)('refuses a boot that stops at once, in one line', async () => {
    const source = file('.globl start\nstart: mov r0, #1\n  mov pc, #0xf0000000\n', '.s');
    const object = join(dir, 'short.o');
    const elf = join(dir, 'short.elf');
    expect(spawnSync('llvm-mc', ['-triple=armv7a', '-filetype=obj', source, '-o', object]).status).toBe(0);
    expect(spawnSync('ld.lld-14', ['-N', '-Ttext=0x40010000', '-e', 'start', object, '-o', elf]).status).toBe(0);
    const result = await cliAsync('bench', '--arch', 'arm32', '--round-ms', '1', '--boot', `arm32=${elf}`);
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    // The boot is sized first, so no other figure was warmed up before the refusal.
    expect(result.err.filter((line) => line.startsWith('bench: '))).toEqual([`bench: arm32 boot-ips (${(ARM32.engines ?? ['interp'])[0]}): warm-up`]);
    const errors = result.err.filter((line) => !line.startsWith('bench: '));
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^hyplay: --boot arm32=.*short\\.elf: the guest stopped after 3 instructions from its entry \\(recursive-fault: .*\\); a boot that short has nothing to measure$`))]);
    expect(MIN_BOOT_STEPS).toBeGreaterThan(3);
  });

  it('gives one-line errors for a malformed --boot', async () => {
    const one = async (...argv: string[]): Promise<string[]> => {
      const result = await cliAsync('bench', '--round-ms', '1', ...argv);
      expect(result.status).toBe(2);
      return result.err;
    };
    expect(await one('--boot', 'arm32')).toEqual(["hyplay: --boot: 'arm32' is not ARCH=FILE (e.g. arm32=debian-armmp.vmlinuz)"]);
    expect(await one('--boot', 'arm33=x')).toEqual(["hyplay: --boot: unknown architecture 'arm33' (one of arm32, arm64, ppc64, x86_64)"]);
    expect(await one('--arch', 'arm32', '--boot', 'arm64=x')).toEqual(['hyplay: --boot: arm64 is not the --arch given (arm32)']);
    expect(await one('--boot', `arm32=${join(dir, 'missing.vmlinuz')}`)).toEqual([`hyplay: cannot read '${join(dir, 'missing.vmlinuz')}': no such file`]);
  });
});

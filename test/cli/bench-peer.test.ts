/**
 * The peer protocol of `hyplay bench --peers`, checked for what is said and
 * counted, never for speed: the loops hyplay hands over, a fake peer for
 * each way an answer can go wrong, and, where Debian's python3-unicorn is
 * installed, tiny real Unicorn loops whose counts must come out exact.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { askPeer, defaultPeerCommand, PEER_PYTHON, peerHello, peerLoopOf, PeerError, runPeerLoop, type PeerCommand, type PeerLoop } from '../../src/cli/bench-peer.ts';
import { assembleOrFail } from '../../src/cli/run-program.ts';
import { loadBackends } from '../../src/di/container.ts';
import type { ArchBackend } from '../../src/interp/backend.ts';

const BACKENDS = loadBackends();
const FAKE = fileURLToPath(new URL('./fixtures/fake-peer.mjs', import.meta.url));
const fake = (mode: string): PeerCommand => ({ command: process.execPath, args: [FAKE, mode] });

function loopOf(backend: ArchBackend, metric: string): PeerLoop {
  const bench = backend.benchmarks.find((b) => b.metric === metric)!;
  const program = assembleOrFail(backend, bench.source, metric, backend.loadAddress);
  return peerLoopOf(backend.name, backend.endians[0]!, program, bench.peer!);
}

const ARM32 = BACKENDS.get('arm32')!;
const PPC64 = BACKENDS.get('ppc64')!;
const ARM64 = BACKENDS.get('arm64')!;
const X86 = BACKENDS.get('x86_64')!;

describe('the loops hyplay hands the peer', () => {
  it('are the ALU and trap loops of both backends, from the label to the branch back', () => {
    const alu = loopOf(ARM32, 'alu-ips');
    expect(alu.counter).toBe('r1');
    expect(alu.instructions).toBe(4); // add, eor, subs, bne
    expect(alu.traps).toBe(0);
    expect(alu.until - alu.start).toBe(16);
    expect(alu.program.items.find((item) => item.address === alu.until)?.text).toBe('wfi');

    const trap = loopOf(ARM32, 'trap-rtps');
    expect(trap.instructions).toBe(6); // 4 hvc, subs, bne
    expect(trap.traps).toBe(4);

    const ppcAlu = loopOf(PPC64, 'alu-ips');
    expect(ppcAlu.counter).toBe('r5');
    expect(ppcAlu.endian).toBe('big');
    expect(ppcAlu.instructions).toBe(4);
    const ppcTrap = loopOf(PPC64, 'trap-rtps');
    expect(ppcTrap.traps).toBe(4);
    expect(ppcTrap.program.items.find((item) => item.address === ppcTrap.until)?.text).toBe('wait');
  });

  it('must have the label and a branch back to it', () => {
    const program = assembleOrFail(ARM32, 'loop: add r0, r0, #1\n b loop\n', 'x', 0x8000);
    expect(() => peerLoopOf('arm32', 'little', program, { loop: 'start', counter: 'r1' })).toThrow(/no label 'start'/);
    const straight = assembleOrFail(ARM32, 'loop: add r0, r0, #1\n wfi\n', 'x', 0x8000);
    expect(() => peerLoopOf('arm32', 'little', straight, { loop: 'loop', counter: 'r1' })).toThrow(/no branch back/);
  });
});

describe('the protocol, against a fake peer', () => {
  it('says who the peer is', () => {
    expect(peerHello(fake('ok'))).toEqual({ name: 'fake-unicorn', version: '9.9.9', python: '3.0.0' });
  });

  it('turns a run into a rate: the units counted over the seconds timed', () => {
    const run = runPeerLoop(fake('ok'), loopOf(ARM32, 'trap-rtps'), 'trap', 250, 10);
    expect(run).toMatchObject({ iterations: 250, seconds: 0.5, units: 1000, rate: 2000, conduit: 'hvc' });
    const sized = runPeerLoop(fake('ok'), loopOf(ARM32, 'alu-ips'), 'none', undefined, 10);
    expect(sized).toMatchObject({ iterations: 1000, units: 4000, rate: 8000, conduit: undefined });
  });

  it('rejects a peer that counts wrong', () => {
    expect(() => runPeerLoop(fake('miscount'), loopOf(ARM32, 'trap-rtps'), 'trap', 100, 10)).toThrow(/counted 399 traps for 100 iterations of 4/);
    expect(() => runPeerLoop(fake('miscount'), loopOf(ARM32, 'alu-ips'), 'code', 100, 10)).toThrow(/counted 399 instructions/);
  });

  it('refuses a trap run of a loop without traps', () => {
    expect(() => runPeerLoop(fake('ok'), loopOf(ARM32, 'alu-ips'), 'trap', 100, 10)).toThrow(/no trap instruction/);
  });

  it('passes on the peer’s own reason for failing', () => {
    expect(() => peerHello(fake('no-unicorn'))).toThrow(/Unicorn is not importable/);
    expect(() => runPeerLoop(fake('no-ppc64'), loopOf(PPC64, 'alu-ips'), 'none', 100, 10)).toThrow(/POWERPC_EXCP_HISI/);
  });

  it('says what went wrong when the peer crashes, prints no JSON or is missing', () => {
    expect(() => askPeer(fake('crash'), { op: 'hello' })).toThrow(/no JSON answer \(exit status 3\): fake peer: crashed/);
    expect(() => askPeer(fake('garbage'), { op: 'hello' })).toThrow(PeerError);
    expect(() => askPeer({ command: '/nonexistent/python3', args: [] }, { op: 'hello' })).toThrow('/nonexistent/python3 not found');
  });
});

const SCRIPT = defaultPeerCommand();
const HAVE_PYTHON = existsSync(PEER_PYTHON);

describe('the real peer script', () => {
  it('is found beside the sources and run by /usr/bin/python3', () => {
    expect(SCRIPT?.command).toBe(PEER_PYTHON);
    expect(SCRIPT?.args[0]).toMatch(/scripts\/peers\/unicorn-peer\.py$/);
  });

  it.runIf(HAVE_PYTHON)('answers that Unicorn is not importable when it is not (site packages off)', () => {
    const noSite: PeerCommand = { command: PEER_PYTHON, args: ['-S', SCRIPT!.args[0]!] };
    expect(() => peerHello(noSite)).toThrow(/Unicorn is not importable by \S+ \(ModuleNotFoundError/);
  });
});

function unicornVersion(): string | undefined {
  if (!HAVE_PYTHON || SCRIPT === undefined) return undefined;
  try {
    return peerHello(SCRIPT).version;
  } catch {
    return undefined;
  }
}

const UNICORN = unicornVersion();
if (UNICORN === undefined) console.log(`bench-peer: skipping the real Unicorn loops: python3-unicorn is not importable by ${PEER_PYTHON}`);

describe.runIf(UNICORN !== undefined)('tiny real Unicorn loops (counts, not speed)', () => {
  it('runs the arm32 ALU loop natively, every instruction once per iteration', () => {
    expect(runPeerLoop(SCRIPT!, loopOf(ARM32, 'alu-ips'), 'none', 500, 10)).toMatchObject({ iterations: 500, units: 2000 });
  });

  it('hooks every instruction of the arm32 ALU loop', () => {
    expect(runPeerLoop(SCRIPT!, loopOf(ARM32, 'alu-ips'), 'code', 300, 10)).toMatchObject({ iterations: 300, units: 1200 });
  });

  it('traps every hvc #0 of the arm32 trap loop (SCR.HCE set), four per iteration', () => {
    const run = runPeerLoop(SCRIPT!, loopOf(ARM32, 'trap-rtps'), 'trap', 300, 10);
    expect(run).toMatchObject({ iterations: 300, units: 1200, conduit: 'hvc', note: undefined });
  });

  it('sizes a run itself when asked for a length of time', () => {
    const run = runPeerLoop(SCRIPT!, loopOf(ARM32, 'trap-rtps'), 'trap', undefined, 5);
    expect(run.iterations).toBeGreaterThan(0);
    expect(run.units).toBe(run.iterations * 4);
  });

  it('runs and hooks the arm64 ALU loop', () => {
    expect(runPeerLoop(SCRIPT!, loopOf(ARM64, 'alu-ips'), 'none', 500, 10)).toMatchObject({ iterations: 500, units: 2000 });
    expect(runPeerLoop(SCRIPT!, loopOf(ARM64, 'alu-ips'), 'code', 300, 10)).toMatchObject({ iterations: 300, units: 1200 });
  });

  it('traps the arm64 trap loop four times per iteration; where hvc is UNDEFINED (Unicorn 2.0.1 has no EL2) svc #0 stands in, and it says so', () => {
    const run = runPeerLoop(SCRIPT!, loopOf(ARM64, 'trap-rtps'), 'trap', 300, 10);
    expect(run).toMatchObject({ iterations: 300, units: 1200 });
    if (UNICORN === '2.0.1') {
      expect(run.conduit).toBe('svc');
      expect(run.note).toMatch(/hvc did not trap \(EXCP_UDEF at 0x[0-9a-f]+ instead of EXCP_HVC\); svc #0 stands in for it/);
    }
  });

  it('runs and hooks the x86_64 ALU loop (variable-length instructions counted as the loop has them)', () => {
    expect(runPeerLoop(SCRIPT!, loopOf(X86, 'alu-ips'), 'none', 500, 10)).toMatchObject({ iterations: 500, units: 2000 });
    expect(runPeerLoop(SCRIPT!, loopOf(X86, 'alu-ips'), 'code', 300, 10)).toMatchObject({ iterations: 300, units: 1200 });
  });

  it('hooks every syscall of the x86_64 trap loop (UC_HOOK_INSN), four per iteration, with RBX counting', () => {
    const loop = loopOf(X86, 'trap-rtps');
    expect(loop).toMatchObject({ counter: 'rbx', instructions: 6, traps: 4 });
    expect(runPeerLoop(SCRIPT!, loop, 'trap', 300, 10)).toMatchObject({ iterations: 300, units: 1200, conduit: 'syscall' });
  });

  it('reports whether it can run the ppc64 loops (Unicorn 2.0.1 cannot: unicorn-engine/unicorn#1591)', () => {
    const attempt = (): unknown => runPeerLoop(SCRIPT!, loopOf(PPC64, 'alu-ips'), 'none', 100, 10);
    if (UNICORN === '2.0.1') expect(attempt).toThrow(/POWERPC_EXCP_HISI/);
    else expect(attempt()).toMatchObject({ iterations: 100, units: 400 });
  });
});

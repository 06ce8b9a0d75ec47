/**
 * `scenario run --engine`: every scenario of a backend with a JIT runs on
 * that engine as on the interpreter, event for event (the trace is the
 * scenario's whole record: steps, exceptions, annotated calls, outcome), and
 * the command refuses an engine the architecture does not offer.
 */

import { describe, expect, it } from 'vitest';
import { allScenarios, allSmpScenarios } from '../../src/cli/scenario-command.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { runScenario } from '../../src/scenario/runner.ts';
import { runSmpScenario } from '../../src/scenario/smp-runner.ts';
import { cli } from '../support/cli.ts';

const BACKENDS = loadBackends();
const ABIS = loadAbis();
const JIT_BACKENDS = BACKENDS.all().filter((b) => (b.engines ?? []).includes('jit'));

describe('scenarios on the JIT', () => {
  it('some backends have a JIT and scenarios', () => {
    expect(JIT_BACKENDS.map((b) => b.name)).toEqual(expect.arrayContaining(['arm32', 'arm64']));
  });

  for (const backend of JIT_BACKENDS) {
    it(`${backend.name}: every single-vCPU scenario gives the interpreter's trace and outcome`, () => {
      const scenarios = allScenarios(BACKENDS).filter((s) => s.backend === backend);
      expect(scenarios.length).toBeGreaterThan(0);
      for (const { scenario } of scenarios) {
        const interp = runScenario(backend, scenario, ABIS, { engine: 'interp' });
        const jit = runScenario(backend, scenario, ABIS, { engine: 'jit' });
        expect(jit.trace, scenario.name).toEqual(interp.trace);
        expect(jit.outcome, scenario.name).toEqual(interp.outcome);
      }
    });

    it(`${backend.name}: every SMP scenario gives the interpreter's trace`, () => {
      for (const { scenario } of allSmpScenarios(BACKENDS).filter((s) => s.backend === backend)) {
        const interp = runSmpScenario(backend, scenario, ABIS, { engine: 'interp' });
        const jit = runSmpScenario(backend, scenario, ABIS, { engine: 'jit' });
        expect(jit.trace, scenario.name).toEqual(interp.trace);
      }
    });
  }
});

describe('hyplay scenario run --engine', () => {
  it('runs on the engine asked for, and refuses one the architecture lacks', () => {
    const jit = cli('scenario', 'run', 'kexec-v4.12-no-kvm', '--engine', 'jit', '--json');
    expect(jit.status).toBe(0);
    expect(JSON.parse(jit.out).outcome.kind).toBe('new-kernel-in-hyp');
    const x86 = BACKENDS.get('x86_64')!;
    if (!(x86.engines ?? ['interp']).includes('jit')) {
      const refused = cli('scenario', 'run', 'x86-kvm-v4.11-patch-vmmcall-on-intel', '--engine', 'jit');
      expect(refused).toMatchObject({ status: 2, err: [`hyplay: --engine: x86_64 offers ${(x86.engines ?? ['interp']).join(', ')}, not 'jit'`] });
    }
    expect(cli('scenario', 'run', 'kexec-v4.12-no-kvm', '--engine', 'fast').err).toEqual([`hyplay: --engine: arm32 offers ${BACKENDS.get('arm32')!.engines!.join(', ')}, not 'fast'`]);
  });
});

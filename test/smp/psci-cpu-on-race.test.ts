/**
 * The PSCI CPU_ON race (`smp-psci-cpu-on-race` on arm32,
 * `smp-psci-cpu-on-race-arm64` on arm64) through the real PSCI spec
 * firmware: under many seeds and explicit schedules exactly one caller gets
 * SUCCESS and the others ALREADY_ON, the first caller to trap is the one
 * that wins (so the winner moves with the schedule as predicted), the
 * target starts at its entry point with the winner's context_id in r0/x0,
 * and a run replays bit for bit from its schedule.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import type { ArchBackend } from '../../src/interp/backend.ts';
import { assembleSegments } from '../../src/scenario/runner.ts';
import { runSmpScenario, type SmpScenarioRun } from '../../src/scenario/smp-runner.ts';
import { ExplicitScheduler, parseSchedule, SeededScheduler, type Scheduler } from '../../src/smp/schedule.ts';

const ABIS = loadAbis();
const CONTEXT_BASE = 0xc0de_0000;
const ALREADY_ON = 0xffff_fffc; // PSCI_RET_ALREADY_ON (-4), as the low word of r0/x0
const CALLERS = [0, 2, 3];

function scenarioOf(backend: ArchBackend) {
  return backend.scenarios!.smpScenarios!()[0]!;
}

function run(backend: ArchBackend, scheduler: Scheduler): SmpScenarioRun {
  return runSmpScenario(backend, scenarioOf(backend), ABIS, { scheduler });
}

/** The caller whose CPU_ON got SUCCESS, after checking the race's invariant. */
function winnerOf(result: SmpScenarioRun): number {
  const answers = CALLERS.map((n) => result.report[`result${n}`]);
  const winners = CALLERS.filter((n) => result.report[`result${n}`] === 0);
  expect(winners, `answers ${answers.map((a) => a?.toString(16)).join(', ')}`).toHaveLength(1);
  const winner = winners[0]!;
  for (const n of CALLERS) if (n !== winner) expect(result.report[`result${n}`]).toBe(ALREADY_ON);
  expect(result.report.target_started).toBe(1);
  expect(result.report.target_context).toBe((CONTEXT_BASE | winner) >>> 0);
  // The calls as the firmware took them: three CPU_ONs, the first to trap is the winner.
  const cpuOns = result.calls.filter((c) => c.call.includes('CPU_ON'));
  expect(cpuOns.map((c) => c.vcpu).sort()).toEqual(CALLERS);
  expect(cpuOns[0]!.vcpu).toBe(winner);
  expect(cpuOns.map((c) => c.result === 0n)).toEqual([true, false, false]);
  expect(result.outcome.kind).toBe('guest-done');
  expect(result.matches).toBe(true);
  return winner;
}

for (const backend of [ARM32_BACKEND, ARM64_BACKEND]) {
  const register = backend === ARM32_BACKEND ? 'r0' : 'x0';
  describe(`${scenarioOf(backend).name} (${backend.name})`, () => {
    it('under its own seed: one SUCCESS, two ALREADY_ON, the target started by the winner', () => {
      const result = runSmpScenario(backend, scenarioOf(backend), ABIS);
      const winner = winnerOf(result);
      const entry = assembleSegments(backend, scenarioOf(backend)).get('guest')!.symbols.get('secondary_entry')!;
      // The target starts at the entry point with the context_id in r0/x0: the trace says so, and its first step is there.
      const poweredOn = result.trace.filter((l) => l.startsWith('-- vcpu1 powered on'));
      expect(poweredOn).toHaveLength(1);
      expect(poweredOn[0]).toMatch(new RegExp(`^-- vcpu1 powered on at 0x${entry.toString(16).padStart(8, '0')} with ${register}=0x0*c0de000${winner}$`));
      const first = result.trace.find((l) => /^vcpu1 0x/.test(l));
      expect(first).toMatch(new RegExp(`^vcpu1 0x${entry.toString(16).padStart(8, '0')} `));
      expect(result.vcpus[1]!.mode).toBe(backend === ARM32_BACKEND ? 'svc' : 'el1h');
    });

    it('the race holds under 12 seeds, and the winner varies with them', () => {
      const winners = new Set<number>();
      for (let seed = 0; seed < 12; seed++) winners.add(winnerOf(run(backend, new SeededScheduler(seed))));
      expect(winners.size).toBeGreaterThan(1);
    });

    for (const first of CALLERS) {
      it(`--schedule ${first}:12: vCPU ${first} traps first and wins; the others get ALREADY_ON`, () => {
        expect(winnerOf(run(backend, new ExplicitScheduler(parseSchedule(`${first}:12`, 4))))).toBe(first);
      });
    }

    it('an explicit interleaving of every caller to just before its hvc, then the last first: the winner is who traps first', () => {
      // Seven steps reach the hvc (it is the eighth); then 3 traps first, then 2, then 0.
      const schedule = '0:7,2:7,3:7,3:2,2:2,0:2';
      expect(winnerOf(run(backend, new ExplicitScheduler(parseSchedule(schedule, 4))))).toBe(3);
    });

    it('a schedule that never runs the target ends out of budget, vCPU 0 still waiting', () => {
      const result = run(backend, new ExplicitScheduler(parseSchedule('2:40,3:40,0:*', 4)));
      expect(result.outcome.kind).toBe('budget-exhausted');
      const symbols = assembleSegments(backend, scenarioOf(backend)).get('guest')!.symbols;
      // vCPU 0 is in its wait loop, between `wait` and `count`.
      expect(result.vcpus[0]!.pc).toBeGreaterThanOrEqual(symbols.get('wait')!);
      expect(result.vcpus[0]!.pc).toBeLessThan(symbols.get('count')!);
      expect(result.outcome.detail).toMatch(/^no outcome within 20000 steps: vcpu0 at 0x[0-9a-f]+/);
      expect(result.report.target_started).toBe(0);
      expect(result.report.result2).toBe(0);
    });

    it('replays bit for bit: the same schedule gives the same trace and final states; other seeds other traces', () => {
      const a = run(backend, new SeededScheduler(3));
      const b = run(backend, new SeededScheduler(3));
      expect(b.trace).toEqual(a.trace);
      expect(b.vcpus).toEqual(a.vcpus);
      expect(b.calls).toEqual(a.calls);
      const explicit = '3:5,0:9,2:30,1:4,0:*';
      expect(run(backend, new ExplicitScheduler(parseSchedule(explicit, 4))).trace).toEqual(run(backend, new ExplicitScheduler(parseSchedule(explicit, 4))).trace);
      expect(run(backend, new SeededScheduler(4)).trace).not.toEqual(a.trace);
    });

    it('both engines give the same trace', () => {
      const scenario = scenarioOf(backend);
      const jit = runSmpScenario(backend, scenario, ABIS, { scheduler: new SeededScheduler(9), engine: 'jit' });
      const interp = runSmpScenario(backend, scenario, ABIS, { scheduler: new SeededScheduler(9), engine: 'interp' });
      expect(jit.trace).toEqual(interp.trace);
      expect(jit.vcpus).toEqual(interp.vcpus);
    });

    it('every trace line between the frame is prefixed with its vCPU, and slices say who runs', () => {
      const { trace } = runSmpScenario(backend, scenarioOf(backend), ABIS);
      const body = trace.filter((l) => !l.startsWith('== '));
      expect(body.length).toBeGreaterThan(100);
      for (const line of body) expect(line).toMatch(/^(vcpu[0-3] |-- vcpu[0-3] (runs|skipped|powered))/);
      expect(trace.every((l) => l.length > 0 && !l.includes('\n'))).toBe(true);
    });
  });
}

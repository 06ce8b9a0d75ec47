/**
 * The main job (`npm start`): for now, each backend's showcase run with its
 * trace. The kexec/kdump reset matrix and the collision summary join it as
 * they land.
 *
 * @module
 */

import type { BackendRegistry } from '../di/container.ts';
import { assembleOrFail, loadProgram } from './run-program.ts';
import { formatTraceEvent, TraceRecorder } from '../interp/trace.ts';

/** Run every backend's showcase and return the report text. */
export function runMainJob(registry: BackendRegistry): string {
  const out: string[] = ['hyplay: hypercall ABI playground', ''];
  for (const backend of registry.all()) {
    out.push(`== ${backend.name}: ${backend.title}`);
    const { showcase } = backend;
    out.push(`-- ${showcase.title}`);
    const program = assembleOrFail(backend, showcase.source, `${backend.name} showcase`, backend.loadAddress);
    const machine = loadProgram(backend, program, showcase.mode);
    const recorder = new TraceRecorder();
    machine.trace = recorder;
    const result = machine.run(showcase.maxSteps);
    out.push(...recorder.events.filter((e) => e.kind !== 'step' || /hvc|eret|bx/.test(e.text)).map(formatTraceEvent));
    out.push(`result: ${result.reason} in ${machine.mode()} mode at 0x${result.pc.toString(16).padStart(8, '0')} after ${result.steps} steps`, '');
  }
  return out.join('\n');
}

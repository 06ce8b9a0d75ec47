/**
 * The dispatcher: every spec on a conduit says what it makes of one trap,
 * or "not mine", and a verdict says whether they agree.
 *
 * {@link dispatch} classifies through the conduit's {@link DispatchTable}
 * (built once per registry, architecture and conduit); {@link interpret}
 * runs one spec alone. Both decide on numbers ({@link CompiledSelector}),
 * run the semantics of a claimed call on a cheap {@link RecordingContext},
 * and build text only when an interpretation's text is read.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { bigIntOutcome, type Abi } from '../abi/spec.ts';
import { compileSelector, ORIGINS, privilegeIndex, SlotValues, worldIndex } from './compiled-selector.ts';
import { dispatchTable, type Dispatch, type TrapQuery } from './dispatch-table.ts';
import { ClaimedInterpretation, DeclinedInterpretation, type Interpretation } from './interpretation.ts';
import { RecordingContext } from './recording-context.ts';

export { compileSelector, CompiledSelector, findCall, originIndex, ORIGINS, REFUSAL, SlotValues, type RegisterReader, type SlotAllocator } from './compiled-selector.ts';
export { dispatchTable, DispatchTable, VERDICTS, type Dispatch, type TrapQuery, type Verdict } from './dispatch-table.ts';
export { ClaimedInterpretation, DeclinedInterpretation, describeOutcome, sameEffect, type Interpretation } from './interpretation.ts';
export { RecordingContext, RecordingMemory, type MemoryWrite } from './recording-context.ts';


const SCRATCH = new WeakMap<Abi, SlotValues>();

/** Run one spec on one trap (the conduit and architecture of the query are not checked). */
export function interpret(abi: Abi, query: TrapQuery): Interpretation {
  const selector = compileSelector(abi);
  let values = SCRATCH.get(abi);
  if (values === undefined) {
    values = new SlotValues(selector.registers.length);
    SCRATCH.set(abi, values);
  }
  const registers = query.registers;
  const read = (register: string): bigint => registers[register] ?? 0n;
  const privilege = privilegeIndex(query.privilege) * 2;
  const worlds = query.world === undefined ? selector.worlds : [worldIndex(query.world)];
  let origin = privilege + worlds[0]!;
  let code = selector.decideByName(query.imm, origin, read, values);
  for (let w = 1; code < 0 && w < worlds.length; w++) {
    origin = privilege + worlds[w]!;
    code = selector.decide(query.imm, origin, values);
  }
  if (code < 0) return new DeclinedInterpretation(abi.spec.id, selector, code, query.imm, origin, registers);
  const call = selector.call(code);
  const context = new RecordingContext(registers, query.imm, ORIGINS[origin]!);
  return new ClaimedInterpretation(abi.spec.id, call, abi.spec.selector.width, bigIntOutcome(call.spec.run(context)), context, registers);
}

/** Classify a trap against every registered spec on its conduit. */
export function dispatch(registry: AbiRegistry, query: TrapQuery): Dispatch {
  return dispatchTable(registry, query.arch, query.conduit).classify(query);
}

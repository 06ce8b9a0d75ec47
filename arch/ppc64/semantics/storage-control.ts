/**
 * Cache management (Power ISA v3.0B Book II 4.3: dcbt, dcbtst, dcbz, dcbst,
 * dcbf, icbi) and TLB and SLB management (Book III 5.9.3: tlbie, tlbiel,
 * tlbsync, slbmte, slbie, slbia).
 *
 * hyplay models no caches and no address translation, so the only
 * architected effects left are these: dcbz zeroes its block; dcbst, dcbf
 * and icbi are treated as loads for storage protection (Book II 4.3.2,
 * 4.3.1), so an unmapped block gives a data-storage interrupt; dcbt and
 * dcbtst are hints and never fault; and the TLB and SLB instructions keep
 * their privilege checks. slbmte writes an SLB entry that nothing reads back
 * here: slbmfee and slbmfev, which would, are not in the table.
 *
 * Slots: src1 = RA index (-1 for RA = 0), src2 = RB index, variant = 1
 * for a hypervisor-privileged row.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { baseIndex, dataFault, effectiveAddress, gprIndex, preparePrivileged, type Op, type PpcHandler, type Prepare } from './common.ts';
import { noOperation, privilegedNoOperation } from './system.ts';

/** The data cache block size dcbz clears: 128 bytes on POWER8, POWER9 and POWER10 (Book II 4.3, implementation-defined). */
export const CACHE_BLOCK = 128;

/** The EA of an X-form cache instruction, (RA|0) + RB, as a number. */
function blockAddress(s: Parameters<PpcHandler>[0], op: Op): number {
  return effectiveAddress(s, op.src1, s.gpr[op.src2]!, s.gpr[op.src2 + 1]!);
}

/** dcbz: the aligned block holding the EA becomes zeros; an unmapped block is a data-storage interrupt, as a store. */
export const zeroBlock: PpcHandler = (s, op) => {
  const ea = blockAddress(s, op);
  const start = ea - (ea % CACHE_BLOCK);
  const m = op.memory;
  if (!m.isMapped(start) || !m.isMapped(start + CACHE_BLOCK - 1)) return dataFault(op, ea, true, CACHE_BLOCK);
  for (let offset = 0; offset < CACHE_BLOCK; offset += 4) m.write32(start + offset, 0);
  return RETIRED;
};

/** dcbst, dcbf, icbi: nothing to write back or invalidate, but an unmapped block faults as a load would. */
export const flushBlock: PpcHandler = (s, op) => {
  const ea = blockAddress(s, op);
  if (!op.memory.isMapped(ea)) return dataFault(op, ea, false, 1);
  return RETIRED;
};

function blockForm(handler: PpcHandler): Prepare {
  return (op, f: FieldValues) => {
    op.src1 = baseIndex(f.ra!);
    op.src2 = gprIndex(f.rb!);
    return handler;
  };
}

function managementForm(hypervisor: boolean, reason: string): Prepare {
  return (op) => {
    op.variant = hypervisor ? 1 : 0;
    preparePrivileged(op, reason);
    return privilegedNoOperation;
  };
}

/** Handlers of this family by table row name. */
export const STORAGE_CONTROL_SEMANTICS: Readonly<Record<string, Prepare>> = {
  DCBT: () => noOperation,
  DCBTST: () => noOperation,
  DCBZ: blockForm(zeroBlock),
  DCBST: blockForm(flushBlock),
  DCBF: blockForm(flushBlock),
  ICBI: blockForm(flushBlock),
  // tlbie and tlbsync are hypervisor privileged (v3.0 Book III 5.9.3.3, with LPCR[GTSE] = 0, which is its reset value).
  TLBIE: managementForm(true, 'tlbie outside hypervisor state'),
  TLBSYNC: managementForm(true, 'tlbsync outside hypervisor state'),
  TLBIEL: managementForm(false, 'tlbiel in problem state'),
  SLBMTE: managementForm(false, 'slbmte in problem state'),
  SLBIE: managementForm(false, 'slbie in problem state'),
  SLBIA: managementForm(false, 'slbia in problem state'),
};

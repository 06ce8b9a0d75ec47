/**
 * Moves to and from special registers: mtspr and mfspr (Power ISA v3.0B
 * Book I 3.3.17 and Book III 4.4.4), mtcrf, mtocrf, mfcr, mfocrf, and the
 * MSR moves mfmsr, mtmsr and mtmsrd (Book III 4.4.4).
 *
 * SPR access (Book III 4.4.4): an SPR number with spr0 = 1 (bit 0x10 of the
 * number) is privileged, so in problem state any such number gives a
 * privileged-instruction program interrupt, defined or not. A hypervisor
 * SPR outside hypervisor state, which the ISA sends to the Hypervisor
 * Emulation Assistance interrupt, is also a privileged-instruction program
 * interrupt here (hyplay models the program interrupt only). Any other SPR
 * number hyplay does not model, and mtspr to a read-only one, is an
 * illegal-instruction program interrupt, which the exception model
 * announces with a trace note.
 *
 * Slots: dest = RT / RS index, imm = the SPR number, imm2 = the CR mask
 * (mtcrf), src3 = the SPR's slot index in `state.spr` (high word), variant
 * = L (mtmsr, mtmsrd) or the SPR's width.
 *
 * @module
 */

import { RETIRED, type Trap } from '../../../src/interp/step-result.ts';
import { Msr, readXer, SPR_BY_NUMBER, writeMsr, writeXer, type Ppc64State, type SprDef } from '../registers.ts';
import { fetchable, gprIndex, illegalInstruction, inHypervisorState, inProblemState, preparePrivileged, privilegedTrap, unfetchable, type Op, type PpcHandler, type Prepare } from './common.ts';

/** Traps raised for an SPR number hyplay does not model; the exception model adds a trace note for them. */
const unknownSprTraps = new WeakSet<Trap>();

/** Whether `trap` is the illegal-instruction trap of an unknown SPR. */
export function isUnknownSprTrap(trap: Trap): boolean {
  return unknownSprTraps.has(trap);
}

/** "spr0 = 1": the SPR number is privileged (Book III 4.4.4). */
function privilegedNumber(n: number): boolean {
  return (n & 0x10) !== 0;
}

/** The access check for a defined SPR; a trap (built at predecode), or undefined when allowed. */
function denied(s: Ppc64State, op: Op, def: SprDef): Trap | undefined {
  if (inProblemState(s) && (privilegedNumber(def.number) || def.access !== 'user')) return privilegedTrap(op);
  if (def.access === 'hypervisor' && !inHypervisorState(s)) return privilegedTrap(op, true);
  return undefined;
}

/** mflr. */
export const moveFromLink: PpcHandler = (s, op) => {
  s.gpr[op.dest] = s.lrHi;
  s.gpr[op.dest + 1] = s.lrLo;
  return RETIRED;
};

/** mtlr. */
export const moveToLink: PpcHandler = (s, op) => {
  s.lrHi = s.gpr[op.dest]!;
  s.lrLo = s.gpr[op.dest + 1]!;
  return RETIRED;
};

/** mfctr. */
export const moveFromCount: PpcHandler = (s, op) => {
  s.gpr[op.dest] = s.ctrHi;
  s.gpr[op.dest + 1] = s.ctrLo;
  return RETIRED;
};

/** mtctr. */
export const moveToCount: PpcHandler = (s, op) => {
  s.ctrHi = s.gpr[op.dest]!;
  s.ctrLo = s.gpr[op.dest + 1]!;
  return RETIRED;
};

/** mfxer: the high word is reserved and reads 0. */
const moveFromXer: PpcHandler = (s, op) => {
  s.gpr[op.dest] = 0;
  s.gpr[op.dest + 1] = readXer(s) | 0;
  return RETIRED;
};

/** mtxer. */
const moveToXer: PpcHandler = (s, op) => {
  writeXer(s, s.gpr[op.dest + 1]!);
  return RETIRED;
};

/** mfspr of a modelled SPR kept in `state.spr`. */
const moveFromSpr: PpcHandler = (s, op) => {
  const trap = denied(s, op, SPR_BY_NUMBER.get(op.imm)!);
  if (trap !== undefined) return trap;
  s.gpr[op.dest] = op.variant === 32 ? 0 : s.spr[op.src3]!;
  s.gpr[op.dest + 1] = s.spr[op.src3 + 1]!;
  return RETIRED;
};

/** mtspr of a modelled SPR kept in `state.spr`; a 32-bit SPR keeps bits 32:63. */
const moveToSpr: PpcHandler = (s, op) => {
  const trap = denied(s, op, SPR_BY_NUMBER.get(op.imm)!);
  if (trap !== undefined) return trap;
  s.spr[op.src3] = op.variant === 32 ? 0 : s.gpr[op.dest]!;
  s.spr[op.src3 + 1] = s.gpr[op.dest + 1]!;
  return RETIRED;
};

/** mtspr/mfspr of an SPR number hyplay does not model (or mtspr of a read-only one). */
const unknownSpr: PpcHandler = (s, op) => {
  if (inProblemState(s) && privilegedNumber(op.imm)) return privilegedTrap(op);
  return op.fixed!;
};

function prepareSpr(direction: 'mf' | 'mt'): Prepare {
  return (op, f) => {
    const n = (f.sprh! << 5) | f.sprl!;
    op.dest = gprIndex(direction === 'mf' ? f.rt! : f.rs!);
    op.imm = n;
    const def = SPR_BY_NUMBER.get(n);
    if (def === undefined || (direction === 'mt' && def.readOnly === true)) {
      const what = def === undefined ? `unknown SPR ${n}` : `SPR ${n} (${def.name}) is read-only`;
      const trap = illegalInstruction(op, `${direction}spr: ${what}`);
      unknownSprTraps.add(trap);
      op.fixed = trap;
      preparePrivileged(op, `${direction}spr of privileged SPR ${n} in problem state`);
      return unknownSpr;
    }
    switch (def.name) {
      case 'lr':
        return direction === 'mf' ? moveFromLink : moveToLink;
      case 'ctr':
        return direction === 'mf' ? moveFromCount : moveToCount;
      case 'xer':
        return direction === 'mf' ? moveFromXer : moveToXer;
      default:
        op.src3 = 2 * def.slot;
        op.variant = def.width;
        preparePrivileged(op, `${direction}spr of ${def.name} in problem state`);
        if (def.access === 'hypervisor') preparePrivileged(op, `${direction}spr of hypervisor SPR ${def.name} outside hypervisor state`, true);
        return direction === 'mf' ? moveFromSpr : moveToSpr;
    }
  };
}

/** mfcr, mfocrf (`imm2` = the mask of the field, all ones for mfcr): RT = 0 || (CR & mask). */
const moveFromCr: PpcHandler = (s, op) => {
  s.gpr[op.dest] = 0;
  s.gpr[op.dest + 1] = s.cr & op.imm2;
  return RETIRED;
};

/** mtcrf, mtocrf: the CR fields selected by FXM (mask in `imm2`) from RS[32:63]. */
const moveToCr: PpcHandler = (s, op) => {
  s.cr = (s.cr & ~op.imm2) | (s.gpr[op.dest + 1]! & op.imm2);
  return RETIRED;
};

/** The CR bits of the fields an FXM mask selects (FXM bit 0, the MSB, is CR0). */
function fieldMask(fxm: number): number {
  let mask = 0;
  for (let field = 0; field < 8; field++) if ((fxm & (0x80 >> field)) !== 0) mask |= 0xf << (28 - 4 * field);
  return mask | 0;
}

/** "mfmsr is privileged". */
const moveFromMsr: PpcHandler = (s, op) => {
  if (inProblemState(s)) return privilegedTrap(op);
  s.gpr[op.dest] = s.msrHi;
  s.gpr[op.dest + 1] = s.msrLo;
  return RETIRED;
};

/**
 * MSR bits 32:63 that mtmsr and mtmsrd (L = 0) copy from RS: 32:40, 42:47,
 * 49:50, 52:57 and 60:62, plus EE, IR and DR, which are also set when RS
 * sets PR. ME (51), LE (63) and bit 41 are left as they are.
 */
const MSR_LO_COPIED = 0xff80_0000 | 0x003f_0000 | Msr.EE | Msr.PR | Msr.FP | 0x0fc0 | Msr.IR | Msr.DR | 0x000e;
/** MSR bits 0:31 that mtmsrd (L = 0) copies: 0:2 and 4:28 (not HV, bit 3, nor TS/TM, 29:31). */
const MSR_HI_COPIED = 0xe000_0000 | 0x0fff_fff8;

/**
 * mtmsr and mtmsrd (Book III 4.4.4 pseudocode; `variant` = L, `src3` = 1
 * for mtmsrd). L = 1 changes only EE and RI. Privileged.
 */
const moveToMsr: PpcHandler = (s, op) => {
  if (inProblemState(s)) return privilegedTrap(op);
  const rsHi = s.gpr[op.dest]!;
  const rsLo = s.gpr[op.dest + 1]!;
  let hi = s.msrHi;
  let lo: number;
  if (op.variant === 1) {
    lo = (s.msrLo & ~(Msr.EE | Msr.RI)) | (rsLo & (Msr.EE | Msr.RI));
  } else {
    lo = (s.msrLo & ~MSR_LO_COPIED) | (rsLo & MSR_LO_COPIED);
    if ((rsLo & Msr.PR) !== 0) lo |= Msr.EE | Msr.IR | Msr.DR;
    if (op.src3 === 1) hi = (hi & ~MSR_HI_COPIED) | (rsHi & MSR_HI_COPIED);
  }
  writeMsr(s, hi, lo);
  // Leaving 64-bit mode: the next instruction address loses its high word (Book III 4.4.4).
  if (s.sf === 0 && (s.pc < 0 || s.pc > 0xffff_ffff || s.pcTop !== 0)) {
    s.pc = s.pc >>> 0;
    s.pcTop = 0;
  }
  // Turning relocation on where the next instruction's EA has bits 0:3 of its own: that fetch faults (`fetchable`).
  return fetchable(s) ? RETIRED : unfetchable(s);
};

/** Handlers of this family by table row name. */
export const SPECIAL_SEMANTICS: Readonly<Record<string, Prepare>> = {
  MFSPR: prepareSpr('mf'),
  MTSPR: prepareSpr('mt'),
  MFCR: (op, f) => {
    op.dest = gprIndex(f.rt!);
    op.imm2 = -1;
    return moveFromCr;
  },
  MFOCRF: (op, f) => {
    op.dest = gprIndex(f.rt!);
    op.imm2 = fieldMask(f.fxm!);
    return moveFromCr;
  },
  MTCRF: (op, f) => {
    op.dest = gprIndex(f.rs!);
    op.imm2 = fieldMask(f.fxm!);
    return moveToCr;
  },
  MTOCRF: (op, f) => {
    op.dest = gprIndex(f.rs!);
    op.imm2 = fieldMask(f.fxm!);
    return moveToCr;
  },
  MFMSR: (op, f) => {
    op.dest = gprIndex(f.rt!);
    preparePrivileged(op, 'mfmsr in problem state');
    return moveFromMsr;
  },
  MTMSR: (op, f) => {
    op.dest = gprIndex(f.rs!);
    op.variant = f.l!;
    op.src3 = 0;
    preparePrivileged(op, 'mtmsr in problem state');
    return moveToMsr;
  },
  MTMSRD: (op, f) => {
    op.dest = gprIndex(f.rs!);
    op.variant = f.l!;
    op.src3 = 1;
    preparePrivileged(op, 'mtmsrd in problem state');
    return moveToMsr;
  },
};

/**
 * The exception model as guest code sees it: the 16-byte-gate IDT, the
 * frame, error codes, DPL checks, the TSS stack switch, IRETQ, #PF with
 * CR2 (a fetch crossing into an unmapped page included), SYSCALL/SYSRET
 * (fact sheet §9.4), and the VM exits of both vendors with the host-model
 * hook (a #UD exit the host sees, guest memory writes, re-execution without
 * advancing RIP).
 */

import { describe, expect, it } from 'vitest';
import { injectionError, type InjectVector, type VmExit } from '../../../arch/x86_64/exceptions.ts';
import { TraceRecorder } from '../../../src/interp/trace.ts';
import { IST1, LOAD, machineWith, RSP0, STACK_TOP, stackWord } from './machine-harness.ts';

/** A program with a handler label per vector it names: each handler is `hlt`. */
const HANDLERS = `
h_ud:   hlt
h_gp:   hlt
h_pf:   hlt
h_de:   hlt
h_bp:   hlt
h_80:   hlt
`;

function withHandlers(body: string, options: { vendor?: 'intel' | 'amd'; int80Dpl?: number; ist?: number } = {}) {
  const source = `${body}\n${HANDLERS}`;
  const probe = machineWith(source);
  const at = (name: string): number => probe.labels.get(name)!;
  return machineWith(source, {
    vendor: options.vendor ?? 'intel',
    gates: {
      0: { offset: at('h_de') },
      3: { offset: at('h_bp'), dpl: 3 },
      6: { offset: at('h_ud') },
      13: { offset: at('h_gp'), ist: options.ist ?? 0 },
      14: { offset: at('h_pf') },
      0x80: { offset: at('h_80'), dpl: options.int80Dpl ?? 3, type: 15 },
    },
  });
}

describe('x86_64 exceptions through the IDT', () => {
  it('ud2 is #UD: RIP on the ud2, frame SS, RSP, RFLAGS, CS, RIP, RSP aligned to 16', () => {
    const { machine, labels } = withHandlers('nop\nud2');
    machine.setRegister('rsp', BigInt(STACK_TOP - 8));
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_ud')! + 1);
    const rsp = machine.register('rsp');
    expect(rsp).toBe(BigInt(STACK_TOP - 16 - 40));
    expect(stackWord(machine, rsp)).toBe(BigInt(LOAD + 1));
    expect(stackWord(machine, rsp + 8n)).toBe(0x10n);
    expect(stackWord(machine, rsp + 24n)).toBe(BigInt(STACK_TOP - 8));
    expect(stackWord(machine, rsp + 32n)).toBe(0x18n);
  });

  it('divide by zero is #DE with no error code; a quotient overflow too', () => {
    const { machine, labels } = withHandlers('divl %ecx');
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_de')! + 1);
  });

  it('a data access to unmapped memory is #PF: CR2 the address, error code W and U bits', () => {
    const { machine, labels } = withHandlers('movq %rax, 0x900000');
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_pf')! + 1);
    expect(machine.register('cr2')).toBe(0x90_0000n);
    expect(stackWord(machine, machine.register('rsp'))).toBe(2n);
  });

  it('a non-canonical data address is #GP(0)', () => {
    const { machine, labels } = withHandlers('movabsq $0x800000000000, %rbx\nmovq (%rbx), %rax');
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_gp')! + 1);
    expect(stackWord(machine, machine.register('rsp'))).toBe(0n);
  });

  it('an instruction crossing into an unmapped page is #PF on that page, RIP on its first byte (fetch: I/D set)', () => {
    const { machine, labels } = withHandlers('jmp 0x200ffe');
    machine.memory.map(0x20_0000 - 0x1000, 0x1000);
    machine.memory.map(0x20_0000, 0x1000);
    machine.memory.unmap(0x20_1000, 0x1000);
    // 48 b8 … at 0x200ffe: two bytes mapped, the imm64 on the next page.
    machine.memory.write8(0x20_0ffe, 0x48);
    machine.memory.write8(0x20_0fff, 0xb8);
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_pf')! + 1);
    expect(machine.register('cr2')).toBe(0x20_1000n);
    const rsp = machine.register('rsp');
    expect(stackWord(machine, rsp)).toBe(0x10n);
    expect(stackWord(machine, rsp + 8n)).toBe(0x20_0ffen);
  });

  it('int3 is #BP, a trap: the pushed RIP is the next instruction', () => {
    const { machine, labels } = withHandlers('int3\nnop');
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_bp')! + 1);
    expect(stackWord(machine, machine.register('rsp'))).toBe(BigInt(LOAD + 1));
  });

  it('int $0x80 from CPL 3 through a DPL-3 gate switches to TSS.RSP0; iretq pops SS:RSP and returns to CPL 3', () => {
    const source = `
        int     $0x80
        movq    $7, %rbx
        hlt
h80:    movq    $1, %rcx
        iretq
`;
    const probe = machineWith(source);
    const { machine } = machineWith(source, { gates: { 0x80: { offset: probe.labels.get('h80')!, dpl: 3 } } });
    machine.setMode('cpl3');
    machine.setRegister('rsp', BigInt(STACK_TOP - 0x100));
    const trace = new TraceRecorder();
    machine.trace = trace;
    const result = machine.run(10);
        expect(machine.register('rcx')).toBe(1n);
    expect(machine.register('rbx')).toBe(7n);
    expect(trace.lines().some((l) => /exception/.test(l) && /cpl3 -> cpl0|cpl3/.test(l))).toBe(true);
    expect(result.steps).toBeGreaterThanOrEqual(4);
    // The frame went on the RSP0 stack.
    expect(stackWord(machine, RSP0 - 16)).toBe(BigInt(STACK_TOP - 0x100));
    expect(stackWord(machine, RSP0 - 8)).toBe(0x2bn);
  });

  it('int $0x80 from CPL 3 through a DPL-0 gate is #GP(0x402) (vector·8 + 2), RIP on the int', () => {
    const { machine, labels } = withHandlers('int $0x80', { int80Dpl: 0 });
    machine.setMode('cpl3');
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_gp')! + 1);
    const rsp = machine.register('rsp');
    expect(stackWord(machine, rsp)).toBe(0x402n);
    expect(stackWord(machine, rsp + 8n)).toBe(BigInt(LOAD));
    expect(rsp).toBe(BigInt(RSP0 - 48));
  });

  it('a gate with IST 1 takes its stack from TSS.IST1', () => {
    const { machine } = withHandlers('movq (%rax), %rbx\n', { ist: 1 });
    machine.setRegister('rax', 0x8000_0000_0000n);
    machine.run(10);
    expect(machine.register('rsp')).toBe(BigInt(IST1 - 48));
  });

  it('privileged instructions at CPL 3 are #GP(0)', () => {
    for (const text of ['hlt', 'rdmsr', 'wrmsr', 'movq %cr3, %rax', 'lgdtq (%rax)', 'swapgs', 'cli']) {
      const { machine, labels } = withHandlers(text);
      machine.setMode('cpl3');
      machine.run(10);
      expect(machine.pc, text).toBe(labels.get('h_gp')! + 1);
    }
  });
});

describe('x86_64 SYSCALL and SYSRET', () => {
  const program = `
        syscall
        movq    $3, %rdx
        hlt
entry:  movq    $2, %rbx
        sysretq
`;

  function syscallMachine(vendor: 'intel' | 'amd' = 'intel') {
    const probe = machineWith(`${program}\n${HANDLERS}`);
    const m = withHandlers(program, { vendor });
    m.machine.setRegister('lstar', BigInt(probe.labels.get('entry')!));
    // STAR[47:32] = __KERNEL_CS, STAR[63:48] = __USER32_CS (Linux syscall_init).
    m.machine.setRegister('star', (0x23n << 48n) | (0x10n << 32n));
    m.machine.setRegister('sfmask', 0x4_7700n);
    return m;
  }

  it('syscall from CPL 3: RCX = next RIP, R11 = RFLAGS, RFLAGS masked, CS/SS from STAR; sysretq back to CS 0x33, SS 0x2b', () => {
    const { machine } = syscallMachine();
    machine.setMode('cpl3');
    machine.setRegister('rflags', 0x202n);
    machine.run(4);
    expect(machine.register('rcx')).toBe(BigInt(LOAD + 2));
    expect(machine.register('r11')).toBe(0x202n);
    expect(machine.register('rbx')).toBe(2n);
    expect(machine.register('cs')).toBe(0x33n);
    expect(machine.register('ss')).toBe(0x2bn);
    expect(machine.mode()).toBe('cpl3');
    expect(machine.register('rdx')).toBe(3n);
  });

  it('EFER.SCE = 0 makes syscall #UD', () => {
    const { machine, labels } = syscallMachine();
    machine.setRegister('efer', 0xd00n);
    machine.run(5);
    expect(machine.pc).toBe(labels.get('h_ud')! + 1);
  });

  it('Intel: sysretq with a non-canonical RCX is #GP(0) at CPL 0, pushed on the current (user) RSP', () => {
    const { machine, labels } = withHandlers('sysretq');
    machine.setRegister('rcx', 0x8000_0000_0000n);
    machine.setRegister('rsp', BigInt(STACK_TOP - 0x200));
    machine.run(3);
    expect(machine.pc).toBe(labels.get('h_gp')! + 1);
    expect(machine.mode()).toBe('cpl0');
    expect(machine.register('rsp')).toBe(BigInt(STACK_TOP - 0x200 - 48));
  });

  it('AMD: the same sysretq returns to CPL 3 and faults there on the fetch', () => {
    const { machine } = withHandlers('sysretq', { vendor: 'amd' });
    machine.setRegister('rcx', 0x8000_0000_0000n);
    machine.setRegister('star', 0x23n << 48n);
    machine.run(1);
    expect(machine.mode()).toBe('cpl3');
  });

  it('sysret at CPL 3 is #GP(0)', () => {
    const { machine, labels } = withHandlers('sysretq');
    machine.setMode('cpl3');
    machine.run(3);
    expect(machine.pc).toBe(labels.get('h_gp')! + 1);
  });
});

describe('x86_64 VM exits to the host model', () => {
  it('Intel vmcall: exit reason 18 at the vmcall, before any CPL check; the host writes RAX and advances RIP', () => {
    for (const mode of ['cpl0', 'cpl3']) {
      const { machine } = withHandlers('movl $9, %eax\nvmcall\nmovq %rax, %rbx');
      machine.setMode(mode);
      const exits: VmExit[] = [];
      machine.setHost({
        exit(exit) {
          exits.push(exit);
          machine.setRegister('rax', 0xfffffffffffffc18n);
          machine.pc = exit.address + exit.length;
          return 'resume';
        },
      });
      machine.run(3);
      expect(exits.map((e) => [e.reason, e.name, e.address, e.length])).toEqual([[18, 'VMCALL', LOAD + 5, 3]]);
      expect(machine.register('rbx')).toBe(0xfffffffffffffc18n);
    }
  });

  it('AMD vmmcall is #VMEXIT 0x81; AMD vmcall and Intel vmmcall are #UD exits (0x46 / reason 0, vector 6)', () => {
    const seen: string[] = [];
    for (const [vendor, text] of [['amd', 'vmmcall'], ['amd', 'vmcall'], ['intel', 'vmmcall']] as const) {
      const { machine } = withHandlers(text, { vendor });
      machine.setHost({
        exit(exit) {
          seen.push(`${vendor} ${text}: ${exit.reason.toString(16)} ${exit.name} ${exit.vector}`);
          return { kind: 'stop', reason: 'firmware', detail: 'seen' };
        },
      });
      machine.run(2);
    }
    expect(seen).toEqual(['amd vmmcall: 81 VMMCALL -1', 'amd vmcall: 46 EXCP_BASE+6 6', 'intel vmmcall: 0 EXCEPTION_NMI 6']);
  });

  it('the host may patch the guest code and resume without advancing RIP: the re-executed vmcall exits with 18', () => {
    const { machine } = withHandlers('vmmcall\nhlt');
    const exits: number[] = [];
    machine.setHost({
      exit(exit) {
        exits.push(exit.reason);
        if (exit.vector === 6) {
          machine.memory.writeBytes(exit.address, Uint8Array.of(0x0f, 0x01, 0xc1));
          return 'resume';
        }
        machine.pc = exit.address + exit.length;
        return 'resume';
      },
    });
    expect(machine.run(10).reason).toBe('wfi');
    expect(exits).toEqual([0, 18]);
    expect([...machine.memory.readBytes(LOAD, 3)!]).toEqual([0x0f, 0x01, 0xc1]);
  });

  it('without a host model, #UD is reinjected into the guest and a hypercall exit stops the run', () => {
    const ud = withHandlers('vmmcall');
    ud.machine.run(3);
    expect(ud.machine.pc).toBe(ud.labels.get('h_ud')! + 1);
    const call = withHandlers('vmcall');
    const result = call.machine.run(3);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toMatch(/basic reason 18/);
  });

  it('the host may reinject the #UD', () => {
    const { machine, labels } = withHandlers('vmcall', { vendor: 'amd' });
    machine.setHost({ exit: () => 'reinject' });
    machine.run(3);
    expect(machine.pc).toBe(labels.get('h_ud')! + 1);
  });
});

describe('the host injects a vector (VM-entry event injection)', () => {
  /** A guest that makes one vmcall (at `call`, from `mode`), a host that answers it with `action`; gates as withHandlers, plus 0x30 (DPL 0 interrupt gate) to h_80. */
  function injecting(action: InjectVector, mode: 'cpl0' | 'cpl3' = 'cpl3', advance = false) {
    const { machine, labels } = withHandlers('call:   vmcall\nafter:  nop');
    const probe = withHandlers('call:   vmcall\nafter:  nop');
    const offset = probe.labels.get('h_80')!;
    const low = (BigInt(offset) & 0xffffn) | (0x10n << 16n) | (0x8en << 40n) | ((BigInt(offset) >> 16n) << 48n);
    machine.memory.write64(0x40_1000 + 16 * 0x30, low);
    machine.memory.write64(0x40_1000 + 16 * 0x30 + 8, 0n);
    machine.setMode(mode);
    machine.setRegister('rflags', 0x202n);
    machine.setHost({
      exit(exit) {
        if (advance) machine.pc = exit.address + exit.length;
        return action;
      },
    });
    return { machine, labels };
  }

  it('an injected #GP(0x10) at CPL 3 is taken through gate 13 on the TSS.RSP0 stack, with the error code, at the guest RIP', () => {
    const { machine, labels } = injecting({ kind: 'inject', type: 'exception', vector: 13, errorCode: 0x10, why: 'test' });
    expect(machine.run(5).reason).toBe('wfi');
    expect(machine.pc).toBe(labels.get('h_gp')! + 1);
    expect(machine.mode()).toBe('cpl0');
    const rsp = machine.register('rsp');
    expect(rsp).toBe(BigInt(RSP0 - 48));
    expect(stackWord(machine, rsp)).toBe(0x10n);
    expect(stackWord(machine, rsp + 8n)).toBe(BigInt(labels.get('call')!));
    expect(stackWord(machine, rsp + 16n) & 3n).toBe(3n);
  });

  it('the return address is the RIP the host left: an injection after the host advanced RIP returns past the call', () => {
    const { machine, labels } = injecting({ kind: 'inject', type: 'exception', vector: 6, errorCode: -1, why: 'test' }, 'cpl0', true);
    machine.run(5);
    expect(machine.pc).toBe(labels.get('h_ud')! + 1);
    expect(stackWord(machine, machine.register('rsp'))).toBe(BigInt(labels.get('after')!));
  });

  it('an external interrupt through a DPL-0 gate from CPL 3 is taken (the DPL check is for software INT n only); IF is cleared and no error code is pushed', () => {
    const { machine, labels } = injecting({ kind: 'inject', type: 'interrupt', vector: 0x30, errorCode: -1, why: 'timer' });
    const recorder = new TraceRecorder();
    machine.trace = recorder;
    machine.run(5);
    expect(machine.pc).toBe(labels.get('h_80')! + 1);
    expect(machine.register('rflags') & 0x200n).toBe(0n);
    const rsp = machine.register('rsp');
    expect(stackWord(machine, rsp)).toBe(BigInt(labels.get('call')!));
    expect(stackWord(machine, rsp + 16n) & 0x200n).toBe(0x200n);
    expect(recorder.events.some((e) => e.kind === 'exception' && /host injects vector 48: timer/.test(e.cause))).toBe(true);
  });

  it('an interrupt injected with RFLAGS.IF = 0 fails VM entry: the run stops, the guest takes nothing', () => {
    const { machine, labels } = injecting({ kind: 'inject', type: 'interrupt', vector: 0x30, errorCode: -1, why: 'timer' });
    machine.setRegister('rflags', 0x2n);
    const result = machine.run(5);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toMatch(/VM entry failed: an external interrupt is injected with RFLAGS.IF = 0/);
    expect(machine.pc).toBe(labels.get('call')!);
  });

  it('a vector with no gate is #GP with the IDT and EXT bits (vector · 8 + 3)', () => {
    const { machine, labels } = injecting({ kind: 'inject', type: 'interrupt', vector: 0x31, errorCode: -1, why: 'no gate' });
    machine.run(5);
    expect(machine.pc).toBe(labels.get('h_gp')! + 1);
    expect(stackWord(machine, machine.register('rsp'))).toBe(BigInt(0x31 * 8 + 3));
  });

  it('the VM-entry checks on the event (SDM vol. 3 §26.2.1.3)', () => {
    const event = (type: 'exception' | 'interrupt', vector: number, errorCode: number): InjectVector => ({ kind: 'inject', type, vector, errorCode, why: 't' });
    expect(injectionError(event('exception', 13, -1), 0x202)).toMatch(/#GP pushes an error code/);
    expect(injectionError(event('exception', 6, 0), 0x202)).toMatch(/#UD pushes no error code/);
    expect(injectionError(event('exception', 40, -1), 0x202)).toMatch(/vector ≤ 31/);
    expect(injectionError(event('exception', 2, -1), 0x202)).toMatch(/NMI/);
    expect(injectionError(event('interrupt', 256, -1), 0x202)).toMatch(/not 0–255/);
    expect(injectionError(event('interrupt', 0x30, 0), 0x202)).toMatch(/no error code/);
    expect(injectionError(event('exception', 14, 2), 0x2)).toBeUndefined();
    expect(injectionError(event('interrupt', 0x30, -1), 0x202)).toBeUndefined();
  });
});

#!/usr/bin/python3
"""Run A32 and A64 differential cases in Unicorn 2 (python3-unicorn), many per process.

Reads one JSON object per line on stdin and prints one JSON object per line on
stdout, in the same order:

  in:  {"arch": "arm32"|"arm64" (default arm32), "code": int, "words": [int], "stop": int|null,
        "regions": [[base, size]], "registers": {name: "0x.."},
        "memory": [{"base": int, "data": base64}], "compare": [[base, size]]}
  out: {"end": "completed"|"exception"|"stopped", "exception": str, "at": int,
        "detail": str, "registers": {name: "0x.."},
        "changes": [[address, hex]]}

The code is written little-endian at "code" followed by a WFI the run never
reaches (emulation stops at "stop", or after the last word). "changes" gives
the 64-byte chunks of the "compare" ranges that differ from what "memory" put
there.
One Uc instance serves every case: every case rewrites all the state it
compares, and the translation cache of the code range is dropped.

Part of hyplay's differential test (test/diff/); only the standard library and
the unicorn module are used.
"""

import base64
import json
import struct
import sys

from unicorn import Uc, UcError, UC_ARCH_ARM, UC_ARCH_ARM64, UC_MODE_ARM, UC_HOOK_CODE, UC_HOOK_INTR
from unicorn import arm_const as arm
from unicorn import arm64_const as arm64
import unicorn

REGISTERS = {
    **{"r%d" % i: getattr(arm, "UC_ARM_REG_R%d" % i) for i in range(13)},
    "sp": arm.UC_ARM_REG_SP,
    "lr": arm.UC_ARM_REG_LR,
    "pc": arm.UC_ARM_REG_PC,
    "cpsr": arm.UC_ARM_REG_CPSR,
}

# cp15 registers as (cp, is64, sec, crn, crm, opc1, opc2) for UC_ARM_REG_CP_REG, the Non-secure copy usr mode sees.
# (UC_ARM_REG_C13_C0_2 does not reach TPIDRURW in Unicorn 2.0.1: writes are lost and reads give 0.)
CP15 = {
    "tpidrurw": (15, 0, 0, 13, 0, 0, 2),
    "tpidruro": (15, 0, 0, 13, 0, 0, 3),
}

# QEMU's EXCP_* numbers (target/arm/cpu.h) as UC_HOOK_INTR reports them.
INTERRUPTS = {1: "undefined", 2: "svc", 3: "prefetch-abort", 4: "data-abort", 7: "prefetch-abort"}

DATA_ERRORS = {"UC_ERR_READ_UNMAPPED", "UC_ERR_WRITE_UNMAPPED", "UC_ERR_READ_PROT", "UC_ERR_WRITE_PROT", "UC_ERR_READ_UNALIGNED", "UC_ERR_WRITE_UNALIGNED"}
FETCH_ERRORS = {"UC_ERR_FETCH_UNMAPPED", "UC_ERR_FETCH_PROT", "UC_ERR_FETCH_UNALIGNED"}

WFI = 0xE320F003
# YIELD and WFE without their condition.
HINTS = {0x0320F001, 0x0320F002}

# A64 (Unicorn runs it at EL1h): X0-X30, SP (SP_EL1), PC, NZCV and the thread registers.
A64_REGISTERS = {
    **{"x%d" % i: getattr(arm64, "UC_ARM64_REG_X%d" % i) for i in range(31)},
    "sp": arm64.UC_ARM64_REG_SP,
    "pc": arm64.UC_ARM64_REG_PC,
    "nzcv": arm64.UC_ARM64_REG_NZCV,
    "tpidr_el0": arm64.UC_ARM64_REG_TPIDR_EL0,
    "tpidrro_el0": arm64.UC_ARM64_REG_TPIDRRO_EL0,
    "tpidr_el1": arm64.UC_ARM64_REG_TPIDR_EL1,
}
A64_WFI = 0xD503207F
# YIELD and WFE.
A64_HINTS = {0xD503203F, 0xD503205F}


class Arch:
    """What differs between A32 and A64 here."""

    def __init__(self, uc_arch, registers, wfi, hints, hint_mask, pc, first):
        self.uc_arch = uc_arch
        self.registers = registers
        self.wfi = wfi
        self.hints = hints
        self.hint_mask = hint_mask
        self.pc = pc
        # The register written first (the CPSR selects the mode whose banked SP and LR follow), or None.
        self.first = first


ARCHES = {
    "arm32": Arch(UC_ARCH_ARM, REGISTERS, WFI, HINTS, 0x0FFFFFFF, arm.UC_ARM_REG_PC, "cpsr"),
    "arm64": Arch(UC_ARCH_ARM64, A64_REGISTERS, A64_WFI, A64_HINTS, 0xFFFFFFFF, arm64.UC_ARM64_REG_PC, None),
}


def error_name(code):
    for name in dir(unicorn.unicorn_const):
        if name.startswith("UC_ERR_") and getattr(unicorn.unicorn_const, name) == code:
            return name
    return "error %d" % code


class Driver:
    def __init__(self, arch):
        self.arch = arch
        self.uc = Uc(arch.uc_arch, UC_MODE_ARM)
        self.mapped = set()
        self.last_pc = 0
        self.interrupt = None
        self.uc.hook_add(UC_HOOK_CODE, self.on_code)
        self.uc.hook_add(UC_HOOK_INTR, self.on_interrupt)

    def on_code(self, uc, address, size, user_data):
        self.last_pc = address

    def on_interrupt(self, uc, number, user_data):
        self.interrupt = number
        uc.emu_stop()

    def run(self, case):
        uc = self.uc
        for base, size in case["regions"]:
            if (base, size) not in self.mapped:
                uc.mem_map(base, size)
                self.mapped.add((base, size))
            uc.mem_write(base, bytes(size))
        code = case["code"]
        words = case["words"]
        arch = self.arch
        uc.mem_write(code, struct.pack("<%dI" % (len(words) + 1), *(words + [arch.wfi])))
        uc.ctl_remove_cache(code, code + 4 * len(words) + 4)
        initial = {}
        for block in case["memory"]:
            data = base64.b64decode(block["data"])
            uc.mem_write(block["base"], data)
            initial[block["base"]] = data
        registers = case["registers"]
        if arch.first is not None:
            uc.reg_write(arch.registers[arch.first], int(registers[arch.first], 16))
        for name, value in registers.items():
            if name in CP15 and arch.uc_arch == UC_ARCH_ARM:
                uc.reg_write(arm.UC_ARM_REG_CP_REG, CP15[name] + (int(value, 16),))
            elif name != arch.first:
                uc.reg_write(arch.registers[name], int(value, 16))
        stop = case["stop"]
        end = code + 4 * len(words) if stop is None else stop
        self.last_pc = code
        self.interrupt = None
        result = {"end": "completed"}
        start = code
        while start != end:
            try:
                uc.emu_start(start, end, 0, len(words) + 2)
                break
            except UcError as error:
                name = error_name(error.errno)
                # Known deviation 'unicorn-wfe-yield-stop' (test/diff/deviations.ts): Unicorn stops just after an
                # executed WFE or YIELD as if it were invalid. Both may complete at once, so go on from the next one.
                pc = uc.reg_read(arch.pc)
                index = (self.last_pc - code) // 4
                if name == "UC_ERR_INSN_INVALID" and 0 <= index < len(words) and (words[index] & arch.hint_mask) in arch.hints and pc == self.last_pc + 4 and self.interrupt is None:
                    start = pc
                    continue
                exception = "data-abort" if name in DATA_ERRORS else "prefetch-abort" if name in FETCH_ERRORS else "undefined" if name == "UC_ERR_INSN_INVALID" else name
                result = {"end": "exception", "exception": exception, "at": self.last_pc, "detail": name}
                break
        if self.interrupt is not None:
            result = {"end": "exception", "exception": INTERRUPTS.get(self.interrupt, "interrupt %d" % self.interrupt), "at": self.last_pc, "detail": "UC_HOOK_INTR %d" % self.interrupt}
        pc = uc.reg_read(arch.pc)
        if result["end"] == "completed" and pc != end:
            result = {"end": "stopped", "reason": "budget", "detail": "stopped at 0x%08x, not 0x%08x" % (pc, end)}
        out = {name: "0x%x" % uc.reg_read(number) for name, number in arch.registers.items()}
        if arch.uc_arch == UC_ARCH_ARM:
            for name, selector in CP15.items():
                out[name] = "0x%x" % uc.reg_read(arm.UC_ARM_REG_CP_REG, selector)
        if result["end"] == "exception":
            out["pc"] = "0x%x" % result["at"]
        result["registers"] = out
        changes = []
        for base, size in case["compare"]:
            now = bytes(uc.mem_read(base, size))
            before = initial.get(base, bytes(size))
            before = before + bytes(size - len(before))
            if now == before:
                continue
            # Changed 64-byte chunks, whole: cheap to find, and the caller compares bytes.
            for start in range(0, size, 64):
                if now[start:start + 64] != before[start:start + 64]:
                    changes.append([base + start, now[start:start + 64].hex()])
        result["changes"] = changes
        return result


def main():
    drivers = {}
    out = sys.stdout
    for line in sys.stdin:
        if line.strip() == "":
            continue
        case = json.loads(line)
        name = case.get("arch", "arm32")
        if name not in drivers:
            drivers[name] = Driver(ARCHES[name])
        out.write(json.dumps(drivers[name].run(case)))
        out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()

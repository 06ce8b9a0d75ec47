#!/usr/bin/python3
"""Unicorn 2 (x86-64) running straight-line code for hyplay's differential test.

Run by `/usr/bin/python3` (Debian's python3-unicorn). One JSON request on
stdin: ``{"base": N, "cases": [{"code": hex, "count": N, "gpr": [16 hex],
"rflags": N}]}``; each case's code is loaded at ``base`` in a fresh 64-bit
engine with RAX..R15 (encoding order: RAX, RCX, RDX, RBX, RSP, RBP, RSI,
RDI, R8..R15) and RFLAGS set, and ``count`` instructions run. One JSON
answer on stdout: ``{"ok": true, "results": [{"gpr": [16 hex], "rflags": N,
"rip": N}]}``, or ``{"ok": false, "error": "..."}``.
"""

import json
import sys

try:
    import unicorn
    from unicorn import x86_const as X
except ImportError as error:
    unicorn = None
    IMPORT_ERROR = f"{type(error).__name__}: {error}"

NAMES = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI"] + [f"R{n}" for n in range(8, 16)]


def run_case(base, case):
    uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_64)
    code = bytes.fromhex(case["code"])
    uc.mem_map(base & ~0xFFF, ((len(code) + (base & 0xFFF)) + 0xFFF) & ~0xFFF)
    uc.mem_write(base, code)
    ids = [getattr(X, f"UC_X86_REG_{n}") for n in NAMES]
    for reg, value in zip(ids, case["gpr"]):
        uc.reg_write(reg, int(value, 16))
    uc.reg_write(X.UC_X86_REG_RFLAGS, case["rflags"])
    uc.emu_start(base, base + len(code) + 1, count=case["count"])
    return {"gpr": [format(uc.reg_read(reg), "x") for reg in ids], "rflags": uc.reg_read(X.UC_X86_REG_RFLAGS), "rip": uc.reg_read(X.UC_X86_REG_RIP)}


def main():
    if unicorn is None:
        result = {"ok": False, "error": f"Unicorn is not importable by {sys.executable} ({IMPORT_ERROR})"}
    else:
        try:
            request = json.loads(sys.stdin.read())
            result = {"ok": True, "results": [run_case(request["base"], case) for case in request["cases"]]}
        except (ValueError, KeyError, unicorn.UcError) as error:
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

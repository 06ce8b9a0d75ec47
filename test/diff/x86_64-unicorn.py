#!/usr/bin/python3
"""Run x86-64 straight-line cases in Unicorn 2 (python3-unicorn), many per process.

Reads one JSON object per line on stdin, prints one per line on stdout:

  in:  {"code": "hex bytes", "registers": {"rax": "0x..", ..., "rflags": "0x.."}}
  out: {"end": "completed"|"exception", "detail": str, "registers": {name: "0x.."}}

The code runs at 0x100000 in 64-bit mode (Unicorn's flat long mode) with a
stack at 0x200000. Part of hyplay's differential test (test/diff/); only the
standard library and the unicorn module are used.
"""

import json
import sys

from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_64
from unicorn import x86_const as x86

NAMES = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"] + ["r%d" % i for i in range(8, 16)]
REGISTERS = {name: getattr(x86, "UC_X86_REG_" + name.upper()) for name in NAMES}
REGISTERS["rflags"] = x86.UC_X86_REG_EFLAGS

CODE = 0x100000
STACK = 0x1F0000

uc = Uc(UC_ARCH_X86, UC_MODE_64)
uc.mem_map(CODE, 0x10000)
uc.mem_map(STACK, 0x20000)

for line in sys.stdin:
    case = json.loads(line)
    code = bytes.fromhex(case["code"].replace(" ", ""))
    uc.mem_write(CODE, b"\xf4" * 0x1000)
    uc.mem_write(CODE, code)
    uc.ctl_remove_cache(CODE, CODE + 0x1000)
    for name, value in case["registers"].items():
        uc.reg_write(REGISTERS[name], int(value, 16))
    out = {"end": "completed", "detail": ""}
    try:
        uc.emu_start(CODE, CODE + len(code))
    except UcError as error:
        out = {"end": "exception", "detail": str(error)}
    out["registers"] = {name: hex(uc.reg_read(reg)) for name, reg in REGISTERS.items()}
    print(json.dumps(out), flush=True)

#!/usr/bin/python3
"""Run 32-bit x86 straight-line cases in Unicorn 2 (python3-unicorn, UC_MODE_32), many per process.

Reads one JSON object per line on stdin, prints one per line on stdout:

  in:  {"code": "hex bytes", "registers": {"eax": "0x..", ..., "eflags": "0x.."}}
  out: {"end": "completed"|"exception", "detail": str, "registers": {name: "0x.."}, "data": "hex"}

The code runs at 0x100000 in 32-bit protected mode (Unicorn's flat
segments) with a stack at 0x200000 and 16 data bytes at 0x300000 (zeroed
for each case), which the output returns. Part of hyplay's compatibility-
mode differential test (test/arch/x86_64/code32-differential.test.ts); only
the standard library and the unicorn module are used.
"""

import json
import sys

from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_32
from unicorn import x86_const as x86

NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
REGISTERS = {name: getattr(x86, "UC_X86_REG_" + name.upper()) for name in NAMES}
REGISTERS["eflags"] = x86.UC_X86_REG_EFLAGS

CODE = 0x100000
STACK = 0x1F0000
DATA = 0x300000

uc = Uc(UC_ARCH_X86, UC_MODE_32)
uc.mem_map(CODE, 0x10000)
uc.mem_map(STACK, 0x20000)
uc.mem_map(DATA, 0x1000)

for line in sys.stdin:
    case = json.loads(line)
    code = bytes.fromhex(case["code"].replace(" ", ""))
    uc.mem_write(CODE, b"\xf4" * 0x1000)
    uc.mem_write(CODE, code)
    uc.mem_write(DATA, b"\x00" * 16)
    uc.ctl_remove_cache(CODE, CODE + 0x1000)
    for name, value in case["registers"].items():
        uc.reg_write(REGISTERS[name], int(value, 16))
    out = {"end": "completed", "detail": ""}
    try:
        uc.emu_start(CODE, CODE + len(code))
    except UcError as error:
        out = {"end": "exception", "detail": str(error)}
    out["registers"] = {name: hex(uc.reg_read(reg)) for name, reg in REGISTERS.items()}
    out["data"] = bytes(uc.mem_read(DATA, 16)).hex()
    print(json.dumps(out), flush=True)

#!/usr/bin/python3
"""Unicorn 2 as the peer of `hyplay bench --peers`: the same guest loops, timed here.

Run by `/usr/bin/python3` (Debian's python3-unicorn), one process per
measurement: `src/cli/bench-peer.ts` writes one JSON request on stdin and
reads one JSON answer from stdout. Nothing else is written to stdout.

Requests
--------
``{"op": "hello"}``
    Answer ``{"ok": true, "peer": "unicorn", "version": "2.0.1", "python": "3.11.2"}``,
    or ``{"ok": false, "error": "..."}`` when Unicorn cannot be imported.

``{"op": "run", "arch", "endian", "code", "base", "start", "until", "counter", "hook", "iterations", "ms"}``
    Run a loop that hyplay assembled: ``code`` (hex, memory order) is loaded
    at ``base``; the loop body runs from ``start`` up to (not including)
    ``until``, the instruction after the loop's backward branch; the register
    ``counter`` (hyplay's name, ``r1``/``r5``) counts iterations down to 0.
    ``hook`` is ``none`` (native JIT, no hooks), ``trap`` (a Python hook per
    trap, UC_HOOK_INTR, that serves the call as a script would: it reads the
    call number and writes a result, r0 on arm32, x0 on arm64, r3 on ppc64
    and rax on x86_64; x86's ``syscall`` is hooked with UC_HOOK_INSN) or ``code`` (a Python hook on every instruction,
    UC_HOOK_CODE, recording each address in a ring: an in-memory trace).
    ``iterations`` is the work per measurement; when it is ``null`` the peer
    sizes it so that the timed run lasts about ``ms`` milliseconds.
    ``instructions`` (optional) is the loop body's instruction count, for
    variable-length code (x86); without it the body is 4-byte instructions.

    Every run first checks the loop on a fresh engine with a few iterations
    (each trap site trapped once per iteration with the expected exception,
    one code hook per instruction, the counter at 0 and the PC at ``until``;
    any other exception stops the check), then warms a second fresh engine
    up and times one run on it. The answer:
    ``{"ok": true, "iterations", "seconds", "units", "conduit", "note"}`` where
    ``units`` is instructions (hook ``none``: iterations x body length),
    traps (``trap``: hook calls) or hooked instructions (``code``), counted
    in the timed run and checked against the iterations. ``conduit`` names
    the trapping instruction (``hvc``; ``svc`` when hvc does not trap and
    svc stands in for it; ``sc``; ``syscall``). On any failure: ``{"ok": false, "error"}``.

Why each setting (Unicorn 2.0.1):
- ARM ``hvc`` traps only from Non-secure PL1 with SCR.HCE set (ARM ARM
  B1.8.4 and the HVC pseudocode: UNDEFINED when SCR.HCE is 0 or in Secure
  state). Unicorn's SCR resets with NS set, so HCE is written through the
  cp15 register interface (SCR is c1, c1, 0). The hook then sees QEMU's
  EXCP_HVC (11); Unicorn does not enter the vector, it resumes after the
  hvc, so a hooked trap is the whole round trip a script would see.
- A64 ``hvc`` is UNDEFINED in Unicorn 2.0.1 (EL2 is not enabled: the hook
  sees EXCP_UDEF and the PC stays on the hvc), so ``svc #0`` (EXCP_SWI,
  resumed after it at EL1) stands in for it, and the answer says so.
- PPC64 (QEMU's default POWER10 model) cannot run code in Unicorn 2.0.1:
  every instruction fetch takes an instruction storage interrupt
  (POWERPC_EXCP_HISI, 70), unicorn-engine/unicorn#1591, and a PPC64 CPU
  model cannot be chosen (UC_ERR_ARG: the model index is not offset past
  the 32-bit models, fixed upstream after 2.0.1). The check reports that
  and hyplay falls back to the ARM loops for ppc64 ratios.
- x86-64 (UC_MODE_64): Unicorn models no VMX or SVM, so ``vmcall`` and
  ``vmmcall`` are invalid instructions (UC_ERR_INSN_INVALID) and no hook can
  resume past them; hyplay's x86 trap loop is the ``syscall`` round trip,
  which Unicorn hands to a UC_HOOK_INSN hook and resumes after, the whole
  trap a script would serve.
"""

import json
import sys
import time

try:
    import unicorn
    from unicorn import arm_const, arm64_const, ppc_const, x86_const
except ImportError as error:  # answered below, as a reason to skip
    unicorn = None
    IMPORT_ERROR = f"{type(error).__name__}: {error}"

# QEMU exception numbers the hook sees (target/arm/cpu.h, target/ppc/cpu.h).
EXCP_NAMES = {
    "arm32": {1: "EXCP_UDEF", 2: "EXCP_SWI", 11: "EXCP_HVC"},
    "arm64": {1: "EXCP_UDEF", 2: "EXCP_SWI", 11: "EXCP_HVC"},
    "ppc64": {8: "POWERPC_EXCP_SYSCALL", 70: "POWERPC_EXCP_HISI"},
}
# hvc #0 and svc #0 as llvm-mc encodes them, by architecture (A32, A64).
HVC_0 = {"arm32": 0xE1400070, "arm64": 0xD4000002}
SVC_0 = {"arm32": 0xEF000000, "arm64": 0xD4000001}
RING = 1 << 16  # addresses the code hook keeps (a power of two)
CHECK_ITERATIONS = 64


class PeerError(Exception):
    """A loop the peer cannot run or count as asked."""


def fail(message):
    raise PeerError(message)


def engine(request):
    """A fresh Unicorn engine with the request's code loaded and mapped."""
    arch, endian = request["arch"], request["endian"]
    if arch == "arm32":
        if endian != "little":
            fail(f"arm32 {endian}-endian is not set up here")
        uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_ARM)
    elif arch == "arm64":
        if endian != "little":
            fail(f"arm64 {endian}-endian is not set up here")
        uc = unicorn.Uc(unicorn.UC_ARCH_ARM64, unicorn.UC_MODE_ARM)
    elif arch == "x86_64":
        if endian != "little":
            fail("x86_64 is little-endian")
        uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_64)
    elif arch == "ppc64":
        mode = unicorn.UC_MODE_PPC64 | (unicorn.UC_MODE_BIG_ENDIAN if endian == "big" else unicorn.UC_MODE_LITTLE_ENDIAN)
        uc = unicorn.Uc(unicorn.UC_ARCH_PPC, mode)
    else:
        fail(f"no Unicorn setup for '{arch}'")
    code = bytes.fromhex(request["code"])
    base = request["base"]
    low = base & ~0xFFF
    size = (base + len(code) - low + 0xFFF) & ~0xFFF
    uc.mem_map(low, size)
    uc.mem_write(base, code)
    return uc


def register_id(arch, name):
    """Unicorn's id for hyplay's general-register name (`r1`, `r5`, `x1`, `rcx`)."""
    if arch == "x86_64":
        constant = f"UC_X86_REG_{name.upper()}"
        if not name.startswith("r") or not hasattr(x86_const, constant):
            fail(f"no Unicorn register for '{name}'")
        return getattr(x86_const, constant)
    letter = "x" if arch == "arm64" else "r"
    if not (name.startswith(letter) and name[1:].isdigit()):
        fail(f"counter register '{name}' is not {letter}N")
    number = int(name[1:])
    constant = {"arm32": f"UC_ARM_REG_R{number}", "arm64": f"UC_ARM64_REG_X{number}"}.get(arch, f"UC_PPC_REG_{number}")
    module = {"arm32": arm_const, "arm64": arm64_const}.get(arch, ppc_const)
    if not hasattr(module, constant):
        fail(f"no Unicorn register for '{name}'")
    return getattr(module, constant)


def call_register(arch):
    """Where the call number goes in and the result comes out (SMCCC / hyp-stub r0 or x0; PAPR hcall r3; x86 RAX)."""
    if arch == "x86_64":
        return x86_const.UC_X86_REG_RAX
    return {"arm32": arm_const.UC_ARM_REG_R0, "arm64": arm64_const.UC_ARM64_REG_X0}.get(arch, ppc_const.UC_PPC_REG_3)


def pc_id(arch):
    if arch == "x86_64":
        return x86_const.UC_X86_REG_RIP
    return {"arm32": arm_const.UC_ARM_REG_PC, "arm64": arm64_const.UC_ARM64_REG_PC}.get(arch, ppc_const.UC_PPC_REG_PC)


def enable_hvc(uc):
    # SCR (cp15 c1, c1, 0): NS = bit 0, HCE = bit 8. Tuple: cp, is64, sec, crn, crm, opc1, opc2, value.
    scr = uc.reg_read(arm_const.UC_ARM_REG_CP_REG, (15, 0, 0, 1, 1, 0, 0))
    uc.reg_write(arm_const.UC_ARM_REG_CP_REG, (15, 0, 0, 1, 1, 0, 0, scr | 0x101))


def with_conduit(request, conduit):
    """The request's code with every `hvc #0` of the loop body turned into `svc #0` (the fallback)."""
    if conduit != "svc":
        return request
    code = bytearray(bytes.fromhex(request["code"]))
    arch = request["arch"]
    for address in range(request["start"], request["until"], 4):
        offset = address - request["base"]
        if int.from_bytes(code[offset : offset + 4], "little") == HVC_0[arch]:
            code[offset : offset + 4] = SVC_0[arch].to_bytes(4, "little")
    return {**request, "code": code.hex()}


def expected_trap(arch, conduit):
    # x86's syscall reaches its own hook (UC_HOOK_INSN), not the interrupt hook: any interrupt there is unexpected.
    return {"hvc": 11, "svc": 2, "sc": 8}[conduit] if arch in EXCP_NAMES else -1


def body_length(request):
    """Instructions in the loop body: as the request counts them, else 4-byte instructions."""
    given = request.get("instructions")
    return given if isinstance(given, int) and given > 0 else (request["until"] - request["start"]) // 4


def exception_name(arch, number):
    return EXCP_NAMES.get(arch, {}).get(number, f"exception {number}")


def prepare(uc, request, conduit):
    if request["arch"] == "arm32" and conduit == "hvc":
        enable_hvc(uc)


def check(request, conduit):
    """Run the loop a few iterations on a fresh engine and insist that it does what it says. Returns units per iteration."""
    arch, hook = request["arch"], request["hook"]
    uc = engine(request)
    prepare(uc, request, conduit)
    body = body_length(request)
    sites = {}
    executed = [0]
    unexpected = []
    expected = expected_trap(arch, conduit) if hook == "trap" else None

    def on_interrupt(uc, number, data):
        if number != expected:
            if not unexpected:
                unexpected.append((number, uc.reg_read(pc_id(arch))))
            uc.emu_stop()
            return
        at = uc.reg_read(pc_id(arch))
        sites[at] = sites.get(at, 0) + 1

    def on_code(uc, address, size, data):
        executed[0] += 1

    def on_syscall(uc, data):
        at = uc.reg_read(pc_id(arch))
        sites[at] = sites.get(at, 0) + 1

    uc.hook_add(unicorn.UC_HOOK_INTR, on_interrupt)
    if conduit == "syscall":
        uc.hook_add(unicorn.UC_HOOK_INSN, on_syscall, None, 1, 0, x86_const.UC_X86_INS_SYSCALL)
    if hook == "code":
        uc.hook_add(unicorn.UC_HOOK_CODE, on_code)
    uc.reg_write(register_id(arch, request["counter"]), CHECK_ITERATIONS)
    limit = CHECK_ITERATIONS * (body + 1) * 4
    try:
        uc.emu_start(request["start"], request["until"], timeout=2_000_000, count=limit)
    except unicorn.UcError as error:
        at = uc.reg_read(pc_id(arch))
        fail(f"Unicorn stopped with '{error}' at {at:#x}" + (f" after {exception_name(arch, unexpected[0][0])}" if unexpected else ""))
    if unexpected:
        number, at = unexpected[0]
        fail(f"{exception_name(arch, number)} at {at:#x}" + (f" instead of {exception_name(arch, expected)}" if expected is not None else ""))
    counter = uc.reg_read(register_id(arch, request["counter"]))
    pc = uc.reg_read(pc_id(arch))
    if counter != 0 or pc != request["until"]:
        fail(f"the loop did not finish: {request['counter']} = {counter}, pc = {pc:#x} after {CHECK_ITERATIONS} iterations")
    if hook == "trap":
        if not sites:
            fail(f"no {conduit} trapped")
        wrong = {at: n for at, n in sites.items() if n != CHECK_ITERATIONS}
        if wrong:
            fail(f"trap sites did not trap once per iteration: {wrong}")
        return len(sites)
    if hook == "code":
        if executed[0] != CHECK_ITERATIONS * body:
            fail(f"the code hook ran {executed[0]} times for {CHECK_ITERATIONS} iterations of {body} instructions")
        return body
    return body


def timed(request, conduit, per_iteration, iterations):
    """Warm a fresh engine up, then time one run of `iterations`. Returns (seconds, units)."""
    arch, hook = request["arch"], request["hook"]
    uc = engine(request)
    prepare(uc, request, conduit)
    counter = register_id(arch, request["counter"])
    state = [0]
    if hook == "trap":
        call = call_register(arch)

        def on_interrupt(uc, number, data):
            # The least a script serving a hypercall does: read the call, write a result.
            if uc.reg_read(call) >= 0:
                uc.reg_write(call, 0)
            state[0] += 1

        if conduit == "syscall":
            uc.hook_add(unicorn.UC_HOOK_INSN, lambda uc, data: on_interrupt(uc, 0, data), None, 1, 0, x86_const.UC_X86_INS_SYSCALL)
        else:
            uc.hook_add(unicorn.UC_HOOK_INTR, on_interrupt)
    elif hook == "code":
        ring = [0] * RING
        mask = RING - 1

        def on_code(uc, address, size, data):
            n = state[0]
            ring[n & mask] = address
            state[0] = n + 1

        uc.hook_add(unicorn.UC_HOOK_CODE, on_code)

    def run(n):
        state[0] = 0
        uc.reg_write(counter, n)
        start = time.perf_counter()
        uc.emu_start(request["start"], request["until"])
        seconds = time.perf_counter() - start
        left = uc.reg_read(counter)
        if left != 0 or uc.reg_read(pc_id(arch)) != request["until"]:
            fail(f"the timed loop did not finish ({request['counter']} = {left})")
        units = n * per_iteration if hook == "none" else state[0]
        if units != n * per_iteration:
            fail(f"counted {units} {hook} events for {n} iterations of {per_iteration}")
        return seconds, units

    run(CHECK_ITERATIONS)  # warm-up: translate the loop
    if iterations is None:
        # Size the measurement: grow until a run takes a tenth of the target, then scale.
        n = 256
        while True:
            seconds, _ = run(n)
            if seconds * 1000 >= request["ms"] / 10 or n >= 1 << 30:
                break
            n *= 4
        iterations = max(1, min(0x7FFFFFFF, int(n * request["ms"] / 1000 / max(seconds, 1e-9))))
    seconds, units = run(iterations)
    return iterations, seconds, units


def run_request(request):
    arch, hook = request["arch"], request["hook"]
    if hook not in ("none", "trap", "code"):
        fail(f"unknown hook '{hook}'")
    conduit = None
    note = None
    if hook == "trap":
        conduit = {"ppc64": "sc", "x86_64": "syscall"}.get(arch, "hvc")
        try:
            per_iteration = check(request, conduit)
        except PeerError as error:
            if arch not in ("arm32", "arm64"):
                raise
            # hvc did not trap: svc #0 stands in for it, and the answer says so.
            note = f"hvc did not trap ({error}); svc #0 stands in for it"
            conduit = "svc"
            request = with_conduit(request, conduit)
            per_iteration = check(request, conduit)
    else:
        per_iteration = check(request, None)
    iterations, seconds, units = timed(request, conduit, per_iteration, request.get("iterations"))
    return {"ok": True, "iterations": iterations, "seconds": seconds, "units": units, "conduit": conduit, "note": note}


def answer(request):
    if unicorn is None:
        return {"ok": False, "error": f"Unicorn is not importable by {sys.executable} ({IMPORT_ERROR})"}
    op = request.get("op")
    if op == "hello":
        return {"ok": True, "peer": "unicorn", "version": unicorn.__version__, "python": sys.version.split()[0]}
    if op == "run":
        try:
            return run_request(request)
        except PeerError as error:
            return {"ok": False, "error": str(error)}
        except unicorn.UcError as error:
            return {"ok": False, "error": f"Unicorn: {error}"}
    return {"ok": False, "error": f"unknown op '{op}'"}


def main():
    try:
        request = json.loads(sys.stdin.read())
    except ValueError as error:
        result = {"ok": False, "error": f"bad request: {error}"}
    else:
        result = answer(request)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

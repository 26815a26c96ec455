"""gdb commands for tessera images (loaded by ./tessera debug; by hand: `source
platforms/common/tessera_gdb.py`). gdb sees CPUs, not tessera's threads; these read the
scheduler's thread table (include/tessera/sched/detail/thread.hpp) from the image's symbols:

  tessera threads       every thread: its id, name, state, and where a thread that is not
                        running stopped (its saved pc)
  tessera bt ID         the call chain of thread ID: the running one as `backtrace` shows it,
                        another from the registers its last context switch saved

A thread that is not running has its callee-saved registers on its own stack, at its saved sp,
in the layout of src/arch/aarch64/context.S: [sp+80] x29, [sp+88] x30 (where it resumes). The
walk follows the AAPCS64 frame records from there ({caller's x29, x30}).
"""
import os
import re
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from symbolize import _shorten_templates  # noqa: E402  (Kernel<…> instead of a screenful)

STATES = {0: "free", 1: "ready", 2: "running", 3: "sleeping", 4: "waiting", 5: "dead", 6: "finished"}
SAVED_X29 = 80  # src/arch/aarch64/context.S: the frame of a switched-out thread
SAVED_X30 = 88


def scheduler():
    """The kernel's scheduler instance (Kernel<…>::sched()'s static), or None. g++ emits no
    debug entry for that constant-initialised static, only its symbol: its address comes from
    there, its type from the scheduler class that has a thread table (ThreadScheduler<…>)."""
    listing = gdb.execute("info variables -q ::instance", to_string=True)
    address = None
    for line in listing.splitlines():
        match = re.match(r"\s*(0x[0-9a-f]+)\s+tessera::(?:Basic)?Kernel<.*>::sched\(\)::instance\s*$", line)
        if match:
            address = int(match.group(1), 16)
    if address is None:
        return None
    types = gdb.execute("info types -q ThreadScheduler<", to_string=True)
    for line in types.splitlines():
        match = re.search(r"(tessera::sched::detail::ThreadScheduler<.*>)", line)
        if match:
            name = match.group(1).rstrip(";")
            try:
                return gdb.Value(address).cast(gdb.lookup_type(name).pointer()).dereference()
            except gdb.error:
                continue
    return None


def threads():
    """(slot, Thread value) for every slot of the scheduler's table that is in use."""
    instance = scheduler()
    if instance is None:
        raise gdb.GdbError("no tessera scheduler with threads in this image (sched::None?)")
    try:
        core = instance["core_"]
    except gdb.error:
        raise gdb.GdbError("this scheduler keeps no thread table gdb knows (no core_ member)")
    table, count = core["threads_"], int(core["count_"])
    for slot in range(count):
        thread = table[slot]
        if int(thread["state"]) != 0:
            yield slot, thread


def thread_id(slot, thread):
    return (int(thread["generation"]) << 16) | slot


def describe(address):
    block = gdb.execute(f"info symbol {address:#x}", to_string=True).strip()
    line = gdb.find_pc_line(address)
    where = f" at {line.symtab.filename}:{line.line}" if line.symtab else ""
    return f"{_shorten_templates(block.split(' in section')[0])}{where}"


def read_u64(address):
    return int(gdb.parse_and_eval(f"*(unsigned long long*){address:#x}"))


class TesseraPrefix(gdb.Command):
    """tessera: commands for tessera images (tessera threads, tessera bt ID)."""

    def __init__(self):
        super().__init__("tessera", gdb.COMMAND_USER, prefix=True)


class TesseraThreads(gdb.Command):
    """tessera threads: the scheduler's threads: id, name, state, where each stopped."""

    def __init__(self):
        super().__init__("tessera threads", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        for slot, thread in threads():
            state = STATES.get(int(thread["state"]), "?")
            name = thread["name"].string() if int(thread["name"]) else ""
            line = f"thread {thread_id(slot, thread):#x}  {name or '(unnamed)':<16} {state:<9}"
            sp = int(thread["context"]["sp"])
            if state != "running" and sp:
                line += f" resumes at {describe(read_u64(sp + SAVED_X30))}"
            gdb.write(line + "\n")


class TesseraBacktrace(gdb.Command):
    """tessera bt ID: the call chain of one thread (ID as `tessera threads` shows it)."""

    def __init__(self):
        super().__init__("tessera bt", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        try:
            wanted = int(gdb.parse_and_eval(argument))
        except gdb.error:
            raise gdb.GdbError("usage: tessera bt ID (an id from `tessera threads`)")
        for slot, thread in threads():
            if thread_id(slot, thread) != wanted and slot != wanted:
                continue
            if STATES.get(int(thread["state"])) == "running":
                gdb.execute("backtrace")
                return
            sp = int(thread["context"]["sp"])
            fp, pc = read_u64(sp + SAVED_X29), read_u64(sp + SAVED_X30)
            for depth in range(32):
                gdb.write(f"#{depth:<2} {pc:#018x} in {describe(pc)}\n")
                if fp == 0 or fp % 16 != 0:
                    break
                fp, pc = read_u64(fp), read_u64(fp + 8)
                if pc == 0:
                    break
                pc -= 4  # the call, not the return address
            return
        raise gdb.GdbError(f"no thread {argument}; `tessera threads` lists them")


TesseraPrefix()
TesseraThreads()
TesseraBacktrace()

#!/usr/bin/env python3
"""./tessera debug's machinery (platforms/common/debugger.py) on examples/crash: gdb stops at a
breakpoint in the image, with symbols and source lines; a backtrace, a global and (bare metal)
a device register read through QEMU's gdb stub give the values the program has there.

  debug_test.py [--runner R] [--uartfr ADDRESS] IMAGE
  debug_test.py --runner R --threads IMAGE    tests/target/sched/cooperative_test.cpp's image:
      `tessera threads` lists the scheduler's threads, `tessera bt` walks a switched-out one

Bounded: gdb runs in batch mode with a timeout, and QEMU is stopped when gdb exits.
"""
import argparse
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "platforms", "common"))
import debugger  # noqa: E402

# PL011 UARTFR on qemu-virt (drivers/pl011.hpp): TXFE (bit 7) set, the transmit FIFO empty
# while the guest is stopped; BUSY (bit 3) clear. raspi3: --uartfr 0x3f201018.
UARTFR = 0x0900_0018


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", default=None)
    parser.add_argument("--threads", action="store_true")
    parser.add_argument("--uartfr", type=lambda text: int(text, 0), default=UARTFR,
                        help="the console PL011's UARTFR address (default: qemu-virt's)")
    parser.add_argument("image")
    options = parser.parse_args()
    if options.threads:
        return threads(options)
    commands = ["backtrace", "print sensors[1]", "finish"]
    if options.runner:
        commands.append(f"x/wx {options.uartfr:#x}")
    commands.append("kill")
    status, text = session(options, "sensor_reading", commands)
    expectations = [
        r'Breakpoint 1, sensor_reading \(name=.*"temperature"\) at \S*examples/crash/main\.cpp:\d+',
        r"#1 .*crash_main \(\) at \S*examples/crash/main\.cpp:44",
        r'\$1 = \{name = 0x[0-9a-f]+ "humidity", reading = 40\}',
        r"Value returned is \$2 = 21",
    ]
    if options.runner:
        expectations.append(rf"{options.uartfr:#x}:\s+0x000000[89a-f][0-7]")
    return check(status, text, expectations)


def session(options, breakpoint, commands):
    """One gdb session in batch mode: (gdb's exit status, everything gdb and the guest printed)."""
    with tempfile.TemporaryFile() as output:
        status = debugger.debug(options.image, runner=options.runner, breakpoint=breakpoint,
                                commands=commands, batch=True, timeout=90, output=output)
        output.seek(0)
        return status, output.read().decode("utf-8", "replace")


def threads(options):
    """Stopped in the third of four workers (keep_invariants): `tessera threads` shows the
    first thread waiting in join, the current one running, the others ready; `tessera bt` of
    the first thread walks its saved frame records down to the test's join and _start."""
    status, text = session(options, "keep_invariants",
                           ["continue", "continue", "tessera threads", "tessera bt 0", "kill"])
    expectations = [
        r"^thread 0x[0-9a-f]+ +main +waiting +resumes at ",
        r"^thread 0x[0-9a-f]+ +\S+ +running",
        r"^#\d+ +0x[0-9a-f]+ in tessera_main\b.* at \S*tests/target/sched/cooperative_test\.cpp:\d+",
        r"^#\d+ +0x[0-9a-f]+ in _start\b",
    ]
    listed = len(re.findall(r"^thread 0x[0-9a-f]+ ", text, re.MULTILINE))
    problems = [] if listed == 5 else [f"`tessera threads` listed {listed} threads, expected 5 (the first and four workers)"]
    return check(status, text, expectations, problems)


def check(status, text, expectations, problems=None):
    problems = list(problems or [])
    if status != 0:
        problems.append(f"gdb exited with status {status}")
    position = 0
    for pattern in expectations:
        match = re.compile(pattern, re.MULTILINE).search(text, position)
        if match is None:
            problems.append(f"no match (after the previous one) for: {pattern}")
        else:
            position = match.end()
    print(text)
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Boots an image that idles (tests/integration/images/idle.cpp) and checks that the host CPU
time QEMU used stays well below the time the guest idled: an idle tessera image sleeps every
core (core 0 in wfi until its timer, the others parked), it does not spin.

    python3 idle_cpu_test.py --runner platforms/<p>/run-qemu [--max-cpu-fraction 0.5] IMAGE

Passes when the image prints "idled N ms" with N >= 2000, exits 0, and QEMU's user + system
time is at most --max-cpu-fraction of N. Exit 0 pass, 1 fail, 2 bad arguments.
"""

import argparse
import re
import resource
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runner", required=True, help="the platform's run-qemu")
    ap.add_argument("--max-cpu-fraction", type=float, default=0.5,
                    help="QEMU's CPU time over the idle time, at most (default 0.5)")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("image")
    args = ap.parse_args()

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    try:
        done = subprocess.run([args.runner, "--timeout", str(int(args.timeout)), args.image],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=args.timeout + 30)
    except subprocess.TimeoutExpired:
        print(f"FAIL: {args.image} did not finish within {args.timeout + 30:g} s")
        return 1
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = done.stdout.decode(errors="replace")
    sys.stdout.write(output)

    m = re.search(r"^idled (\d+) ms\r?$", output, re.M)
    if done.returncode != 0 or m is None:
        print(f"FAIL: exit status {done.returncode}, 'idled N ms' {'seen' if m else 'not seen'}")
        return 1
    idled_s = int(m.group(1)) / 1000
    print(f"idled {idled_s:.3f} s in {wall:.3f} s of wall time; QEMU used {cpu:.3f} s of host CPU "
          f"({cpu / idled_s:.2f} of the idle time, at most {args.max_cpu_fraction:g} allowed)")
    if idled_s < 2.0:
        print("FAIL: the image idled less than the 2 s it asked for")
        return 1
    if cpu > args.max_cpu_fraction * idled_s:
        print("FAIL: QEMU kept the host busy while the guest idled (a core spinning?)")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

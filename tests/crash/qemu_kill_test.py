#!/usr/bin/env python3
"""The crash test's QEMU-kill form (meson suite `crash`): examples/kvstore on a virtio-blk disk
is killed (SIGKILL, QEMU and its runner together) at a seeded random moment while it writes,
then booted again on the same disk, ITERATIONS times. After each boot every acknowledged put
(a line "acked KEY ITER J", printed after the put's flush completed) must be there, or a newer
write of that key; every value must be exactly what `fill` writes for its key (no corrupt
value). Killing QEMU loses nothing the host already holds, so this cannot catch a missing
flush (the power-loss form does); it catches torn records, a bad recovery, lost indexes.

  qemu_kill_test.py --runner RUN_QEMU [--iterations N] [--seed S] [--json PATH] IMAGE

Prints a JSON summary (also to PATH) and exits 0 when nothing acknowledged was lost.
"""
import argparse
import json
import os
import random
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "block"))
from kvstore_session import Guest, GuestError, check_fill_value, make_disk  # noqa: E402

KEYS = 150
ACKED = re.compile(r"^acked (\S+) (\d+) (\d+)$")
ENTRY = re.compile(r"^= (\S+) (\S+)$")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json")
    parser.add_argument("image")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    model = {}  # key -> (iter, j) of the newest write known to be on the disk
    lost = corrupt = acked_total = 0
    kills = 0
    problems = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        disk = os.path.join(scratch, "disk.img")
        make_disk(disk)
        for iteration in range(options.iterations + 1):
            guest = Guest(options.image, disk, options.runner, timeout=120)
            try:
                guest.expect(r"^kvstore: ready$", timeout=60)
                # Check: everything acknowledged so far, every value well-formed.
                found = {}
                for line in guest.command("scan k", timeout=60):
                    m = ENTRY.match(line)
                    if m:
                        found[m.group(1)] = m.group(2)
                for key, value in found.items():
                    version = check_fill_value(key, value)
                    if version is None:
                        corrupt += 1
                        problems.append(f"boot {iteration}: corrupt value for {key}: {value[:40]!r}")
                    elif key in model and version < model[key]:
                        lost += 1
                        problems.append(f"boot {iteration}: {key} went back from {model[key]} to {version}")
                    else:
                        model[key] = version  # on the disk now: the host keeps it from here on
                for key in model:
                    if key not in found:
                        lost += 1
                        problems.append(f"boot {iteration}: acknowledged key {key} {model[key]} is missing")
                if iteration == options.iterations:
                    guest.command("quit")
                    guest.wait()
                    break
                # Write until a seeded moment, then kill.
                guest.send(f"fill k {KEYS} 1000000 {iteration}")
                deadline = time.monotonic() + rng.uniform(0.05, 0.8)
                while time.monotonic() < deadline:
                    try:
                        line = guest.next_line(max(0.005, deadline - time.monotonic()))
                    except GuestError:
                        break
                    if line is None:
                        raise GuestError("the guest ended while writing\n" + guest.tail())
                    m = ACKED.match(line)
                    if m:
                        version = (int(m.group(2)), int(m.group(3)))
                        model[m.group(1)] = max(model.get(m.group(1), version), version)
                        acked_total += 1
                guest.kill()
                kills += 1
                # Lines already printed before the kill were acknowledged too.
                while True:
                    try:
                        line = guest.lines.get_nowait()
                    except Exception:
                        break
                    m = ACKED.match(line or "")
                    if m:
                        version = (int(m.group(2)), int(m.group(3)))
                        model[m.group(1)] = max(model.get(m.group(1), version), version)
                        acked_total += 1
            except GuestError as error:
                guest.kill()
                problems.append(f"boot {iteration}: {error}")
                break
    summary = {"crash_iterations": kills, "acknowledged_writes": acked_total, "acknowledged_writes_lost": lost,
               "corrupt_values": corrupt, "keys_at_end": len(model), "seed": options.seed,
               "seconds": round(time.monotonic() - start, 1)}
    print(json.dumps(summary))
    if options.json:
        with open(options.json, "w") as f:
            json.dump(summary, f)
    for p in problems[:10]:
        print("FAILED:", p)
    ok = not problems and kills == options.iterations
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

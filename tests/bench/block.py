#!/usr/bin/python3
"""Block benchmark (run by `./tessera bench block`).

Boots tests/bench/block/block_bench.cpp once in QEMU with a fresh 64 MiB raw disk (virtio-blk,
through the platform's run-qemu --disk): 4 KiB requests through the BlockDevice API at queue
depth 1 and 32 (seq_read_iops, rand_read_iops_qd1/qd32, rand_write_iops_qd1/qd32) and kvstore's
puts (each flushed before it returns) and gets (kv_put_per_s, kv_get_per_s), all in that one
run. Adds the ratio rand_read_iops_qd32 / rand_read_iops_qd1 (issue 17's target: at least 2)
and the figures the crash suite last wrote (--crash-results DIR, repeatable: the
tests/crash build directories): crash_iterations (QEMU kills), power_loss_iterations and
acknowledged_writes_lost (both forms together; null when a form has not run yet).
wait_read_iops_qd1 and wait_write_iops_qd1 are one request at a time through wait(). With
--threaded NAME=IMAGE (repeatable: the same bench built for sched::Cooperative and
sched::Preemptive) each such image is booted too and its waiting figures (wait_read_iops_qd1,
wait_write_iops_qd1, kv_put_per_s) are reported under "waiting": how each scheduler waits for
the disk (sched::None spins on the used ring, Cooperative sleeps 50 µs between polls,
Preemptive sleeps until the device's interrupt).

    python3 tests/bench/block.py --image build/qemu-virt-aarch64/tests/bench/block-bench
        [--threaded cooperative=IMAGE] [--threaded preemptive=IMAGE]
        [--runner platforms/qemu-virt-aarch64/run-qemu] [--crash-results DIR]… [--check]

--check (for the test suite): exit 1 unless every figure is there and positive.
Output: one JSON object on stdout; progress on stderr.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIELDS = ["seq_read_iops", "rand_read_iops_qd1", "rand_read_iops_qd32", "rand_write_iops_qd1",
          "rand_write_iops_qd32", "wait_read_iops_qd1", "wait_write_iops_qd1", "kv_put_per_s", "kv_get_per_s"]
WAITING_FIELDS = ["wait_read_iops_qd1", "wait_write_iops_qd1", "kv_put_per_s"]


def boot(runner, image):
    """Boots a bench image with a fresh 64 MiB disk; its JSON line as a dict, or None."""
    with tempfile.TemporaryDirectory() as scratch:
        disk = os.path.join(scratch, "bench.img")
        with open(disk, "wb") as f:
            f.truncate(64 << 20)
        done = subprocess.run([runner, "--timeout", "120", "--disk", disk, image],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=180)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        print(f"block bench: {image} exited with status {done.returncode}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def crash_figures(directories):
    found = {}
    for directory in directories:
        for name in ("qemu-kill.json", "power-loss.json"):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path) as f:
                    found[name] = json.load(f)
    kill, power = found.get("qemu-kill.json"), found.get("power-loss.json")
    lost = None
    if kill and power:
        lost = kill["acknowledged_writes_lost"] + power["acknowledged_writes_lost"]
    return {
        "crash_iterations": kill["crash_iterations"] if kill else None,
        "power_loss_iterations": power["power_loss_iterations"] if power else None,
        "acknowledged_writes_lost": lost,
        "crash_acknowledged_writes_lost": kill["acknowledged_writes_lost"] if kill else None,
        "power_loss_acknowledged_writes_lost": power["acknowledged_writes_lost"] if power else None,
        "crash_results_from": "the latest ./tessera test --suite crash" if found else
                              "none yet: run ./tessera test --suite crash",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--runner", default=os.path.join(ROOT, "platforms", "qemu-virt-aarch64", "run-qemu"))
    parser.add_argument("--crash-results", action="append", default=[])
    parser.add_argument("--threaded", action="append", default=[], metavar="NAME=IMAGE")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()

    print("block bench: 4 KiB requests at queue depth 1 and 32, then kvstore, in one QEMU run (about 10 s)",
          file=sys.stderr)
    figures = boot(options.runner, options.image)
    if figures is None:
        return 1
    result = {"benchmark": "block", "platform": "qemu-virt-aarch64", "device": "block::VirtioBlk (virtio-mmio)",
              **figures}
    waiting = {"none": {f: figures[f] for f in WAITING_FIELDS}}
    for name, image in (v.split("=", 1) for v in options.threaded):
        print(f"block bench: waiting for the disk under sched::{name.capitalize()} (about 2 s)", file=sys.stderr)
        threaded = boot(options.runner, image)
        if threaded is None:
            return 1
        waiting[name] = {f: threaded[f] for f in WAITING_FIELDS}
    if options.threaded:
        result["waiting"] = waiting
    result["rand_read_qd32_over_qd1"] = round(result["rand_read_iops_qd32"] / result["rand_read_iops_qd1"], 2)
    result["target_rand_read_qd32_at_least_2x_qd1"] = result["rand_read_qd32_over_qd1"] >= 2
    result.update(crash_figures(options.crash_results))
    print(json.dumps(result, indent=2))
    if options.check:
        missing = [f for f in FIELDS if not result.get(f, 0) > 0]
        missing += [f"waiting.{name}.{f}" for name, got in result.get("waiting", {}).items() for f in WAITING_FIELDS
                    if not got.get(f, 0) > 0]
        if missing:
            print("block bench: missing or zero: " + ", ".join(missing), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

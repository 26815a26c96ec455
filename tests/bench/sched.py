#!/usr/bin/python3
"""Context-switch benchmark (run by `./tessera bench sched`).

Hosted (--hosted, tests/bench/sched/sched_bench.cpp): sched::Cooperative's yield round trip
against the bare context switch, glibc's swapcontext and a std::thread + condition-variable
ping-pong, all in one process and one run (see the C++ file for what each measures).
qemu-virt-aarch64 (--qemu, tests/bench/sched/switch_cost.cpp): guest instructions per switch
of a Cooperative yield and of the bare switch, and per round trip of a std::mutex +
std::condition_variable ping-pong between two std::threads on tessera's futex, under
`-icount shift=0` (deterministic).
(--preempt-latency, tests/bench/sched/preempt_latency.cpp): sched::Preemptive's latency from
the timer interrupt to the next thread running, median of 21, under `-icount shift=0`
(preemption_latency_us, and in guest instructions) and without it
(preemption_latency_us_realtime: QEMU's timers on host time, which adds the host's delays).
Adds the ratios and issue 11's targets: yield_round_trip_ns at most 1/15 of
swapcontext_round_trip_ns and at most 2.5 x bare_switch_round_trip_ns; guest_insns_per_switch
at most 100.

    python3 tests/bench/sched.py [--hosted build/hosted/tests/bench/sched-bench]
                                 [--qemu build/qemu-virt-aarch64/tests/bench/switch-cost]
                                 [--preempt-latency build/qemu-virt-aarch64/tests/bench/preempt-latency]
                                 [--quick] [--check]

--check (for the test suite): exit 1 unless every figure asked for is there and positive.
Output: one JSON object on stdout; progress on stderr.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot  # noqa: E402  (tests/bench/boot.py: QEMU and its arguments)

FIELDS = ["yield_round_trip_ns", "bare_switch_round_trip_ns", "swapcontext_round_trip_ns", "futex_round_trip_ns"]
QEMU_FIELDS = ["guest_insns_per_switch", "bare_guest_insns_per_switch", "guest_insns_per_futex_round_trip"]
TIMEOUT_S = 300
TARGET_GUEST_INSNS = 100


def qemu_json(image, icount=True):
    """The last JSON line the image prints (under -icount shift=0 unless told otherwise)."""
    command = [boot.QEMU, *boot.QEMU_ARGS, *(["-icount", "shift=0"] if icount else []), "-kernel", image]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"sched bench: {image} did not finish within 60 s")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"sched bench: {image} exited with status {done.returncode}: {done.stdout[-300:]}")
    return json.loads(lines[-1])


def run_qemu(image):
    """Guest instructions per switch: QEMU's virtual time advances 1 ns per instruction."""
    raw = qemu_json(image)
    return {
        "guest_insns_per_switch": raw["guest_insns_per_switch_x100"] / 100,
        "bare_guest_insns_per_switch": raw["bare_guest_insns_per_switch_x100"] / 100,
        # std::mutex + std::condition_variable ping-pong between two std::threads on tessera's
        # futex (the in-guest counterpart of futex_round_trip_ns, which is Linux threads)
        "guest_insns_per_futex_round_trip": raw["guest_insns_per_futex_round_trip"],
        "guest_round_trips": raw["round_trips"],
        "guest_counter_hz": raw["frequency"],
    }


def run_preempt_latency(image):
    exact = qemu_json(image)
    host = qemu_json(image, icount=False)
    ns_per_tick = 1e9 / exact["frequency"]
    return {
        "preemption_latency_us": round(exact["latency_ticks_median"] * ns_per_tick / 1000, 3),
        "preemption_latency_insns": round(exact["latency_ticks_median"] * ns_per_tick),  # 1 ns per instruction
        "preemption_latency_us_realtime": round(host["latency_ticks_median"] * ns_per_tick / 1000, 1),
        "preemption_latency_us_realtime_max": round(host["latency_ticks_max"] * ns_per_tick / 1000, 1),
        "preemption_slice_us": exact["slice_us"],
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosted", help="the sched-bench executable (host)")
    parser.add_argument("--qemu", help="the switch-cost image (qemu-virt-aarch64)")
    parser.add_argument("--preempt-latency", help="the preempt-latency image (qemu-virt-aarch64)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args(argv)
    if not options.hosted and not options.qemu and not options.preempt_latency:
        parser.error("give --hosted, --qemu, --preempt-latency or several")

    result = {"benchmark": "sched"}
    targets = {}
    if options.hosted:
        print("sched bench: yield, bare switch, swapcontext, futex ping-pong (hosted)", file=sys.stderr, flush=True)
        try:
            done = subprocess.run([options.hosted] + (["--quick"] if options.quick else []),
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"sched bench: {options.hosted} did not finish within {TIMEOUT_S} s")
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"sched bench: {options.hosted} exited with status {done.returncode}")
        result.update(json.loads(done.stdout))
        y, bare, swap = (result[k] for k in FIELDS[:3])
        result["yield_over_bare_switch"] = round(y / bare, 2) if bare > 0 else None
        result["swapcontext_over_yield"] = round(swap / y, 1) if y > 0 else None
        targets["yield_at_most_swapcontext_over_15"] = {"value": y, "target": round(swap / 15, 2), "met": y <= swap / 15}
        targets["yield_at_most_2.5_bare_switch"] = {"value": y, "target": round(2.5 * bare, 2), "met": y <= 2.5 * bare}
    if options.qemu:
        print("sched bench: guest instructions per switch (qemu-virt-aarch64, -icount shift=0)", file=sys.stderr,
              flush=True)
        result.update(run_qemu(options.qemu))
        g = result["guest_insns_per_switch"]
        targets["guest_insns_per_switch"] = {"value": g, "target": TARGET_GUEST_INSNS, "met": g <= TARGET_GUEST_INSNS}
    if options.preempt_latency:
        print("sched bench: preemption latency (qemu-virt-aarch64)", file=sys.stderr, flush=True)
        result.update(run_preempt_latency(options.preempt_latency))
    result["targets"] = targets
    print(json.dumps(result, indent=2))
    if options.check:
        expected = ((FIELDS if options.hosted else []) + (QEMU_FIELDS if options.qemu else []) +
                    (["preemption_latency_us", "preemption_latency_us_realtime"] if options.preempt_latency else []))
        missing = [k for k in expected if not isinstance(result.get(k), (int, float)) or result[k] <= 0]
        if missing:
            print(f"sched bench: missing or non-positive: {', '.join(missing)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

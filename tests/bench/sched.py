#!/usr/bin/python3
"""Context-switch benchmark (run by `./tessera bench sched`).

Runs tests/bench/sched/sched_bench.cpp (hosted): sched::Cooperative's yield round trip against
the bare context switch, glibc's swapcontext and a std::thread + condition-variable ping-pong,
all in one process and one run (see the C++ file for what each measures). Adds the ratios and
issue 11's targets: yield_round_trip_ns at most 1/15 of swapcontext_round_trip_ns and at most
2.5 x bare_switch_round_trip_ns.

    python3 tests/bench/sched.py --hosted build/hosted/tests/bench/sched-bench [--quick] [--check]

--check (with --quick, for the test suite): exit 1 unless every figure is positive and the
JSON has every expected field. Output: one JSON object on stdout; progress on stderr.
"""

import argparse
import json
import subprocess
import sys

FIELDS = ["yield_round_trip_ns", "bare_switch_round_trip_ns", "swapcontext_round_trip_ns", "futex_round_trip_ns"]
TIMEOUT_S = 300


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosted", required=True, help="the sched-bench executable")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args(argv)

    print("sched bench: yield, bare switch, swapcontext, futex ping-pong", file=sys.stderr, flush=True)
    try:
        done = subprocess.run([options.hosted] + (["--quick"] if options.quick else []),
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"sched bench: {options.hosted} did not finish within {TIMEOUT_S} s")
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"sched bench: {options.hosted} exited with status {done.returncode}")
    result = json.loads(done.stdout)
    result = {"benchmark": "sched", **result}
    y, bare, swap = (result[k] for k in FIELDS[:3])
    result["yield_over_bare_switch"] = round(y / bare, 2) if bare > 0 else None
    result["swapcontext_over_yield"] = round(swap / y, 1) if y > 0 else None
    result["targets"] = {
        "yield_at_most_swapcontext_over_15": {"value": y, "target": round(swap / 15, 2), "met": y <= swap / 15},
        "yield_at_most_2.5_bare_switch": {"value": y, "target": round(2.5 * bare, 2), "met": y <= 2.5 * bare},
    }
    print(json.dumps(result, indent=2))
    if options.check:
        missing = [k for k in FIELDS if not isinstance(result.get(k), (int, float)) or result[k] <= 0]
        if missing:
            print(f"sched bench: missing or non-positive: {', '.join(missing)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

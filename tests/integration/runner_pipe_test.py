#!/usr/bin/env python3
"""The runner's stdout is a pipe whose reader has already gone (like `run-qemu IMAGE | head`
after head exits): it must stop QEMU and exit 141 (128 + SIGPIPE) without a Python traceback,
and well before its timeout.

  runner_pipe_test.py RUNNER IMAGE
"""
import os
import subprocess
import sys
import time


def main():
    runner, image = sys.argv[1], sys.argv[2]
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read what the runner writes
    started = time.monotonic()
    try:
        done = subprocess.run([runner, "--timeout", "30", image], stdin=subprocess.DEVNULL, stdout=write_end,
                              stderr=subprocess.PIPE, timeout=45)
    except subprocess.TimeoutExpired:
        print("FAIL: the runner did not finish")
        return 1
    finally:
        os.close(write_end)
    seconds = time.monotonic() - started
    stderr = done.stderr.decode("utf-8", "replace")
    print(f"$ {runner} --timeout 30 {image} > (closed pipe)  (exit status {done.returncode}, {seconds:.1f} s)")
    print(stderr)
    problems = []
    if done.returncode != 141:
        problems.append(f"exit status {done.returncode}, expected 141")
    if "Traceback" in stderr:
        problems.append("a Python traceback on stderr")
    if seconds > 20:
        problems.append(f"took {seconds:.1f} s: QEMU was not stopped")
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

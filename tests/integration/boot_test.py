#!/usr/bin/env python3
"""Boot an image (through a platform runner, or directly for the hosted platform) and assert
on what it printed and on its exit status. Used by tests/integration/meson.build.

  boot_test.py [--runner R] [--runner-arg A]… [--after-image A]… [--timeout S] --status N
               [--expect REGEX]… [--expect-anywhere REGEX]… [--reject REGEX]… IMAGE

--after-image puts A after IMAGE on the runner's command line (to test how it treats that).

Every --expect must match (re.MULTILINE) somewhere in stdout+stderr, in the given order;
--expect-anywhere must match somewhere, in any order (lines that cores print at the same time);
no --reject may match. The whole output is printed on failure. Backtrace frame lines are
symbolised (function, file, line) as `./tessera run` shows them: by the runner, or here for a
hosted image run directly.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "platforms", "common"))
import symbolize  # noqa: E402  (the runners symbolise backtraces; a hosted image is run here directly)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", default="")
    parser.add_argument("--runner-arg", action="append", default=[])
    parser.add_argument("--after-image", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--status", type=int, required=True)
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--expect-anywhere", action="append", default=[])
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--disk-bytes", type=int, default=0,
                        help="attach an empty disk of this size (run-qemu --disk; hosted: $TESSERA_DISK)")
    parser.add_argument("image")
    options = parser.parse_args()

    env = dict(os.environ)
    scratch = tempfile.TemporaryDirectory() if options.disk_bytes else None
    disk = []
    if scratch:
        path = os.path.join(scratch.name, "disk.img")
        with open(path, "wb") as f:
            f.truncate(options.disk_bytes)
        disk = ["--disk", path]
        env["TESSERA_DISK"] = path
    if options.runner:
        command = [options.runner, "--timeout", str(options.timeout), *options.runner_arg, *disk, options.image,
                   *options.after_image]
    else:
        command = [options.image]
    try:
        # The runner enforces the guest timeout; this one only guards against a stuck runner.
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                                timeout=options.timeout + 15)
    except subprocess.TimeoutExpired:
        print(f"FAIL: {' '.join(command)} did not finish")
        return 1
    raw = result.stdout + result.stderr
    if not options.runner:
        raw = symbolize.symbolise_output(raw, options.image, "addr2line")
    output = raw.decode("utf-8", "replace").replace("\r", "")

    problems = []
    if result.returncode != options.status:
        problems.append(f"exit status {result.returncode}, expected {options.status}")
    position = 0
    for pattern in options.expect:
        match = re.compile(pattern, re.MULTILINE).search(output, position)
        if match is None:
            problems.append(f"no match (after the previous one) for: {pattern}")
        else:
            position = match.end()
    for pattern in options.expect_anywhere:
        if not re.search(pattern, output, re.MULTILINE):
            problems.append(f"no match anywhere for: {pattern}")
    for pattern in options.reject:
        if re.search(pattern, output, re.MULTILINE):
            problems.append(f"unexpected match for: {pattern}")

    print(f"$ {' '.join(command)}  (exit status {result.returncode})")
    print(output)
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

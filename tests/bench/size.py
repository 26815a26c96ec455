#!/usr/bin/python3
"""Image-size benchmark for qemu-virt-aarch64 (run by `./tessera bench size`).

What the C++ standard library costs: the .text and raw (objcopy -O binary) size of hello and
of the images tests/bench/size/size.cpp builds (hello's kernel plus std::vector<int>, plus
std::string + std::map + std::unordered_map, plus a throw and catch with exceptions on, and
the baseline they all share). Each image is booted and must exit 0, so a size is never that
of an image that does not work. Sizes are exact: --check turns the targets into a test.

    python3 tests/bench/size.py --build <qemu-virt-aarch64 build dir> [--runner R] [--check]

Output: one JSON object on stdout (fields text_hello, text_vector, text_string_unordered_map,
text_exceptions, text_baseline; their raw_* sizes; code_*, the bytes of .text up to its last
function, since .text ends on a page boundary; and the targets). Exit 0 on success, 1 when
an image fails to run or --check finds a target missed, 2 when an image or a tool is missing.
Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot  # noqa: E402  (the same .text and raw measurement as ./tessera bench boot)

IMAGES = {  # field suffix → image path in the build directory
    "hello": "examples/hello/hello",
    "baseline": "tests/bench/size-baseline",
    "vector": "tests/bench/size-vector",
    "string_unordered_map": "tests/bench/size-string-unordered-map",
    "exceptions": "tests/bench/size-exceptions",
}
HELLO_TEXT_BEFORE_RUNTIME = 12288                       # hello's .text before the C++ runtime landed
TARGETS = {
    "text_hello": int(HELLO_TEXT_BEFORE_RUNTIME * 1.01),  # within 1 %: no cost for what hello does not use
    "text_vector": 16 * 1024,
    "text_string_unordered_map": 24 * 1024,
}
RUN_TIMEOUT_S = 30


def code_bytes(path):
    """Bytes of .text up to the end of its last function: .text itself ends on a 4 KiB page
    boundary (link.ld), which hides up to 4 KiB of difference."""
    listing = subprocess.run([boot.tool(boot.NM), "-S", "--defined-only", path], capture_output=True, text=True,
                             check=True).stdout
    symbols = dict()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in ("__tessera_text_start", "__tessera_text_end"):
            symbols[parts[2]] = int(parts[0], 16)
    start, end = symbols["__tessera_text_start"], symbols["__tessera_text_end"]
    last = start
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            address, length = int(parts[0], 16), int(parts[1], 16)
            if start <= address < end:
                last = max(last, address + length)
    return last - start


def main():
    parser = argparse.ArgumentParser(description="tessera image-size benchmark (qemu-virt-aarch64)")
    parser.add_argument("--build", required=True, help="the qemu-virt-aarch64 build directory")
    parser.add_argument("--runner", default=os.path.join(boot.REPO_ROOT, "platforms", boot.PLATFORM, "run-qemu"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    options = parser.parse_args()
    try:
        size, objcopy = boot.tool(boot.SIZE), boot.tool(boot.OBJCOPY)
        images = {name: boot.image(os.path.join(options.build, path), name) for name, path in IMAGES.items()}
    except boot.Missing as missing:
        print(f"size.py: {missing}", file=sys.stderr)
        return 2
    result, failures = {}, []
    for name, path in images.items():
        run = subprocess.run([options.runner, "--timeout", str(RUN_TIMEOUT_S), path], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{name} ({path}) exited {run.returncode}:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
        result[f"text_{name}"] = boot.text_bytes(size, path)
        result[f"raw_{name}"] = boot.raw_bytes(objcopy, path)
        result[f"code_{name}"] = code_bytes(path)
    for field, target in TARGETS.items():
        result[f"{field}_target"] = target
        if result[field] > target:
            failures.append(f"{field} is {result[field]} bytes, over its target of {target}")
    print(json.dumps(result, indent=2))
    for failure in failures:
        print(f"size.py: {failure}", file=sys.stderr)
    run_failed = any("exited" in f for f in failures)
    return 1 if run_failed or (options.check and failures) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""An image's .text + .rodata + .data within a byte budget (issue 12: the httpd image for
qemu-virt-aarch64 at most 200 KB). Sizes are exact (size -A), so this is a test, not a timing.

  image_sections_test.py --size aarch64-linux-gnu-size --max-bytes N IMAGE
"""
import argparse
import subprocess
import sys

SECTIONS = (".text", ".rodata", ".data")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", required=True)
    parser.add_argument("--max-bytes", type=int, required=True)
    parser.add_argument("image")
    options = parser.parse_args()
    listing = subprocess.run([options.size, "-A", options.image], capture_output=True, text=True, check=True).stdout
    sizes = {}
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in SECTIONS:
            sizes[parts[0]] = int(parts[1])
    missing = [s for s in SECTIONS[:1] if s not in sizes]
    if missing:
        print(f"FAIL: {options.image} has no {', '.join(missing)}")
        return 1
    total = sum(sizes.values())
    print(", ".join(f"{name} {sizes.get(name, 0)}" for name in SECTIONS)
          + f": {total} bytes ({total / 1024:.1f} KiB), budget {options.max_bytes} bytes")
    if total > options.max_bytes:
        print(f"FAIL: {total} bytes is over the budget of {options.max_bytes}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

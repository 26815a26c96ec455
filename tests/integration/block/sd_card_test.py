#!/usr/bin/env python3
"""block::Bcm2835Emmc on QEMU raspi3b's SD card (tests/integration/images/sd_card.cpp), checked
from both sides: the guest writes a pattern and reads it back; after QEMU exits, this script
reads the image file and checks the same bytes at the same places; the next boot reads what
the previous one wrote. Then the host changes one byte behind the guest's back, and the next
boot must see the change (the guest reads the card, not a copy of its own).

  sd_card_test.py --runner RUN_QEMU [--size BYTES] [--boots N] IMAGE

--size: the SD image (a power of two: 1 MiB is a standard-capacity card with a version 1 CSD,
4 GiB a high-capacity one with a version 2 CSD, made sparse). Standard library only.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

BLOCK = 512
FRONT, BACK = 64, 8  # blocks 1-64 and the last 8, as in sd_card.cpp
MARKER = b"tessera sd-card test: boot "


def pattern(boot, block):
    """One block as sd_card.cpp writes it in boot `boot`."""
    base = block * 7 + (block >> 8) * 3 + boot * 101
    return bytes((base + i * 13) & 0xFF for i in range(BLOCK))


def boot(runner, image, disk, timeout=60):
    result = subprocess.run([runner, "--timeout", str(timeout), "--disk", disk, image], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=timeout + 15)
    output = result.stdout + result.stderr
    print(f"$ {runner} --disk {disk} {image}  (exit status {result.returncode})")
    print(output)
    return result.returncode, output


def host_check(disk, boot_number, blocks):
    """Problems found reading the image file: the marker and both patterned areas."""
    problems = []
    with open(disk, "rb") as f:
        first = f.read(BLOCK)
        want = MARKER + str(boot_number).encode() + b"\n"
        if not first.startswith(want):
            problems.append(f"host: block 0 starts {first[:40]!r}, expected {want!r}")
        for start, count in ((1, FRONT), (blocks - BACK, BACK)):
            f.seek(start * BLOCK)
            data = f.read(count * BLOCK)
            for b in range(count):
                got = data[b * BLOCK:(b + 1) * BLOCK]
                if got != pattern(boot_number, start + b):
                    problems.append(f"host: block {start + b} is not boot {boot_number}'s pattern")
                    break
    return problems


def expect(problems, output, regex, what):
    if not re.search(regex, output, re.MULTILINE):
        problems.append(f"{what}: no line matches {regex}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("--size", type=int, default=1 << 20)
    parser.add_argument("--boots", type=int, default=2)
    parser.add_argument("image")
    options = parser.parse_args()
    blocks = options.size // BLOCK
    high = options.size > (2 << 30)  # QEMU's card: above 2 GiB it is high capacity (SDHC), CSD version 2
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        disk = os.path.join(scratch, "sd.img")
        with open(disk, "wb") as f:
            f.truncate(options.size)
        for n in range(1, options.boots + 1):
            status, output = boot(options.runner, options.image, disk)
            if status != 0:
                problems.append(f"boot {n}: exit status {status}, expected 0")
            expect(problems, output, rf"^sd: block::Bcm2835Emmc: {blocks} blocks of 512 bytes, "
                   rf"{'high' if high else 'standard'} capacity \(CSD version {2 if high else 1}\), ", f"boot {n}")
            if n == 1:
                expect(problems, output, r"^sd: first boot \(no marker in block 0\)$", "boot 1")
            else:
                expect(problems, output, rf"^sd: boot {n - 1}'s data read back: ok$", f"boot {n}")
            expect(problems, output, rf"^sd: boot {n} wrote blocks 1-64 and the last 8, read back: ok$", f"boot {n}")
            expect(problems, output, r"^sd: 0 failed$", f"boot {n}")
            problems += host_check(disk, n, blocks)
            if problems:
                break
        if not problems:
            # One byte changed by the host: the next boot must find exactly that difference.
            n = options.boots
            with open(disk, "r+b") as f:
                f.seek(5 * BLOCK + 17)
                old = f.read(1)[0]
                f.seek(5 * BLOCK + 17)
                f.write(bytes([old ^ 0xFF]))
            status, output = boot(options.runner, options.image, disk)
            expect(problems, output, rf"^sd: mismatch at block 5 byte 17: 0x{old ^ 0xFF:02x}, expected 0x{old:02x}$",
                   "after the host changed block 5")
            expect(problems, output, rf"^sd: boot {n}'s data read back: MISMATCH$", "after the host changed block 5")
            if status != 1:
                problems.append(f"after the host changed block 5: exit status {status}, expected 1 (one failed check)")
    for problem in problems:
        print("FAIL: " + problem)
    if not problems:
        print(f"ok: each of {options.boots} boot(s) wrote and read back its pattern, the image file holds it, the next boot "
              "read it, and a byte changed by the host was seen")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""examples/rpi3-firmware as a firmware author has it: the folder copied out of this repository,
tessera (a copy of the checkout's tracked files) placed at its subprojects/tessera, then

  meson setup build --cross-file subprojects/tessera/platforms/raspi3/cross.ini
  ninja -C build
  meson test -C build          (boots it in QEMU raspi3b through the cross file's runner)

and its console checked: the board information from the mailbox (as QEMU's raspi3b gives it),
each GPIO toggle read back, the SD card's last sector written and read back (an image attached
with run-qemu --disk; afterwards the image file must hold its old contents there again), no
problems, exit status 0, a kernel8.img beside the ELF.

  rpi3_firmware_test.py --source DIR [--timeout S]

Every step has a time limit. Standard library only.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def run(command, cwd, deadline, what):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RuntimeError(f"{what}: out of time")
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=remaining,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{what}: timed out: {' '.join(command)}")
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {' '.join(command)}\n"
                           f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def copy_tessera(source, target):
    """The checkout's tracked files (what a copy or a submodule of tessera holds)."""
    listed = subprocess.run(["git", "-C", source, "ls-files", "-z"], capture_output=True)
    if listed.returncode != 0:
        shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("build", ".git"))
        return
    for name in (n for n in listed.stdout.decode().split("\0") if n):
        if not os.path.lexists(os.path.join(source, name)):
            continue  # deleted in the work tree, not yet in the index
        os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
        shutil.copy2(os.path.join(source, name), os.path.join(target, name), follow_symlinks=False)


# What the firmware prints on QEMU 7.2's raspi3b (hw/arm/raspi.c, hw/misc/bcm2835_property.c).
EXPECTED = [
    r"^rpi3-firmware on platform::Raspi3 \(tessera as a subproject\)$",
    r"^board revision: 0xa02082 \(Raspberry Pi 3B, 1024 MiB, BCM2837, revision 1\.2\)$",
    r"^ARM memory: 960 MiB at 0x00000000$",
    r"^ARM clock: [1-9][0-9]* Hz$",
    r"^GPIO17 high at [0-9]+ ms \(level read back: 1\)$",
    r"^GPIO17 low at [0-9]+ ms \(level read back: 0\)$",
    r"^SD card: 2048 sectors of 512 bytes \(standard capacity\)$",
    r"^SD card: sector 2047 written and read back: match$",
    r"^SD card: sector 2047 has its old contents again$",
    r"^rpi3-firmware: 0 problems$",
]
SD_BYTES = 1 << 20  # a power of two: QEMU's raspi3b takes no other size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--timeout", type=float, default=280)
    options = parser.parse_args()
    source = os.path.abspath(options.source)
    deadline = time.monotonic() + options.timeout
    scratch = tempfile.mkdtemp(prefix="tessera-rpi3-firmware-")
    try:
        project = os.path.join(scratch, "rpi3-firmware")
        # The folder without its link to this checkout; tessera goes there as a copy.
        shutil.copytree(os.path.join(source, "examples", "rpi3-firmware"), project, symlinks=True,
                        ignore=shutil.ignore_patterns("build"))
        link = os.path.join(project, "subprojects", "tessera")
        if os.path.lexists(link):
            os.remove(link)
        copy_tessera(source, link)
        start = time.monotonic()
        run(["meson", "setup", "build", "--cross-file", "subprojects/tessera/platforms/raspi3/cross.ini"],
            project, deadline, "meson setup")
        run(["ninja", "-C", "build"], project, deadline, "ninja")
        built = time.monotonic() - start
        tested = run(["meson", "test", "-C", "build", "--print-errorlogs"], project, deadline, "meson test")
        print(f"ok - configured and built in {built:.1f} s; meson test passed")
        problems = []
        if not os.path.isfile(os.path.join(project, "build", "kernel8.img")):
            problems.append("no build/kernel8.img beside the ELF")
        # The console, from the runner directly (meson test keeps it in its log).
        runner = os.path.join(link, "platforms", "raspi3", "run-qemu")
        sd = os.path.join(scratch, "sd.img")
        old_contents = bytes((i * 11 + 3) % 256 for i in range(512))  # what the last sector holds before
        with open(sd, "wb") as f:
            f.truncate(SD_BYTES)
            f.seek(SD_BYTES - 512)
            f.write(old_contents)
        booted = subprocess.run([runner, "--timeout", "30", "--disk", sd, os.path.join(project, "build", "rpi3-firmware")],
                                capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                timeout=max(1.0, deadline - time.monotonic()))
        print(booted.stdout, end="")
        if booted.returncode != 0:
            problems.append(f"exit status {booted.returncode}, expected 0")
        lines = booted.stdout.splitlines()
        for pattern in EXPECTED:
            if not any(re.search(pattern, line) for line in lines):
                problems.append(f"no line matches {pattern}")
        with open(sd, "rb") as f:
            f.seek(SD_BYTES - 512)
            if f.read(512) != old_contents:
                problems.append("the SD image's last sector does not hold its old contents after the firmware ran")
        toggles = [line for line in lines if line.startswith("GPIO17 ")]
        if len(toggles) != 6:
            problems.append(f"{len(toggles)} GPIO toggles, expected 6 (meson_options.txt blinks)")
        del tested
        for problem in problems:
            print("FAIL: " + problem)
        return 1 if problems else 0
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        print(f"FAIL: {error}")
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

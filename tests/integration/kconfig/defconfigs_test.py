#!/usr/bin/env python3
"""Every defconfig in configs/ that selects this build's platform builds and boots.

  defconfigs_test.py --source DIR --platform P [--cross-file F] [--runner R] [--timeout S]

For each configs/*_defconfig that selects P (tools/kconfig.py platforms): `meson setup` in a
scratch directory with -Dconfig=<it> (tests off), ninja builds both hello images (the
configured one and the one that spells its own kernel type), and each is booted: it must
exit 0, and the configured one must report the values of the generated tessera_config.h
(alloc::Region .bytes, printf flavour). Bounded: every step has a timeout, and the whole test
stops after --timeout seconds. Standard library only.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def run(command, timeout, **kwargs):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {timeout} s: {' '.join(command)}")


def header_values(path):
    values = {}
    with open(path) as f:
        for line in f:
            match = re.match(r"#define CONFIG_(\w+) (.*)$", line.strip())
            if match:
                values[match.group(1)] = match.group(2)
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--platform", required=True)
    parser.add_argument("--cross-file", default="")
    parser.add_argument("--runner", default="")
    parser.add_argument("--kconfig-python", default="/usr/bin/python3")
    parser.add_argument("--timeout", type=float, default=240)
    options = parser.parse_args()
    source = os.path.abspath(options.source)
    deadline = time.monotonic() + options.timeout
    configs_dir = os.path.join(source, "configs")
    names = sorted(n for n in os.listdir(configs_dir) if n.endswith("_defconfig"))
    failures, built = [], 0
    seen = {}  # settings -> the defconfig built with them
    scratch = tempfile.mkdtemp(prefix="tessera-defconfigs-")
    try:
        for name in names:
            config = os.path.join(configs_dir, name)
            selected = run([options.kconfig_python, os.path.join(source, "tools", "kconfig.py"), "platforms", config], 60)
            if selected.returncode != 0:
                failures.append(f"{name}: rejected by Kconfig:\n{selected.stderr}")
                continue
            if options.platform not in selected.stdout.split():
                print(f"--      {name}: does not select {options.platform}")
                continue
            # The same settings as one already built and booted (e.g. <p>_crash and <p>_hello, which
            # differ only in comments) would build the same images: said, not built again.
            settings = tuple(sorted(line.strip() for line in open(config) if line.strip() and
                                    (not line.startswith("#") or line.rstrip().endswith(" is not set"))))
            if settings in seen:
                print(f"ok      {name}: the same settings as {seen[settings]}, built and booted above")
                continue
            seen[settings] = name
            left = deadline - time.monotonic()
            if left < 10:
                failures.append(f"{name}: not built: the test ran out of time ({options.timeout:.0f} s)")
                continue
            start = time.monotonic()
            build = os.path.join(scratch, name)
            setup = ["meson", "setup", build, f"-Dconfig={config}", "-Dtests=false"]
            if options.cross_file:
                setup += ["--cross-file", options.cross_file]
            steps = [setup, ["ninja", "-C", build, "-j", "2", "examples/hello/hello", "examples/hello/hello-explicit"]]
            result = None
            for step in steps:
                result = run(step, max(10.0, deadline - time.monotonic()), cwd=source)
                if result.returncode != 0:
                    break
            if result.returncode != 0:
                failures.append(f"{name}: {' '.join(result.args[:2])} failed ({result.returncode}):\n"
                                + (result.stdout + result.stderr)[-3000:])
                continue
            values = header_values(os.path.join(build, "include", "tessera_config.h"))
            allocator = next((n for k, n in (("ALLOC_REGION", "alloc::Region"), ("ALLOC_TLSF", "alloc::Tlsf"),
                                               ("ALLOC_BUDDY", "alloc::Buddy"), ("ALLOC_SLAB", "alloc::Slab"),
                                               ("ALLOC_STAGED", "alloc::Staged")) if k in values), "?")
            cap = values.get(allocator.upper().replace("::", "_") + "_BYTES")
            flavour = next((k[len("PRINTF_"):].lower() for k in values if k.startswith("PRINTF_")), "") \
                if options.runner else "host-libc"  # hosted: the host's C library, whatever PRINTF_ says
            for image, expect in (("hello", [f"printf={flavour}", f"alloc: {allocator}" + (f" .bytes={cap}" if cap is not None else "")]),
                                  ("hello-explicit", ["spelled out in examples/hello/main.cpp"])):
                path = os.path.join(build, "examples", "hello", image)
                # raspi3 with its console on the mini UART (QEMU's second serial port): the configured
                # hello; hello-explicit spells platform::Raspi3, whose console is the PL011
                console = ["--mini-uart"] if image == "hello" and "RASPI3_CONSOLE_MINI_UART" in values else []
                command = [options.runner, "--timeout", "20", *console, path] if options.runner else [path]
                booted = run(command, 40, stdin=subprocess.DEVNULL)
                output = booted.stdout + booted.stderr
                line = next((l for l in output.splitlines() if l.startswith("configuration:")), "(none)")
                problems = [] if booted.returncode == 0 else [f"exit status {booted.returncode}"]
                problems += [f"no '{e}' in its configuration line" for e in expect if e not in line]
                if problems:
                    failures.append(f"{name}: {image}: " + "; ".join(problems) + "\n" + output[-2000:])
                else:
                    print(f"ok      {name}: {image}: {line}")
            built += 1
            print(f"ok      {name}: built and booted on {options.platform} in {time.monotonic() - start:.1f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for failure in failures:
        print("FAILED  " + failure)
    if built == 0 and not failures:
        failures.append(f"no defconfig in configs/ selects {options.platform}")
        print(f"FAILED  {failures[-1]}")
    print(f"{built} defconfigs built for {options.platform}, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

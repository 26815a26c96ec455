#!/usr/bin/env python3
"""Kconfig checks that need no image build (registered in tests/integration/kconfig/meson.build).

  kconfig_test.py --source DIR --kconfig-python PY invalid
      every kind of invalid configuration is rejected by tools/kconfig.py with a message that
      names the option (Kconfiglib warnings are errors); a valid one is accepted
  kconfig_test.py … meson-invalid --platform P [--cross-file F]
      `meson setup -Dconfig=<invalid>` stops with that message; a config that does not select
      the build's platform stops too
  kconfig_test.py … deterministic --header H --config C
      genconfig writes byte-identical headers for the same configuration: twice, from another
      working directory, from the same assignments in another order, and equal to the build's H
  kconfig_test.py … docs
      docs/configuration.md is what tools/kconfig.py docs generates from the Kconfig tree
  kconfig_test.py … tree
      naming scheme and completeness: every platform has platforms/<p>/Kconfig (PLATFORM_<P>)
      and a defconfig selecting just it; every platform × example has
      configs/<p>_<example>_defconfig; every file in configs/ is named
      <platform>[+<platform>…]_<example>[-<variant>]_defconfig and selects exactly the platforms it names

Standard library only; exit status 0 when every check passes.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

FAILURES = []


def check(condition, message):
    print(("ok      " if condition else "FAILED  ") + message)
    if not condition:
        FAILURES.append(message)


def tool(options, *args, cwd=None):
    command = [options.kconfig_python, os.path.join(options.source, "tools", "kconfig.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=60)


# Each case: (what, .config contents, substrings the rejection must contain)
INVALID = [
    ("two members of one choice",
     "CONFIG_PLATFORM_QEMU_VIRT_AARCH64=y\nCONFIG_PRINTF_INTEGER=y\nCONFIG_PRINTF_DOUBLE=y\n",
     [":2: CONFIG_PRINTF_INTEGER=y conflicts with CONFIG_PRINTF_DOUBLE=y", "choice"]),
    ("a value above the range",
     "CONFIG_PLATFORM_HOSTED=y\nCONFIG_ALLOC_TLSF_BYTES=2199023255552\n",
     [":2: CONFIG_ALLOC_TLSF_BYTES=2199023255552 is outside the range of ALLOC_TLSF_BYTES: 0 to 1099511627776"]),
    ("a negative value",
     "CONFIG_ALLOC_TLSF_BYTES=-4096\n",
     [":1: CONFIG_ALLOC_TLSF_BYTES=-4096 is outside the range of ALLOC_TLSF_BYTES"]),
    ("not a number",
     "CONFIG_ALLOC_TLSF_BYTES=1M\n",
     [":1: CONFIG_ALLOC_TLSF_BYTES=1M: not a valid value (ALLOC_TLSF_BYTES is a decimal number)"]),
    ("an unknown option",
     "CONFIG_PLATFORM_HOSTED=y\nCONFIG_NO_SUCH_OPTION=y\n",
     [":2: CONFIG_NO_SUCH_OPTION: no such option in the Kconfig tree"]),
    ("no platform",
     "# CONFIG_PLATFORM_QEMU_VIRT_AARCH64 is not set\n# CONFIG_PLATFORM_HOSTED is not set\n",
     ["no platform selected", "CONFIG_PLATFORM_QEMU_VIRT_AARCH64"]),
    ("switching off what a platform selects",
     "CONFIG_PLATFORM_QEMU_VIRT_AARCH64=y\n# CONFIG_ARCH_AARCH64 is not set\n",
     [":2: # CONFIG_ARCH_AARCH64 is not set cannot be set directly", "PLATFORM_QEMU_VIRT_AARCH64"]),
    ("an option whose dependencies are not met (printf on hosted only)",
     "CONFIG_PLATFORM_HOSTED=y\n# CONFIG_PLATFORM_QEMU_VIRT_AARCH64 is not set\nCONFIG_PRINTF_DOUBLE=y\n",
     [":3: CONFIG_PRINTF_DOUBLE=y has no effect", "depends on LIBC_PICOLIBC"]),
    ("a bool that is neither y nor n",
     "CONFIG_PLATFORM_HOSTED=yes-please\n",
     [":1: CONFIG_PLATFORM_HOSTED=yes-please: a bool option takes y or n"]),
    ("a malformed line (a Kconfiglib warning)",
     "CONFIG_PLATFORM_HOSTED=y\nPLATFORM_QEMU_VIRT_AARCH64=y\n",
     ["ignoring malformed line 'PLATFORM_QEMU_VIRT_AARCH64=y'"]),
    ("the Raspberry Pi's SD card on another platform",
     "CONFIG_PLATFORM_QEMU_VIRT_AARCH64=y\nCONFIG_BLOCK_BCM2835_EMMC=y\n",
     [":2: CONFIG_BLOCK_BCM2835_EMMC=y has no effect", "depends on PLATFORM_RASPI3"]),
    ("a virtio disk on the Raspberry Pi (it has no virtio-mmio)",
     "CONFIG_PLATFORM_RASPI3=y\n# CONFIG_PLATFORM_QEMU_VIRT_AARCH64 is not set\nCONFIG_BLOCK_VIRTIO=y\n",
     [":3: CONFIG_BLOCK_VIRTIO=y has no effect", "!PLATFORM_RASPI3"]),
    ("an option assigned twice",
     "CONFIG_ALLOC_TLSF_BYTES=4096\nCONFIG_ALLOC_TLSF_BYTES=8192\n",
     [":2: CONFIG_ALLOC_TLSF_BYTES is assigned again (first on line 1)"]),
]


def cmd_invalid(options, scratch):
    valid = os.path.join(scratch, "valid.config")
    with open(valid, "w") as f:
        f.write("CONFIG_PLATFORM_HOSTED=y\nCONFIG_ALLOC_TLSF_BYTES=4096\nCONFIG_PRINTF_FLOAT=y\n")
    result = tool(options, "check", valid)
    check(result.returncode == 0, f"a valid configuration is accepted ({(result.stdout + result.stderr).strip()})")
    for number, (what, text, expected) in enumerate(INVALID):
        path = os.path.join(scratch, f"invalid-{number}.config")
        with open(path, "w") as f:
            f.write(text)
        for command in (["check", path], ["genconfig", path, os.path.join(scratch, "h.h")]):
            result = tool(options, *command)
            message = result.stderr
            good = (result.returncode == 1 and "Kconfig: the configuration is rejected" in message
                    and all(e in message for e in expected))
            check(good, f"{command[0]}: {what} is rejected"
                  + ("" if good else f"\n    status {result.returncode}, expected 1 and {expected}; stderr:\n    "
                     + message.replace("\n", "\n    ")))
    check(not os.path.exists(os.path.join(scratch, "h.h")), "no header is written for a rejected configuration")


def meson_setup(options, scratch, name, config, extra=()):
    command = ["meson", "setup", os.path.join(scratch, name), f"-Dconfig={config}", "-Dtests=false",
               "-Dexamples=false", *extra]
    if options.cross_file:
        command += ["--cross-file", options.cross_file]
    return subprocess.run(command, cwd=options.source, capture_output=True, text=True, timeout=120)


def cmd_meson_invalid(options, scratch):
    bad = os.path.join(scratch, "bad.config")
    with open(bad, "w") as f:
        f.write(f"CONFIG_PLATFORM_{options.platform.upper().replace('-', '_')}=y\nCONFIG_ALLOC_TLSF_BYTES=-1\n")
    result = meson_setup(options, scratch, "bad", bad)
    output = result.stdout + result.stderr
    check(result.returncode != 0 and "CONFIG_ALLOC_TLSF_BYTES=-1 is outside the range" in output,
          "meson setup -Dconfig=<out-of-range value> stops with Kconfig's message"
          + ("" if result.returncode != 0 else " (it succeeded)"))
    other = "hosted" if options.platform != "hosted" else "qemu-virt-aarch64"
    wrong = os.path.join(scratch, "wrong-platform.config")
    with open(wrong, "w") as f:
        f.write(f"CONFIG_PLATFORM_{other.upper().replace('-', '_')}=y\n")
        for p in ("hosted", "qemu-virt-aarch64"):
            if p != other:
                f.write(f"# CONFIG_PLATFORM_{p.upper().replace('-', '_')} is not set\n")
    result = meson_setup(options, scratch, "wrong", wrong)
    output = result.stdout + result.stderr
    check(result.returncode != 0 and f"this build is for platform {options.platform}, but the configuration does "
          "not select it" in output, f"meson setup for {options.platform} with a {other}-only configuration stops")
    result = meson_setup(options, scratch, "missing", os.path.join(scratch, "does-not-exist"))
    check(result.returncode != 0 and "no such file" in result.stdout + result.stderr,
          "meson setup -Dconfig=<missing file> stops and says so")


def cmd_deterministic(options, scratch):
    first, second, third = (os.path.join(scratch, n, "tessera_config.h") for n in ("a", "b", "c"))
    config = os.path.abspath(options.config)
    results = [tool(options, "genconfig", config, first)]
    time.sleep(1.1)  # a second later: a time stamp in the header would differ
    results.append(tool(options, "genconfig", config, second, cwd=scratch))
    # The same assignments in another order, with comments and blank lines: same header.
    with open(config) as f:
        lines = [line for line in f.read().splitlines() if line.startswith(("CONFIG_", "# CONFIG_"))]
    random.Random(5).shuffle(lines)
    shuffled = os.path.join(scratch, "shuffled.config")
    with open(shuffled, "w") as f:
        f.write("# shuffled\n\n" + "\n".join(lines) + "\n")
    results.append(tool(options, "genconfig", shuffled, third))
    # The full configuration written from it (every option spelled out): same header.
    full, fourth = os.path.join(scratch, "full.config"), os.path.join(scratch, "d", "tessera_config.h")
    results += [tool(options, "defconfig", config, full), tool(options, "genconfig", full, fourth)]
    check(all(r.returncode == 0 for r in results), "genconfig succeeds every time"
          + "".join(r.stderr for r in results))
    if FAILURES:
        return
    contents = [open(p, "rb").read() for p in (first, second, third, fourth)]
    check(contents[0] == contents[1], "the same configuration gives a byte-identical header, twice (1 s apart, "
          "from another working directory)")
    check(contents[0] == contents[2], "the same assignments in another order give the same header")
    check(contents[0] == contents[3], "the full configuration written from it (defconfig) gives the same header")
    check(open(options.header, "rb").read() == contents[0],
          f"the build's {os.path.basename(options.header)} is byte-identical to genconfig's")


def cmd_docs(options, scratch):
    result = tool(options, "docs", "--check", os.path.join(options.source, "docs", "configuration.md"))
    print(result.stdout + result.stderr)
    check(result.returncode == 0, "docs/configuration.md is up to date with the Kconfig tree")


def platform_dirs(source):
    base = os.path.join(source, "platforms")
    return sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, "meson.build")))


def example_dirs(source):
    base = os.path.join(source, "examples")
    return sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, "meson.build"))
                  and not os.path.isfile(os.path.join(base, d, "meson_options.txt")))


def cmd_tree(options, scratch):
    source = options.source
    platforms = platform_dirs(source)
    for platform in platforms:
        kconfig = os.path.join(source, "platforms", platform, "Kconfig")
        symbol = "PLATFORM_" + platform.upper().replace("-", "_")
        check(os.path.isfile(kconfig) and f"config {symbol}\n" in open(kconfig).read(),
              f"platforms/{platform}/Kconfig defines {symbol}")
        result = tool(options, "platforms", os.path.join(source, "platforms", platform, "defconfig"))
        check(result.returncode == 0 and result.stdout.split() == [platform],
              f"platforms/{platform}/defconfig selects exactly {platform}: {result.stdout.split()} {result.stderr}")
    for example in example_dirs(source):
        for platform in platforms:
            name = f"{platform}_{example}_defconfig"
            check(os.path.isfile(os.path.join(source, "configs", name)), f"configs/{name} exists")
    for name in sorted(os.listdir(os.path.join(source, "configs"))):
        parts = name[:-len("_defconfig")].split("_") if name.endswith("_defconfig") else []
        named = parts[0].split("+") if len(parts) == 2 else []
        # the example, then an optional -variant; example names may contain '-' themselves (udp-echo-raw)
        example = next((e for e in example_dirs(source) if len(parts) == 2 and (parts[1] == e or parts[1].startswith(e + "-"))), "")
        good_name = len(parts) == 2 and example != "" and all(p in platforms for p in named)
        check(good_name, f"configs/{name} is named <platform>[+<platform>…]_<example>[-<variant>]_defconfig")
        if good_name:
            result = tool(options, "platforms", os.path.join(source, "configs", name))
            check(result.returncode == 0 and sorted(result.stdout.split()) == sorted(named),
                  f"configs/{name} selects exactly {', '.join(named)} ({result.stdout.split()} {result.stderr.strip()})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--kconfig-python", default="/usr/bin/python3")
    parser.add_argument("--platform", default="hosted")
    parser.add_argument("--cross-file", default="")
    parser.add_argument("--header")
    parser.add_argument("--config")
    parser.add_argument("check", choices=["invalid", "meson-invalid", "deterministic", "docs", "tree"])
    options = parser.parse_args()
    options.source = os.path.abspath(options.source)
    with tempfile.TemporaryDirectory(prefix="tessera-kconfig-") as scratch:
        globals()["cmd_" + options.check.replace("-", "_")](options, scratch)
    print(f"{len(FAILURES)} failed" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

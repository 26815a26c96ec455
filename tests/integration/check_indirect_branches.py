#!/usr/bin/env python3
"""Fail if an image contains an indirect branch (blr/br and their pointer-authenticated forms)
outside the allow-list: calls across tessera's APIs must be direct (DESIGN.md, "Checks").

  check_indirect_branches.py --objdump aarch64-linux-gnu-objdump --allowlist FILE [--allowlist FILE2 …] IMAGE

The allow-list names functions (fnmatch patterns), one per line, each with a reason after '#'.
"""
import argparse
import fnmatch
import re
import subprocess
import sys

FUNCTION = re.compile(r"^[0-9a-f]+ <(?P<name>[^>]+)>:$")
INDIRECT = re.compile(r"^\s*(?P<address>[0-9a-f]+):\s+(?P<insn>(?:blr|br)(?:aa|ab|aaz|abz)?)\s+(?P<operand>\S+)")


def load_allowlist(path):
    patterns = []
    with open(path) as allowlist:
        for line in allowlist:
            entry = line.split("#", 1)[0].strip()
            if entry:
                patterns.append(entry)
    return patterns


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--objdump", required=True)
    parser.add_argument("--allowlist", required=True, action="append", help="repeatable: the union is allowed")
    parser.add_argument("image")
    options = parser.parse_args()

    allowed = [pattern for path in options.allowlist for pattern in load_allowlist(path)]
    disassembly = subprocess.run([options.objdump, "-d", "--no-show-raw-insn", options.image],
                                 capture_output=True, text=True, check=True).stdout
    function = "?"
    found, offending = 0, []
    for line in disassembly.splitlines():
        if m := FUNCTION.match(line):
            function = m.group("name")
        elif m := INDIRECT.match(line):
            found += 1
            if not any(fnmatch.fnmatchcase(function, pattern) for pattern in allowed):
                offending.append(f"  {m.group('address')}: {m.group('insn')} {m.group('operand')}  in {function}")
    if "<tessera_boot>:" not in disassembly and "tessera_boot" not in disassembly:
        print(f"FAIL: {options.image} has no tessera_boot: not a tessera image?")
        return 1
    print(f"{found} indirect branches in {options.image}, {found - len(offending)} of them allowed")
    if offending:
        print("FAIL: indirect branches outside the allow-list (" + ", ".join(options.allowlist) + "):")
        print("\n".join(offending))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

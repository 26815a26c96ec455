#!/usr/bin/env python3
"""Compiles one compile-fail case and checks its diagnostic.

usage: check_compile_fail.py CASE.cpp -- COMPILER [ARG...]

CASE.cpp states what must happen in `// expect:` comment lines:
  // expect: compiles          the case must compile (a control for the command line)
  // expect: <sentence>        compiling must fail, stderr must contain every such sentence,
                               and exactly one line of stderr may contain "error:" (one
                               readable diagnostic, not a cascade)
  // errors: N                 instead of one: exactly N lines with "error:" (for mistakes
                               where the compiler itself reports more than one)
The compiler runs with -fsyntax-only, in the C locale, without colour.
Standard library only; exit status 0 on success, 1 on a failed check, 2 on bad usage.
"""

import os
import subprocess
import sys

EXPECT = "// expect:"
ERRORS = "// errors:"


def read_expectations(case):
    with open(case, encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    return [line[len(EXPECT):].strip() for line in lines if line.startswith(EXPECT)]


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    case, command = argv[1], argv[3:]
    expectations = read_expectations(case)
    if not expectations:
        print(f"{case}: no '{EXPECT}' line; say what the case expects", file=sys.stderr)
        return 2
    must_compile = expectations == ["compiles"]
    with open(case, encoding="utf-8") as f:
        counts = [int(line.strip()[len(ERRORS):]) for line in f if line.strip().startswith(ERRORS)]
    expected_errors = counts[0] if counts else 1

    command = command + ["-fsyntax-only", "-fdiagnostics-color=never", case]
    env = dict(os.environ, LC_ALL="C", LANG="C")
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    except FileNotFoundError as e:
        print(f"cannot run the compiler: {e}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print(f"the compiler did not finish within 300 s: {' '.join(command)}", file=sys.stderr)
        return 1

    problems = []
    error_lines = [line for line in result.stderr.splitlines() if "error:" in line]
    if must_compile:
        if result.returncode != 0:
            problems.append("expected the case to compile, but the compiler failed")
    else:
        if result.returncode == 0:
            problems.append("expected a compile error, but the case compiled")
        for sentence in expectations:
            if sentence not in result.stderr:
                problems.append(f"expected the diagnostic to contain: {sentence}")
        if len(error_lines) != expected_errors:
            problems.append(f"expected exactly {expected_errors} line(s) containing 'error:', got {len(error_lines)}")

    if problems:
        print(f"command: {' '.join(command)}")
        print(f"exit status: {result.returncode}")
        print("--- compiler stderr ---")
        print(result.stderr, end="")
        print("--- problems ---")
        for problem in problems:
            print(f"{case}: {problem}")
        return 1
    print(f"{case}: ok ({'compiles' if must_compile else error_lines[0].strip()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

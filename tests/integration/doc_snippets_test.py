#!/usr/bin/env python3
"""Every C++ snippet in README.md and docs/*.md compiles (-fsyntax-only, this build's compiler
and flags), so the documentation cannot drift from the code.

  doc_snippets_test.py --source DIR --platform P -- COMPILER [ARG…]

A ```cpp block is a whole translation unit unless the line right before its fence says
otherwise:
  <!-- snippet: context NAME -->   the block goes where `@SNIPPET@` stands in
                                   tests/integration/doc_snippets/NAME.cpp (for fragments:
                                   declarations in a namespace, a function body …)
  <!-- snippet: file PATH -->      the block is the file PATH (e.g. include/tessera/block/ram.hpp,
                                   a component the tutorial writes): later blocks of the same
                                   page see it on their include path; it is checked as a header
A context's first lines may say `// platforms: NAME…` (compile only in those builds) and
`// flags: ARG…` (extra compiler arguments; @SOURCE@ is the source directory). Each failure
prints the page, the line of the fence and the compiler's message. Standard library only.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```cpp\n(.*?)^```", re.S | re.M)
DIRECTIVE = re.compile(r"<!-- snippet: (context|file) (\S+) -->\s*$")


def snippets(path):
    text = open(path, encoding="utf-8").read()
    for match in FENCE.finditer(text):
        line = text[:match.start()].count("\n") + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        directive = DIRECTIVE.search(before)
        yield line, match.group(1), (directive.groups() if directive else ("unit", None))


def context(source, name):
    path = os.path.join(source, "tests", "integration", "doc_snippets", name + ".cpp")
    text = open(path, encoding="utf-8").read()
    platforms = re.search(r"^// platforms: (.*)$", text, re.M)
    flags = re.search(r"^// flags: (.*)$", text, re.M)
    return (text, platforms.group(1).split() if platforms else None,
            flags.group(1).replace("@SOURCE@", source).split() if flags else [])


def main():
    if "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = sys.argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--platform", required=True)
    options = parser.parse_args(sys.argv[1:split])
    compiler = sys.argv[split + 1:]
    source = os.path.abspath(options.source)
    pages = [os.path.join(source, "README.md")] + sorted(glob.glob(os.path.join(source, "docs", "*.md")))
    checked, skipped, failures = 0, 0, []
    scratch = tempfile.mkdtemp(prefix="tessera-doc-snippets-")
    try:
        for page in pages:
            overlay = os.path.join(scratch, os.path.basename(page), "include")  # files this page writes
            for line, code, (kind, argument) in snippets(page):
                where = f"{os.path.relpath(page, source)}:{line}"
                extra = []
                directory = os.path.join(scratch, os.path.basename(page), f"line{line}", "snippet")
                os.makedirs(directory)
                unit = os.path.join(directory, "snippet.cpp")
                if kind == "file":
                    target = os.path.join(scratch, os.path.basename(page), argument)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "w") as f:
                        f.write(code)
                    code = f'#include "{target}"\n'
                elif kind == "context":
                    template, platforms, extra = context(source, argument)
                    if platforms is not None and options.platform not in platforms:
                        skipped += 1
                        continue
                    code = template.replace("@SNIPPET@", f'#line 1 "{where}"\n{code}')
                with open(unit, "w") as f:
                    f.write(code)
                shutil.copy(os.path.join(source, "tests", "target", "check.hpp"), os.path.dirname(directory))
                command = [*compiler, "-fsyntax-only", "-fdiagnostics-color=never", "-I", overlay, *extra, unit]
                result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                        env=dict(os.environ, LC_ALL="C"))
                checked += 1
                if result.returncode != 0:
                    failures.append(f"{where}: does not compile ({kind}{' ' + argument if argument else ''}):\n"
                                    + result.stderr[-3000:])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for failure in failures:
        print("FAIL: " + failure)
    print(f"{checked} snippets compiled, {len(failures)} failed, {skipped} for other platforms")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

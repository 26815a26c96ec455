"""Symbolised backtraces: each frame line of a tessera fault or fatal-error report

    #3 0x0000000040203958

gets the function, file and line that `addr2line` finds for it in the image's ELF:

    #3 0x0000000040203958 fatal_main() at tests/integration/images/cxx_fatal.cpp:57

(with `(inlined into …)` for each function the compiler inlined it into). Used by the QEMU
runners (so `./tessera run`, `meson test` and `./tessera test` show them), by `./tessera run`
for hosted images and by tests/integration/boot_test.py. Standard library only.
"""

import os
import re
import shutil
import subprocess

# "    #12 0x00000000402038e4" — the report's frame lines (src/arch/aarch64/backtrace.cpp and
# src/platform/hosted/fault.cpp print addresses the ELF's own addresses name).
FRAME = re.compile(rb"^(\s*#\d+ 0x)([0-9a-f]{8,16})\s*$")


class Symbolizer:
    """Turns frame lines into symbolised ones; every other line passes through unchanged."""

    def __init__(self, image, addr2line):
        self.image = image
        self.addr2line = shutil.which(addr2line) if addr2line else None
        self.cache = {}

    def describe(self, address):
        if self.addr2line is None:
            return None
        if address not in self.cache:
            try:
                result = subprocess.run([self.addr2line, "-e", self.image, "-f", "-C", "-i", "-p", f"0x{address:x}"],
                                        capture_output=True, text=True, timeout=10)
                lines = [self._tidy(line) for line in result.stdout.splitlines() if line.strip()]
            except (OSError, subprocess.TimeoutExpired):
                lines = []
            known = [line for line in lines if not line.startswith("??")]
            self.cache[address] = (known[0] + "".join(f" (inlined into {line.removeprefix('(inlined by) ')})"
                                                      for line in known[1:])) if known else None
        return self.cache[address]

    @staticmethod
    def _tidy(line):
        """One line of addr2line -p: long template argument lists shortened to <…>, the path
        made relative to the current directory when it is under it, no discriminator."""
        line = re.sub(r" \(discriminator \d+\)$", "", line.strip())
        match = re.match(r"^(.*) at (.+):(\d+|\?)$", line)
        if not match:
            return line
        function, path, number = match.groups()
        function = _shorten_templates(function)
        path = os.path.normpath(path)
        if os.path.isabs(path) and not os.path.relpath(path).startswith(".."):
            path = os.path.relpath(path)
        return f"{function} at {path}:{number}"

    def line(self, raw):
        """One console line (bytes, without its newline) → the line to show."""
        match = FRAME.match(raw)
        if not match:
            return raw
        description = self.describe(int(match.group(2), 16))
        return raw.rstrip() + (b" " + description.encode() if description else b"")


def _shorten_templates(name, longest=40):
    """tessera::Kernel<tessera::alloc::Tlsf<…>, …>::boot<…>() is unreadable in full: every
    template argument list longer than `longest` characters becomes <…>."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(name):
        if c == "<":
            if depth == 0:
                start = i
            depth += 1
        elif c == ">" and depth > 0:
            depth -= 1
            if depth == 0:
                arguments = name[start:i + 1]
                out.append(arguments if len(arguments) <= longest else "<…>")
            continue
        if depth == 0:
            out.append(c)
    return "".join(out) if depth == 0 else name


def could_be_frame(partial):
    """True if an incomplete console line may still become a frame line (hold it back)."""
    return re.match(rb"^\s*(#\d*( (0(x[0-9a-f]*)?)?)?)?$", partial) is not None and partial.strip() != b""


def symbolise_output(output, image, addr2line):
    """A whole captured console output (bytes) with its frame lines symbolised."""
    symbolizer = Symbolizer(image, addr2line)
    return b"\n".join(symbolizer.line(line) for line in output.split(b"\n"))

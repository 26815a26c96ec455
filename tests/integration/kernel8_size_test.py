#!/usr/bin/env python3
"""raspi3: the kernel8.img the build writes beside an ELF is what the firmware can boot and
within the size target (issue 13: hello's at most 32 KB).

  kernel8_size_test.py --budget BYTES KERNEL8_IMG ELF

Checks: the ELF's entry point is 0x80000 (where the firmware loads and enters the raw image),
the raw image's first 4 bytes are the ELF's first instruction there, and its size is within
BYTES. Standard library only.
"""
import argparse
import struct
import sys

LOAD_ADDRESS = 0x80000


def elf_entry_and_first_word(path):
    """The entry point and the 4 bytes at it, from the program headers (ELF64, little endian)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError(f"{path}: not an ELF64 file")
    entry, phoff = struct.unpack_from("<QQ", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_vaddr <= entry < p_vaddr + p_filesz:
            at = p_offset + entry - p_vaddr
            return entry, data[at:at + 4]
    raise ValueError(f"{path}: no loadable segment holds the entry point 0x{entry:x}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=int, required=True)
    parser.add_argument("raw")
    parser.add_argument("elf")
    options = parser.parse_args()
    with open(options.raw, "rb") as f:
        raw = f.read()
    entry, first = elf_entry_and_first_word(options.elf)
    print(f"{options.raw}: {len(raw)} bytes (target {options.budget}); {options.elf}: entry 0x{entry:x}")
    problems = []
    if entry != LOAD_ADDRESS:
        problems.append(f"the entry point is 0x{entry:x}, not 0x{LOAD_ADDRESS:x} where the firmware enters kernel8.img")
    if raw[:4] != first:
        problems.append(f"kernel8.img starts with {raw[:4].hex()}, not the entry's instruction {first.hex()}")
    if len(raw) > options.budget:
        problems.append(f"kernel8.img is {len(raw)} bytes, over {options.budget}")
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Write a C file that carries the SHA-256 of a linker script (meson.build: the platform library
compiles it, so a changed script rebuilds the library and relinks every image).

  linker_script_stamp.py SCRIPT OUTPUT.c
"""
import hashlib
import sys

script, output = sys.argv[1], sys.argv[2]
with open(script, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
with open(output, "w") as f:
    f.write("/* The linker script this platform library was built with. */\n")
    f.write(f'const char tessera_linker_script_sha256[] = "{digest}";\n')

#!/usr/bin/env python3
"""A test that cannot run in this build: prints why and exits 77, which meson (and so
./tessera test's summary) counts as skipped, never as passed.   skip.py REASON…"""
import sys

print("skipped: " + " ".join(sys.argv[1:]))
sys.exit(77)

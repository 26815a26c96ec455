#!/usr/bin/env python3
"""hello's image stays within the size targets that ./tessera bench boot reports (issue 3:
.text at most 20,000 bytes, the raw image at most 26,000). Sizes are exact, so unlike the
timings this is a test: a change that grows the default image past a target fails here, not
only in a benchmark nobody ran.

  image_size_test.py IMAGE
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import boot  # noqa: E402  (tests/bench/boot.py: the same measurement and targets as the benchmark)


def main():
    image = boot.image(sys.argv[1], "hello")
    text = boot.text_bytes(boot.tool(boot.SIZE), image)
    raw = boot.raw_bytes(boot.tool(boot.OBJCOPY), image)
    print(f"{image}: .text {text} bytes (target {boot.TARGET_TEXT_BYTES}), "
          f"raw image {raw} bytes (target {boot.TARGET_RAW_BYTES})")
    problems = []
    if text > boot.TARGET_TEXT_BYTES:
        problems.append(f".text is {text} bytes, over {boot.TARGET_TEXT_BYTES}")
    if raw > boot.TARGET_RAW_BYTES:
        problems.append(f"the raw image is {raw} bytes, over {boot.TARGET_RAW_BYTES}")
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

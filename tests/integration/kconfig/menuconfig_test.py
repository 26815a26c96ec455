#!/usr/bin/env python3
"""./tessera menuconfig driven in tmux the way a person uses it.

  menuconfig_test.py --source DIR --platform P [--timeout S]

In a scratch directory (KCONFIG_CONFIG and TESSERA_BUILD_ROOT point there, so neither the
checkout's .config nor build/ is touched): `./tessera defconfig P`, `./tessera build`,
`./tessera run` (hello reports the defaults); then `./tessera menuconfig` in a tmux session
on a private socket: wait for the first screen (its time is reported: target < 1 s), press
`/`, type ALLOC_TLSF_BYTES, Enter, Enter, Backspace, type a new cap, Enter (on a bare-metal
platform also `/` PRINTF_DOUBLE Enter Space), `S` Enter Enter to save, `Q` to quit. Then
`./tessera build` (the rebuild time is reported: target ≤ 5 s) and `./tessera run`: hello
must report the new values. Every wait polls the screen and fails, showing it, after a bound.
Standard library only (and tmux).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

NEW_CAP = 1048576


class Failure(Exception):
    pass


class Terminal:
    """A tmux session on a private server running one command."""

    def __init__(self, command, env):
        self.socket = f"tessera-menuconfig-test-{os.getpid()}"
        self.env = env
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", "110", "-y", "36", "-s", "menu", command)

    def tmux(self, *args):
        result = subprocess.run(["tmux", "-L", self.socket, *args], env=self.env, capture_output=True, text=True,
                                timeout=20)
        if result.returncode != 0:
            raise Failure(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "menu")

    def keys(self, *keys, literal=False):
        self.tmux("send-keys", "-t", "menu", *(["-l"] if literal else []), *keys)

    def wait_for(self, what, predicate, timeout=15.0):
        start = time.monotonic()
        while True:
            screen = self.screen()
            if predicate(screen):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise Failure(f"waited {timeout:.0f} s for {what}; the screen:\n{screen}")
            time.sleep(0.01)

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env, capture_output=True, timeout=20)
        path = os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"), f"tmux-{os.getuid()}", self.socket)
        if os.path.exists(path):
            os.remove(path)  # the socket file of the private server


def cli(source, env, *args, timeout=180):
    start = time.monotonic()
    result = subprocess.run([os.path.join(source, "tessera"), *args], cwd=source, env=env, capture_output=True,
                            text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise Failure(f"./tessera {' '.join(args)} failed ({result.returncode}):\n{output[-3000:]}")
    return output, time.monotonic() - start


def configuration_line(output):
    return next((line for line in output.splitlines() if line.startswith("configuration:")), "(none)")


def scenario(source, platform, scratch):
    env = dict(os.environ, KCONFIG_CONFIG=os.path.join(scratch, ".config"),
               TESSERA_BUILD_ROOT=os.path.join(scratch, "build"), TERM="xterm")
    bare_metal = os.path.isfile(os.path.join(source, "platforms", platform, "run-qemu"))
    cli(source, env, "defconfig", platform)
    _, first_build = cli(source, env, "build")
    output, _ = cli(source, env, "run", "--timeout", "30")
    before = configuration_line(output)
    print(f"before: {before}  (first build {first_build:.1f} s)")
    if "alloc: alloc::Tlsf .bytes=0" not in before:
        raise Failure(f"hello does not report the default cap:\n{output}")

    terminal = Terminal(f"{os.path.join(source, 'tessera')} menuconfig; echo menuconfig exited: $?; sleep 60", env)
    try:
        opened = terminal.wait_for("the first screen of menuconfig",
                                   lambda s: "tessera configuration" in s and "[Q] Quit" in s and "Memory allocator" in s)
        print(f"menuconfig: first screen after {opened * 1000:.0f} ms (target: < 1000 ms)")
        def jump_to(symbol, value, menu, shown):
            """Jumps to `symbol` by name, as the help line offers ([/] Jump to symbol)."""
            terminal.keys("/")
            terminal.wait_for("the jump-to dialog", lambda s: "Jump to symbol" in s)
            terminal.keys(symbol, literal=True)
            terminal.wait_for("the search result", lambda s: f"{symbol}(={value})" in s)
            terminal.keys("Enter")
            terminal.wait_for(menu, lambda s: shown in s)

        jump_to("ALLOC_TLSF_BYTES", "0", "the Memory allocator menu", "(0) alloc::Tlsf: use at most")
        terminal.keys("Enter")
        terminal.wait_for("the value dialog", lambda s: "Range: 0-1099511627776" in s)
        terminal.keys("BSpace")
        terminal.keys(str(NEW_CAP), literal=True)
        terminal.keys("Enter")
        terminal.wait_for("the new value in the menu", lambda s: f"({NEW_CAP}) alloc::Tlsf: use at most" in s)
        if bare_metal:
            jump_to("PRINTF_DOUBLE", "n", "the printf choice", "( ) double: full")
            terminal.keys("Space")
            terminal.wait_for("double selected", lambda s: "(double: full %f, %e, %g)" in s)
        terminal.keys("S")
        terminal.wait_for("the save dialog", lambda s: "Filename to save configuration to" in s)
        terminal.keys("Enter")
        terminal.wait_for("the saved message", lambda s: "Configuration saved to" in s)
        terminal.keys("Enter")
        terminal.wait_for("the menu again", lambda s: "Configuration saved to" not in s)
        terminal.keys("Q")
        terminal.wait_for("menuconfig to exit", lambda s: "menuconfig exited: 0" in s)
    finally:
        terminal.close()

    with open(env["KCONFIG_CONFIG"]) as f:
        saved = f.read()
    if f"CONFIG_ALLOC_TLSF_BYTES={NEW_CAP}\n" not in saved:
        raise Failure(f"the saved configuration lacks CONFIG_ALLOC_TLSF_BYTES={NEW_CAP}:\n{saved}")
    _, rebuild = cli(source, env, "build")
    print(f"rebuild after changing options: {rebuild:.2f} s (./tessera build; target: <= 5 s)")
    output, _ = cli(source, env, "run", "--timeout", "30")
    after = configuration_line(output)
    print(f"after:  {after}")
    expected = [f"alloc: alloc::Tlsf .bytes={NEW_CAP}"] + (["printf=double"] if bare_metal else [])
    missing = [e for e in expected if e not in after]
    # 4 KiB are in use; the allocator's own bookkeeping (a few dozen bytes) comes off the cap too.
    free = re.search(r"\b(\d+) KiB free", output)
    if missing or not free or not NEW_CAP // 1024 - 8 <= int(free.group(1)) <= NEW_CAP // 1024 - 4:
        raise Failure(f"hello does not report the new configuration ({', '.join(missing) or 'KiB free'}):\n{output}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--platform", required=True)
    options = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed (./tessera setup installs it)")
        return 1
    scratch = tempfile.mkdtemp(prefix="tessera-menuconfig-")
    try:
        scenario(os.path.abspath(options.source), options.platform, scratch)
    except (Failure, subprocess.TimeoutExpired) as failure:
        print(f"FAILED: {failure}")
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("ok: menuconfig changed the configuration and the rebuilt image reports it")
    return 0


if __name__ == "__main__":
    sys.exit(main())

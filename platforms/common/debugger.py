"""Debug a tessera image with gdb: `./tessera debug` and tests/integration/debug_test.py.

Bare metal: QEMU starts halted with its gdb stub on a free port of 127.0.0.1 (through the
platform's runner, so the machine is the one `./tessera run` boots), and gdb-multiarch attaches
with the image's symbols, stops at the application's entry (`tessera_main`, or another
breakpoint) and hands over the prompt. Hosted: the image runs under gdb directly. When gdb
exits, QEMU is stopped. With `commands`, gdb runs them after stopping at the breakpoint; with
`batch`, it then exits (for tests and scripts). Standard library only.
"""

import os
import shutil
import socket
import subprocess
import sys
import time

GDB = "gdb-multiarch"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, timeout):
    """QEMU opens its gdb stub a moment after it starts: wait for it (or for QEMU to fail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                pass
            # that probe was a connection too; QEMU takes the next one
            return True
        except OSError:
            time.sleep(0.05)
    return False


def gdb_command(image, breakpoint, commands, batch, remote=None):
    command = [shutil.which(GDB) or GDB, "-q", "-nx", image,
               "-ex", "set pagination off", "-ex", "set confirm off",
               "-x", os.path.join(os.path.dirname(os.path.abspath(__file__)), "tessera_gdb.py")]  # tessera threads, bt
    if remote:
        command += ["-ex", f"target remote {remote}"]
    command += ["-ex", f"break {breakpoint}"]
    command += ["-ex", "continue" if remote else "run"]
    for extra in commands:
        command += ["-ex", extra]
    if batch:
        command.insert(1, "-batch")
    return command


def debug(image, runner=None, breakpoint="tessera_main", commands=(), batch=False, timeout=120, output=None):
    """Runs gdb on `image` (through `runner` for a bare-metal image); returns gdb's exit status.
    `output`: a file for gdb's and the guest's output instead of the terminal (tests)."""
    if shutil.which(GDB) is None:
        sys.stderr.write(f"debug: {GDB} not found; run ./tessera setup\n")
        return 127
    if not os.path.isfile(image):
        sys.stderr.write(f"debug: no image at {image}\n")
        return 2
    if runner is None:
        return subprocess.run(gdb_command(image, breakpoint, commands, batch), stdout=output, stderr=output,
                              stdin=subprocess.DEVNULL if batch else None, timeout=timeout if batch else None).returncode
    port = free_port()
    # The guest's console goes to our output; its input is not the terminal (gdb reads that).
    qemu = subprocess.Popen([runner, "--timeout", str(timeout if batch else 0), "--qemu-arg=-S",
                             "--qemu-arg=-gdb", f"--qemu-arg=tcp:127.0.0.1:{port}", image],
                            stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    try:
        if not wait_for_port(port, qemu, 20):
            sys.stderr.write(f"debug: QEMU did not open its gdb stub on 127.0.0.1:{port}\n")
            return 1
        gdb = subprocess.run(gdb_command(image, breakpoint, commands, batch, remote=f"127.0.0.1:{port}"),
                             stdout=output, stderr=output, stdin=subprocess.DEVNULL if batch else None,
                             timeout=timeout if batch else None)
        return gdb.returncode
    except subprocess.TimeoutExpired:
        sys.stderr.write(f"debug: gdb did not finish within {timeout} s\n")
        return 124
    finally:
        if qemu.poll() is None:
            qemu.terminate()
            try:
                qemu.wait(timeout=5)
            except subprocess.TimeoutExpired:
                qemu.kill()
                qemu.wait()

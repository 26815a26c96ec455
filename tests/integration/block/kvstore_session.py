"""A kvstore guest driven through its console: started with a disk (QEMU through the platform's
run-qemu with --disk, or a hosted image with $TESSERA_DISK), lines read as they come, commands
typed, and killed on demand. Shared by kvstore_test.py and tests/crash/qemu_kill_test.py.
Standard library only."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ports import free_port  # noqa: E402


class GuestError(Exception):
    pass


class Guest:
    """tcp_port: forward a free TCP port of 127.0.0.1 (then self.port) to this port of the guest
    at 10.0.2.15. In QEMU that is run-qemu's --net-user forward; without tcp_port the card is
    attached with no forward (kvstore with networking stops at boot without a card). A hosted
    image's net::UdpTunnel gets two free UDP ports (parallel tests never share one), and with
    tcp_port a QEMU without a machine (-M none) is its peer: user networking with the forward,
    joined to the tunnel by a hub."""

    def __init__(self, image, disk, runner=None, timeout=60, tcp_port=None, network=True):
        self.port = free_port() if tcp_port else None
        self.bridge = None
        if runner:
            forward = f"tcp:127.0.0.1:{self.port}-:{tcp_port}" if tcp_port else "none"
            card = ["--net-user", forward] if network else []  # network=False: a machine without one (raspi3)
            command = [runner, "--stdin", "--disk", disk, *card, "--timeout", str(timeout), image]
            env = dict(os.environ)
        else:
            ours, theirs = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
            command = [image]
            env = dict(os.environ, TESSERA_DISK=disk, TESSERA_UDP_TUNNEL=f"{ours}:{theirs}")
            if tcp_port:
                self.bridge = subprocess.Popen(
                    ["qemu-system-aarch64", "-M", "none", "-nographic", "-monitor", "none", "-serial", "none",
                     "-netdev", f"user,id=u,hostfwd=tcp:127.0.0.1:{self.port}-10.0.2.15:{tcp_port}",
                     "-netdev", f"dgram,id=d,local.type=inet,local.host=127.0.0.1,local.port={theirs},"
                                f"remote.type=inet,remote.host=127.0.0.1,remote.port={ours}",
                     "-netdev", "hubport,id=h0,hubid=0,netdev=u", "-netdev", "hubport,id=h1,hubid=0,netdev=d"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True)
        # Its own process group: a kill takes QEMU and the runner together, at once.
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.lines = queue.Queue()
        self.transcript = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.transcript.append(line)
            self.lines.put(line)
        self.lines.put(None)  # end of output

    def send(self, line):
        try:
            self.process.stdin.write((line + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            raise GuestError(f"the guest is gone; sent {line!r}\n" + self.tail())

    def next_line(self, timeout):
        """The next console line, or None at the end of output; GuestError after `timeout`."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise GuestError(f"no console line within {timeout} s\n" + self.tail())

    def expect(self, pattern, timeout=30):
        """Reads lines until one matches `pattern`; its match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            line = self.next_line(max(0.01, deadline - time.monotonic()))
            if line is None:
                raise GuestError(f"the guest ended before a line matching {pattern!r}\n" + self.tail())
            match = regex.search(line)
            if match:
                return match

    def command(self, line, until=r"^(ok|not found|value .*|end \d+|error: .*|bye|filled \d+)$", timeout=30):
        """Types a command; the lines it printed, up to and including its last one."""
        self.send(line)
        regex = re.compile(until)
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            got = self.next_line(max(0.01, deadline - time.monotonic()))
            if got is None:
                raise GuestError(f"the guest ended during {line!r}\n" + self.tail())
            seen.append(got)
            if regex.search(got):
                return seen

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.reader.join(timeout=5)
        self._stop_bridge()

    def _stop_bridge(self):
        if self.bridge:
            self.bridge.kill()
            self.bridge.wait()
            self.bridge = None

    def wait(self, timeout=30):
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise GuestError(f"the guest did not exit within {timeout} s\n" + self.tail())
        self.reader.join(timeout=5)
        self._stop_bridge()
        return status

    def tail(self, n=15):
        return "".join(f"  | {line}\n" for line in self.transcript[-n:])


def make_disk(path, size=8 << 20):
    with open(path, "wb") as f:
        f.truncate(size)


def check_fill_value(key, value):
    """(iter, j) of a value written by kvstore's `fill`, or None if the value is not exactly what
    fill writes for its own key (a corrupt value). Mirrors make_value in examples/kvstore/protocol.hpp."""
    parts = value.split(":", 3)
    if len(parts) != 4 or parts[0] != key or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    it, j = int(parts[1]), int(parts[2])
    pad = 20 + (it * 131 + j * 17) % 300
    expected = "".join(chr(ord("a") + (it + j + i) % 26) for i in range(pad))
    return (it, j) if parts[3] == expected else None

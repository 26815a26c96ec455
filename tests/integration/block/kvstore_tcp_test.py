#!/usr/bin/env python3
"""examples/kvstore's TCP interface (port 7000 in the guest), through a forward from a free port
of 127.0.0.1: QEMU's user network (--runner), or on hosted a QEMU without a machine joined to
the image's net::UdpTunnel (kvstore_session.Guest). Every reply is compared byte for byte.

  kvstore_tcp_test.py [--runner RUN_QEMU] IMAGE

Checks, in order: put/get/del/scan and their replies, "\\r\\n" line ends, several commands in
one segment; malformed lines (unknown command, missing argument, a control character, an
empty line); a line longer than the buffer ("error: line too long", the connection still
served) and a value of the longest allowed size; a client that disconnects mid-line (its half
line never runs); a second client at the same time as the first, and the console between
them; the 4-client limit (a fifth is told and closed, and a slot frees when one leaves);
quit closes only that connection; then 40 puts acknowledged over TCP, QEMU (or the hosted
process) killed right after the last "ok", a boot on the same disk, and every key read back
over TCP and on the console. Every socket has a timeout; the guests have one too.
"""
import argparse
import os
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvstore_session import Guest, GuestError, make_disk  # noqa: E402

PORT = 7000  # kvstore's TCP port in the guest (examples/kvstore/main.cpp)
MAX_LINE = 255 + 4000 + 64  # kv::kMaxLine (protocol.hpp)
UNKNOWN = b"error: unknown command or missing argument (put, get, del, scan, compact, stats, fill, quit)\n"


class Client:
    def __init__(self, port, timeout=15.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send(self, data):
        self.sock.sendall(data)

    def read(self, count):
        """Exactly `count` bytes (fewer only if the server closes first)."""
        got = b""
        while len(got) < count:
            chunk = self.sock.recv(count - len(got))
            if not chunk:
                break
            got += chunk
        return got

    def exchange(self, data, want):
        self.send(data)
        return self.read(len(want))

    def read_to_end(self):
        got = b""
        try:
            while chunk := self.sock.recv(65536):
                got += chunk
        except ConnectionResetError:
            pass
        return got

    def close(self):
        self.sock.close()


class Checker:
    def __init__(self):
        self.problems = []
        self.checks = 0

    def equal(self, what, got, want):
        self.checks += 1
        if got != want:
            shown = lambda b: repr(b if len(b) < 200 else b[:90] + b"..." + b[-90:])  # noqa: E731
            self.problems.append(f"{what}: got {shown(got)}, want {shown(want)}")

    def exchange(self, client, what, data, want):
        self.equal(what, client.exchange(data, want), want)

    def script(self, client, steps):
        """(what, bytes to send, the exact reply) after one another on one connection."""
        for what, data, want in steps:
            self.exchange(client, what, data, want)


def boot(options, disk, guests):
    guest = Guest(options.image, disk, options.runner, timeout=240, tcp_port=PORT)
    guests.append(guest)  # main() stops every guest at the end, whatever happened
    guest.expect(r"^kvstore: listening on TCP port 7000 at 10\.0\.2\.15")
    guest.expect(r"^kvstore: ready$")
    return guest


def connect(guest, attempts=50):
    """A client; QEMU's forward may refuse the first tries while the guest's stack comes up."""
    for _ in range(attempts):
        try:
            client = Client(guest.port)
            return client
        except OSError:
            time.sleep(0.2)
    raise GuestError(f"no TCP connection to 127.0.0.1:{guest.port} after {attempts} tries\n" + guest.tail())


def protocol(c, guest):
    a = connect(guest)
    biggest = b"v" * 4000
    c.script(a, [
        ("put", b"put user:1 alice\n", b"ok\n"),
        ("put", b"put user:2 bob\n", b"ok\n"),
        ("overwrite", b"put user:2 robert\n", b"ok\n"),
        ("get", b"get user:2\n", b"value robert\n"),
        ("get missing", b"get user:9\n", b"not found\n"),
        ("put with CRLF", b"put post:1 hello\r\n", b"ok\n"),
        ("empty value", b"put empty\n", b"ok\n"),
        ("get empty value", b"get empty\n", b"value \n"),
        ("del", b"del empty\n", b"ok\n"),
        ("del missing", b"del empty\n", b"not found\n"),
        ("scan prefix", b"scan user:\n", b"= user:1 alice\n= user:2 robert\nend 2\n"),
        ("scan all", b"scan\n", b"= post:1 hello\n= user:1 alice\n= user:2 robert\nend 3\n"),
        ("scan none", b"scan zzz\n", b"end 0\n"),
        ("several commands in one segment", b"get user:1\nget post:1\ndel post:1\nget post:1\n",
         b"value alice\nvalue hello\nok\nnot found\n"),
        ("a line in pieces", b"ge", b""),
        ("a line in pieces", b"t us", b""),
        ("a line in pieces", b"er:1\n", b"value alice\n"),
        # Malformed lines: answered, and the connection goes on.
        ("unknown command", b"frobnicate x\n", UNKNOWN),
        ("put without key", b"put\n", UNKNOWN),
        ("get without key", b"get\n", UNKNOWN),
        ("control character", b"get us\x01er:1\n", b"error: malformed line (control character)\n"),
        ("NUL byte", b"put k\x00 v\n", b"error: malformed line (control character)\n"),
        ("key too long", b"put " + b"k" * 256 + b" v\n", b"error: invalid argument\n"),
        ("empty lines", b"\n\r\n   \nget user:1\n", b"value alice\n"),
        # Overlong lines: bounded, answered once at their end, the connection still served.
        ("line too long", b"put big " + b"x" * (MAX_LINE + 10) + b"\n", b"error: line too long\n"),
        ("after a long line", b"get big\n", b"not found\n"),
        ("a 100 KB line", b"y" * 100_000 + b"\nget user:1\n", b"error: line too long\nvalue alice\n"),
        ("longest value", b"put big " + biggest + b"\n", b"ok\n"),
        ("read longest value", b"get big\n", b"value " + biggest + b"\n"),
        ("value one too long", b"put big " + biggest + b"v\n", b"error: invalid argument\n"),
        ("the longest value stays", b"del big\n", b"ok\n"),
        ("stats", b"stats\n", b"keys 2 "),
    ])
    rest = a.sock.recv(1000)  # the rest of the stats line
    c.equal("stats line ends", rest.endswith(b"\n") and b"generation" in rest, True)
    return a


def clients(c, guest, a):
    # A client that disconnects mid-line: its half line never runs.
    half = connect(guest)
    half.send(b"put half 1\nput half ")
    c.equal("whole line before the disconnect", half.read(3), b"ok\n")
    half.close()
    time.sleep(0.5)
    c.exchange(a, "half line dropped", b"get half\n", b"value 1\n")

    # A second client at the same time as the first, and the console between them.
    b = connect(guest)
    c.exchange(b, "second client put", b"put shared from-b\n", b"ok\n")
    c.exchange(a, "first client sees it", b"get shared\n", b"value from-b\n")
    c.equal("console sees it", guest.command("get shared")[-1], "value from-b")
    c.equal("console put", guest.command("put shared from-console")[-1], "ok")
    c.exchange(b, "second client sees the console's", b"get shared\n", b"value from-console\n")

    # Four at once is the limit: a fifth is told and closed; when one leaves, a new one is served.
    more = [connect(guest), connect(guest)]
    for i, m in enumerate(more):
        c.exchange(m, f"client {i + 3}", b"get user:1\n", b"value alice\n")
    fifth = connect(guest)
    c.equal("fifth client", fifth.read_to_end(), b"error: too many connections\n")
    fifth.close()
    c.exchange(more[0], "quit closes the connection", b"quit\n", b"bye\n")
    c.equal("closed after quit", more[0].read_to_end(), b"")
    more[0].close()
    time.sleep(0.5)
    again = connect(guest)
    c.exchange(again, "a client after one left", b"get user:2\n", b"value robert\n")
    for client in [again, more[1], b]:
        client.close()


def durability(c, options, disk, guests, a):
    """40 puts acknowledged over TCP, the guest killed right after the last ok, read back."""
    for i in range(40):
        c.exchange(a, f"put k{i:02}", f"put k{i:02} v{i}-{'z' * (i * 37 % 200)}\n".encode(), b"ok\n")
    guests[-1].kill()  # SIGKILL, nothing flushed on the way out but what was acknowledged
    a.close()
    guest = boot(options, disk, guests)
    check = connect(guest)
    want = b"".join(f"= k{i:02} v{i}-{'z' * (i * 37 % 200)}\n".encode() for i in range(40)) + b"end 40\n"
    c.exchange(check, "scan after the kill", b"scan k\n", want)
    c.exchange(check, "earlier keys after the kill", b"get user:2\nget shared\nget half\n",
               b"value robert\nvalue from-console\nvalue 1\n")
    c.equal("console after the kill", guest.command("get k39")[-1], f"value v39-{'z' * (39 * 37 % 200)}")
    c.exchange(check, "quit", b"quit\n", b"bye\n")
    check.close()
    c.equal("console quit", guest.command("quit")[-1], "bye")
    c.equal("exit status", guest.wait(), 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner")
    parser.add_argument("image")
    options = parser.parse_args()

    c = Checker()
    guests = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        disk = os.path.join(scratch, "disk.img")
        make_disk(disk)
        try:
            guest = boot(options, disk, guests)
            a = protocol(c, guest)
            clients(c, guest, a)
            durability(c, options, disk, guests, a)
        except (GuestError, OSError) as e:
            c.problems.append(f"{type(e).__name__}: {e}")
            if guests:
                c.problems.append("console:\n" + guests[-1].tail(30))
        finally:
            for guest in guests:
                guest.kill()
    for p in c.problems:
        print("FAILED:", p)
    if c.problems:
        return 1
    print(f"ok: {c.checks} exact replies over TCP, the limit of four clients, and 40 acknowledged puts read back "
          f"after a kill ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Boot examples/httpd in QEMU and talk to it through QEMU's user-network forward (a free TCP
port on 127.0.0.1 → the guest's port 80).

  httpd_test.py --runner RUN-QEMU IMAGE

Checks, in order: the DHCP lease on the console, GET / (status, headers, the exact page), keep-alive (several requests, one
of them pipelined, on one connection), /stats is JSON, 1,000 sequential requests each on a new
connection, 32 concurrent connections (each with keep-alive requests), bad input (an oversize
head, a header flood, a malformed request line, a body, a connection that stalls mid-request,
more connections than the server takes), each answered or closed and counted in /stats, and
the heap in use equal before and after all of it. Every socket has a timeout; the whole test
has a deadline; the image is stopped at the end. httpd_load() is reused by tests/bench/net.py.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ports import free_port  # noqa: E402

PAGE_MARK = b"<h1>Hello from tessera</h1>"


class Guest:
    """httpd in QEMU with a forward from 127.0.0.1:port; its console collected in the background."""

    def __init__(self, runner, image, timeout=300):
        self.port = free_port()
        self.output = []
        self.process = subprocess.Popen(
            [runner, "--timeout", str(timeout), "--net-user", f"tcp:127.0.0.1:{self.port}-:80", image],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line.decode("utf-8", "replace"))

    def console(self):
        return "".join(self.output).replace("\r", "")

    def wait_for(self, text, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.console():
                return True
            if self.process.poll() is not None:
                return text in self.console()
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # run-qemu stops QEMU on an interrupt
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def read_response(sock, buffered=b""):
    """One HTTP response from sock: (status, headers dict, body, the bytes after it)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a complete head ({len(data)} bytes)")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    match = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0] + " ")
    if not match:
        raise ValueError(f"bad status line {lines[0]!r}")
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a body")
        rest += chunk
    return int(match.group(1)), headers, rest[:length], rest[length:]


def request(port, path="/", extra=b"", timeout=10.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" + extra + b"\r\n")
        status, headers, body, _ = read_response(s)
        return status, headers, body


def raw_exchange(port, data, timeout=10.0):
    """Sends `data`, returns everything the server sends until it closes (b"" when it just closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while chunk := s.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        return received


def stats(port):
    status, _, body = request(port, "/stats")
    if status != 200:
        raise ValueError(f"/stats answered {status}")
    return json.loads(body)


def httpd_load(port, requests, keep_alive):
    """requests GET / one after another: each on a new connection, or all on one keep-alive
    connection. Returns (requests per second, failures)."""
    failures = 0
    start = time.monotonic()
    if keep_alive:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            rest = b""
            for _ in range(requests):
                s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
                status, _, body, rest = read_response(s, rest)
                failures += status != 200 or PAGE_MARK not in body
    else:
        for _ in range(requests):
            try:
                status, _, body = request(port)
                failures += status != 200 or PAGE_MARK not in body
            except (OSError, ValueError):
                failures += 1
    return requests / (time.monotonic() - start), failures


def run(options, problems, notes):
    guest = Guest(options.runner, options.image)
    port = guest.port
    try:
        if not guest.wait_for("listening on http://", 60):
            problems.append("httpd never said it was listening")
            return guest
        # Its address came from QEMU's DHCP server (net::LwipSockets::start_dhcp).
        if "httpd: DHCP lease 10.0.2.15/255.255.255.0, gateway 10.0.2.2" not in guest.console():
            problems.append("no DHCP lease line (10.0.2.15/255.255.255.0, gateway 10.0.2.2) on the console")
        # GET /: status, headers, the page.
        status, headers, body = request(port)
        if status != 200 or headers.get("content-type") != "text/html" or not body.startswith(b"<!doctype html>") \
                or PAGE_MARK not in body or int(headers.get("content-length", -1)) != len(body):
            problems.append(f"GET /: {status} {headers} {body[:80]!r}")
            return guest
        page = body
        # Keep-alive: three requests on one connection, the last two pipelined in one send.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            first = read_response(s)
            s.sendall(b"GET /stats HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\n")
            second = read_response(s, first[3])
            third = read_response(s, second[3])
            if (first[0], first[2], second[0], third[0]) != (200, page, 200, 404) or \
                    first[1].get("connection") != "keep-alive":
                problems.append(f"keep-alive: statuses {first[0]}, {second[0]}, {third[0]}")
                return guest
            json.loads(second[2])
        notes.append("GET / and keep-alive (3 requests, 2 pipelined, on one connection): ok")
        time.sleep(2.5)  # the connections closed so far leave TIME_WAIT (2 × TCP_MSL = 2 s, lwipopts.h)
        before = stats(port)["heap_in_use"]

        # 1,000 sequential requests, each on a new connection.
        rate, failures = httpd_load(port, 1000, keep_alive=False)
        if failures:
            problems.append(f"1,000 sequential requests: {failures} failed")
        notes.append(f"1,000 sequential requests (new connection each): {rate:.0f} requests/s")

        # 32 concurrent connections, all open at once, 5 keep-alive requests each from 32 threads.
        # Opened one after another, each with a first request answered: QEMU's forward listens
        # with a backlog of 1, so a burst of connects waits for the host's SYN retries (1 s, 3 s
        # …), longer than httpd's idle timeout, which says nothing about httpd.
        results, barrier = [], threading.Barrier(32, timeout=30)
        connections = []
        for _ in range(32):
            c = socket.create_connection(("127.0.0.1", port), timeout=30)
            c.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            if read_response(c)[0] != 200:
                problems.append("a first request on one of the 32 connections failed")
            connections.append(c)

        def client(s):
            try:
                with s:
                    barrier.wait()
                    rest, ok = b"", 0
                    for _ in range(5):
                        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                        status, _, body, rest = read_response(s, rest)
                        ok += status == 200 and body == page
                    results.append(ok)
            except (OSError, ValueError, threading.BrokenBarrierError) as error:
                results.append(f"{type(error).__name__}: {error}")
        threads = [threading.Thread(target=client, args=(c,)) for c in connections]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        if results != [5] * 32:
            problems.append(f"32 concurrent connections: {results}")
        else:
            notes.append("32 concurrent connections, 5 keep-alive requests each: all 160 answered")

        # Bad input: each answered with its status and counted, or closed and counted.
        counted = stats(port)["http"]
        oversize = raw_exchange(port, b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 6000 + b"\r\n\r\n")
        flood = raw_exchange(port, b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(100)) + b"\r\n")
        malformed = raw_exchange(port, b"GARBAGE\r\n\r\n")
        with_body = raw_exchange(port, b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        for name, answer, status in (("oversize head", oversize, b"431"), ("header flood", flood, b"431"),
                                     ("malformed request", malformed, b"400"), ("request body", with_body, b"413")):
            if not answer.startswith(b"HTTP/1.1 " + status):
                problems.append(f"{name}: expected {status.decode()}, got {answer[:60]!r}")
        # A stalled request: half a head, then silence; closed by the server (idle timeout).
        stalled = socket.create_connection(("127.0.0.1", port), timeout=20)
        stalled.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
        start = time.monotonic()
        try:
            stalled_gone = stalled.recv(100) == b""
        except (ConnectionResetError, socket.timeout):
            stalled_gone = False
        waited = time.monotonic() - start
        stalled.close()
        if not stalled_gone:
            problems.append("the stalled connection was not closed")
        # More connections than the server takes (40): 40 keep-alive connections, each answered
        # once and left open (one at a time: QEMU's forward takes bursts of connections slowly),
        # then 5 more, each answered 503 and closed.
        hogs, refused = [], 0
        for _ in range(40):
            h = socket.create_connection(("127.0.0.1", port), timeout=10)
            h.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            if read_response(h)[0] != 200:
                problems.append("a connection below the limit was not served")
            hogs.append(h)
        for _ in range(5):
            try:
                refused += raw_exchange(port, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").startswith(b"HTTP/1.1 503 ")
            except OSError:
                pass
        for h in hogs:
            h.close()
        after_bad = stats(port)["http"]
        for key, least in (("too_large", 1), ("header_flood", 1), ("bad_request", 1), ("has_body", 1),
                           ("timed_out", 1), ("rejected", 5)):
            if after_bad[key] - counted[key] < least:
                problems.append(f"counter {key}: {counted[key]} → {after_bad[key]}, expected +{least} or more")
        if refused != 5:
            problems.append(f"5 connections beyond the 40 held open: {refused} answered 503")
        notes.append(f"bad input: 431, 431, 400, 413; a stalled request closed after {waited:.1f} s; "
                     f"40 connections held, {refused} more answered 503; counters {after_bad}")

        # Still serving, and no leak: the heap in use as before. Each closed connection's PCB
        # stays in TIME_WAIT for 2 s (2 × TCP_MSL, lwipopts.h), /stats' own included: poll no
        # faster than that, or the polls themselves keep PCBs alive.
        deadline, after = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            time.sleep(2.5)
            after = stats(port)
            if after["heap_in_use"] == before and after["http"]["active"] == 1:
                break
        if after["heap_in_use"] != before:
            problems.append(f"heap in use {before} before, {after['heap_in_use']} after (leak?); {after}")
        else:
            notes.append(f"heap in use {before} bytes before and after")
        status, _, body = request(port)
        if status != 200 or body != page:
            problems.append("GET / after all that failed")
    except (OSError, ValueError, ConnectionError) as error:
        problems.append(f"{type(error).__name__}: {error}")
    finally:
        guest.stop()
    return guest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("image")
    options = parser.parse_args()
    signal.alarm(280)  # the whole test, whatever happens
    problems, notes = [], []
    guest = run(options, problems, notes)
    for note in notes:
        print(note)
    print("--- image output ---")
    print(guest.console()[-4000:])
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

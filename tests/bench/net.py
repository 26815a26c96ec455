#!/usr/bin/env python3
"""./tessera bench net: UDP echo on the raw NetDevice path against lwIP's sockets in the same
QEMU and the same run, then examples/httpd's request rates, through QEMU's user-network forward
on 127.0.0.1 (free ports).

  net.py --runner RUN-QEMU --echo NET-BENCH-IMAGE --httpd HTTPD-IMAGE --load-client UDP-ECHO-LOAD
         [--quick] [--check]

Echo: tests/bench/net/net_bench.cpp answers UDP port 7 raw and port 8 through lwIP's sockets.
Each round keeps WINDOW datagrams in flight on one port for ROUND_S seconds and counts the
echoes, with a native client (udp_echo_load.c: batched system calls; a Python loop topped out
near 40,000 echoes/s, below what the raw path does, and so measured itself); rounds alternate
raw, lwIP, raw, lwIP … and each path's figure is its median round, so both see the same host
load. copies_per_frame comes from the guest's own counters (port 9):
calls of lwIP's pbuf copy functions made by each path's code, divided by the frames that path
received and sent in the same interval.

HTTP: examples/httpd, GET / on a new connection each (http_req_per_s) and on one keep-alive
connection (http_keepalive_req_per_s), alternately, median of the rounds.

Output: one JSON object on stdout; progress on stderr. --check: exit 1 unless every figure is
positive and every echo came back intact; --quick: shorter rounds (the test suite's run).
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "net"))
import httpd_test  # noqa: E402  (Guest, httpd_load: the same client as the httpd test)
from ports import free_port  # noqa: E402

WINDOW = 64  # datagrams in flight: enough that the guest, not this client, is what is measured
PAYLOAD = bytes(range(64))
# A Linux VM with a small web server behind the same QEMU user-network forward on these
# machines (issue 12's figure, for comparison; not measured here).
LINUX_VM_HTTP_REQ_PER_S = 100


def say(text):
    print(f"net: {text}", file=sys.stderr, flush=True)


def echo_round(load_client, port, seconds):
    """Keeps WINDOW datagrams in flight to 127.0.0.1:port for `seconds` with the native load
    client (tests/bench/net/udp_echo_load.c: a Python loop would be what is measured, not the
    guest); returns (echoes/s, echoes that differed from what was sent)."""
    result = subprocess.run([load_client, str(port), str(seconds), str(WINDOW), str(len(PAYLOAD))],
                            capture_output=True, text=True, timeout=seconds + 30)
    if result.returncode != 0:
        raise RuntimeError(f"udp-echo-load failed: {result.stderr.strip()}")
    rate, bad = result.stdout.split()
    time.sleep(0.3)  # the window's last echoes drain before the next round
    return float(rate), int(bad)


def query(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        for _ in range(5):
            s.sendto(b"?", ("127.0.0.1", port))
            try:
                return json.loads(s.recv(2048))
            except socket.timeout:
                continue
    raise TimeoutError("the guest did not answer the counters query")


def wait_for(process, lines, text, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(text in l for l in lines):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def bench_echo(options, result, problems):
    ports = {7: free_port(socket.SOCK_DGRAM), 8: free_port(socket.SOCK_DGRAM), 9: free_port(socket.SOCK_DGRAM)}
    command = [options.runner, "--timeout", "600"]
    for guest, host in ports.items():
        command += ["--net-user", f"udp:127.0.0.1:{host}-:{guest}"]
    process = subprocess.Popen(command + [options.echo], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    lines = []
    threading.Thread(target=lambda: [lines.append(l.decode("utf-8", "replace")) for l in process.stdout],
                     daemon=True).start()
    try:
        if not wait_for(process, lines, "counters on port 9", 60):
            problems.append("the echo image never started: " + "".join(lines)[-2000:])
            return
        # Warm up both paths (ARP, first allocations) before measuring.
        echo_round(options.load_client, ports[7], 0.5)
        echo_round(options.load_client, ports[8], 0.5)
        rates = {"raw": [], "lwip": []}
        copies = {"raw": [0, 0], "lwip": [0, 0]}  # copies, frames
        for round_number in range(options.rounds):
            for path, port in (("raw", ports[7]), ("lwip", ports[8])):
                before = query(ports[9])
                rate, bad = echo_round(options.load_client, port, options.round_s)
                after = query(ports[9])
                if bad:
                    problems.append(f"{path} round {round_number}: {bad} echoes differed from what was sent")
                rates[path].append(rate)
                echoes = after[f"{path}_echoes"] - before[f"{path}_echoes"]
                copies[path][0] += after[f"{path}_copies"] - before[f"{path}_copies"]
                copies[path][1] += 2 * echoes  # each echo: one frame in, one out
            say(f"round {round_number + 1}/{options.rounds}: raw {rates['raw'][-1]:.0f}/s, lwIP {rates['lwip'][-1]:.0f}/s")
        final = query(ports[9])
        result["raw_echo_pps"] = round(statistics.median(rates["raw"]))
        result["lwip_udp_echo_pps"] = round(statistics.median(rates["lwip"]))
        result["raw_over_lwip"] = round(result["raw_echo_pps"] / max(result["lwip_udp_echo_pps"], 1), 2)
        result["targets"] = {"raw_at_least_3_lwip": {"value": result["raw_over_lwip"], "target": 3,
                                                      "met": result["raw_over_lwip"] >= 3}}
        result["copies_per_frame"] = {
            "raw_echo": round(copies["raw"][0] / max(copies["raw"][1], 1), 3),
            "lwip_udp_echo": round(copies["lwip"][0] / max(copies["lwip"][1], 1), 3),
        }
        result["echo_rounds"] = {"raw_pps": [round(r) for r in rates["raw"]], "lwip_pps": [round(r) for r in rates["lwip"]],
                                 "window": WINDOW, "payload_bytes": len(PAYLOAD), "round_s": options.round_s}
        result["echo_guest_counters"] = final
        raw_copies = result["copies_per_frame"]["raw_echo"]
        result["targets"]["raw_copies_per_frame_0"] = {"value": raw_copies, "target": 0, "met": raw_copies == 0}
        if copies["raw"][1] == 0 or copies["lwip"][1] == 0:
            problems.append("a path echoed nothing")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def bench_http(options, result, problems):
    guest = httpd_test.Guest(options.runner, options.httpd, timeout=600)
    try:
        if not guest.wait_for("listening on http://", 60):
            problems.append("httpd never started: " + guest.console()[-2000:])
            return
        httpd_test.httpd_load(guest.port, 20, keep_alive=False)  # warm up
        new, kept = [], []
        for round_number in range(options.rounds):
            rate, failures = httpd_test.httpd_load(guest.port, options.http_requests, keep_alive=False)
            new.append(rate)
            rate_kept, failures_kept = httpd_test.httpd_load(guest.port, options.http_requests, keep_alive=True)
            kept.append(rate_kept)
            if failures or failures_kept:
                problems.append(f"http round {round_number}: {failures} + {failures_kept} requests failed")
            say(f"http round {round_number + 1}/{options.rounds}: {new[-1]:.0f} requests/s new connection each, "
                f"{kept[-1]:.0f}/s keep-alive")
        result["http_req_per_s"] = round(statistics.median(new))
        result["http_keepalive_req_per_s"] = round(statistics.median(kept))
        result["http_requests_per_round"] = options.http_requests
        result["linux_vm_http_req_per_s_reference"] = LINUX_VM_HTTP_REQ_PER_S
    finally:
        guest.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("--echo", required=True)
    parser.add_argument("--httpd", required=True)
    parser.add_argument("--load-client", required=True, help="tests/bench/udp-echo-load (native)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    options.rounds, options.round_s, options.http_requests = (2, 0.5, 50) if options.quick else (5, 2.0, 300)
    signal.alarm(170 if options.quick else 600)
    result, problems = {"benchmark": "net"}, []
    bench_echo(options, result, problems)
    bench_http(options, result, problems)
    print(json.dumps(result, indent=2))
    if options.check:
        for key in ("raw_echo_pps", "lwip_udp_echo_pps", "http_req_per_s", "http_keepalive_req_per_s"):
            if not result.get(key):
                problems.append(f"{key}: no figure")
        if result.get("copies_per_frame", {}).get("raw_echo") != 0:
            problems.append(f"the raw path copied: {result.get('copies_per_frame')}")
    for problem in problems:
        print("FAIL: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

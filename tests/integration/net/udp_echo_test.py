#!/usr/bin/env python3
"""Boot a UDP echo image and check real round trips from this machine, on 127.0.0.1 only
(examples/udp-echo-raw, examples/udp-echo on lwIP's sockets, the lwIP raw-API test image).

  udp_echo_test.py --runner RUN-QEMU IMAGE   qemu-virt-aarch64: QEMU user networking forwards a
                                             free UDP port on 127.0.0.1 to the guest's port 7;
                                             we send datagrams there and compare the echoes.
  udp_echo_test.py --tunnel IMAGE            hosted: the image's net::UdpTunnel carries Ethernet
                                             frames in UDP datagrams; we are its peer and build
                                             the frames (ARP, IPv4, UDP) ourselves, malformed
                                             ones included.
  udp_echo_test.py --tunnel --lwip IMAGE     hosted, examples/udp-echo: lwIP builds each answer, so
                                             its addresses, ports and payload are checked, not its bytes.
  udp_echo_test.py --runner R --dgram IMAGE  qemu-virt-aarch64, the same raw frames through QEMU's
                                             `-netdev dgram` (the framing net::UdpTunnel copies):
                                             we are the other end of the guest's virtio-net wire.

Every wait is bounded (a per-datagram timeout, a few retries, a deadline for the whole run);
the image is stopped at the end. Fails on a missing, wrong or extra byte.
"""
import argparse
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ports import free_port  # noqa: E402

ROUND_TRIPS = 120


def wait_for_line(process, text, deadline, transcript):
    """Reads the image's output until a line contains `text` (or the deadline passes)."""
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline:
        chunk = process.stdout.read()
        if chunk:
            transcript.append(chunk.decode("utf-8", "replace"))
            if text in "".join(transcript):
                return True
        elif process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def stop(process, transcript):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # run-qemu stops QEMU on an interrupt
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    rest = process.stdout.read() if process.stdout else b""
    if rest:
        transcript.append(rest.decode("utf-8", "replace"))


def exchange(sock, send, payload, tries=5, timeout=2.0):
    """Sends `payload` until a reply arrives (the first may wait for ARP); returns the reply."""
    sock.settimeout(timeout)
    for _ in range(tries):
        send(payload)
        try:
            return sock.recv(4096)
        except socket.timeout:
            continue
    return None


def run_qemu(options, problems, transcript):
    port = free_port(socket.SOCK_DGRAM)
    command = [options.runner, "--timeout", "120", "--net-user", f"udp:127.0.0.1:{port}-:7", options.image]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        if not wait_for_line(process, "echoing UDP port 7", time.monotonic() + 60, transcript):
            problems.append("the guest never said it was echoing")
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("127.0.0.1", port))
        rng = random.Random(7)
        for i in range(ROUND_TRIPS):
            payload = bytes(rng.randrange(256) for _ in range(rng.choice([1, 18, 100, 512, 1400, 1472])))
            reply = exchange(sock, sock.send, payload)
            if reply is None:
                problems.append(f"round trip {i}: no echo of {len(payload)} bytes")
                return
            if reply != payload:
                problems.append(f"round trip {i}: echo differs ({len(reply)} bytes back for {len(payload)})")
                return
        print(f"{ROUND_TRIPS} UDP round trips through QEMU's forward, every byte echoed")
    finally:
        stop(process, transcript)


# ------------------------------------------------------------------------ hosted: raw frames

OUR_MAC = bytes.fromhex("020000000001")
THEIR_MAC = bytes.fromhex("020000000002")  # net::UdpTunnel's default .mac; QEMU's card: 52:54:00:12:34:56
OUR_IP = bytes([10, 0, 2, 2])
THEIR_IP = bytes([10, 0, 2, 15])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_frame(payload, dst_port=7, src_port=40000):
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload
    pseudo = OUR_IP + THEIR_IP + struct.pack("!BBH", 0, 17, len(udp))
    udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, OUR_IP, THEIR_IP)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return THEIR_MAC + OUR_MAC + b"\x08\x00" + ip + udp


def arp_request():
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, OUR_MAC, OUR_IP, b"\0" * 6, THEIR_IP)
    return b"\xff" * 6 + OUR_MAC + b"\x08\x06" + body


def lwip_echo_problem(reply, payload):
    """What is wrong with lwIP's answer to udp_frame(payload), or None."""
    if reply is None:
        return f"no echo of {len(payload)} bytes"
    ihl = (reply[14] & 0x0F) * 4
    ip, udp = reply[14:14 + ihl], reply[14 + ihl:]
    if reply[:6] != OUR_MAC or reply[6:12] != THEIR_MAC:
        return f"Ethernet addresses {reply[:12].hex()}"
    if ip[12:16] != THEIR_IP or ip[16:20] != OUR_IP or checksum(ip) != 0:
        return f"IPv4 header {ip.hex()} (addresses swapped, checksum valid expected)"
    length = struct.unpack("!H", udp[4:6])[0]
    if udp[:4] != struct.pack("!HH", 7, 40000) or udp[8:length] != payload:
        return f"UDP {udp[:8].hex()} with {length - 8} bytes, expected 7 → 40000 and the {len(payload)} bytes sent"
    return None


def run_tunnel(options, problems, transcript):
    global THEIR_MAC
    ours, theirs = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", ours))
    if options.dgram:
        THEIR_MAC = bytes.fromhex("525400123456")  # QEMU's first NIC
        netdev = (f"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={theirs},"
                  f"remote.type=inet,remote.host=127.0.0.1,remote.port={ours}")
        command = [options.runner, "--timeout", "120", "--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
                   "--qemu-arg=-netdev", f"--qemu-arg={netdev}", "--qemu-arg=-device",
                   "--qemu-arg=virtio-net-device,netdev=n0", options.image]
        env = None
    else:
        command = [options.image]
        env = dict(os.environ, TESSERA_UDP_TUNNEL=f"{theirs}:{ours}")
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    send = lambda frame: sock.sendto(frame, ("127.0.0.1", theirs))  # noqa: E731
    try:
        if not wait_for_line(process, "echoing UDP port 7", time.monotonic() + 30, transcript):
            problems.append("the image never said it was echoing")
            return
        reply = exchange(sock, send, arp_request())
        while options.lwip and reply is not None and reply[12:14] == b"\x08\x06" and reply[20:22] != b"\x00\x02":
            reply = exchange(sock, lambda _: None, b"", tries=1)  # lwIP's own gratuitous ARP request: next
        expected = OUR_MAC + THEIR_MAC + b"\x08\x06" + struct.pack(
            "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, THEIR_MAC, THEIR_IP, OUR_MAC, OUR_IP)
        if reply != expected:
            problems.append(f"ARP reply: got {reply.hex() if reply else None}, expected {expected.hex()}")
            return
        # Malformed and foreign frames first: each dropped; the echo must go on working. (QEMU's dgram
        # backend takes an empty datagram for the end of the connection and stops reading: not sent there.)
        for bad in [b"" if not options.dgram else b"\x00" * 6, b"\x01" * 13, b"\x02" * 1515, udp_frame(b"x")[:30], THEIR_MAC + OUR_MAC + b"\x86\xdd" + b"\0" * 60,
                    udp_frame(b"not port 7", dst_port=9)]:
            send(bad)
        rng = random.Random(11)
        for i in range(ROUND_TRIPS):
            payload = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 64, 1000, 1472])))
            frame = udp_frame(payload)
            reply = exchange(sock, send, frame)
            if options.lwip:  # lwIP builds its own answer: check its addresses, ports and payload
                while reply is not None and not (len(reply) >= 42 and reply[12:14] == b"\x08\x00"
                                                 and reply[23] == 17):
                    reply = exchange(sock, lambda _: None, b"", tries=1)  # not UDP (ICMP for port 9 …): next
                problem = lwip_echo_problem(reply, payload)
                if problem:
                    problems.append(f"frame {i}: {problem}")
                    return
                continue
            # The answer: same frame with MACs, IPs and ports swapped; checksums unchanged.
            swapped = (OUR_MAC + THEIR_MAC + frame[12:26] + frame[30:34] + frame[26:30] + frame[36:38]
                       + frame[34:36] + frame[38:])
            if reply != swapped:
                problems.append(f"frame {i}: the answer differs from the expected echo:\n  got      {reply.hex() if reply else None}\n  expected {swapped.hex()}")
                return
            if checksum(reply[14:34]) != 0:
                problems.append(f"frame {i}: the echoed IPv4 header checksum does not verify")
                return
        print(f"ARP answered; 6 malformed or foreign frames ignored; {ROUND_TRIPS} UDP echoes through "
              + ("QEMU's -netdev dgram" if options.dgram else "net::UdpTunnel"))
    finally:
        stop(process, transcript)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner")
    parser.add_argument("--tunnel", action="store_true")
    parser.add_argument("--dgram", action="store_true")
    parser.add_argument("--lwip", action="store_true", help="the image answers with lwIP (not the raw responder)")
    parser.add_argument("image")
    options = parser.parse_args()
    problems, transcript = [], []
    signal.alarm(170)  # the whole test, whatever happens
    (run_tunnel if options.tunnel or options.dgram else run_qemu)(options, problems, transcript)
    print("--- image output ---")
    print("".join(transcript).replace("\r", ""))
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

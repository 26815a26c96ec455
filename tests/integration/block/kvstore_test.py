#!/usr/bin/env python3
"""examples/kvstore with a disk: keys written in one boot are read back in the next (put,
overwrite, delete, scan by prefix), the log replayed at boot; garbage written over part of the
log is reported and skipped, and the store stays readable and writable; the kvstore image
without a disk stops with a clear message and a non-zero status.

  kvstore_test.py [--runner RUN_QEMU] IMAGE           (without --runner: a hosted image)
  kvstore_test.py [--runner RUN_QEMU] [--sd-card] --no-disk IMAGE

--sd-card: the image's disk is the SD card (raspi3, block::Bcm2835Emmc), which says otherwise
that it is missing.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvstore_session import Guest, GuestError, free_port, make_disk  # noqa: E402


def boot(options, disk):
    guest = Guest(options.image, disk, options.runner, network=not options.no_network)
    guest.expect(r"^kvstore: ready$")
    return guest


def check(problems, what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner")
    parser.add_argument("--no-disk", action="store_true")
    parser.add_argument("--sd-card", action="store_true")
    parser.add_argument("--no-network", action="store_true", help="the image has no network card to attach (raspi3)")
    parser.add_argument("image")
    options = parser.parse_args()

    if options.no_disk:
        if options.runner:
            # With networking (qemu-virt) a card, so that the disk is what is missing.
            card = [] if options.no_network else ["--net-user", "none"]
            result = subprocess.run([options.runner, "--timeout", "30", *card, options.image],
                                    capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
            if options.sd_card:
                want = ["tessera: block::Bcm2835Emmc: no SD card answered: ", "; EMMC STATUS 0x",
                        "tessera: panic: block device: init: timeout"]
            else:
                want = ["tessera: virtio-blk: no disk: no such device in any virtio-mmio slot",
                        "tessera: panic: block device: init: not supported"]
        else:
            env = {k: v for k, v in os.environ.items() if k != "TESSERA_DISK"}
            env["TESSERA_UDP_TUNNEL"] = f"{free_port(socket.SOCK_DGRAM)}:{free_port(socket.SOCK_DGRAM)}"
            result = subprocess.run([options.image], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                    env=env, timeout=60)
            want = ["tessera: block::File: no disk: set TESSERA_DISK", "tessera: panic: block device: init: not supported"]
        output = result.stdout + result.stderr
        problems = [f"no line {w!r}" for w in want if w not in output]
        if result.returncode != 70:
            problems.append(f"exit status {result.returncode}, want 70")
        if "kvstore: ready" in output:
            problems.append("the store started without a disk")
        for p in problems:
            print("FAILED:", p)
        if problems:
            print(output[-3000:])
            return 1
        print("ok: without a disk the image stops with status 70 and says why")
        return 0

    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        disk = os.path.join(scratch, "disk.img")
        make_disk(disk)
        try:
            guest = boot(options, disk)
            check(problems, "first boot", any("formatted an empty one" in l for l in guest.transcript), True)
            for key, value in [("user:1", "alice"), ("user:2", "bob"), ("user:3", "carol"), ("post:1", "hello"),
                               ("user:2", "robert")]:
                check(problems, f"put {key}", guest.command(f"put {key} {value}")[-1], "ok")
            check(problems, "del user:3", guest.command("del user:3")[-1], "ok")
            check(problems, "del missing", guest.command("del user:9")[-1], "not found")
            check(problems, "get before reboot", guest.command("get user:2")[-1], "value robert")
            check(problems, "quit", guest.command("quit")[-1], "bye")
            check(problems, "exit status", guest.wait(), 0)

            guest = boot(options, disk)  # reboot: the log is replayed
            check(problems, "replayed", any("recovered 3 keys from 6 records" in l for l in guest.transcript), True)
            check(problems, "get user:1", guest.command("get user:1")[-1], "value alice")
            check(problems, "get user:2", guest.command("get user:2")[-1], "value robert")
            check(problems, "get user:3", guest.command("get user:3")[-1], "not found")
            scan = [l for l in guest.command("scan user:") if l.startswith("= ") or l.startswith("end ")]
            check(problems, "scan user:", scan, ["= user:1 alice", "= user:2 robert", "end 2"])
            check(problems, "compact", guest.command("compact")[-1], "ok")
            check(problems, "fill", guest.command("fill f 10 40 7", timeout=60)[-1], "filled 40")
            check(problems, "quit", guest.command("quit")[-1], "bye")
            check(problems, "exit status", guest.wait(), 0)

            # Garbage over the second record of the live half (after compaction: half 1, which
            # starts after the two superblocks and half 0; the records post:1, user:1, user:2
            # are its blocks 0, 1, 2), then boot: reported and skipped, the rest readable.
            half_blocks = (os.path.getsize(disk) // 512 - 2) // 2
            with open(disk, "r+b") as f:
                f.seek((2 + half_blocks + 1) * 512)
                f.write(bytes((i * 37 + 11) % 256 for i in range(512)))
            guest = boot(options, disk)
            check(problems, "garbage reported",
                  any(l.startswith("kvstore: garbage: 1 regions (1 blocks, the first at block 1) skipped")
                      for l in guest.transcript), True)
            check(problems, "get post:1 over garbage", guest.command("get post:1")[-1], "value hello")
            check(problems, "get user:2 over garbage", guest.command("get user:2")[-1], "value robert")
            check(problems, "get user:1 over garbage", guest.command("get user:1")[-1], "not found")
            check(problems, "put after garbage", guest.command("put after garbage")[-1], "ok")
            check(problems, "get after", guest.command("get after")[-1], "value garbage")
            check(problems, "quit", guest.command("quit")[-1], "bye")
            check(problems, "exit status", guest.wait(), 0)
        except GuestError as error:
            problems.append(str(error))
    for p in problems:
        print("FAILED:", p)
    if not problems:
        print("ok: keys written, rebooted, read back; garbage reported and skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Boot a tessera image in QEMU with a timeout; shared by the platforms' run-qemu scripts.

The guest's console is copied to stdout, with the frame lines of a fault or fatal-error report
symbolised (function, file, line: symbolize.py, unless --no-symbolize); QEMU's exit status
(the guest's, through semihosting SYS_EXIT) becomes ours. A guest that runs past the timeout is stopped: we print
the last console lines and exit 124, like timeout(1). Standard library only.
"""

import argparse
import collections
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import symbolize

TIMEOUT_STATUS = 124


def _parse(argv, default_timeout, extra_options=None):
    parser = argparse.ArgumentParser(
        prog=os.path.basename(sys.argv[0]),
        description="Boot a tessera image in QEMU. Extra QEMU arguments: --qemu-arg or $TESSERA_QEMU_ARGS.")
    runner_options = [
        parser.add_argument("--timeout", type=float,
                            default=float(os.environ.get("TESSERA_QEMU_TIMEOUT", default_timeout)),
                            help="seconds before the guest is stopped (0: never; default %(default)s)"),
        parser.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                            help="pass ARG to QEMU (repeatable)"),
        parser.add_argument("--no-semihosting", action="store_true",
                            help="boot without semihosting (the guest then powers off through PSCI)"),
        parser.add_argument("--print-command", action="store_true", help="print the QEMU command line first"),
        parser.add_argument("--no-symbolize", action="store_true",
                            help="print backtraces as the guest does (addresses only), without addr2line"),
        parser.add_argument("--smp", type=int, default=None, metavar="N",
                            help="give the machine N cores (QEMU -smp N; default 1); sched::PerCore starts them"),
        parser.add_argument("--net-user", action="append", default=None, metavar="HOSTFWD",
                            help="attach a virtio-net card on QEMU user networking; HOSTFWD is a forward rule such "
                                 "as udp:127.0.0.1:5555-:7 (repeatable; 'none': a card without forwards)"),
        parser.add_argument("--disk", metavar="FILE",
                            help="attach FILE (raw) as the machine's disk: a virtio-blk disk (qemu-virt), the SD "
                                 "card (raspi3, whose QEMU needs its size to be a power of two); a missing file is "
                                 "an error here, not in the guest"),
        parser.add_argument("--stdin", action="store_true",
                            help="give our standard input to the guest's console even when it is not a terminal "
                                 "(scripts that type commands)"),
    ]
    if extra_options is not None:
        runner_options += extra_options(parser)
    parser.add_argument("image", help="the ELF image to boot")
    parser.add_argument("guest_args", nargs=argparse.REMAINDER,
                        help="arguments for the guest (accepted for meson's exe_wrapper; unused)")
    options = parser.parse_args(argv)
    # The guest takes no arguments: one of ours after the image is a mistake, not a guest argument.
    names = {name for action in runner_options for name in action.option_strings}
    misplaced = [a for a in options.guest_args if a.split("=", 1)[0] in names]
    if misplaced:
        parser.error(f"options go before the image (got {' '.join(misplaced)} after {options.image})")
    return options


def _network(forwards):
    """QEMU arguments for a virtio-net card on user networking (no privileges needed). The
    modern virtio-mmio transport (version 2) is what tessera's driver speaks; QEMU 7.2 offers
    the legacy one unless told otherwise."""
    if not forwards:
        return []
    rules = "".join(f",hostfwd={rule}" for rule in forwards if rule != "none")
    return ["-netdev", f"user,id=n0{rules}", "-device", "virtio-net-device,netdev=n0"]


def _modern(options, disk_is_virtio):
    """The modern virtio-mmio transport (version 2) is what tessera's drivers speak; QEMU 7.2
    offers the legacy one unless told otherwise. Once, whatever virtio devices are attached."""
    return ["-global", "virtio-mmio.force-legacy=false"] if options.net_user or (options.disk and disk_is_virtio) else []


class DiskError(Exception):
    """A disk image the machine cannot take; the message says why and what to do."""


def virtio_disk(path):
    """QEMU arguments for a virtio-blk disk over a raw file (modern virtio-mmio: _modern() adds that).
    The host's page cache is QEMU's (cache=writeback): a flush from the guest is an fdatasync."""
    return ["-drive", f"file={path},if=none,format=raw,id=d0", "-device", "virtio-blk-device,drive=d0"]


def _stop(process):
    """SIGTERM first so QEMU restores the terminal; SIGKILL if it does not go."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _symbolised(symbolizer, text):
    """What of `text` to show now: its complete lines (frame lines symbolised) and the start
    of the next one, unless that may still become a frame line (_held_back keeps it)."""
    *lines, rest = text.split(b"\n")
    shown = b"".join(symbolizer.line(line.rstrip(b"\r")) + (b"\r\n" if line.endswith(b"\r") else b"\n")
                     for line in lines)
    return shown + (b"" if symbolize.could_be_frame(rest.rstrip(b"\r")) else rest)


def _held_back(text):
    rest = text.split(b"\n")[-1]
    return rest if symbolize.could_be_frame(rest.rstrip(b"\r")) else b""


def run(machine_args, argv=None, default_timeout=60, qemu="qemu-system-aarch64", addr2line="aarch64-linux-gnu-addr2line",
        boot_image=None, extra_options=None, disk=virtio_disk):
    """boot_image(elf, scratch_dir) -> the file QEMU's -kernel gets (default: the ELF itself);
    extra_options(parser) adds a platform's own runner options, and then machine_args may be a
    function of the parsed options; disk(path) -> the QEMU arguments that attach --disk's file
    (default: virtio_disk; it raises DiskError for a file the machine cannot take)."""
    options = _parse(sys.argv[1:] if argv is None else argv, default_timeout, extra_options)
    if callable(machine_args):
        machine_args = machine_args(options)
    if shutil.which(qemu) is None:
        sys.stderr.write(f"run-qemu: {qemu} not found; run ./tessera setup\n")
        return 127
    if not os.path.isfile(options.image):
        sys.stderr.write(f"run-qemu: no image at {options.image}\n")
        return 2
    if options.disk and not os.path.isfile(options.disk):
        sys.stderr.write(f"run-qemu: no disk image at {options.disk} (create one: truncate -s 8M {options.disk})\n")
        return 2
    try:
        disk_args = disk(options.disk) if options.disk else []
    except DiskError as error:
        sys.stderr.write(f"run-qemu: {error}\n")
        return 2
    scratch = None
    kernel = options.image
    if boot_image is not None:
        scratch = tempfile.mkdtemp(prefix="tessera-run-qemu-")
        try:
            kernel = boot_image(options.image, scratch)
        except (OSError, subprocess.CalledProcessError) as error:
            shutil.rmtree(scratch, ignore_errors=True)
            sys.stderr.write(f"run-qemu: cannot make the boot image of {options.image}: {error}\n")
            return 2
    try:
        return _boot(options, machine_args, kernel, qemu, addr2line, disk_args, disk is virtio_disk)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _boot(options, machine_args, kernel, qemu, addr2line, disk_args, disk_is_virtio):
    extra = os.environ.get("TESSERA_QEMU_ARGS", "").split()
    semihosting = [] if options.no_semihosting else ["-semihosting"]
    # -nic none: no default network card (its option ROM is not installed, and tests that want
    # a network add their own with --qemu-arg).
    command = [qemu, *machine_args, "-nographic", "-nic", "none", *semihosting, *_network(options.net_user),
               *(["-smp", str(options.smp)] if options.smp else []), *disk_args, *_modern(options, disk_is_virtio), *extra,
               *options.qemu_arg, "-kernel", kernel]
    if options.print_command:
        sys.stderr.write("run-qemu: " + " ".join(command) + "\n")

    interactive = sys.stdin.isatty()
    raw_out = sys.stdout.isatty()
    last_lines = collections.deque(maxlen=20)
    partial = b""
    held = b""  # the start of a line that may become a backtrace frame: shown once complete
    symbolizer = None if options.no_symbolize else symbolize.Symbolizer(options.image, addr2line)
    process = subprocess.Popen(command, stdin=None if interactive or options.stdin else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, bufsize=0)
    deadline = time.monotonic() + options.timeout if options.timeout > 0 else None
    timed_out = False
    out = sys.stdout.buffer
    try:
        os.set_blocking(process.stdout.fileno(), False)
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if deadline is not None and wait == 0.0:
                timed_out = True
                break
            if not selector.select(wait):
                continue
            chunk = process.stdout.read(65536)
            if not chunk:
                break
            if not raw_out:
                chunk = chunk.replace(b"\r", b"")  # the console sends "\r\n"
            if symbolizer is None:
                out.write(chunk)
            else:
                out.write(_symbolised(symbolizer, held + chunk))
                held = _held_back(held + chunk)
            out.flush()
            partial += chunk
            *lines, partial = partial.split(b"\n")
            last_lines.extend(lines)
    except KeyboardInterrupt:
        _stop(process)
        return 130
    except BrokenPipeError:  # our reader went away (`run-qemu IMAGE | head`): stop quietly, like `yes | head`
        _stop(process)
        sys.stdout = None  # nothing more to flush at exit
        return 141  # 128 + SIGPIPE, as a shell reports it
    finally:
        if timed_out:
            _stop(process)
        if held:
            out.write(held)
            out.flush()
    if timed_out:
        if partial:
            last_lines.append(partial)
        sys.stderr.write(f"\nrun-qemu: the guest did not finish within {options.timeout:g} s and was stopped; "
                         "last console lines:\n")
        for line in last_lines:
            sys.stderr.write("  | " + line.decode("utf-8", "replace").rstrip("\r") + "\n")
        if not last_lines:
            sys.stderr.write("  (nothing was printed)\n")
        return TIMEOUT_STATUS
    return process.wait()

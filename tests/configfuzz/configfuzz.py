#!/usr/bin/python3
"""Configuration fuzzing: random component choices and option values, checked at compile time
and at boot. The seed is printed first; `--seed N` reproduces a run exactly, `--only I` one
configuration of it alone (each failure prints that command).

Stages (each is one meson test, suite `configfuzz`; each ends with one line
`configfuzz <stage>: <N> configurations, seed <S>, <T> s`):

  constexpr   500 random Kernel<…> types per build in one translation unit (the compiler's fixed
              cost paid once), over every slot: allocators (Region, Tlsf, Buddy, Slab over Buddy,
              Staged<Region, …>, random options, debug on or off), schedulers (None, Cooperative,
              Preemptive, PerCore<…> of up to 8 of them), network devices (None, Loopback,
              VirtioNet or UdpTunnel), platforms (Target; QemuVirt with each page-table kind).
              Each must be well formed, bind each slot to the chosen component and keep its
              options (kernel_checks.hpp), and run its allocator through a seeded
              allocate/free/reallocate script in constant evaluation (constexpr_script.hpp; the
              first --scripted 24 a long one): any out-of-bounds access or undefined behaviour
              is a compile error. Compiled with -fsyntax-only.
  invalid     configurations that must not compile, one of each kind per run with random values
              (options out of range, a component in the wrong slot, PerCore beyond 8 cores or on
              a one-core platform, Preemptive or VirtioNet on a platform without their device,
              blocking with sched::None): each must fail with the sentence naming what is wrong.
  kconfig     10 random Kconfig configurations for the build's platform (tools/kconfig.py
              randconfig, seeded: every choice and option the fuzzer knows), each built and booted:
              hello must exit 0 and print exactly the configured components and option values.

TESSERA_FUZZ_COUNT=N runs N type-level configurations per build, N/25 invalid and N/50 Kconfig
ones (at least the defaults). The default seed is derived from the checked-out commit, so every
change is fuzzed with new values while a given commit always reproduces; TESSERA_FUZZ_SEED or
--seed overrides it.
"""

import argparse
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARENA = 8192
STEPS = 60


def default_seed():
    seed = os.environ.get("TESSERA_FUZZ_SEED")
    if seed:
        return int(seed)
    try:
        head = subprocess.run(["git", "-C", SOURCE, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode == 0 and head.stdout.strip():
            return int(head.stdout.strip()[:8], 16)
    except (OSError, subprocess.TimeoutExpired):
        pass
    return 1


def bool_cpp(value):
    return "true" if value else "false"


# ---------------------------------------------------------------------------------- constexpr

def random_buddy(r, debug):
    page = r.choice([32, 64, 128, 256])
    order = r.randint(0, 6)
    return page, order, f"tessera::alloc::Buddy<{{.debug = {bool_cpp(debug)}, .page_size = {page}, .max_order = {order}}}>"


def random_slab(r, debug):
    page, order, backing = random_buddy(r, debug)
    # Slabs must be a power of two, a multiple of the page, within the backing's largest block.
    choices = [s for s in (128, 256, 512, 1024, 2048) if s % page == 0 and s <= page << order]
    if not choices:
        page, order = 64, 5
        backing = f"tessera::alloc::Buddy<{{.debug = {bool_cpp(debug)}, .page_size = 64, .max_order = 5}}>"
        choices = [128, 256, 512, 1024, 2048]
    slab = r.choice(choices)
    largest = max(16, min(slab // 4, 512) // 16 * 16)  # room for the header and a few objects
    count = r.randint(1, 5)
    sizes = sorted(set(16 * r.randint(1, largest // 16) for _ in range(count)))
    return (f"tessera::alloc::Slab<{{.debug = {bool_cpp(debug)}, .sizes = {{{', '.join(map(str, sizes))}}}, "
            f".slab_bytes = {slab}}}, {backing}>")


def random_allocator(r):
    """(C++ type, region-like (frees only the most recent block), check double free, max request size)."""
    kind = r.choice(["region", "tlsf", "buddy", "slab", "staged"])
    debug = r.random() < 0.3  # with .debug a double free would report (not constexpr): not tried
    if kind == "region":  # frees only its most recent block: no double-free check, bytes not all back
        cap = r.choice([0, r.randint(64, ARENA)])
        return f"tessera::alloc::Region<{{.bytes = {cap}}}>", True, False, 700
    if kind == "tlsf":
        cap = r.choice([0, r.randint(64, ARENA)])
        return f"tessera::alloc::Tlsf<{{.debug = {bool_cpp(debug)}, .bytes = {cap}}}>", False, not debug, 700
    if kind == "buddy":
        return random_buddy(r, debug)[2], False, not debug, 1500
    if kind == "slab":
        return random_slab(r, debug), False, not debug, 900
    app = r.choice([f"tessera::alloc::Tlsf<{{.debug = {bool_cpp(debug)}}}>", random_slab(r, debug)])
    return f"tessera::alloc::Staged<tessera::alloc::Region<>, {app}>", False, not debug, 700


ALLOC_NAMES = {"Region": "alloc::Region", "Tlsf": "alloc::Tlsf", "Buddy": "alloc::Buddy", "Slab": "alloc::Slab",
               "Staged": "alloc::Staged"}


def allocator_name(alloc):
    return ALLOC_NAMES[alloc.split("::")[2].split("<")[0]]


MODEL_RUNS = 40  # per build: seeded operation sequences on the schedulers' queues (sched_model.hpp)


def random_thread_scheduler(r, kind):
    """(C++ type, expected name, max_threads, stack_bytes) of a blocking scheduler."""
    threads = r.choice([1, 2, 8, 16, r.randint(1, 4096)])
    stack = 16 * r.randint(64, 4096)
    if kind == "cooperative":
        return (f"tessera::sched::Cooperative<{{.max_threads = {threads}, .stack_bytes = {stack}}}>",
                "sched::Cooperative", threads, stack)
    slice_us = r.randint(100, 1_000_000)
    return (f"tessera::sched::Preemptive<{{.max_threads = {threads}, .stack_bytes = {stack}, .slice_us = {slice_us}}}>",
            "sched::Preemptive", threads, stack)


def random_scheduler(r, bare_metal):
    """(C++ type, expected name, [check expressions over K]) for the Sched slot."""
    kinds = ["none", "cooperative"] + (["preemptive", "per_core"] if bare_metal else [])
    kind = r.choice(kinds)
    if kind == "none":
        return "tessera::sched::None", "sched::None", ["tessera::configfuzz::thread_options_are<typename K::scheduler_type>(0, 0)"]
    if kind in ("cooperative", "preemptive"):
        type_name, name, threads, stack = random_thread_scheduler(r, kind)
        checks = [f"tessera::configfuzz::thread_options_are<typename K::scheduler_type>({threads}, {stack})"]
        # The model runs on as many threads as the scheduler has (up to 16), with priorities
        # where the scheduler uses them.
        checks.append(("model", min(threads, 16), kind == "preemptive"))
        return type_name, name, checks
    cores = r.randint(1, 8)
    parts, checks = [], [f"K::cores == {cores}"]
    for core in range(cores):
        pick = r.choice(["none", "cooperative", "preemptive"])
        if pick == "none":
            parts.append("tessera::sched::None")
            checks.append(f'tessera::configfuzz::core_is<K>({core}, "sched::None")')
        else:
            type_name, name, _, _ = random_thread_scheduler(r, pick)
            parts.append(type_name)
            checks.append(f'tessera::configfuzz::core_is<K>({core}, "{name}")')
    return f"tessera::sched::PerCore<{', '.join(parts)}>", "sched::PerCore", checks


def page_block_limit(alloc):
    """The largest block the allocator's page allocator gives (alloc::Buddy's, Slab's backing
    Buddy's: .page_size << .max_order), or None: the Kernel rejects a device whose buffers are
    one larger block (kernel.hpp, page_block_fits; an invalid case below)."""
    if not (alloc.startswith("tessera::alloc::Buddy<") or alloc.startswith("tessera::alloc::Slab<")):
        return None
    backing = alloc[alloc.rindex("tessera::alloc::Buddy<"):]
    page = int(backing.split(".page_size = ")[1].split(",")[0].split("}")[0])
    order = int(backing.split(".max_order = ")[1].split("}")[0])
    return page << order


def random_net(r, platform, page_block=None):
    kind = r.choice(["none", "loopback", {"hosted": "udp_tunnel", "raspi3": "none"}.get(platform, "virtio")])
    if kind == "virtio" and page_block is not None and page_block // 2048 < 2:
        kind = "loopback"  # its packet buffers (2 KiB each) cannot be one block of this allocator
    if kind == "none":
        return "tessera::net::None", "net::None"
    if kind == "loopback":
        mtu = r.randint(68, 9000)
        stride = (mtu + 14 + 15) // 16 * 16
        most = 65536 if page_block is None else max(1, min(65536, (page_block - 64) // stride))
        if page_block is not None and page_block - 64 < stride:
            return "tessera::net::None", "net::None"  # not one buffer fits this allocator's largest block
        return (f"tessera::net::Loopback<{{.buffers = {r.randint(1, most)}, .mtu = {mtu}}}>", "net::Loopback")
    if kind == "virtio":
        most = (1 << 20) if page_block is None else min(1 << 20, page_block // 2048)
        return (f"tessera::net::VirtioNet<{{.queue_size = {1 << r.randint(1, 15)}, .buffers = {r.randint(2, most)}, "
                f".interrupts = {bool_cpp(r.random() < 0.5)}}}>", "net::VirtioNet")
    most = 65536 if page_block is None else min(65536, (page_block - 64) // 2048)
    if most < 1:
        return "tessera::net::None", "net::None"  # not one 2 KiB buffer fits this allocator's largest block
    return (f"tessera::net::UdpTunnel<{{.local_port = {r.randint(1, 65535)}, .remote_port = {r.randint(1, 65535)}, "
            f".buffers = {r.randint(1, most)}}}>", "net::UdpTunnel")


PLATFORM_NAMES = {"hosted": "platform::Hosted", "qemu-virt-aarch64": "platform::QemuVirtAarch64",
                  "raspi3": "platform::Raspi3"}


def random_platform(r, platform):
    if platform == "qemu-virt-aarch64" and r.random() < 0.5:
        tables = r.choice(["compile_time", "boot_time", "off"])
        return (f"tessera::platform::QemuVirt<{{.page_tables = tessera::arch::aarch64::PageTables::{tables}}}>",
                PLATFORM_NAMES[platform])
    if platform == "raspi3" and r.random() < 0.5:
        console = r.choice(["pl011", "mini_uart"])
        return (f"tessera::platform::Raspi3Board<{{.console = tessera::platform::Raspi3Console::{console}, "
                f".baud = {r.choice([9600, 38400, 115200, 921600])}}}>", PLATFORM_NAMES[platform])
    return "tessera::platform::Target", PLATFORM_NAMES[platform]


def kernel_source(seed, cases, scripted, platform, only=None):
    """A translation unit of `cases` random Kernel<…> types over every slot. Each is checked in
    constant evaluation (kernel_checks.hpp); the first `scripted` also run their allocator
    through a seeded script (constexpr_script.hpp), the rest a short one."""
    r = random.Random(seed)
    bare_metal = platform != "hosted"
    lines = [
        f"// Generated by tests/configfuzz/configfuzz.py, seed {seed}, platform {platform}: {cases} random",
        "// Kernel<…> configurations, each checked in constant evaluation.",
        '#include "tessera/tessera.hpp"',
        '#include "tessera/net/loopback.hpp"',
        '#include "tessera/net/virtio_net.hpp"' if bare_metal else '#include "tessera/net/udp_tunnel.hpp"',
    ]
    if bare_metal:
        lines += ['#include "tessera/sched/per_core.hpp"', '#include "tessera/sched/preemptive.hpp"']
    lines += ['#include "constexpr_script.hpp"', '#include "kernel_checks.hpp"', '#include "sched_model.hpp"', "",
              "using tessera::configfuzz::Fail;", ""]
    described = []
    model_runs = [0]
    for i in range(cases):
        alloc, lifo, double_free, max_size = random_allocator(r)
        sched, sched_name, sched_checks = random_scheduler(r, bare_metal)
        net, net_name = random_net(r, platform, page_block_limit(alloc))
        plat, plat_name = random_platform(r, platform)
        script_seed = r.getrandbits(32)
        steps = STEPS if i < scripted else 6
        described.append(f"Kernel<{alloc}, {sched}, {net}, tessera::block::None, {plat}>")
        # Every random value of the case is drawn before --only skips it, so case I is the same alone.
        models = []
        for check in sched_checks:
            if isinstance(check, tuple):
                model_seed = r.getrandbits(32)
                if model_runs[0] < MODEL_RUNS:
                    model_runs[0] += 1
                    models.append((check[1], check[2], model_seed))
        sched_checks = [c for c in sched_checks if not isinstance(c, tuple)]
        if only is not None and i != only:
            continue
        checks = [f'tessera::configfuzz::names_are<K>("{allocator_name(alloc)}", "{sched_name}", "{net_name}", '
                  f'"block::None", "{plat_name}")'] + sched_checks
        lines += [f"// case {i}",
                  f"namespace case{i} {{",
                  f"using K = tessera::Kernel<{alloc},",
                  f"    {sched},",
                  f"    {net}, tessera::block::None, {plat}>;",
                  "static_assert(K::well_formed);"]
        lines += [f"static_assert(sizeof(tessera::configfuzz::Holds<{c}, {i}>) >= 0);  // seed {seed} case {i}"
                  for c in checks]
        for threads, by_priority, model_seed in models:
            lines.append(f"static_assert(sizeof(tessera::configfuzz::ModelPassed<tessera::configfuzz::sched_model<"
                         f"{threads}>({model_seed}u, 150, {bool_cpp(by_priority)}), {i}>) > 0);  // seed {seed} case {i}")
        lines += [f"constexpr Fail script = tessera::configfuzz::script<K::allocator_type, {ARENA}>({script_seed}u, "
                  f"{steps}, {max_size}, {bool_cpp(double_free)}, {bool_cpp(lifo)});",
                  f"static_assert(sizeof(tessera::configfuzz::Passed<script, {i}>) > 0);  // seed {seed} case {i}",
                  f"}}  // namespace case{i}", ""]
    return "\n".join(lines) + "\n", described


def constexpr_source(seed, cases):
    r = random.Random(seed)
    lines = [
        f"// Generated by tests/configfuzz/configfuzz.py, seed {seed}: {cases} random allocator",
        "// configurations, each bound into a Kernel<> and run through a seeded script in constant evaluation.",
        '#include "tessera/tessera.hpp"',
        '#include "constexpr_script.hpp"',
        "",
        "using tessera::configfuzz::Fail;",
        "",
    ]
    described = []
    for i in range(cases):
        alloc, lifo, double_free, max_size = random_allocator(r)
        script_seed = r.getrandbits(32)
        described.append(alloc)
        lines += [
            f"// case {i}",
            f"using Alloc{i} = {alloc};",
            f"static_assert(tessera::Kernel<Alloc{i}, tessera::sched::None, tessera::net::None, tessera::block::None,",
            f"                              tessera::platform::Target>::well_formed);",
            f"constexpr Fail result{i} = tessera::configfuzz::script<Alloc{i}, {ARENA}>({script_seed}u, {STEPS}, "
            f"{max_size}, {bool_cpp(double_free)}, {bool_cpp(lifo)});",
            f"static_assert(sizeof(tessera::configfuzz::Passed<result{i}, {i}>) > 0);  // seed {seed} case {i}",
            "",
        ]
    return "\n".join(lines) + "\n", described


# ---------------------------------------------------------------------------------- invalid

def kernel_with(platform, alloc="tessera::alloc::Tlsf<>", sched="tessera::sched::None", net="tessera::net::None",
                block="tessera::block::None"):
    return f"tessera::Kernel<{alloc}, {sched}, {net}, {block}, tessera::platform::Target>"


def invalid_cases(seed, platform):
    """(description, translation unit body, expected message): configurations that must not
    compile, each with the sentence naming what is wrong. One of each kind per run, with seeded
    random values."""
    r = random.Random(seed ^ 0x5eed)
    bare_metal = platform != "hosted"
    page = r.choice([0, 1, 2, 16, 24, 48, 96, 100, 3000])
    order = r.randint(37, 200)
    cap = r.randint(1, 63)
    slab = r.choice([0, 64, 96, 100, 3000, 12288])
    first, second = 16 * r.randint(2, 20), r.choice([16, 24])  # descending, or not a multiple of 16
    threads = r.choice([0, r.randint(65536, 1 << 30)])
    small_stack = 16 * r.randint(0, 63)
    odd_stack = 1024 + r.choice([1, 4, 8, 12]) + 16 * r.randint(0, 100)
    slice_us = r.choice([r.randint(0, 99), r.randint(1_000_001, 1 << 31)])
    mtu = r.choice([r.randint(0, 67), r.randint(9001, 1 << 20)])
    queue = r.choice([0, 1, 3, 6, 100, 65536, 1000])
    # One block of the page allocator beyond alloc::Buddy's largest (4 KiB << small_order).
    small_order = r.randint(0, 10)
    net_buffers = r.randint((4096 << small_order) // 2048 + 1, 1 << 20)
    ramdisk_blocks = r.randint((4096 << small_order) // 512 + 1, 1 << 21)

    def kernel(**slots):
        return f"using K = {kernel_with(platform, **slots)};\nstatic_assert(sizeof(K) > 0);\n"

    def alloc_only(type_name):
        return f"using Invalid = {type_name};\nstatic_assert(sizeof(Invalid) > 0);\n"

    cases = [
        (f"alloc::Buddy .page_size = {page}", alloc_only(f"tessera::alloc::Buddy<{{.page_size = {page}}}>"),
         ".page_size must be a power of two of at least 32"),
        (f"alloc::Buddy .max_order = {order}", alloc_only(f"tessera::alloc::Buddy<{{.max_order = {order}}}>"),
         ".max_order too large"),
        (f"alloc::Tlsf .bytes = {cap}", alloc_only(f"tessera::alloc::Tlsf<{{.bytes = {cap}}}>"),
         ".bytes must be 0 (no cap) or at least 64"),
        (f"alloc::Slab .slab_bytes = {slab}", alloc_only(f"tessera::alloc::Slab<{{.slab_bytes = {slab}}}>"),
         ".slab_bytes must be a power of two"),
        (f"alloc::Slab .sizes = {{{first}, {second}}}", alloc_only(f"tessera::alloc::Slab<{{.sizes = {{{first}, {second}}}}}>"),
         ".sizes must be at least one class, ascending multiples of 16"),
        (f"sched::Cooperative .max_threads = {threads}",
         kernel(sched=f"tessera::sched::Cooperative<{{.max_threads = {threads}}}>"),
         "sched::Cooperative: .max_threads must be 1 to 65535"),
        (f"sched::Cooperative .stack_bytes = {small_stack}",
         kernel(sched=f"tessera::sched::Cooperative<{{.stack_bytes = {small_stack}}}>"),
         "sched::Cooperative: .stack_bytes must be at least 1024"),
        (f"sched::Cooperative .stack_bytes = {odd_stack}",
         kernel(sched=f"tessera::sched::Cooperative<{{.stack_bytes = {odd_stack}}}>"),
         "sched::Cooperative: .stack_bytes must be a multiple of 16"),
        (f"net::Loopback .mtu = {mtu}", kernel(net=f"tessera::net::Loopback<{{.mtu = {mtu}}}>"),
         "net::Loopback: option .mtu must be from 68"),
        ("an allocator in the Sched slot", kernel(sched="tessera::alloc::Region<>"),
         "the 2nd argument (Sched) does not model tessera::api::Scheduler"),
        ("a scheduler in the Net slot", kernel(net="tessera::sched::None"),
         "the 3rd argument (Net) does not model tessera::api::NetDevice"),
        ("an int in the Block slot", kernel(block="int"),
         "the 4th argument (Block) does not model tessera::api::BlockDevice"),
        ("a network device in the Alloc slot", kernel(alloc="tessera::net::None"),
         "the 1st argument (Alloc) does not model tessera::api::Allocator"),
        ("sync::Mutex with sched::None", kernel() + "tessera::sync::Mutex<K> mutex;\n",
         "tessera::sync::Mutex needs a scheduler that can block"),
        ("spawning with sched::None",
         kernel() + "void f() { (void)K::sched().spawn([](void*) {}, nullptr); }\n",
         "sched::None runs the application to completion on one stack and cannot start threads"),
        (f"block::Ramdisk .blocks = {ramdisk_blocks} behind alloc::Slab on alloc::Buddy .max_order = {small_order}",
         kernel(alloc=f"tessera::alloc::Slab<{{}}, tessera::alloc::Buddy<{{.max_order = {small_order}}}>>",
                block=f"tessera::block::Ramdisk<{{.blocks = {ramdisk_blocks}}}>"),
         "the block device's storage is one block of the page allocator"),
    ]
    if bare_metal:
        cores = r.randint(9, 12)
        cases += [
            (f"sched::Preemptive .slice_us = {slice_us}",
             kernel(sched=f"tessera::sched::Preemptive<{{.slice_us = {slice_us}}}>"),
             "sched::Preemptive: .slice_us (the time slice) must be 100 to 1,000,000 microseconds"),
            (f"sched::PerCore with {cores} schedulers",
             kernel(sched=f"tessera::sched::PerCore<{', '.join(['tessera::sched::None'] * cores)}>"),
             "sched::PerCore<S0, S1, …>: one scheduler per core, 1 to 8 of them"),
            (f"sched::PerCore with a core of {threads if threads > 4096 else 5000} threads",
             kernel(sched="tessera::sched::PerCore<tessera::sched::Cooperative<{.max_threads = "
                          f"{min(threads if threads > 4096 else 5000, 65535)}}}>, tessera::sched::None>"),
             "sched::PerCore: each core's scheduler may have at most 4096 threads"),
            (f"net::VirtioNet .queue_size = {queue}", kernel(net=f"tessera::net::VirtioNet<{{.queue_size = {queue}}}>"),
             "net::VirtioNet: option .queue_size must be a power of two from 2 to 32768"),
            (f"net::VirtioNet .buffers = {net_buffers} with alloc::Buddy .max_order = {small_order}",
             kernel(alloc=f"tessera::alloc::Buddy<{{.max_order = {small_order}}}>",
                    net=f"tessera::net::VirtioNet<{{.buffers = {net_buffers}}}>"),
             "the network device's packet buffers are one block of the page allocator"),
        ]
    else:
        cases += [
            ("sched::PerCore on a platform with one core",
             kernel(sched="tessera::sched::PerCore<tessera::sched::Cooperative<>, tessera::sched::None>"),
             "sched::PerCore needs a platform with several cores"),
            ("sched::Preemptive on a platform without interrupts",
             kernel(sched="tessera::sched::Preemptive<>") + "int f() { return K::sched().run(nullptr); }\n",
             "sched::Preemptive needs a platform with an interrupt controller and a timer"),
            ("net::VirtioNet on a platform without virtio-mmio",
             kernel(net="tessera::net::VirtioNet<>") + "void f() { (void)K::net().init(); }\n",
             "net::VirtioNet: the platform has no virtio-mmio slots"),
        ]
    return cases


INVALID_HEADERS = ["tessera/tessera.hpp", "tessera/net/loopback.hpp", "tessera/net/virtio_net.hpp", "tessera/block/ramdisk.hpp",
                   "tessera/sync/mutex.hpp", "tessera/sched/per_core.hpp", "tessera/sched/preemptive.hpp"]


# ---------------------------------------------------------------------------------- kconfig

def read_config(path):
    values = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("CONFIG_") and "=" in line:
            name, value = line[len("CONFIG_"):].split("=", 1)
            values[name] = value.strip('"')
    return values


SCHED_NAMES = {"NONE": "sched::None", "COOPERATIVE": "sched::Cooperative", "PREEMPTIVE": "sched::Preemptive"}


def expected_console(config, platform):
    """The lines hello must print for this configuration: every slot's component and options,
    and the configuration line's allocator and printf flavour."""
    chosen = lambda prefix, names: next(n for n in names if config.get(f"{prefix}_{n}") == "y")
    alloc = chosen("ALLOC", ["REGION", "TLSF", "BUDDY", "SLAB", "STAGED"])
    alloc_name = "alloc::" + alloc.capitalize()
    sched = chosen("SCHED", ["NONE", "COOPERATIVE", "PREEMPTIVE", "PER_CORE"])
    if sched == "PER_CORE":
        cores = int(config["SCHED_CORES"])
        names = [SCHED_NAMES[chosen(f"SCHED_CORE{c}", ["NONE", "COOPERATIVE", "PREEMPTIVE"])] for c in range(cores)]
        sched_line = f"sched::PerCore cores={cores}: " + " ".join(names)
    else:
        sched_line = SCHED_NAMES[sched]
        if sched != "NONE":
            sched_line += f" .max_threads={config[f'SCHED_{sched}_MAX_THREADS']} .stack_bytes={config[f'SCHED_{sched}_STACK_BYTES']}"
        if sched == "PREEMPTIVE":
            sched_line += f" .slice_us={config['SCHED_PREEMPTIVE_SLICE_US']}"
    net = chosen("NET", ["NONE", "VIRTIO", "LOOPBACK", "UDP_TUNNEL"])
    net_line = {"NONE": "net::None",
                "VIRTIO": f"net::VirtioNet .queue_size={config.get('NET_VIRTIO_QUEUE_SIZE')} "
                          f".buffers={config.get('NET_VIRTIO_BUFFERS')}",
                "LOOPBACK": f"net::Loopback .buffers={config.get('NET_LOOPBACK_BUFFERS')} .mtu=1500",
                "UDP_TUNNEL": "net::UdpTunnel"}[net]
    platform_name = PLATFORM_NAMES[platform]
    block = chosen("BLOCK", ["NONE", "VIRTIO", "RAMDISK", "FILE"])
    block_name = {"NONE": "block::None", "VIRTIO": "block::VirtioBlk", "RAMDISK": "block::Ramdisk",
                  "FILE": "block::File"}[block]
    lines = [f"  alloc    {alloc_name}", f"  sched    {sched_line}", f"  net      {net_line}", f"  block    {block_name}",
             f"  platform {platform_name}"]
    cap = config.get(f"ALLOC_{alloc}_BYTES") if alloc in ("REGION", "TLSF") else None  # a cap (.bytes)
    configuration = f", alloc: {alloc_name}" + (f" .bytes={cap}" if cap is not None else "")
    if platform != "hosted":
        configuration = f"printf={chosen('PRINTF', ['INTEGER', 'FLOAT', 'DOUBLE']).lower()}" + configuration
    return lines, configuration, net == "VIRTIO"


# ---------------------------------------------------------------------------------- main

def run(command, timeout, **kwargs):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(command, 124, e.stdout or "", f"timed out after {timeout} s")


def reproduce(options, case):
    """The one-line command that runs this stage for one case alone."""
    argv = [a for a in sys.argv[1:]]
    head = argv[:argv.index("--")] if "--" in argv else argv
    tail = argv[argv.index("--"):] if "--" in argv else []
    drop = {"--seed", "--only", "--cases"}
    kept, skip = [], False
    for a in head:
        if skip:
            skip = False
            continue
        if a in drop:
            skip = True
            continue
        kept.append(a)
    return " ".join(shlex.quote(a) for a in [sys.executable, os.path.abspath(__file__)] + kept
                    + ["--seed", str(options.seed_used), "--cases", str(options.cases), "--only", str(case)] + tail)


FAILED_CASE = re.compile(r"(?:Holds|Passed|ModelPassed)<[^,]*, (\d+)>|namespace case(\d+)|case(\d+)::")


def stage_constexpr(options, seed, compiler):
    scripted = min(options.scripted, options.cases)
    source, described = kernel_source(seed, options.cases, scripted, options.platform, options.only)
    count = 1 if options.only is not None else options.cases
    with tempfile.TemporaryDirectory(prefix="tessera-configfuzz-") as scratch:
        path = os.path.join(scratch, "cases.cpp")
        with open(path, "w") as f:
            f.write(source)
        command = compiler + ["-I" + os.path.dirname(os.path.abspath(__file__)),
                              "-I" + os.path.join(SOURCE, "tests", "unit"),  # alloc/script_arena.hpp
                              "-fsyntax-only",
                              "-fconstexpr-ops-limit=1000000000", path]
        start = time.monotonic()
        result = run(command, 900)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            kept = os.path.join(tempfile.gettempdir(), f"tessera-configfuzz-{seed}.cpp")
            with open(kept, "w") as f:
                f.write(source)
            failed = sorted({int(next(g for g in m.groups() if g)) for m in FAILED_CASE.finditer(result.stderr)})
            for case in failed or [options.only if options.only is not None else -1]:
                what = described[case] if 0 <= case < len(described) else "(see the compiler's output)"
                print(f"FAILED  seed {seed} case {case}: {what}")
                if case >= 0:
                    print(f"        reproduce alone: {reproduce(options, case)}")
            print(f"the generated cases are kept in {kept}; the compiler said:")
            print(result.stderr[-6000:])
            print(f"configfuzz constexpr: {count} configurations, seed {seed}, {elapsed:.0f} s")
            return 1
    if options.verbose:
        for i, kernel in enumerate(described):
            print(f"case {i}: {kernel}")
    kinds = {}
    for kernel in described if options.only is None else [described[options.only]]:
        for slot in ("sched::PerCore", "sched::Preemptive", "sched::Cooperative", "alloc::Staged", "net::VirtioNet",
                     "net::Loopback", "net::UdpTunnel", "QemuVirt<"):
            kinds[slot] = kinds.get(slot, 0) + (slot in kernel)
    models = source.count("sched_model<")
    print(f"ok      every configuration holds, {models} scheduler model runs match"
          + "".join(f", {n} with {k.rstrip('<')}" for k, n in kinds.items() if n))
    print(f"configfuzz constexpr: {count} configurations, seed {seed}, {elapsed:.0f} s")
    return 0


def stage_invalid(options, seed, compiler):
    import concurrent.futures
    cases = invalid_cases(seed, options.platform)
    if options.only is not None:
        cases = [cases[options.only]]
    rounds = max(1, options.cases // len(invalid_cases(seed, options.platform))) if options.only is None else 1
    start = time.monotonic()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="tessera-configfuzz-") as scratch:
        jobs = []
        for repeat in range(rounds):
            round_cases = cases if repeat == 0 else invalid_cases(seed + repeat, options.platform)
            for i, (what, body, expected) in enumerate(round_cases):
                path = os.path.join(scratch, f"invalid{repeat}_{i}.cpp")
                with open(path, "w") as f:
                    f.write("".join(f'#include "{h}"\n' for h in INVALID_HEADERS) + body)
                jobs.append((i, what, expected, path, seed + repeat))

        def compile_one(job):
            return job, run(compiler + ["-fsyntax-only", job[3]], 180)

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for (i, what, expected, path, case_seed), result in pool.map(compile_one, jobs):
                good = result.returncode != 0 and expected in result.stderr
                print(("ok      " if good else "FAILED  ") + f"seed {case_seed} case {i}: {what} is rejected: {expected}")
                if not good:
                    failures += 1
                    options.seed_used = case_seed
                    print(f"    expected a compile error containing: {expected}\n    status {result.returncode}:\n"
                          + result.stderr[-3000:])
                    print(f"    reproduce alone: {reproduce(options, i)}")
    print(f"configfuzz invalid: {len(jobs)} configurations, seed {seed}, {time.monotonic() - start:.0f} s")
    return 1 if failures else 0


def stage_kconfig(options, seed):
    """Random configurations (tools/kconfig.py randconfig, seeded), each built and booted: hello
    must exit 0 and list exactly the configured components and option values."""
    failures = 0
    start = time.monotonic()
    deadline = start + options.timeout
    cases = [options.only] if options.only is not None else list(range(options.cases))
    if options.config:  # a regression: this configuration, completed by Kconfig's defaults
        cases = [0]
    with tempfile.TemporaryDirectory(prefix="tessera-configfuzz-") as scratch:
        build = os.path.join(scratch, "build")
        for i in cases:
            if time.monotonic() > deadline - 30:
                print(f"FAILED  seed {seed}: out of time before configuration {i}")
                failures += 1
                break
            config = os.path.join(scratch, f"config{i}")
            if options.config:
                made = run([options.kconfig_python, os.path.join(SOURCE, "tools", "kconfig.py"), "defconfig",
                            options.config, config], 60)
            else:
                made = run([options.kconfig_python, os.path.join(SOURCE, "tools", "kconfig.py"), "randconfig", config,
                            "--platform", options.platform, "--seed", str(seed * 1000 + i)], 60)
            if made.returncode != 0:
                failures += 1
                print(f"FAILED  seed {seed} configuration {i}: randconfig failed\n{made.stdout}{made.stderr}")
                print(f"        reproduce alone: {reproduce(options, i)}")
                continue
            values = read_config(config)
            shown = " ".join(f"{k}={v}" for k, v in values.items() if k not in ("SOME_PLATFORM", "ARCH_AARCH64",
                                                                                 "ARCH_HOST", "LIBC_PICOLIBC"))
            if os.path.isdir(build):
                setup = ["meson", "setup", "--reconfigure", build, f"-Dconfig={config}"]
            else:
                setup = ["meson", "setup", build, f"-Dconfig={config}", "-Dtests=false"]
                if options.cross_file:
                    setup += ["--cross-file", options.cross_file]
            result = None
            for step in [setup, ["ninja", "-C", build, "examples/hello/hello"]]:
                result = run(step, 300, cwd=SOURCE)
                if result.returncode != 0:
                    break
            if result.returncode != 0:
                failures += 1
                print(f"FAILED  seed {seed} configuration {i} does not build: {shown}\n"
                      + (result.stdout + result.stderr)[-4000:])
                print(f"        reproduce alone: {reproduce(options, i)}")
                continue
            lines, configuration, needs_card = expected_console(values, options.platform)
            image = os.path.join(build, "examples", "hello", "hello")
            runner = [options.runner, "--timeout", "30"] + (["--net-user", "none"] if needs_card else [])
            command = runner + [image] if options.runner else [image]
            booted = run(command, 60, stdin=subprocess.DEVNULL)
            output = booted.stdout + booted.stderr
            printed = output.splitlines()
            slot_lines = [l for l in printed if l.startswith("  ")][:5]
            configuration_line = next((l for l in printed if l.startswith("configuration:")), "")
            problems = []
            if booted.returncode != 0:
                problems.append(f"exit status {booted.returncode}")
            if slot_lines != lines:
                problems.append("the slots printed are not the configured ones:\n          expected " +
                                "\n                   ".join(lines) + "\n          printed  " +
                                "\n                   ".join(slot_lines))
            if configuration not in configuration_line:
                problems.append(f"expected '{configuration}' in the configuration line: {configuration_line}")
            if not re.search(r"^freed it: (\d+) bytes in use \(was \1\)$", output, re.M):
                problems.append("hello's allocation check did not pass")
            print(("ok      " if not problems else "FAILED  ") + f"seed {seed} configuration {i}: {shown}")
            if problems:
                failures += 1
                print("        " + "\n        ".join(problems) + "\n" + output[-1500:])
                print(f"        reproduce alone: {reproduce(options, i)}")
    what = f"{os.path.basename(options.config)}" if options.config else f"seed {seed}"
    print(f"configfuzz kconfig: {len(cases)} configurations, {what}, {time.monotonic() - start:.0f} s")
    return 1 if failures else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stage", choices=["constexpr", "invalid", "kconfig"])
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run (default: from the commit)")
    parser.add_argument("--cases", type=int, default=None,
                        help="configurations (default: the stage's; TESSERA_FUZZ_COUNT=N scales every stage)")
    parser.add_argument("--only", type=int, default=None, help="run configuration N of the seed's run alone")
    parser.add_argument("--scripted", type=int, default=24,
                        help="constexpr: how many run the full allocator script (the rest a short one)")
    parser.add_argument("--platform", default="hosted")
    parser.add_argument("--cross-file", default="")
    parser.add_argument("--runner", default="")
    parser.add_argument("--kconfig-python", default="/usr/bin/python3")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--verbose", action="store_true", help="constexpr: list every configuration")
    parser.add_argument("--config", default="",
                        help="kconfig: build and boot this configuration instead of random ones (regressions/)")
    argv = list(sys.argv[1:] if argv is None else argv)
    # After "--": the compiler command with the build's flags (the constexpr and invalid stages).
    compiler = argv[argv.index("--") + 1:] if "--" in argv else []
    options = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    seed = options.seed if options.seed is not None else default_seed()
    options.seed_used = seed
    defaults = {"constexpr": 500, "invalid": 20, "kconfig": 10}
    if options.cases is None:
        options.cases = defaults[options.stage]
        count = os.environ.get("TESSERA_FUZZ_COUNT")
        if count:  # N type-level configurations per build; the other stages grow with it
            n = int(count)
            options.cases = {"constexpr": n, "invalid": max(defaults["invalid"], n // 25),
                             "kconfig": max(defaults["kconfig"], n // 50)}[options.stage]
            options.timeout = max(options.timeout, options.cases * 60)
    if options.stage != "kconfig" and not compiler:
        parser.error(f"the {options.stage} stage needs the compiler command after --")
    print(f"configfuzz {options.stage}: seed {seed} (reproduce: TESSERA_FUZZ_SEED={seed} ./tessera test "
          f"--suite configfuzz; one configuration alone: the command printed with it)")
    if options.stage == "constexpr":
        return stage_constexpr(options, seed, compiler)
    if options.stage == "invalid":
        return stage_invalid(options, seed, compiler)
    return stage_kconfig(options, seed)


if __name__ == "__main__":
    sys.exit(main())

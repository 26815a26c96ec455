#!/usr/bin/env python3
"""tessera used from a Meson project outside its tree, every way the docs show
(docs/getting-started.md, "Using tessera from your own Meson project"): the application in
tests/integration/out_of_tree/app is configured, built and booted with tessera

  installed   `meson install` to a prefix; the app finds tessera.pc with the installed cross file
  link        subprojects/tessera is a symbolic link to this checkout
  copy        subprojects/tessera is a copy of the checkout's tracked files
  submodule   subprojects/tessera is a git submodule (the checkout's HEAD)
  wrap        subprojects/tessera.wrap (wrap-git); `meson subprojects download` first, so that
              the cross file inside the subproject exists before `meson setup`

  out_of_tree_test.py --source DIR --platform P [--mode M]… [--timeout S]

Every step has a time limit and the whole test a deadline. A mode that cannot run here
(submodule and wrap without git, or outside a git checkout) is reported and the test exits 77
(skipped) only if no mode ran. Standard library only.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

MODES = ["installed", "link", "copy", "submodule", "wrap"]


class Failed(Exception):
    pass


def run(command, cwd, deadline, what):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Failed(f"{what}: out of time")
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=min(remaining, 300))
    except subprocess.TimeoutExpired:
        raise Failed(f"{what}: timed out: {' '.join(command)}")
    if result.returncode != 0:
        raise Failed(f"{what} failed ({result.returncode}): {' '.join(command)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def tracked_files(source):
    result = subprocess.run(["git", "-C", source, "ls-files", "-z"], capture_output=True)
    return [f for f in result.stdout.decode().split("\0") if f] if result.returncode == 0 else None


def prepare(mode, source, app, scratch, platform, deadline):
    """Sets tessera up for `mode`; returns (meson setup arguments, the runner's path or None)."""
    subprojects = os.path.join(app, "subprojects")
    cross = []
    if mode == "installed":
        prefix, build = os.path.join(scratch, "prefix"), os.path.join(scratch, "tessera-build")
        setup = ["meson", "setup", build, "--prefix", prefix, "-Dtests=false", "-Dexamples=false"]
        if platform != "hosted":
            setup += ["--cross-file", os.path.join(source, "platforms", platform, "cross.ini")]
        run(setup, source, deadline, "configuring tessera")
        run(["meson", "install", "-C", build], source, deadline, "meson install")
        if platform == "hosted":  # libdir is lib/<multiarch> on Debian: find tessera.pc
            found = [d for d, _, files in os.walk(prefix) if "tessera.pc" in files]
            if not found:
                raise Failed("meson install wrote no tessera.pc")
            os.environ["PKG_CONFIG_PATH"] = found[0]
            return [], None
        platform_dir = os.path.join(prefix, "share", "tessera", "platforms", platform)
        return ["--cross-file", os.path.join(platform_dir, "cross.ini")], os.path.join(platform_dir, "run-qemu")
    os.makedirs(subprojects, exist_ok=True)
    target = os.path.join(subprojects, "tessera")
    if mode == "link":
        os.symlink(source, target)
    elif mode == "copy":
        files = tracked_files(source)
        if files is None:
            # symlinks=True: examples/rpi3-firmware/subprojects/tessera links back to the checkout
            shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("build", ".git"))
        else:
            for name in files:
                os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
                # a tracked symbolic link stays one (examples/rpi3-firmware/subprojects/tessera -> ../../..)
                shutil.copy2(os.path.join(source, name), os.path.join(target, name), follow_symlinks=False)
    elif mode == "submodule":
        run(["git", "init", "-q"], app, deadline, "git init")
        run(["git", "-c", "protocol.file.allow=always", "submodule", "add", "-q", source, "subprojects/tessera"], app,
            deadline, "git submodule add")
    elif mode == "wrap":
        with open(os.path.join(subprojects, "tessera.wrap"), "w") as wrap:
            wrap.write(f"[wrap-git]\nurl = {source}\nrevision = HEAD\ndepth = 1\n\n[provide]\ntessera = tessera_dep\n")
        run(["meson", "subprojects", "download"], app, deadline, "meson subprojects download")
    if platform != "hosted":
        cross = ["--cross-file", os.path.join(target, "platforms", platform, "cross.ini")]
    return cross, os.path.join(target, "platforms", platform, "run-qemu") if platform != "hosted" else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--platform", required=True)
    parser.add_argument("--mode", action="append", choices=MODES)
    parser.add_argument("--timeout", type=float, default=540)
    options = parser.parse_args()
    source = os.path.abspath(options.source)
    deadline = time.monotonic() + options.timeout
    is_git = shutil.which("git") is not None and tracked_files(source) is not None
    failures, ran, skipped = [], 0, []
    for mode in options.mode or MODES:
        if mode in ("submodule", "wrap") and not is_git:
            skipped.append(f"{mode}: {source} is not a git checkout (or git is missing)")
            continue
        scratch = tempfile.mkdtemp(prefix=f"tessera-out-of-tree-{mode}-")
        saved_env = dict(os.environ)
        start = time.monotonic()
        try:
            app = os.path.join(scratch, "app")
            shutil.copytree(os.path.join(source, "tests", "integration", "out_of_tree", "app"), app)
            setup_args, runner = prepare(mode, source, app, scratch, options.platform, deadline)
            build = os.path.join(app, "build")
            run(["meson", "setup", build, *setup_args], app, deadline, f"{mode}: meson setup of the app")
            run(["ninja", "-C", build], app, deadline, f"{mode}: building the app")
            image = os.path.join(build, "app")
            result = run([runner, "--timeout", "30", image] if runner else [image], app, deadline, f"{mode}: booting the app")
            expected = "out-of-tree app on platform::" + {"hosted": "Hosted", "raspi3": "Raspi3"}.get(
                options.platform, "QemuVirtAarch64")
            if f"{expected}: of out tessera tree" not in result.stdout:
                raise Failed(f"{mode}: the app's line is missing; it printed:\n{result.stdout[-2000:]}")
            ran += 1
            print(f"ok - {mode}: built and booted ({time.monotonic() - start:.1f} s)")
        except (Failed, OSError) as error:
            failures.append(str(error))
            print(f"not ok - {mode}")
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            shutil.rmtree(scratch, ignore_errors=True)
    for note in skipped:
        print(f"skipped - {note}")
    for failure in failures:
        print("FAIL: " + failure)
    if failures:
        return 1
    return 0 if ran else 77


if __name__ == "__main__":
    sys.exit(main())

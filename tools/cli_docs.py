#!/usr/bin/env python3
"""Writes docs/cli.md from the tessera CLI's own argument parser (tessera's make_parser), so
the reference cannot drift from the code; --check compares instead of writing (a test runs it).

  tools/cli_docs.py [--check] [FILE]     (default FILE: docs/cli.md)
"""
import argparse
import importlib.machinery
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_cli():
    loader = importlib.machinery.SourceFileLoader("tessera_cli", os.path.join(ROOT, "tessera"))
    spec = importlib.util.spec_from_loader("tessera_cli", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def usage(parser, name):
    text = parser.format_usage().strip()
    return text.replace("usage: ", "", 1).replace(parser.prog, name, 1)


def options_table(parser):
    rows = []
    for action in parser._actions:  # argparse has no public way to list them
        if isinstance(action, argparse._HelpAction) or isinstance(action, argparse._SubParsersAction):
            continue
        names = ", ".join(f"`{n}`" for n in action.option_strings) or f"`{action.metavar or action.dest}`"
        if action.option_strings and action.nargs != 0:
            names += f" `{action.metavar or action.dest.upper()}`"
        help_text = (action.help or "").replace("%(default)s", str(action.default)).replace("|", "\\|")
        if action.choices and not isinstance(action, argparse._SubParsersAction):
            help_text += ("; " if help_text else "") + "one of: " + ", ".join(f"`{c}`" for c in action.choices)
        rows.append(f"| {names} | {help_text} |")
    if not rows:
        return "No options.\n"
    return "| argument | meaning |\n|---|---|\n" + "\n".join(rows) + "\n"


def document():
    cli = load_cli()
    parser = cli.make_parser()
    lines = ["# The `tessera` command line", "",
             "Generated from the CLI's own parser by `tools/cli_docs.py` (a test checks that it is up to date).",
             "", f"{parser.description} {parser.epilog}", "", "```", usage(parser, "./tessera"), "```", "",
             options_table(parser)]
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    for name, sub in subparsers.choices.items():
        lines += [f"## `tessera {name}`", "", (helps.get(name) or "").rstrip(".") + ".", "", "```",
                  usage(sub, f"./tessera {name}"), "```", "", options_table(sub)]
    return "\n".join(lines).rstrip() + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("file", nargs="?", default=os.path.join(ROOT, "docs", "cli.md"))
    options = parser.parse_args()
    text = document()
    if options.check:
        current = open(options.file).read() if os.path.exists(options.file) else ""
        if current != text:
            print(f"{options.file} is out of date: run tools/cli_docs.py", file=sys.stderr)
            return 1
        print(f"{options.file}: up to date")
        return 0
    with open(options.file, "w") as f:
        f.write(text)
    print(f"wrote {options.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

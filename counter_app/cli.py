"""The ``counter`` command: starts the app, and the counter's command-line tools.

Each sub-command lives in ``counter_app/commands/<name>.py`` with ``register(subparsers)``; this module only
assembles them. Bad arguments exit with status 2 and a clear message (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from counter_app.commands import CommandError, admin, calc, config, deadline, materials

DESCRIPTION = "公积金贷款购房“一件事”专窗工作台 (counter workstation for the provident fund loan 'one thing')"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="counter", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (calc, materials, deadline, config, admin):
        module.register(sub)
    return parser


def run_app() -> int:
    """Start the Textual application (it arrives with the application issue)."""
    print(
        "柜台界面尚未发布：本版本提供领域核心与命令行工具（counter calc / materials / deadline）。\n"
        "The counter application screens are not part of this release yet; run `counter --help` for the tools.",
        file=sys.stderr,
    )
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return run_app()
    try:
        return int(args.handler(args))
    except CommandError as exc:
        parser.exit(2, f"counter {args.command}: 错误 error: {exc}\n")
    except BrokenPipeError:
        # `counter calc --schedule | head` must not print a traceback.
        return 0

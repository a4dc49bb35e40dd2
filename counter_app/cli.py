"""The ``counter`` command: starts the app, and the counter's command-line tools.

Each sub-command lives in ``counter_app/commands/<name>.py`` with ``register(subparsers)``; this module only
assembles them. Bad arguments exit with status 2 and a clear message (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from counter_app.commands import (
    CommandError,
    admin,
    calc,
    config,
    deadline,
    materials,
    print_cmd,
    report,
    sandbox,
    serve,
    sync,
)

DESCRIPTION = "公积金贷款购房“一件事”专窗工作台 (counter workstation for the provident fund loan 'one thing')"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="counter", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (calc, materials, deadline, config, admin, print_cmd, sandbox, sync, report, serve):
        module.register(sub)
    return parser


def run_app() -> int:
    """Start the counter application on the settings (embedded sandbox and local database by default)."""
    from pydantic import ValidationError

    from counter_app.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as exc:
        print(f"设置无效 invalid settings:\n{exc}", file=sys.stderr)
        return 2
    from counter_app.app import make_app

    # The store opens in the background while the login screen shows; if it cannot open (a wrong key, a
    # database from a newer version), the login screen says why and nobody can log in.
    make_app(settings).run()
    return 0


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

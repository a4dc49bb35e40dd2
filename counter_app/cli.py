"""The ``counter`` command: starts the app, and the counter's command-line tools.

Each sub-command lives in ``counter_app/commands/<name>.py`` with ``register(subparsers)``; this module only
assembles them. Bad arguments exit with status 2 and a clear message (argparse's convention).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from counter_app.commands import (
    CommandError,
    admin,
    calc,
    calendar_cmd,
    config,
    deadline,
    master_cmd,
    materials,
    print_cmd,
    report,
    sandbox,
    serve,
    spool,
    sync,
    trial,
)
from counter_app.commands.args import CounterParser
from counter_app.logs import LOG_LEVELS, configure_logging
from counter_app.services.sanitize import shown

DESCRIPTION = "公积金贷款购房“一件事”专窗工作台 (counter workstation for the provident fund loan 'one thing')"


def build_parser() -> argparse.ArgumentParser:
    # CounterParser: argparse's complaints in Chinese on one line, exit 2 (sub-parsers inherit the class).
    parser = CounterParser(prog="counter", description=DESCRIPTION)
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,  # also the values of the log_level setting
        default=None,
        help="日志级别 log level for <data_dir>/logs/counter.log（默认取设置 log_level，通常为 INFO）",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        calc,
        materials,
        deadline,
        calendar_cmd,
        config,
        admin,
        print_cmd,
        sandbox,
        sync,
        report,
        serve,
        trial,
        spool,
        master_cmd,
    ):
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


def start_logging(level: str | None) -> None:
    """Log to ``<data_dir>/logs/counter.log`` (docs/settings.md), for the app and every command alike.

    Invalid settings are left for the app or the command to report in their own words: then nothing is logged.
    """
    from pydantic import ValidationError

    from counter_app.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError:
        return
    configure_logging(settings.data_dir, level or settings.log_level)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    start_logging(args.log_level)
    if args.command is None:
        return run_app()
    try:
        return int(args.handler(args))
    except CommandError as exc:
        # One line, escaped: a message may quote what was typed (a case number with ESC or a line break in it);
        # a message of several lines (a settings error) is joined rather than escaped, so it stays readable.
        message = " ".join(part for line in str(exc).splitlines() if (part := shown(line.strip())))
        parser.exit(2, f"counter {args.command}: 错误 error: {message}\n")
    except BrokenPipeError:
        # `counter calc --schedule | head` must not print a traceback.
        return 0
    except Exception as exc:
        # Last resort: a bug must not print a traceback at the counter; the log file keeps it for support.
        logging.getLogger("counter_app.cli").exception("counter %s failed", args.command)
        what = shown(f"{type(exc).__name__}: {exc}")[:300]
        parser.exit(1, f"counter {args.command}: 内部错误 internal error: {what}（详情见日志 counter.log）\n")

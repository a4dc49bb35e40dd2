"""``counter sync [--once] [--pull-only]``: drain the outbox to the platform and pull case status, headless.

``platform_url`` empty means the embedded in-process sandbox; otherwise real HTTP. Progress goes to stderr
("已同步 120/200"), the summary to stdout. Exit status: 0 when nothing failed or is left waiting, 1 otherwise.
Without ``--once`` it keeps running as a worker until interrupted (Ctrl+C).

Also runnable as ``python -m counter_app.commands.sync`` (the fault tests start it that way).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from counter_app.commands import CommandError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sync", help="同步 sync the outbox to the back-office platform and pull case status")
    _arguments(parser)
    parser.set_defaults(handler=handle_sync)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="只同步一轮后退出（默认持续运行，Ctrl+C 退出）")
    parser.add_argument("--pull-only", action="store_true", help="只拉取平台状态，不发送待同步案件")
    parser.add_argument("--quiet", action="store_true", help="不显示进度")


class _ProgressLine:
    """Plain text progress on stderr; redrawn in place on a terminal, one line per tenth otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total == 0:
            return
        width = 30
        filled = width * done // total
        line = f"已同步 {done}/{total} [{'#' * filled}{'.' * (width - filled)}]"
        if self.tty:
            print(f"\r{line}", end="" if done < total else "\n", file=sys.stderr, flush=True)
        elif (tenth := 10 * done // total) != self.last_tenth:
            self.last_tenth = tenth
            print(line, file=sys.stderr, flush=True)


async def _run(args: argparse.Namespace) -> int:
    from counter_app.compose import sync_engine
    from counter_app.services.stores import open_store
    from counter_app.services.sync import SyncSummary
    from counter_app.settings import load_settings
    from local_cache import StoreError

    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    try:
        store = open_store(settings)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    progress = _ProgressLine(args.quiet)
    with store:
        async with sync_engine(settings, store) as engine:
            if args.once:
                summary = await engine.run_once(push=not args.pull_only, progress=progress)
                print(summary.render())
                return 0 if summary.ok and summary.pull_error is None else 1
            stop = asyncio.Event()

            def report(summary: SyncSummary) -> None:
                if summary.sent or summary.failed or summary.conflicts or summary.dead or summary.moved:
                    print(summary.render(), flush=True)

            await engine.run_forever(stop, on_round=report)
    return 0


def handle_sync(args: argparse.Namespace) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_run(args))
    print("同步已中断；未发送的案件留在待同步队列，下次同步继续。", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="counter sync", description="同步待发送案件并拉取平台状态")
    _arguments(parser)
    args = parser.parse_args(argv)
    try:
        return handle_sync(args)
    except CommandError as exc:
        parser.exit(2, f"counter sync: 错误 error: {exc}\n")


if __name__ == "__main__":
    raise SystemExit(main())

"""Argument types shared by the sub-commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def port_type(example: int) -> Callable[[str], int]:
    """An argparse type for a TCP port (1-65535) whose message names ``example`` as a valid one."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"端口“{text}”无效，应为 1 到 65535 之间的整数，例如 {example}") from None
        if not 1 <= value <= 65535:
            raise argparse.ArgumentTypeError(f"端口 {value} 超出范围，应为 1 到 65535 之间的整数，例如 {example}")
        return value

    return parse

"""Reading a password for a command: from a terminal, or one line of stdin with ``--password-stdin``, never else.

Without a terminal and without ``--password-stdin`` a command fails at once (exit 2) before it opens the store:
reading whatever stdin holds (nothing, under cron or a pipe) and trying it as a password would count a failed
login and, repeated, lock the account. An empty line is refused the same way, without a try.
"""

from __future__ import annotations

import getpass
import sys

from counter_app.commands import CommandError

# A password is a line; a longer stdin (a file piped by mistake) is not read whole.
MAX_PASSWORD_LINE = 1024

NO_TERMINAL = "需要密码：请在终端中运行，或加 --password-stdin 从标准输入读取一行密码（未尝试登录）"


def read_password(from_stdin: bool, *, prompt: str = "密码 password: ", confirm: bool = False) -> str:
    """The password typed at the terminal (twice with ``confirm``), or the first line of stdin; CommandError
    (exit 2) when there is neither, or the line is empty."""
    stdin = sys.stdin
    if from_stdin:
        line = stdin.readline(MAX_PASSWORD_LINE + 1) if stdin is not None else ""
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin：标准输入中没有密码（应为一行）；未尝试登录")
        if len(password) > MAX_PASSWORD_LINE:
            raise CommandError(f"--password-stdin：密码超过 {MAX_PASSWORD_LINE} 个字符；未尝试登录")
        return password
    if stdin is None or not stdin.isatty():
        raise CommandError(NO_TERMINAL)
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("再次输入 again: ") != first:
            raise CommandError("两次输入的密码不一致")
    except EOFError:
        raise CommandError("未输入密码") from None
    if not first:
        raise CommandError("未输入密码；未尝试登录")
    return first

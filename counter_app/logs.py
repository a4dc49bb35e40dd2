"""The counter's log file: ``<data_dir>/logs/counter.log``, rotated, with personal data masked.

Modules log through the standard library (``logger = logging.getLogger(__name__)``); :func:`configure_logging`,
called once when the ``counter`` command starts, sends every record to the file. The log is for support staff,
not for case files: ID numbers, mobile numbers and bank card numbers are masked in every line before it is
written (:class:`PersonalDataFilter`), whatever the module that logged them. Only the log text changes; the
records' data and the program's own values are untouched.

Nothing is written to the terminal: in the Textual app a stray line on stderr would garble the screen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Literal, get_args

from forms.identifiers import id_check_character, mask_card, mask_id, mask_phone

__all__ = [
    "LOG_LEVELS",
    "LogLevel",
    "PersonalDataFilter",
    "configure_logging",
    "log_file",
    "mask_personal_data",
    "unconfigure_logging",
]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LOG_LEVELS: tuple[str, ...] = get_args(LogLevel)

MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Long hex tokens (UUIDs, request ids, hashes, signatures) are matched first and left alone, so that a run of
# digits inside one is not taken for a phone or card number; everything else is a digit run, bounded by
# non-digits, with an optional final X (the check character of an ID number).
_TOKENS = re.compile(
    r"(?P<hex>(?<![0-9A-Za-z])"
    r"(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{32,})"
    r"(?![0-9A-Za-z]))"
    r"|(?P<num>(?<!\d)\d{11,19}(?:[Xx](?![0-9A-Za-z]))?(?!\d))"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")


def _mask_number(digits: str) -> str:
    """One run of digits (maybe ending in X): masked when it can be an ID, mobile or card number."""
    if len(digits) == 18 and (digits[-1] in "Xx" or id_check_character(digits[:17]) == digits[-1]):
        return mask_id(digits)
    if digits[-1] in "Xx":
        return _mask_number(digits[:-1]) + digits[-1]
    if len(digits) == 11 and _MOBILE.fullmatch(digits):
        return mask_phone(digits)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return "86" + mask_phone(digits[2:])  # +86 13812345678 written without a space
    if 16 <= len(digits) <= 19:
        # 18 digits that fail the ID checksum are still masked: a card, or a mistyped ID number.
        return mask_card(digits)
    return digits


def mask_personal_data(text: str) -> str:
    """``text`` with ID numbers (3702**********123X), mobiles (138****5678) and card numbers (****1234) masked."""

    def one(match: re.Match[str]) -> str:
        number = match.group("num")
        return match.group(0) if number is None else _mask_number(number)

    return _TOKENS.sub(one, text)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's final message (arguments merged in) and in its traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message or record.args:
            # Freeze the merged message: a later getMessage() must not re-merge the unmasked arguments.
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


class _CounterLogHandler(RotatingFileHandler):
    """The counter's file handler: a class of its own so configure_logging can find it again."""

    def _open(self) -> TextIOWrapper:
        # Created on the first record, not at start: `counter calc` and friends leave no empty log behind.
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        stream = super()._open()
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)  # masked, but still about the window's work: owner only
        return stream


def log_file(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / "counter.log"


def _ours() -> list[_CounterLogHandler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, _CounterLogHandler)]


def configure_logging(data_dir: Path, level: str = "INFO") -> Path:
    """Send every log record at ``level`` or above to ``<data_dir>/logs/counter.log`` (1 MB × 5 files, UTF-8).

    Idempotent: a second call adjusts the level (and the file, if ``data_dir`` changed) of the one handler.
    Returns the log file's path.
    """
    name = level.upper()
    if name not in LOG_LEVELS:
        raise ValueError(f"unknown log level {level!r}; one of {', '.join(LOG_LEVELS)}")
    numeric = logging.getLevelNamesMapping()[name]
    path = log_file(data_dir).resolve()
    root = logging.getLogger()
    for handler in _ours():
        if Path(handler.baseFilename) == path:
            handler.setLevel(numeric)
            root.setLevel(numeric)
            return path
        root.removeHandler(handler)
        handler.close()
    handler = _CounterLogHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(PersonalDataFilter())
    handler.setLevel(numeric)
    root.addHandler(handler)
    root.setLevel(numeric)
    # httpx logs every request at INFO: one line per PUT of a sync round would drown the counter's own lines;
    # httpcore's DEBUG is connection internals nobody at a counter needs.
    logging.getLogger("httpx").setLevel(logging.INFO if numeric <= logging.DEBUG else logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path


def unconfigure_logging() -> None:
    """Remove and close the counter's handler (tests; a clean shutdown)."""
    root = logging.getLogger()
    for handler in _ours():
        root.removeHandler(handler)
        handler.close()

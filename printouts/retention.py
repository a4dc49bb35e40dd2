"""Spool retention: PDFs in the spool folder hold names, ID and card numbers in clear, so none stays longer than
the retention period (the ``spool_retention_days`` setting). Reprints never need an old PDF: a case's documents are
rebuilt from the data stored with the case.

Only what the spool writes is touched: regular ``*.pdf`` files directly in the folder (never a symlink, never a
sub-folder), by modification time. Purging never raises; a file that cannot be deleted is named in the result.
"""

from __future__ import annotations

import logging
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    folder: Path
    removed: int
    kept: int
    failed: tuple[str, ...] = ()


def purge_spool(spool_dir: Path, *, older_than: timedelta, now: datetime | None = None) -> PurgeResult:
    """Delete spooled PDFs last written before ``now - older_than``; returns how many went and stayed."""
    folder = Path(spool_dir)
    cutoff = ((now or datetime.now(UTC)) - older_than).timestamp()
    removed = kept = 0
    failed: list[str] = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return PurgeResult(folder, 0, 0)
    except OSError as exc:
        logger.warning("spool purge: cannot list %s: %s", folder, exc)
        return PurgeResult(folder, 0, 0, (f"{folder}: {exc.strerror or exc}",))
    for entry in entries:
        try:
            info = entry.lstat()
        except OSError:
            continue
        if entry.suffix.lower() != ".pdf" or not stat.S_ISREG(info.st_mode):
            continue
        if info.st_mtime >= cutoff:
            kept += 1
            continue
        try:
            entry.unlink()
            removed += 1
        except OSError as exc:
            failed.append(f"{entry.name}: {exc.strerror or exc}")
    if removed or failed:
        logger.info("spool purge: %d PDF(s) older than %s removed from %s, %d kept", removed, older_than, folder, kept)
    for item in failed:
        logger.warning("spool purge: not removed: %s", item)
    return PurgeResult(folder, removed, kept, tuple(failed))

"""The print spool: PDFs written to a folder under a safe name, optionally sent to a printer with ``lp``.

Nothing here trusts a field value: the case number in the file name is reduced to ``[A-Za-z0-9-]``, the document
kind is an enum, and the final path is checked to lie inside the spool folder. Printing never raises: a missing
``lp``, an unknown printer or a timeout come back in :class:`PrintRecord` as a Chinese message.

The print log (who, when, reprint reason) lives in the local store; :class:`PrintRecord` carries every field the
store's ``prints`` table needs, and the caller writes it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from printouts.kinds import DOC_LABELS, DocKind
from printouts.text import clean

if TYPE_CHECKING:
    from printouts.layout import RenderedDocument


logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
_REQUEST_ID = re.compile(r"request id is (\S+)")
_PRINTER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@:/+-]{0,126}$")
LP_TIMEOUT_SECONDS = 20.0


class SpoolError(OSError):
    """The spool folder cannot be written; the message is Chinese and names the folder."""


@dataclass(frozen=True)
class PrintRecord:
    """One print or reprint: what was written where, and whether the printer took it."""

    kind: DocKind
    case_no: str
    path: Path
    pages: int
    sha256: str
    size: int
    printed_at: datetime
    actor: str
    is_reprint: bool
    reason: str | None
    printer: str | None
    sent: bool
    printer_message: str | None
    warnings: tuple[str, ...]
    reprint_number: int = 0  # 第 N 次补打 (0: not a reprint)
    job_id: str | None = None  # CUPS' job id from lp ("QUEUE-123")
    # None: not sent to a printer; "queued": lp took it, not yet followed; then a printouts.jobs.JobState value.
    job_state: str | None = None
    kept: bool = True  # the PDF is still in the spool (deleted once printed when reprints come from stored data)

    @property
    def printed(self) -> bool:
        """The printer confirmed the job: only then did paper come out."""
        return self.job_state == "completed"

    def log_row(self) -> dict[str, object]:
        """The columns of local_cache's ``prints`` table (case_id is the store's to fill)."""
        return {
            "document": self.kind.value,
            "actor": self.actor,
            "printed_at": self.printed_at.isoformat(),
            "is_reprint": int(self.is_reprint),
            "reason": self.reason,
        }


def job_id_of(lp_output: str) -> str | None:
    """The job id from lp's "request id is QUEUE-123 (1 file(s))"."""
    match = _REQUEST_ID.search(lp_output)
    return match.group(1) if match else None


def safe_case_part(case_no: str) -> str:
    """The case number as it may appear in a file name: ASCII letters, digits and single hyphens."""
    text = _UNSAFE.sub("_", clean(case_no, 80)).strip("_-.")
    text = re.sub(r"_+", "_", text)[:48].strip("_-")
    return text or "no-case"


def spool_filename(case_no: str, kind: DocKind, when: datetime, attempt: int = 0) -> str:
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    suffix = f"-{attempt + 1}" if attempt else ""
    return f"{safe_case_part(case_no)}_{DocKind(kind).value}_{stamp}{suffix}.pdf"


def _prepare_dir(spool_dir: Path) -> Path:
    try:
        spool_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or exc
        raise SpoolError(f"打印目录（spool_dir）“{spool_dir}”无法创建：{reason}；请检查路径和写权限") from exc
    # A folder made earlier by hand (or by an older version) may be readable by others: the PDFs hold names, ID
    # and card numbers, so the folder is the owner's only.
    if os.name == "posix" and spool_dir.stat().st_uid == os.getuid():
        spool_dir.chmod(0o700)
    return spool_dir.resolve()


def write_to_spool(doc: RenderedDocument, kind: DocKind, spool_dir: Path, when: datetime) -> Path:
    """Write the PDF under a fresh safe name (never overwriting), readable by the owner only."""
    root = _prepare_dir(Path(spool_dir))
    for attempt in range(100):
        path = (root / spool_filename(doc.case_no, kind, when, attempt)).resolve()
        if path.parent != root:
            # Cannot happen with the name built above; kept as the last line of defence.
            raise SpoolError(f"打印文件名“{path.name}”不在打印目录内，已拒绝写入")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            reason = exc.strerror or exc
            raise SpoolError(f"打印目录（spool_dir）“{root}”无法写入：{reason}；请检查写权限和磁盘空间") from exc
        with os.fdopen(fd, "wb") as handle:
            handle.write(doc.pdf)
        return path
    raise SpoolError(f"打印目录（spool_dir）“{root}”中同名文件过多，请清理后重试")


def send_to_printer(
    path: Path,
    printer: str,
    *,
    title: str = "",
    lp_command: Sequence[str] = ("lp",),
    timeout: float = LP_TIMEOUT_SECONDS,
) -> tuple[bool, str]:
    """Run ``lp -d PRINTER -t TITLE FILE``; returns (sent, message) and never raises."""
    if not _PRINTER_NAME.match(printer):
        return False, f"打印机名称（printer）“{clean(printer, 60)}”不合法，应为字母、数字及 _.-@ 组成的名称"
    program = shutil.which(lp_command[0]) if lp_command else None
    if program is None:
        return False, f"未找到打印命令 {lp_command[0] if lp_command else 'lp'}（CUPS），文件已保存在打印目录：{path}"
    args = [program, *lp_command[1:], "-d", printer]
    if title:
        args += ["-t", clean(title, 60)]
    # An absolute path cannot be taken for an option.
    args.append(str(path.resolve()))
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False, f"发送到打印机“{printer}”超时（{timeout:g} 秒），文件已保存在打印目录：{path}"
    except OSError as exc:
        return False, f"无法运行打印命令：{exc}；文件已保存在打印目录：{path}"
    if result.returncode != 0:
        detail = clean(result.stderr or result.stdout, 200) or f"退出码 {result.returncode}"
        return False, f"打印机“{printer}”未接受打印任务：{detail}；文件已保存在打印目录：{path}"
    return True, clean(result.stdout, 200) or f"已发送到打印机“{printer}”"


def spool_document(
    doc: RenderedDocument,
    kind: DocKind,
    spool_dir: Path,
    *,
    actor: str,
    printer: str | None = None,
    is_reprint: bool = False,
    reason: str | None = None,
    reprint_number: int = 0,
    now: datetime | None = None,
    lp_command: Sequence[str] = ("lp",),
    lp_timeout: float = LP_TIMEOUT_SECONDS,
) -> PrintRecord:
    """Write ``doc`` to the spool, send it to ``printer`` when one is configured, and describe what happened."""
    if is_reprint and not (reason and reason.strip()):
        raise ValueError("补打原因（reason）：补打时须填写原因，例如“申请人遗失回执”")
    when = now or datetime.now(UTC)
    what = f"{kind.value} of case {clean(doc.case_no, 64)}" + (" (reprint)" if is_reprint else "")
    try:
        path = write_to_spool(doc, kind, spool_dir, when)
    except SpoolError as exc:
        logger.error("print: %s not written: %s", what, exc)
        raise
    sent = False
    message: str | None = None
    job_id: str | None = None
    if printer:
        sent, message = send_to_printer(
            path, printer, title=f"{DOC_LABELS[kind]} {doc.case_no}", lp_command=lp_command, timeout=lp_timeout
        )
        if sent:
            job_id = job_id_of(message or "")
            logger.info("print: %s (%d pages) sent to printer %s: %s", what, doc.pages, printer, message)
        else:
            logger.warning("print: %s spooled to %s, printer %s failed: %s", what, path, printer, message)
    else:
        logger.info("print: %s (%d pages) spooled to %s (no printer configured)", what, doc.pages, path)
    return PrintRecord(
        kind=kind,
        case_no=clean(doc.case_no, 64),
        path=path,
        pages=doc.pages,
        sha256=hashlib.sha256(doc.pdf).hexdigest(),
        size=len(doc.pdf),
        printed_at=when,
        actor=clean(actor, 64),
        is_reprint=is_reprint,
        reason=clean(reason, 200) if reason else None,
        printer=printer or None,
        sent=sent,
        printer_message=message,
        warnings=doc.warnings,
        reprint_number=reprint_number if is_reprint else 0,
        job_id=job_id,
        job_state="queued" if sent else None,
    )

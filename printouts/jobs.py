"""Following a print job after ``lp`` queued it: ``lp`` returns as soon as CUPS has the job, so a printer out of
paper, paused or offline would otherwise leave the clerk told "printed" while nothing came out.

:func:`follow_job` polls ``lpstat`` for a bounded time and says what became of the job; :func:`settle` turns that
into the :class:`~printouts.spool.PrintRecord` the caller logs, and deletes the spooled PDF once the job is
confirmed when the caller can rebuild the document from stored data (a case's reprints come from its frozen
document data), so printed personal data does not linger in clear. It blocks: callers in a UI run it in a thread.

``lpstat`` is run with ``LC_ALL=C`` because its words are parsed: a not-completed job is listed by
``lpstat -W not-completed -l -o QUEUE`` with an ``Alerts:`` line (its job-state-reasons); a paused queue shows
``disabled`` in ``lpstat -p QUEUE``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from printouts.spool import PrintRecord
from printouts.text import clean

logger = logging.getLogger(__name__)

_JOB_LINE = re.compile(r"^(\S+-\d+)\s")
POLL_SECONDS = 0.5
LPSTAT_TIMEOUT_SECONDS = 5.0


class JobState(StrEnum):
    """What became of a queued job. Only ``completed`` means the paper came out."""

    QUEUED = "queued"  # lp took it; not followed (yet)
    COMPLETED = "completed"
    HELD = "held"
    STOPPED = "stopped"
    PENDING = "pending"  # still waiting or printing at the deadline
    FAILED = "failed"  # cancelled or aborted by CUPS
    UNKNOWN = "unknown"  # lpstat could not tell


@dataclass(frozen=True)
class JobReport:
    state: JobState
    detail: str = ""


def _lpstat(command: Sequence[str], *args: str) -> str | None:
    program = shutil.which(command[0]) if command else None
    if program is None:
        return None
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        result = subprocess.run(
            [program, *command[1:], *args],
            capture_output=True,
            text=True,
            timeout=LPSTAT_TIMEOUT_SECONDS,
            check=False,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _jobs(listing: str) -> dict[str, list[str]]:
    """``lpstat -l -o`` output as job id -> its indented detail lines."""
    jobs: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in listing.splitlines():
        match = _JOB_LINE.match(line)
        if match:
            current = jobs.setdefault(match.group(1), [])
        elif current is not None and line.strip():
            current.append(line.strip())
    return jobs


def _field(lines: list[str], name: str) -> str:
    for line in lines:
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    return ""


def _look(job_id: str, printer: str, lpstat: Sequence[str]) -> JobReport | None:
    """One look at the job; None while it is still on its way."""
    waiting = _lpstat(lpstat, "-W", "not-completed", "-l", "-o", printer)
    if waiting is None:
        return JobReport(JobState.UNKNOWN, "无法查询打印任务状态（lpstat）")
    lines = _jobs(waiting).get(job_id)
    if lines is None:
        # Gone from the queue: printed, unless CUPS says it was cancelled or aborted.
        done = _jobs(_lpstat(lpstat, "-W", "completed", "-l", "-o", printer) or "").get(job_id, [])
        alerts = _field(done, "Alerts")
        if any(word in alerts for word in ("cancel", "abort")):
            return JobReport(JobState.FAILED, f"打印任务已取消或中止（{alerts}）")
        return JobReport(JobState.COMPLETED)
    alerts = _field(lines, "Alerts")
    status = _field(lines, "Status")
    if "hold" in alerts or "held" in alerts:
        return JobReport(JobState.HELD, "打印任务被挂起（held）")
    if "completed-with-errors" in alerts:
        return JobReport(JobState.STOPPED, f"打印任务出错停止（{status or alerts}）")
    queue = _lpstat(lpstat, "-p", printer) or ""
    if " disabled " in queue or "disabled since" in queue:
        reason = " ".join(line.strip() for line in queue.splitlines()[1:] if line.strip())
        return JobReport(JobState.STOPPED, f"打印机已停止（{reason or 'disabled'}）")
    return None


def follow_job(
    job_id: str,
    printer: str,
    *,
    deadline_seconds: float,
    poll_seconds: float = POLL_SECONDS,
    lpstat_command: Sequence[str] = ("lpstat",),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> JobReport:
    """Poll ``lpstat`` until the job completes, is held or stopped, or ``deadline_seconds`` pass (then pending).

    A held job or a paused queue is told at once: neither resolves by itself, and the clerk should not wait."""
    end = clock() + max(deadline_seconds, 0.0)
    while True:
        report = _look(job_id, printer, lpstat_command)
        if report is not None:
            return report
        if clock() >= end:
            return JobReport(JobState.PENDING, f"{deadline_seconds:g} 秒内打印机未完成打印任务")
        sleep(min(poll_seconds, max(end - clock(), 0.0)) or poll_seconds)


def settle(
    record: PrintRecord,
    *,
    deadline_seconds: float,
    discard_when_printed: bool = False,
    lpstat_command: Sequence[str] = ("lpstat",),
    poll_seconds: float = POLL_SECONDS,
) -> PrintRecord:
    """Follow a queued record's job and return the record with its final state and message.

    ``discard_when_printed``: delete the PDF once the job completed, for documents rebuilt from stored data on a
    reprint. A job not confirmed keeps its PDF (the clerk may print it by hand) until the spool retention."""
    if record.job_state != JobState.QUEUED or not record.printer:
        return record
    what = f"{record.kind.value} of case {record.case_no}"
    if not record.job_id:
        report = JobReport(JobState.UNKNOWN, "lp 未返回打印任务号")
    else:
        report = follow_job(
            record.job_id,
            record.printer,
            deadline_seconds=deadline_seconds,
            poll_seconds=poll_seconds,
            lpstat_command=lpstat_command,
        )
    if report.state is JobState.COMPLETED:
        kept = record.kept
        if discard_when_printed:
            try:
                record.path.unlink(missing_ok=True)
                kept = False
            except OSError as exc:
                logger.warning("print: %s printed, spooled PDF %s not deleted: %s", what, record.path, exc)
        message = f"已打印：打印机“{record.printer}”已完成打印任务 {record.job_id}"
        logger.info(
            "print: %s printed by %s (job %s)%s", what, record.printer, record.job_id, "" if kept else ", PDF deleted"
        )
        return dataclasses.replace(record, job_state=JobState.COMPLETED.value, printer_message=message, kept=kept)
    detail = clean(report.detail, 200)
    message = (
        f"打印机未完成：{detail}（打印机“{record.printer}”，任务 {record.job_id or '-'}）；文件已保存在 {record.path}"
    )
    logger.warning(
        "print: %s not confirmed by %s (job %s): %s; PDF kept at %s",
        what,
        record.printer,
        record.job_id,
        report.state,
        record.path,
    )
    return dataclasses.replace(record, job_state=report.state.value, printer_message=message)

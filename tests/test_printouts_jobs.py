"""Following a print job after lp queued it (issue 14, items 7 and 8), against a fake lpstat: a completed job is
printed and its PDF deleted when reprints come from stored data; a held job, a stopped printer and a job still
pending at the deadline are told to the clerk (打印机未完成) with the spool path, and the PDF stays."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from printouts import DocKind
from printouts.jobs import JobState, follow_job, settle
from printouts.spool import job_id_of, spool_document
from tests.test_printouts_spool import fake_lp, receipt_doc

LP_OK = "print('request id is Office-42 (1 file(s))')\n"


def fake_lpstat(
    tmp_path: Path, *, waiting: str = "", queue: str = "printer Office is idle.  enabled since x\n"
) -> list[str]:
    """A stand-in for lpstat: ``-W not-completed`` lists ``waiting``, ``-p`` prints ``queue``."""
    script = tmp_path / "fake_lpstat.py"
    script.write_text(
        "import sys\n"
        "args = sys.argv[1:]\n"
        f"if '-p' in args:\n    sys.stdout.write({queue!r})\n"
        f"elif 'not-completed' in args:\n    sys.stdout.write({waiting!r})\n",
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def queued(tmp_path: Path):  # type: ignore[no-untyped-def]
    record = spool_document(
        receipt_doc(), DocKind.RECEIPT, tmp_path / "s", actor="a", printer="Office", lp_command=fake_lp(tmp_path, LP_OK)
    )
    assert record.sent and record.job_id == "Office-42" and record.job_state == "queued" and not record.printed
    return record


def test_the_job_id_comes_from_lps_answer() -> None:
    assert job_id_of("request id is testpdf-17 (1 file(s))\n") == "testpdf-17"
    assert job_id_of("no idea") is None


def test_a_completed_job_is_printed_and_its_pdf_deleted(tmp_path: Path) -> None:
    record = queued(tmp_path)
    done = settle(record, deadline_seconds=5, discard_when_printed=True, lpstat_command=fake_lpstat(tmp_path))
    assert done.printed and done.job_state == JobState.COMPLETED and not done.kept
    assert not record.path.exists()
    assert done.printer_message and done.printer_message.startswith("已打印")


def test_without_discard_a_printed_pdf_stays(tmp_path: Path) -> None:
    record = queued(tmp_path)
    done = settle(record, deadline_seconds=5, lpstat_command=fake_lpstat(tmp_path))
    assert done.printed and done.kept and record.path.exists()


JOB = "Office-42               root            110592   Tue Dec  1 12:40:25 2026\n"


@pytest.mark.parametrize(
    ("waiting", "queue", "state", "words"),
    [
        (JOB + "\tAlerts: job-hold-until-specified\n\tqueued for Office\n", None, JobState.HELD, "挂起"),
        (
            JOB + "\tAlerts: none\n\tqueued for Office\n",
            "printer Office disabled since Tue Dec  1 12:40:25 2026 -\n\tout of paper\n",
            JobState.STOPPED,
            "out of paper",
        ),
        (JOB + "\tStatus: Filter failed\n\tAlerts: job-completed-with-errors\n", None, JobState.STOPPED, "Filter"),
    ],
)
def test_a_held_or_stopped_job_is_told_at_once_and_the_pdf_kept(
    tmp_path: Path, waiting: str, queue: str | None, state: JobState, words: str
) -> None:
    record = queued(tmp_path)
    lpstat = fake_lpstat(tmp_path, waiting=waiting, **({"queue": queue} if queue else {}))
    out = settle(record, deadline_seconds=30, discard_when_printed=True, lpstat_command=lpstat)
    assert out.job_state == state and not out.printed and out.kept and record.path.exists()
    assert out.printer_message and out.printer_message.startswith("打印机未完成：")
    assert words in out.printer_message and f"文件已保存在 {record.path}" in out.printer_message


def test_a_job_still_waiting_at_the_deadline_is_pending(tmp_path: Path) -> None:
    lpstat = fake_lpstat(tmp_path, waiting=JOB + "\tAlerts: job-printing\n")
    ticks = iter(range(100))
    naps: list[float] = []
    report = follow_job(
        "Office-42",
        "Office",
        deadline_seconds=3,
        poll_seconds=1,
        lpstat_command=lpstat,
        sleep=naps.append,
        clock=lambda: float(next(ticks)),
    )
    assert report.state is JobState.PENDING and "3 秒内" in report.detail
    assert naps and all(n <= 1 for n in naps)


def test_an_unusable_lpstat_is_not_taken_for_printed(tmp_path: Path) -> None:
    record = queued(tmp_path)
    out = settle(record, deadline_seconds=5, discard_when_printed=True, lpstat_command=["no-such-lpstat-xyz"])
    assert out.job_state == JobState.UNKNOWN and out.kept and record.path.exists()
    assert out.printer_message and "打印机未完成" in out.printer_message


def test_a_print_without_a_printer_is_left_alone(tmp_path: Path) -> None:
    record = spool_document(receipt_doc(), DocKind.RECEIPT, tmp_path, actor="a")
    assert settle(record, deadline_seconds=1, discard_when_printed=True) is record and record.path.exists()

"""Printouts spool: safe file names, no overwrite, lp success and every kind of lp failure, reprint reasons."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printouts import DocKind, PrintRecord, RenderedDocument, print_document, render, reprint, safe_case_part
from printouts.samples import SampleKind, sample_case
from printouts.spool import spool_document, spool_filename

NOW = datetime(2026, 9, 30, 1, 40, tzinfo=UTC)


@cache
def receipt_doc() -> RenderedDocument:
    return render(sample_case(SampleKind.NEW_MARRIED).receipt())


def fake_lp(tmp_path: Path, body: str) -> list[str]:
    """A stand-in for CUPS' lp: a Python script recording its arguments."""
    script = tmp_path / "fake_lp.py"
    script.write_text(
        "import sys, pathlib, time\n"
        f"pathlib.Path({str(tmp_path / 'lp_args.txt')!r}).write_text('\\n'.join(sys.argv[1:]))\n" + body,
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def test_print_writes_a_private_file_named_after_the_case(tmp_path: Path) -> None:
    sample = sample_case(SampleKind.NEW_MARRIED)
    record = print_document(sample.receipt(), spool_dir=tmp_path / "spool", actor="clerk07", now=NOW)
    assert isinstance(record, PrintRecord)
    assert record.path.parent == (tmp_path / "spool").resolve()
    assert record.path.name == "QD01-20260930-0001_receipt_20260930T014000000000Z.pdf"
    data = record.path.read_bytes()
    assert data.startswith(b"%PDF") and record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.pages == 2 and record.size == len(data)
    assert record.kind is DocKind.RECEIPT and not record.is_reprint and record.reason is None
    assert record.printer is None and not record.sent and record.printer_message is None
    if os.name == "posix":
        assert stat.S_IMODE(record.path.stat().st_mode) == 0o600
    assert record.log_row() == {
        "document": "receipt",
        "actor": "clerk07",
        "printed_at": "2026-09-30T01:40:00+00:00",
        "is_reprint": 0,
        "reason": None,
    }


def test_the_same_document_twice_never_overwrites(tmp_path: Path) -> None:
    doc = receipt_doc()
    first = spool_document(doc, DocKind.RECEIPT, tmp_path, actor="a", now=NOW)
    second = spool_document(doc, DocKind.RECEIPT, tmp_path, actor="a", now=NOW)
    assert first.path != second.path and second.path.name.endswith("-2.pdf")
    assert first.path.read_bytes() == second.path.read_bytes()


def test_reprint_needs_a_reason_and_records_it(tmp_path: Path) -> None:
    data = sample_case(SampleKind.RESALE_WAIVED).commitment()
    with pytest.raises(ValueError, match="补打原因"):
        reprint(data, reason="  ", spool_dir=tmp_path, actor="clerk07")
    record = reprint(data, reason="申请人遗失\x1b[31m承诺书", spool_dir=tmp_path, actor="clerk07", now=NOW)
    assert record.is_reprint and record.reason == "申请人遗失承诺书"
    assert record.kind is DocKind.COMMITMENT and record.log_row()["is_reprint"] == 1


def test_a_configured_printer_gets_the_file_through_lp(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, "print('request id is Office-42 (1 file(s))')\n")
    record = print_document(
        sample_case(SampleKind.AGENT).form(), spool_dir=tmp_path / "s", actor="a", printer="Office", lp_command=lp
    )
    assert record.sent and record.printer == "Office"
    assert record.printer_message == "request id is Office-42 (1 file(s))"
    args = (tmp_path / "lp_args.txt").read_text(encoding="utf-8").splitlines()
    assert args[:2] == ["-d", "Office"] and args[-1] == str(record.path)
    assert "-t" in args


@pytest.mark.parametrize(
    ("body", "timeout", "expected"),
    [
        ("sys.stderr.write('lp: The printer or class does not exist.'); sys.exit(1)\n", 10.0, "未接受打印任务"),
        ("time.sleep(5)\n", 0.5, "超时"),
    ],
)
def test_printer_failures_are_reported_not_raised(tmp_path: Path, body: str, timeout: float, expected: str) -> None:
    lp = fake_lp(tmp_path, body)
    record = spool_document(
        receipt_doc(), DocKind.RECEIPT, tmp_path / "s", actor="a", printer="Nope", lp_command=lp, lp_timeout=timeout
    )
    assert not record.sent and record.path.exists()
    assert record.printer_message is not None and expected in record.printer_message
    assert str(record.path) in record.printer_message


def test_missing_lp_and_hostile_printer_names_are_reported(tmp_path: Path) -> None:
    record = spool_document(
        receipt_doc(), DocKind.RECEIPT, tmp_path, actor="a", printer="Office", lp_command=["no-such-lp-xyz"]
    )
    assert not record.sent and record.printer_message and "未找到打印命令" in record.printer_message
    record = spool_document(receipt_doc(), DocKind.RECEIPT, tmp_path, actor="a", printer="-o evil;rm -rf /")
    assert not record.sent and record.printer_message and "打印机名称" in record.printer_message


def test_path_traversal_in_the_case_number_cannot_leave_the_spool(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    data = sample_case(SampleKind.NEW_MARRIED).receipt().model_copy(update={"case_no": "../../../etc/cron.d/x"})
    record = print_document(data, spool_dir=spool, actor="a", now=NOW)
    assert record.path.parent == spool.resolve()
    assert record.path.name == "etc_cron_d_x_receipt_20260930T014000000000Z.pdf"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [record.path.name]


def test_an_unwritable_spool_is_a_chinese_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    from printouts import SpoolError

    with pytest.raises(SpoolError, match="打印目录"):
        spool_document(receipt_doc(), DocKind.RECEIPT, blocker / "spool", actor="a", now=NOW)


@settings(max_examples=60)
@given(st.text(max_size=300))
def test_any_case_number_gives_a_safe_name(case_no: str) -> None:
    part = safe_case_part(case_no)
    assert part and len(part) <= 48
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in part)
    name = spool_filename(case_no, DocKind.FORM, NOW)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert Path("/spool", name).resolve().parent == Path("/spool").resolve()

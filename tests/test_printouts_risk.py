"""The merged form's back-office section (机审与风险提示): the verdict, every flag with its evidence, the
supervisors' notes — from plain rows the app builds out of the case's assessment."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
from app_driver import FrozenClock, demo_operator, make_settings, make_workstation
from printouts_helpers import case

from printouts import DocKind, render
from printouts.models import FlagNoteRow, FlagRow, FormData
from printouts.samples import SampleKind

SECTION = "机审与风险提示（后台审核用）"


def _flat(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "".join(page.extract_text(use_text_flow=True) or "" for page in doc.pages)
    return re.sub(r"\s+", "", text)


def test_form_prints_the_verdict_flags_evidence_and_notes() -> None:
    base = case(SampleKind.NEW_MARRIED).form()
    note = FlagNoteRow(by="li", at=datetime(2026, 9, 30, 3, 5, tzinfo=UTC), note="已核对契税完税证明原件")
    data = base.model_copy(
        update={
            "verdict": "不符合条件",
            "flags": [
                FlagRow(
                    severity="拒绝", message="二手房交易契税已申报但尚未缴纳", evidence="申请人·税费 2026-09-30 10:00"
                ),
                FlagRow(severity="人工审核", message="1 项核验未完成", evidence="配偶·个人征信", notes=[note]),
            ],
        }
    )
    text = _flat(render(data).pdf)
    assert SECTION in text
    assert "机审结论不符合条件" in text
    assert "拒绝二手房交易契税已申报但尚未缴纳申请人·税费2026-09-3010:00" in text
    assert "人工审核1项核验未完成配偶·个人征信" in text
    assert "li2026-09-3011:05：已核对契税完税证明原件" in text  # printed in China time


def test_form_without_flags_says_so_and_a_form_frozen_before_prints_no_section() -> None:
    base = case(SampleKind.NEW_MARRIED).form()
    clean = _flat(render(base.model_copy(update={"verdict": "可机审（自动审批）"})).pdf)
    assert SECTION in clean and "可机审（自动审批）" in clean and "（无风险提示）" in clean
    # A form's data frozen before the 机审 existed loads (no new field required) and prints as it did.
    old = FormData.model_validate_json(base.model_dump_json(exclude={"verdict", "flags"}))
    assert SECTION not in _flat(render(old).pdf)


def test_case_form_data_carries_the_assessment_and_the_notes(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])

    async def run() -> FormData:
        ws = make_workstation(make_settings(folder), FrozenClock())
        try:
            intake = ws.open_case(t01_prepared[1], demo_operator(ws))
            data = intake.document_data(DocKind.FORM)
            assert isinstance(data, FormData)
            return data
        finally:
            await ws.aclose()

    data = asyncio.run(run())
    assert data.verdict == "转人工审核"
    [flag] = data.flags
    assert (flag.severity, flag.evidence) == ("人工审核", "配偶·个人征信（人民银行） 2026-09-30 10:00")
    assert "核验未完成" in flag.message and list(flag.notes) == []
    assert SECTION in _flat(render(data).pdf)

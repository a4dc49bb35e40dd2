"""Sichuan's 告知承诺: where the pack allows, a signed commitment replaces a material — a state of its own
(``committed``), distinct from 容缺 (nothing is owed later), printed on the commitment."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
from app_driver import FrozenClock, make_settings, make_workstation

from counter_app.services.intake import IntakeCase, IntakeError
from counter_app.services.workstation import Workstation
from forms.scenario import Scenario
from forms.vocabulary import CaseStatus, MaterialStatus
from printouts import DocKind


@pytest.fixture
def sichuan(tmp_path: Path) -> Iterator[Workstation]:
    ws = make_workstation(make_settings(tmp_path / "data", policy="sichuan"), FrozenClock())
    yield ws
    asyncio.run(ws.aclose())


def _draft(ws: Workstation) -> IntakeCase:
    clerk = ws.login("demo", "demo1234")
    return ws.new_case(clerk, Scenario())


def test_a_committed_material_is_neither_owed_nor_missing(sichuan: Workstation) -> None:
    case = _draft(sichuan)
    case.commit_material("credit_report")
    assert case.checklist["credit_report"].status is MaterialStatus.COMMITTED
    evaluation = case.evaluation()
    assert [m.code for m in evaluation.committed] == ["credit_report"]
    assert "credit_report" not in {m.material.code for m in evaluation.missing}
    assert "credit_report" not in {w.material.code for w in evaluation.waived}
    row = case.assessment().row("credit_report")
    assert row.status is MaterialStatus.COMMITTED and "告知承诺" in row.note


def test_a_material_the_pack_does_not_allow_cannot_be_committed(sichuan: Workstation) -> None:
    case = _draft(sichuan)
    with pytest.raises(IntakeError, match="不适用告知承诺"):
        case.commit_material("income_proof")  # paper only in Sichuan: no data-sharing source
    assert case.checklist["income_proof"].status is MaterialStatus.MISSING


def test_qingdao_has_no_commitment(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path / "data"), FrozenClock())
    try:
        case = _draft(ws)
        with pytest.raises(IntakeError, match="不适用告知承诺"):
            case.commit_material("credit_report")
    finally:
        asyncio.run(ws.aclose())


def test_the_commitment_printout_lists_committed_materials(sichuan: Workstation) -> None:
    case = _draft(sichuan)
    case.commit_material("credit_report")
    record = case.print(DocKind.COMMITMENT)
    with pdfplumber.open(record.path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "告知承诺" in text and "个人信用报告" in text
    assert case.status is CaseStatus.DRAFT


def test_ticks_on_the_people_step_mark_their_materials(sichuan: Workstation) -> None:
    """已签署征信查询授权书 and 已收取授权委托书 ticked on step 2 are papers in hand (issue 13)."""
    clerk = sichuan.login("demo", "demo1234")
    case = sichuan.new_case(clerk, Scenario(presence="agent"))
    case.record_authorization()
    assert case.checklist["credit_authorization"].status is MaterialStatus.RECEIVED
    assert case.set_field("agent.power_of_attorney", True) == []
    assert case.checklist["power_of_attorney"].status is MaterialStatus.RECEIVED
    # A mark the clerk made stands.
    case.mark_missing("credit_authorization")
    case.record_authorization()
    assert case.checklist["credit_authorization"].status is MaterialStatus.RECEIVED

"""Satisfaction ratings (好差评, issue 15 item 4) through the services the screens use.

A rating after 受理 and after 出件 joins the case aggregate in one transaction (audited without the comment),
travels to the platform with the case, counts in the KPIs, and a bad one stays on the review list until someone
records how it was handled.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import T01, FrozenClock, demo_operator, make_settings, make_workstation, prepare_case, sandbox_of
from app_driver import store_of as store_behind

from counter_app.services.intake import IntakeCase, IntakeError
from counter_app.services.kpi import render_csv, render_table, workstation_report
from counter_app.services.workstation import Workstation
from forms.case.rating import RATING_COMMENT_MAX, key_for_level, level_for_key
from forms.vocabulary import CaseStatus, RatingLevel, RatingStage


@pytest.fixture(scope="module")
def accepted_t01(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("t01-accepted") / "data"
    return folder, asyncio.run(prepare_case(folder, T01, decide="accept"))


@pytest.fixture
def ws(accepted_t01: tuple[Path, str], tmp_path: Path) -> Iterator[Workstation]:
    folder = tmp_path / "data"
    shutil.copytree(accepted_t01[0], folder)
    workstation = make_workstation(make_settings(folder), FrozenClock())
    yield workstation
    asyncio.run(workstation.aclose())


def open_accepted(ws: Workstation, case_id: str) -> IntakeCase:
    case = ws.open_case(case_id, demo_operator(ws))
    assert case.status is CaseStatus.ACCEPTED
    return case


def test_the_device_digits_are_the_five_levels_in_order() -> None:
    assert [level_for_key(k) for k in "12345"] == list(RatingLevel)
    assert level_for_key("6") is None and level_for_key("0") is None and level_for_key("a") is None
    assert [key_for_level(level) for level in RatingLevel] == list("12345")


def test_rating_after_acceptance_is_kept_audited_without_its_comment_and_sent(
    ws: Workstation, accepted_t01: tuple[Path, str]
) -> None:
    case = open_accepted(ws, accepted_t01[1])
    assert case.rating_stage() is RatingStage.ACCEPTED
    rating = case.record_rating(RatingLevel.SATISFIED, "王科员\x1b[31m讲解清楚\x07")
    assert (rating.stage, rating.level, rating.by) == (RatingStage.ACCEPTED, RatingLevel.SATISFIED, "demo")
    assert rating.comment == "王科员讲解清楚"  # escape sequences and control characters never stored
    # Saved with the case: a fresh session reads it back.
    again = ws.open_case(case.case_id, demo_operator(ws))
    assert again.rating(RatingStage.ACCEPTED) == rating
    store = store_behind(ws)
    [line] = [e for e in store.audit.entries(case_number=case.case_number) if e.action == "rating"]
    assert line.detail == {"stage": "accepted", "level": "satisfied", "comment": True}
    assert "讲解" not in str(line.detail)
    # Once per service.
    with pytest.raises(IntakeError, match="已评价过受理服务"):
        case.record_rating(RatingLevel.VERY_SATISFIED)
    # A good rating is not on anybody's list.
    assert ws.review_flags(case.case_id) == []
    # The platform receives it with the case.
    asyncio.run(ws.background_round())
    sent = sandbox_of(ws).platform.get(case.case_id).payload
    assert sent["ratings"] == [
        {
            "stage": "accepted",
            "level": "satisfied",
            "comment": "王科员讲解清楚",
            "at": rating.at.isoformat().replace("+00:00", "Z"),
            "by": "demo",
            "handled_at": None,
            "handled_by": "",
            "handling": "",
        }
    ]


def test_a_long_comment_is_capped_and_a_draft_cannot_be_rated(ws: Workstation, accepted_t01: tuple[Path, str]) -> None:
    case = open_accepted(ws, accepted_t01[1])
    rating = case.record_rating(RatingLevel.FAIRLY_SATISFIED, "慢" * 500)
    assert len(rating.comment) == RATING_COMMENT_MAX
    draft = ws.new_case(demo_operator(ws))
    draft.set_field("applicant.name", "测试")
    with pytest.raises(IntakeError, match="尚未受理"):
        draft.record_rating(RatingLevel.SATISFIED)
    with pytest.raises(IntakeError, match="尚未出件"):
        case.record_rating(RatingLevel.SATISFIED, stage=RatingStage.HANDOUT)


def test_a_bad_rating_stays_on_the_review_list_until_its_handling_is_recorded(
    ws: Workstation, accepted_t01: tuple[Path, str]
) -> None:
    case = open_accepted(ws, accepted_t01[1])
    case.record_rating(RatingLevel.VERY_DISSATISFIED, "等了很久")
    [flag] = ws.review_flags()
    assert flag.case_number == case.case_number
    assert flag.message == "差评：受理服务“非常不满意”"
    assert "回访" in flag.action
    assert "等了很久" not in flag.message  # the list is in clear: no comment on it
    # Still there after a restart of the session (it is in the store, not in memory).
    assert [f.id for f in ws.review_flags(case.case_id)] == [flag.id]
    supervisor = demo_operator(ws)
    with pytest.raises(IntakeError):
        ws.resolve_flag(flag.id, supervisor, "  \x07 ")
    assert ws.review_flags() != []
    ws.resolve_flag(flag.id, supervisor, "已电话回访，申请人表示理解")
    assert ws.review_flags() == []
    rating = ws.open_case(case.case_id, supervisor).rating(RatingStage.ACCEPTED)
    assert rating is not None and rating.handled_at is not None
    assert (rating.handled_by, rating.handling) == ("demo", "已电话回访，申请人表示理解")
    actions = [e.action for e in store_behind(ws).audit.entries(case_number=case.case_number)]
    assert actions[-6:] == ["rating", "review_flag", "sync_queued", "review_resolved", "rating_handled", "sync_queued"]
    # The platform hears of the handling too.
    asyncio.run(ws.background_round())
    sent = sandbox_of(ws).platform.get(case.case_id).payload
    assert sent["ratings"][0]["handling"] == "已电话回访，申请人表示理解"


def test_rating_after_handout(ws: Workstation, accepted_t01: tuple[Path, str]) -> None:
    case = open_accepted(ws, accepted_t01[1])
    asyncio.run(ws.background_round())
    sandbox_of(ws).platform.advance(case.case_id, "completed")
    asyncio.run(ws.background_round())
    case = ws.open_case(case.case_id, demo_operator(ws))
    case.hand_out(case.operator, collected_by="王建国本人", items="借款合同")
    assert case.rating_stage() is RatingStage.HANDOUT
    case.record_rating(RatingLevel.DISSATISFIED)
    # The acceptance can still be rated afterwards (the applicant declined then and rates now).
    case.record_rating(RatingLevel.VERY_SATISFIED, stage=RatingStage.ACCEPTED)
    assert {r.stage: r.level for r in case.file.ratings} == {
        RatingStage.HANDOUT: RatingLevel.DISSATISFIED,
        RatingStage.ACCEPTED: RatingLevel.VERY_SATISFIED,
    }
    assert [f.message for f in ws.review_flags(case.case_id)] == ["差评：出件服务“不满意”"]


def test_kpis_count_ratings_per_level_and_the_share_satisfied(ws: Workstation, accepted_t01: tuple[Path, str]) -> None:
    before = workstation_report(ws)
    assert before.total.ratings == (0, 0, 0, 0, 0) and before.total.satisfied_share is None
    assert "好差评：本期无评价" in render_table(before)
    case = open_accepted(ws, accepted_t01[1])
    case.record_rating(RatingLevel.DISSATISFIED)
    report = workstation_report(ws)
    assert report.total.ratings == (0, 0, 0, 1, 0)
    assert report.total.satisfied_share == 0
    [row] = report.rows
    assert (row.operator, row.ratings) == ("demo", (0, 0, 0, 1, 0))
    table = render_table(report)
    assert "好差评 1 条：非常满意 0、满意 0、基本满意 0、不满意 1、非常不满意 0；满意率 0.0%" in table
    header, *rows = render_csv(report).splitlines()
    assert header.endswith(
        "rating_very_satisfied,rating_satisfied,rating_fairly_satisfied,rating_dissatisfied,"
        "rating_very_dissatisfied,satisfied_percent"
    )
    assert rows[-1].endswith(",0,0,0,1,0,0.0")

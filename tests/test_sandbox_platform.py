"""The sandbox platform contract: idempotent PUT by case and version, If-Match, listing by update time,
supplements, the in_review -> approved -> completed progression over time or on command, and a declined case
(不予受理) recorded as declined, never advanced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from counter_app.services.sandbox import EMBEDDED_BASE_URL, Sandbox, SandboxSettings, make_transport
from tests.store_helpers import Clock

START = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    """The shared settable clock (tests/store_helpers.py), started at START."""
    return Clock(START)


@pytest.fixture
async def http(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    sandbox = Sandbox(SandboxSettings(advance_after_seconds=60), clock=clock)
    async with httpx.AsyncClient(transport=make_transport(sandbox), base_url=EMBEDDED_BASE_URL) as client:
        yield client


CASE = {"version": 1, "application": {"applicant": {"name": "王建国"}}, "checklist": []}


async def test_same_case_and_version_twice_is_one_case(http: httpx.AsyncClient) -> None:
    first = await http.put("/v1/cases/QD01-20260520-0001", json=CASE)
    again = await http.put("/v1/cases/QD01-20260520-0001", json=CASE)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.headers["ETag"] == '"1"'
    assert again.json()["events"] == first.json()["events"]
    listing = (await http.get("/v1/cases")).json()["cases"]
    assert [c["case_id"] for c in listing] == ["QD01-20260520-0001"]
    assert first.json()["status"] == "in_review"


async def test_same_version_with_other_content_conflicts(http: httpx.AsyncClient) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    response = await http.put("/v1/cases/C1", json={**CASE, "checklist": ["x"]})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "version_conflict"


async def test_update_with_if_match(http: httpx.AsyncClient) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    stale = await http.put("/v1/cases/C1", json={**CASE, "version": 2}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    ok = await http.put("/v1/cases/C1", json={**CASE, "version": 2}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    older = await http.put("/v1/cases/C1", json={**CASE, "version": 1, "x": 1})
    assert older.status_code == 409 and older.json()["error"]["code"] == "stale_version"


async def test_invalid_version_and_unknown_case(http: httpx.AsyncClient) -> None:
    bad = await http.put("/v1/cases/C1", json={"application": {}})
    assert bad.status_code == 422 and "version" in bad.json()["error"]["message"]
    missing = await http.get("/v1/cases/NOPE")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "case_not_found"


async def test_status_moves_over_time(http: httpx.AsyncClient, clock: Clock) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    clock.now += timedelta(seconds=59)
    assert (await http.get("/v1/cases/C1")).json()["status"] == "in_review"
    clock.now += timedelta(seconds=1)
    assert (await http.get("/v1/cases/C1")).json()["status"] == "approved"
    clock.now += timedelta(minutes=10)
    body = (await http.get("/v1/cases/C1")).json()
    assert body["status"] == "completed"
    assert [e["type"] for e in body["events"]] == ["received", "approved", "completed"]


async def test_status_moves_on_command(http: httpx.AsyncClient) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    await http.put("/v1/cases/C2", json=CASE)
    one = await http.post("/v1/_sandbox/advance", json={"case_id": "C1"})
    assert [c["status"] for c in one.json()["cases"]] == ["approved"]
    await http.post("/v1/_sandbox/advance", json={})
    statuses = {c["case_id"]: c["status"] for c in (await http.get("/v1/cases")).json()["cases"]}
    assert statuses == {"C1": "completed", "C2": "approved"}
    rejected = await http.post("/v1/_sandbox/advance", json={"case_id": "C2", "to": "rejected"})
    assert rejected.json()["cases"][0]["status"] == "rejected"


DECLINED = {**CASE, "decision": {"outcome": "declined", "at": "2026-05-20T09:00:00+00:00", "by": "wang"}}


async def test_a_declined_case_is_recorded_declined_and_never_advanced(http: httpx.AsyncClient, clock: Clock) -> None:
    first = await http.put("/v1/cases/C1", json=DECLINED)
    assert first.status_code == 201 and first.json()["status"] == "declined"
    assert [(e["type"], e["text"], e["status"]) for e in first.json()["events"]] == [
        ("declined", "窗口不予受理，已出具一次性告知书", "declined")
    ]
    assert (await http.put("/v1/cases/C1", json=DECLINED)).status_code == 200  # a replay: the same case
    await http.put("/v1/cases/C2", json=CASE)
    clock.now += timedelta(minutes=10)  # time moves an accepted case along, never a declined one
    await http.post("/v1/_sandbox/advance", json={})  # every open case: a declined one is not open
    await http.post("/v1/_sandbox/advance", json={"case_id": "C1"})  # no step leaves "declined"
    statuses = {c["case_id"]: c["status"] for c in (await http.get("/v1/cases")).json()["cases"]}
    assert statuses == {"C1": "declined", "C2": "completed"}
    assert [e["type"] for e in (await http.get("/v1/cases/C1")).json()["events"]] == ["declined"]
    # A newer version of the declined case (e.g. voided at the window) leaves it declined.
    voided = await http.put("/v1/cases/C1", json={**DECLINED, "version": 2, "void": {"reason": "录入错误"}})
    assert voided.status_code == 200 and voided.json()["status"] == "declined"


async def test_a_declined_case_accepted_later_goes_into_review(http: httpx.AsyncClient, clock: Clock) -> None:
    """Reopened at a window when the applicant came back with what was missing, and accepted: into review then."""
    await http.put("/v1/cases/C1", json=DECLINED)
    clock.now += timedelta(minutes=10)
    accepted = {**CASE, "version": 2, "decision": {**DECLINED["decision"], "outcome": "accepted"}}
    response = await http.put("/v1/cases/C1", json=accepted, headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["status"] == "in_review"
    assert [e["type"] for e in response.json()["events"]] == ["declined", "updated", "reaccepted"]
    clock.now += timedelta(seconds=59)  # the review's time counts from the acceptance, not the decline
    assert (await http.get("/v1/cases/C1")).json()["status"] == "in_review"
    clock.now += timedelta(seconds=1)
    assert (await http.get("/v1/cases/C1")).json()["status"] == "approved"


async def test_updated_since_lists_only_newer_changes(http: httpx.AsyncClient, clock: Clock) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    clock.now += timedelta(seconds=10)
    mark = clock.now
    clock.now += timedelta(seconds=1)
    await http.put("/v1/cases/C2", json=CASE)
    response = await http.get("/v1/cases", params={"updated_since": mark.isoformat()})
    assert [c["case_id"] for c in response.json()["cases"]] == ["C2"]
    naive = await http.get("/v1/cases", params={"updated_since": "2026-05-20T09:00:00"})
    assert naive.status_code == 422


async def test_supplements_are_idempotent(http: httpx.AsyncClient) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    body = {"supplement_id": "S-1", "material_code": "income_proof"}
    first = await http.post("/v1/cases/C1/supplements", json=body)
    again = await http.post("/v1/cases/C1/supplements", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert [s["material_code"] for s in again.json()["supplements"]] == ["income_proof"]
    bad = await http.post("/v1/cases/C1/supplements", json={})
    assert bad.status_code == 422


async def test_reset_clears_cases(http: httpx.AsyncClient) -> None:
    await http.put("/v1/cases/C1", json=CASE)
    await http.post("/v1/_sandbox/reset")
    assert (await http.get("/v1/cases")).json()["cases"] == []

"""Any window of the hall continues any case: a case decided at another workstation is pulled from the platform.

The hall shares through the platform, never through a shared database, so every window keeps working offline:

- ``find_on_platform`` asks ``GET /v1/cases/lookup`` by case number, or by the keyed hash of the applicant's ID
  number (``hall_ids.hall_id_hash``: the number never travels), and ``adopt`` stores the answer here, whole, in one
  transaction (the case under its own id and number, its people index, an audited ``case_created`` with
  ``origin: platform``, and the platform's version as the base of our next PUT). Nothing is half-pulled: a body
  that does not load as a case is refused before anything is written.
- ``refresh_changed`` (after each status pull) takes the newer body of a case another window changed (a 补件
  received there), unless this window has versions of its own not yet acknowledged: those go through the usual
  conflict handling (docs/sync.md) instead of being overwritten.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import httpx

from counter_app.services.sync import PLATFORM_STATUS
from forms.china_time import CHINA_TZ
from forms.vocabulary import CaseStatus, MaterialStatus
from local_cache.hall import adopt_case, case_exists
from local_cache.hall import stale_cases as held_stale
from local_cache.sync_ledger import SyncLedger

if TYPE_CHECKING:
    from counter_app.services.sync import SyncEngine
    from local_cache import Store

# What the platform's body carries beside the case itself (counter_app.services.case_repo.queue_for_platform).
PLATFORM_ONLY = ("assessment", "version", "case_number")
# The status a case taken whole from the platform is stored in. A 不予受理 is on the platform too (it counts in the
# hall's figures): taken at another window it stays declined there, opened on its follow-up. The status pull has
# no entry for it (PLATFORM_STATUS): the platform's "declined" only repeats the window's own decision.
ADOPTED_STATUS = {**PLATFORM_STATUS, CaseStatus.DECLINED.value: CaseStatus.DECLINED}


class HallError(Exception):
    """The platform cannot be asked, or answered something unusable (Chinese, for the clerk)."""


def case_body(payload: dict[str, Any]) -> dict[str, Any]:
    """The case as stored locally: the platform's body without what only the platform needs."""
    return {k: v for k, v in payload.items() if k not in PLATFORM_ONLY}


async def find_on_platform(client: httpx.AsyncClient, *, timeout: float, **query: str) -> list[dict[str, Any]]:
    """Whole cases (view and payload) matching ``number``, ``case_id`` or ``id_hash``; raises :class:`HallError`."""
    try:
        response = await client.get("/v1/cases/lookup", params=query, timeout=timeout)
    except httpx.HTTPError as exc:
        raise HallError(f"无法连接一件事平台（{type(exc).__name__}）") from exc
    if response.status_code != 200:
        raise HallError(f"一件事平台未能查找（HTTP {response.status_code}）")
    try:
        cases = response.json()["cases"]
    except (ValueError, KeyError, TypeError) as exc:
        raise HallError("一件事平台的应答无法解析") from exc
    return [c for c in cases if isinstance(c, dict) and isinstance(c.get("payload"), dict) and "case_id" in c]


def _checked(view: dict[str, Any], today: date) -> tuple[str, str, int, dict[str, Any]]:
    # Imported here: a status pull with nothing to take (the common round) never loads the case model.
    from forms.case import CaseFileError, load_case

    payload = view["payload"]
    number = str(payload.get("case_number") or "")
    try:
        version = int(view["version"])
        body = case_body(payload)
        load_case(body, today=today)  # refused here, before anything is written
    except (CaseFileError, ValueError, TypeError, KeyError) as exc:
        raise HallError(f"平台上的案件 {number or view.get('case_id')} 无法读取：{exc}") from exc
    if not number:
        raise HallError("平台上的案件缺少案件编号，无法在本窗口办理")
    return str(view["case_id"]), number, version, body


def adopt(store: Store, view: dict[str, Any], *, actor: str, today: date) -> str:
    """Store a case pulled from the platform (or refresh it when it is already here); returns its id."""
    case_id, number, version, body = _checked(view, today)
    ledger = SyncLedger.of(store)
    with store.transaction():
        if case_exists(store.cases, case_id):
            _refresh(store, ledger, case_id, version, body, view, today)
            return case_id
        try:
            day = datetime.strptime(number.split("-")[1], "%Y%m%d").date()
        except (IndexError, ValueError):
            day = today
        status = ADOPTED_STATUS.get(str(view.get("status")), CaseStatus.SUBMITTED)
        adopt_case(
            store.cases,
            case_id=case_id,
            case_number=number,
            status=status,
            payload=body,
            case_date=day,
            actor=actor,
            version=version,
        )
        ledger.record_platform_view(view)
        ledger.adopt_version(case_id, version, str(view.get("status") or ""))
        _project(store, case_id, number, body, today)
    return case_id


def _project(store: Store, case_id: str, number: str, body: dict[str, Any], today: date) -> None:
    """This window's projections of a case taken from the platform: the checklist, and the shortfalls still owed
    (a 容缺 material not yet handed in) or now fulfilled (its 补件 received at another window)."""
    from forms.case import load_case
    from local_cache.records import ShortfallStatus

    file = load_case(body, today=today)
    records = store.records
    for line in file.checklist:
        records.set_checklist_line(case_id, line.code, MaterialStatus(line.status))
    if file.decision is None or file.decision.outcome != "accepted":
        return  # only an acceptance opens shortfalls (as at the deciding window): a declined case owes nothing
    supplied = {s.code for s in file.supplements}
    held = {s.material_code: s for s in records.shortfalls(case_id)}
    for line in file.checklist:
        if line.status is not MaterialStatus.WAIVED:
            continue
        known = held.get(line.code)
        if known is None:
            promised = file.decision.promised if file.decision is not None else None
            due = (line.waived.due if line.waived is not None else None) or promised or today
            records.add_shortfall(case_id, line.code, due, commitment_ref=number)
        if line.code in supplied and (known is None or known.status is not ShortfallStatus.FULFILLED):
            records.fulfil_shortfall(case_id, line.code)


def _refresh(
    store: Store,
    ledger: SyncLedger,
    case_id: str,
    version: int,
    body: dict[str, Any],
    view: dict[str, Any],
    today: date,
) -> bool:
    if ledger.has_unsent(case_id) or (ledger.acked_version(case_id) or 0) >= version:
        return False
    store.cases.autosave(case_id, body)
    ledger.record_platform_view(view)
    ledger.adopt_version(case_id, version, str(view.get("status") or ""))
    _project(store, case_id, str(view["payload"].get("case_number") or ""), body, today)
    return True


def stale_cases(store: Store, views: list[dict[str, Any]]) -> list[str]:
    """Local cases another window moved to a newer version, with nothing of ours waiting to be sent."""
    return held_stale(store.cases, [(str(v["case_id"]), int(v.get("version") or 0)) for v in views])


def take_bodies(store: Store, views: list[dict[str, Any]], today: date) -> int:
    """The newer bodies fetched for :func:`stale_cases`, each in its own transaction; returns how many were taken."""
    ledger = SyncLedger.of(store)
    taken = 0
    for view in views:
        try:
            case_id, _, version, body = _checked(view, today)
        except HallError:
            continue  # unreadable: the local case stays as it was; the next pull asks again
        with store.transaction():
            taken += _refresh(store, ledger, case_id, version, body, view, today)
    return taken


async def refresh_changed(engine: SyncEngine, views: list[dict[str, Any]]) -> int:
    """After a status pull: take the newer body of every local case another window changed (a 补件 received
    there). Fetched on the event loop, written in the engine's store thread. Returns how many were taken."""
    fetched: list[dict[str, Any]] = []
    for case_id in stale_cases(engine.store, views):
        try:
            fetched += await find_on_platform(engine.client, timeout=engine.policy.request_timeout, case_id=case_id)
        except HallError:
            break  # the next round asks again
    if not fetched:
        return 0
    today = engine.clock().astimezone(CHINA_TZ).date()
    taken: list[int] = []
    await engine._in_store_thread(lambda: taken.append(take_bodies(engine.store, fetched, today)))
    return taken[0] if taken else 0

"""StoreSink and replay_pending against a real Store in tmp_path and the in-process sandbox: records, cache, audit,
the offline queue (encrypted, idempotent) and its replay, and the v2 -> v3 migration of the queue table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from counter_app.services.gateway import GatewayClient, LookupRequest, RetryPolicy, Subject
from counter_app.services.sandbox import EMBEDDED_BASE_URL, Sandbox, SandboxSettings, make_transport
from counter_app.services.verification_sink import StoreSink, client_for_store, replay_pending
from counter_app.settings import Settings
from forms.vocabulary import VerificationKind, VerificationOutcome
from local_cache import Store
from local_cache.crypto import KeyRing, create_key_file
from local_cache.db import Database
from local_cache.migrations import LATEST_VERSION, migrate
from local_cache.store import KEY_CHECK

NOW = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
T01 = Subject(name="王建国", id_number="370202198803159132")
SPOUSE_ID = "370202199007029243"


class Clock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    s = Store.open(tmp_path / "counter.db", tmp_path / "store.key", workstation_id="QD01", clock=clock)
    yield s
    s.close()


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxSettings(), clock=lambda: NOW)


def make_client(sandbox: Sandbox, sink: StoreSink, policy: RetryPolicy | None = None) -> GatewayClient:
    return GatewayClient(
        base_url=EMBEDDED_BASE_URL,
        app_key="sandbox-app",
        app_secret="sandbox-secret",
        operator_id="clerk01",
        sink=sink,
        transport=make_transport(sandbox),
        policy=policy,
        sleep=_no_sleep,
        clock=lambda: NOW,
        subject_hasher=sink.subject_hasher,
    )


def request(case_id: str, kind: VerificationKind = VerificationKind.IDENTITY) -> LookupRequest:
    params = {"declared_status": "married", "spouse_id_number": SPOUSE_ID} if kind is VerificationKind.MARRIAGE else {}
    return LookupRequest(case_id=case_id, kind=kind, subject=T01, params=params)


def lookup_entries(store: Store, case_number: str) -> list[dict[str, object]]:
    return [e.detail for e in store.audit.entries(case_number=case_number) if e.action == "lookup"]


def raw_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("counter.db"))


# -- match, record, cache, audit ----------------------------------------------------------------------------------


async def test_match_is_recorded_cached_and_audited(store: Store, sandbox: Sandbox, clock: Clock) -> None:
    case = store.cases.create(actor="clerk01")
    sink = StoreSink(store)
    async with make_client(sandbox, sink) as client:
        first = await client.lookup(request(case.id))
        second = await client.lookup(request(case.id))  # new request id, same case, kind and subject
        assert first.outcome is VerificationOutcome.MATCH and not first.cached
        assert second.outcome is VerificationOutcome.MATCH and second.cached
        assert second.request_id == first.request_id  # the recorded answer, not a new one
        assert second.data == first.data and second.data["name"] == "王建国"
        assert sandbox.stats.verify_requests == 1  # the second lookup never reached the sandbox

        records = store.records.verifications(case.id)
        assert [(r.kind, r.outcome, r.request_id) for r in records] == [
            (VerificationKind.IDENTITY, VerificationOutcome.MATCH, first.request_id)
        ]
        assert records[0].data == first.data and records[0].actor == "clerk01"

        # Beyond the store's TTL the cache no longer answers: the sandbox is asked again.
        clock.now = NOW + store.records.verification_ttl + timedelta(seconds=1)
        third = await client.lookup(request(case.id))
        assert not third.cached and sandbox.stats.verify_requests == 2

    entries = lookup_entries(store, case.case_number)
    assert len(entries) == 3  # recorded, cached, recorded again — each lookup audited exactly once
    assert [e.get("cached", False) for e in entries] == [False, True, False]
    # One hash for one kind and subject, whichever path wrote the entry.
    expected = sink.subject_hash(request(case.id))
    assert {e["subject_hash"] for e in entries} == {expected}
    assert store.audit.verify().ok

    text = json.dumps([e for e in entries], ensure_ascii=False)
    assert "王建国" not in text and T01.id_number not in text
    clear = raw_bytes(store.path.parent)
    for secret in ("王建国", T01.id_number):
        assert secret.encode("utf-8") not in clear and secret.encode("utf-16-le") not in clear


async def test_mismatch_and_refusal_are_recorded(store: Store, sandbox: Sandbox) -> None:
    case = store.cases.create(actor="clerk01")
    wrong_name = LookupRequest(
        case_id=case.id, kind=VerificationKind.IDENTITY, subject=Subject(name="王建军", id_number=T01.id_number)
    )
    credit = LookupRequest(case_id=case.id, kind=VerificationKind.CREDIT, subject=T01)  # no authorization
    async with make_client(sandbox, StoreSink(store)) as client:
        mismatch, refused = await client.lookup_all([wrong_name, credit])
    assert mismatch.outcome is VerificationOutcome.MISMATCH
    assert refused.outcome is VerificationOutcome.REFUSED and sandbox.stats.verify_requests == 1
    outcomes = {r.kind: r.outcome for r in store.records.verifications(case.id)}
    assert outcomes == {VerificationKind.IDENTITY: VerificationOutcome.MISMATCH, VerificationKind.CREDIT: "refused"}
    assert len(lookup_entries(store, case.case_number)) == 2


# -- offline: queue in the store, replay, done --------------------------------------------------------------------


async def test_gateway_down_queues_in_store_then_replay_resolves(store: Store, sandbox: Sandbox) -> None:
    case = store.cases.create(actor="clerk01")
    sink = StoreSink(store)
    policy = RetryPolicy(attempts=1, failure_threshold=1, probe_interval=60)
    sandbox.down = True
    async with make_client(sandbox, sink, policy) as client:
        canary = await client.lookup(request(case.id, VerificationKind.LOAN_HISTORY))
        # The failure that flips the client offline is queued like the lookups after it.
        assert canary.outcome is VerificationOutcome.PENDING and not client.online
        store.pending.done(canary.request_id)  # keep this test about the two below

        queued_requests = [request(case.id, VerificationKind.IDENTITY), request(case.id, VerificationKind.MARRIAGE)]
        results = await client.lookup_all(queued_requests)
        assert [r.outcome for r in results] == [VerificationOutcome.PENDING] * 2
        sink.queue_pending(queued_requests[0])  # queueing again is one entry (request id unique)

        pending = store.pending.queued()
        assert [p.request_id for p in pending] == [r.request_id for r in queued_requests]
        assert all(p.state == "queued" and p.case_id == case.id for p in pending)
        assert LookupRequest.model_validate_json(pending[1].request_json) == queued_requests[1]
        # The queued request names the subject: encrypted at rest.
        clear = raw_bytes(store.path.parent)
        assert T01.id_number.encode() not in clear and SPOUSE_ID.encode() not in clear

        # Still down: the probe fails, nothing is sent, the queue stays.
        sent_before = sandbox.stats.verify_requests
        assert await replay_pending(client, store) == []
        assert sandbox.stats.verify_requests == sent_before and len(store.pending.queued()) == 2

        sandbox.down = False
        replayed = await replay_pending(client, store)

    assert [r.outcome for r in replayed] == [VerificationOutcome.MATCH] * 2
    assert [r.request_id for r in replayed] == [r.request_id for r in queued_requests]  # same ids: idempotent
    assert store.pending.queued() == [] and store.pending.count() == 0
    done = store.pending.get(queued_requests[0].request_id)
    assert done.state == "done" and done.attempts == 1 and done.done_at is not None
    outcomes = {r.kind: r.outcome for r in store.records.verifications(case.id)}
    assert outcomes[VerificationKind.IDENTITY] is VerificationOutcome.MATCH
    assert outcomes[VerificationKind.MARRIAGE] is VerificationOutcome.MATCH
    assert VerificationKind.LOAN_HISTORY not in outcomes  # queued (pending), never recorded as a result

    entries = lookup_entries(store, case.case_number)
    by_outcome = [e["outcome"] for e in entries]
    assert by_outcome.count("pending") == 3 and by_outcome.count("match") == 2
    pending_entry = next(e for e in entries if e["outcome"] == "pending" and e["kind"] == "identity")
    match_entry = next(e for e in entries if e["outcome"] == "match" and e["kind"] == "identity")
    assert pending_entry["subject_hash"] == match_entry["subject_hash"] == sink.subject_hash(queued_requests[0])
    assert store.audit.verify().ok


async def test_replay_stops_after_a_failed_first_entry(store: Store, sandbox: Sandbox) -> None:
    """An online client whose gateway is out again: one queued entry is spent, the rest stay queued."""
    case = store.cases.create(actor="clerk01")
    sink = StoreSink(store)
    kinds = (VerificationKind.IDENTITY, VerificationKind.MARRIAGE, VerificationKind.FUND_ACCOUNT)
    for kind in kinds:
        sink.queue_pending(request(case.id, kind))
    sandbox.down = True
    async with make_client(sandbox, sink, RetryPolicy(attempts=1, failure_threshold=5)) as client:
        assert client.online  # probe() keeps an online client online even though health fails
        results = await replay_pending(client, store)
    assert [r.outcome for r in results] == [VerificationOutcome.UNAVAILABLE]
    assert [p.kind for p in store.pending.queued()] == ["marriage", "fund_account"]


async def test_client_for_store_uses_the_store_and_the_embedded_sandbox(store: Store) -> None:
    case = store.cases.create(actor="clerk01")
    settings = Settings(data_dir=store.path.parent)
    async with client_for_store(settings, store, operator_id="clerk01", transport=make_transport()) as client:
        result = await client.lookup(request(case.id))
    assert result.outcome is VerificationOutcome.MATCH
    assert result.subject_hash == store.keys.subject_hash(request(case.id).fingerprint())
    assert [r.request_id for r in store.records.verifications(case.id)] == [result.request_id]


# -- migration ----------------------------------------------------------------------------------------------------


def test_migration_from_v2_adds_the_pending_queue(tmp_path: Path, clock: Clock) -> None:
    db_path, key_path = tmp_path / "counter.db", tmp_path / "store.key"
    # A store as the previous program version left it: schema 2, a key, one case.
    db = Database.open(db_path, supported_version=LATEST_VERSION)
    keys = KeyRing(create_key_file(key_path))
    assert migrate(db, target=2) == [1, 2]
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [KEY_CHECK, keys.check_value()])
    old = Store(
        db,
        keys,
        workstation_id="QD01",
        clock=clock,
        max_failed_logins=5,
        lockout=timedelta(minutes=15),
        verification_ttl=timedelta(hours=4),
        scrypt_n=2**4,
    )
    case = old.cases.create(actor="clerk01", payload={"note": "v2"})
    assert old.schema_version() == 2
    tables = {r[0] for r in db.conn.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "pending_lookups" not in tables
    old.close()

    with Store.open(db_path, key_path, workstation_id="QD01", create_key=False, clock=clock) as store:
        assert store.schema_version() == LATEST_VERSION >= 3  # v3 adds the queue; later versions may follow
        assert store.cases.get(case.id).payload == {"note": "v2"}
        entry = store.pending.queue(case.id, "identity", '{"x": 1}', "req-1")
        assert entry.state == "queued" and entry.attempts == 0 and entry.request_json == '{"x": 1}'
        assert store.pending.done("req-1") and not store.pending.done("req-1")
        assert store.integrity_check() == ["ok"]

"""The registries' data contract (forms.registry_data): the sandbox keeps it for every household and kind, the
client turns an answer that breaks it into ``unavailable`` (``bad_data``), and docs/protocol.md lists every field.

A renamed field in the sandbox (``fund_loans_open`` -> ``count``) fails the first test here; before the contract it
passed every test and read as "no open loan"."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter_app.services.gateway import LookupRequest, MemorySink
from counter_app.services.sandbox import Household, Sandbox, default_index, load_roster, make_transport
from counter_app.services.sandbox.registries import Registries
from forms.registry_data import (
    DATA_MODELS,
    CreditData,
    FundLoan,
    LoanHistoryData,
    RegistryDataError,
    parse_data,
)
from forms.vocabulary import VerificationKind, VerificationOutcome
from tests.gateway_helpers import NOW, T01, FakeSleep, make_client, make_sandbox

ROSTER = load_roster()
K = VerificationKind
DEFINITIVE = (VerificationOutcome.MATCH, VerificationOutcome.MISMATCH)

# -- the sandbox keeps the contract -------------------------------------------------------------------------------


def _asks(household: Household) -> Iterator[tuple[str, str, VerificationKind, dict[str, Any]]]:
    """Every (name, ID, kind, params) worth asking about a household: each person, each kind, each of the
    household's records, plus inputs that provoke a mismatch (wrong name, declarations the registry contradicts)."""
    inputs = household.inputs
    spouse = inputs.spouse.id_number if inputs.spouse else None
    for person in household.people:
        who = (person.name, person.id_number)
        yield (*who, K.IDENTITY, {})
        yield ("错名字", person.id_number, K.IDENTITY, {})
        for status in ("unmarried", "married", "divorced", "widowed"):
            yield (*who, K.MARRIAGE, {"declared_status": status, "spouse_id_number": spouse})
        yield (*who, K.MARRIAGE, {})
        for multi in (None, True, False):
            yield (*who, K.CHILDREN, {} if multi is None else {"declared_multi_child": multi})
        account = person.fund_account.account_no if person.fund_account else None
        for wanted in (None, account, "370299999999"):
            yield (*who, K.FUND_ACCOUNT, {"account_no": wanted} if wanted else {})
        yield (*who, K.LOAN_HISTORY, {})
        yield (*who, K.CREDIT, {})
        for contract in household.contracts:
            yield (*who, K.CONTRACT, {"contract_no": contract.contract_no})
            yield (*who, K.TAX, {"contract_no": contract.contract_no})
            yield (*who, K.PROPERTY, {"contract_no": contract.contract_no})
        for record in household.properties:
            yield (*who, K.PROPERTY, {"cert_no": record.cert_no})
        for card in household.bank_cards:
            yield (*who, K.BANK_CARD, {"card_no": card.card_no})


def test_every_sandbox_answer_keeps_the_contract() -> None:
    registries = Registries(default_index(), today=lambda: NOW.date())
    seen: set[tuple[VerificationKind, VerificationOutcome]] = set()
    checked = 0
    for household in ROSTER.households:
        for name, id_number, kind, params in _asks(household):
            outcome, data = registries.answer(kind, name, id_number, params)
            if outcome not in DEFINITIVE:
                continue
            # Through JSON, as the gateway sends it: Decimals and dates travel as text.
            wire = json.loads(json.dumps(data, ensure_ascii=False))
            try:
                parse_data(kind, wire, outcome=outcome)
            except RegistryDataError as exc:
                pytest.fail(f"{household.code} {kind.value} {outcome.value}: {exc}")
            seen.add((kind, outcome))
            checked += 1
    assert checked > 300  # a sanity floor: the roster gives about 400 definitive answers
    # Every kind's match, and every mismatch the sandbox can give, went through the contract.
    assert {kind for kind, outcome in seen if outcome is VerificationOutcome.MATCH} == set(K)
    mismatching = set(K) - {K.LOAN_HISTORY, K.CREDIT}  # these two registries never disagree
    assert {kind for kind, outcome in seen if outcome is VerificationOutcome.MISMATCH} == mismatching


def test_the_credit_registry_answers_the_last_24_months() -> None:
    registries = Registries(default_index(), today=lambda: NOW.date())
    t10 = ROSTER.household("T10").inputs.applicant
    _, data = registries.answer(K.CREDIT, t10.name, t10.id_number, {})
    credit = parse_data(K.CREDIT, data, outcome=VerificationOutcome.MATCH)
    assert isinstance(credit, CreditData)
    assert (credit.overdue_months_24, credit.overdue_max_consecutive_24) == (4, 3)
    _, clean = registries.answer(K.CREDIT, T01.name, T01.id_number, {})
    assert (clean["overdue_months_24"], clean["overdue_max_consecutive_24"]) == (0, 0)  # the defaults


def test_a_renamed_field_breaks_the_contract() -> None:
    registries = Registries(default_index(), today=lambda: NOW.date())
    _, data = registries.answer(K.LOAN_HISTORY, T01.name, T01.id_number, {})
    renamed = {("count" if key == "fund_loans_open" else key): value for key, value in data.items()}
    with pytest.raises(RegistryDataError) as caught:
        parse_data(K.LOAN_HISTORY, renamed)
    assert caught.value.missing == ("fund_loans_open",)
    assert str(caught.value) == "贷款次数核验返回的数据不符合约定（缺少 fund_loans_open）"


def test_parsed_values_are_typed() -> None:
    data = {
        "fund_loans_total": 2,
        "fund_loans_open": 1,
        "loans": [
            {"loan_no": "GJJ1", "status": "open", "amount": "300000.00"},
            {"loan_no": "GJJ2", "status": "closed", "amount": 5},
        ],
        "added_by_registry": "kept out",
    }
    parsed = parse_data(K.LOAN_HISTORY, data)
    assert isinstance(parsed, LoanHistoryData)
    assert parsed.loans[0] == FundLoan(loan_no="GJJ1", status="open", amount=Decimal("300000.00"))
    assert parsed.loans[1].amount == Decimal(5)
    tax = parse_data(
        K.TAX,
        {
            "contract_no": "C1",
            "declared": True,
            "deed_tax_paid": True,
            "deed_tax_amount": "1.5",
            "paid_on": "2026-03-01",
        },
    )
    assert tax.paid_on == date(2026, 3, 1)  # type: ignore[attr-defined]


_CREDIT = {"overdue_count": 0, "current_overdue": False, "max_overdue_months": 0, "open_loans": 0, "summary": ""}
_TAX = {"contract_no": "C1", "declared": True, "deed_tax_paid": True, "deed_tax_amount": "12.30"}
_PROPERTY = {"cert_no": "X", "kind": "title", "address": "a", "area_m2": "90", "registered_on": "2026-01-01"}


@pytest.mark.parametrize(
    ("kind", "data", "outcome", "fields"),
    [
        (K.LOAN_HISTORY, {"fund_loans_total": "2", "fund_loans_open": 0, "loans": []}, None, "fund_loans_total"),
        (K.LOAN_HISTORY, {"fund_loans_total": 1, "fund_loans_open": 2, "loans": []}, None, "fund_loans_open 大于"),
        (K.CREDIT, {**_CREDIT, "current_overdue": 0}, None, "current_overdue"),
        (K.CREDIT, {**_CREDIT, "overdue_months_24": 25}, None, "overdue_months_24"),
        (K.TAX, {**_TAX, "deed_tax_amount": 12.3}, None, "deed_tax_amount"),
        (K.TAX, {**_TAX, "deed_tax_amount": "-1"}, None, "deed_tax_amount"),
        (K.PROPERTY, {**_PROPERTY, "owners": [], "registered_on": 1767225600}, None, "registered_on"),
        (K.PROPERTY, _PROPERTY, None, "缺少 owners"),
        (K.IDENTITY, {"household_status": "normal"}, VerificationOutcome.MATCH, "缺少 name、id_number_masked"),
        (K.BANK_CARD, {"card_no_masked": "6222****0001", "bank": "工行"}, VerificationOutcome.MISMATCH, "缺少 reason"),
    ],
)
def test_wrong_types_and_missing_fields_are_named(
    kind: VerificationKind, data: dict[str, Any], outcome: VerificationOutcome | None, fields: str
) -> None:
    with pytest.raises(RegistryDataError) as caught:
        parse_data(kind, data, outcome=outcome)
    assert fields in str(caught.value)


def test_an_identity_mismatch_may_withhold_the_name() -> None:
    data = {"household_status": "normal", "reason": "姓名与身份证号登记信息不一致", "registered_name_masked": "王*国"}
    assert parse_data(K.IDENTITY, data, outcome=VerificationOutcome.MISMATCH).reason  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="not_found"):
        parse_data(K.IDENTITY, data, outcome=VerificationOutcome.NOT_FOUND)


# -- the client refuses data that breaks the contract ---------------------------------------------------------------


class _Tampering(httpx.AsyncBaseTransport):
    """The sandbox's answers, with ``data`` changed on the way back: a registry that broke its contract."""

    def __init__(self, sandbox: Sandbox, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.inner = make_transport(sandbox)
        self.change = change

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = json.loads(await response.aread())
        if "data" in body:
            body["data"] = self.change(body["data"])
        return httpx.Response(response.status_code, json=body)


def _loan_history(case_id: str = "CASE-1") -> LookupRequest:
    return LookupRequest(case_id=case_id, kind=K.LOAN_HISTORY, subject=T01)


def _drop(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: {key: value for key, value in data.items() if key != name}


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: {(new if key == old else key): value for key, value in data.items()}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_drop("fund_loans_open"), "缺少 fund_loans_open"),
        (_rename("fund_loans_open", "count"), "缺少 fund_loans_open"),
        (lambda data: {**data, "fund_loans_total": "一笔"}, "类型或取值不对：fund_loans_total"),
        (lambda data: {**data, "loans": [{"loan_no": "L1", "status": "open", "amount": 1.1}]}, "loans[0].amount"),
    ],
    ids=["missing", "renamed", "wrong-type", "float-money"],
)
async def test_bad_data_makes_the_lookup_unavailable(
    change: Callable[[dict[str, Any]], dict[str, Any]], named: str
) -> None:
    sandbox = make_sandbox()
    sink = MemorySink()
    sleep = FakeSleep()
    async with make_client(transport=_Tampering(sandbox, change), sink=sink, sleep=sleep) as client:
        result = await client.lookup(_loan_history())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "bad_data"
    assert result.problem.message.startswith("贷款次数核验返回的数据不符合约定（")
    assert named in result.problem.message
    assert result.problem.message.endswith("请稍后重试或联系网关管理员")
    assert result.data == {}  # nothing of the broken answer reaches the form
    assert result.attempts == 1 and sleep.delays == []  # the same request id would get the same answer: no retry
    assert sink.results[result.request_id].outcome is VerificationOutcome.UNAVAILABLE


async def test_bad_data_from_a_scripted_gateway_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        answer = {
            "request_id": request.headers["X-Request-Id"],
            "kind": "credit",
            "outcome": "match",
            "data": {"overdue_count": "0", "current_overdue": False, "summary": "无逾期"},
            "source": "征信（测试）",
            "checked_at": NOW.isoformat(),
        }
        return httpx.Response(200, json=answer)

    request = LookupRequest(case_id="CASE-1", kind=K.CREDIT, subject=T01, authorization_id="SQ-1")
    async with make_client(transport=httpx.MockTransport(handler)) as client:
        result = await client.lookup(request)
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "bad_data"
    assert "缺少 max_overdue_months、open_loans" in result.problem.message
    assert "overdue_count" in result.problem.message


async def test_not_found_keeps_its_free_data_and_good_data_is_stored_as_sent() -> None:
    sandbox = make_sandbox()
    stranger = T01.model_copy(update={"id_number": "110101199003077777"})
    async with make_client(sandbox) as client:
        missing = await client.lookup(LookupRequest(case_id="CASE-1", kind=K.LOAN_HISTORY, subject=stranger))
        found = await client.lookup(_loan_history("CASE-2"))
    assert missing.outcome is VerificationOutcome.NOT_FOUND and missing.problem is None
    assert missing.data == {"reason": "贷款系统中无此人记录"}
    assert found.outcome is VerificationOutcome.MATCH
    # The JSON the registry sent, not the parsed model: saved cases read the same whatever the models become.
    assert isinstance(found.data["fund_loans_total"], int) and isinstance(found.data["loans"], list)
    assert all(not isinstance(value, Decimal) for value in found.data.values())


# -- docs/protocol.md lists every field ---------------------------------------------------------------------------


def _required(model: type[Any], name: str) -> str:
    if name in model.match_only:
        return "match only"
    if name == "reason":
        return "mismatch only"
    return "yes" if model.model_fields[name].is_required() else "no"


def test_protocol_page_documents_every_field() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = page.split("## Registry data by kind", 1)[1].split("\n## ", 1)[0]
    assert "`reason` (string, required in a mismatch)" in section
    for kind, model in DATA_MODELS.items():
        part = section.split(f"### `{kind.value}` — `{model.__name__}`", 1)
        assert len(part) == 2, f"no table for {kind.value}"
        table = part[1].split("\n### ", 1)[0]
        rows = {
            m[0]: (m[1], m[2]) for m in re.findall(r"^\| `([^`]+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|$", table, re.M)
        }
        expected = {name: (_required(model, name), field.description) for name, field in model.model_fields.items()}
        expected.pop("reason")  # common to every kind: documented once above the tables
        if model is LoanHistoryData:
            expected |= {f"loans[].{n}": ("yes", f.description) for n, f in FundLoan.model_fields.items()}
        got = {name: (required.strip(), meaning.strip()) for name, (required, meaning) in rows.items()}
        assert got == expected, kind.value

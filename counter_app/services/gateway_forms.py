"""From the form to lookups, and from results back to the form.

:func:`inputs_from_application` and :func:`plan_lookups` turn a filled Application into the requests of a case;
:func:`backfill_application` writes matched registry values into the Application through ``Application.backfill``
(re-validated there), and :func:`outcomes_by_kind` gives forms.materials the outcomes that decide exemptions (免提交).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from counter_app.services.gateway_models import LookupRequest, Subject, VerificationResult
from forms.application import Application, FundAccountStatus
from forms.scenario import Scenario
from forms.vocabulary import FieldSource, MaritalStatus, PropertyKind, VerificationKind, VerificationOutcome

__all__ = [
    "LookupInputs",
    "backfill_application",
    "backfill_values",
    "inputs_from_application",
    "outcomes_by_kind",
    "plan_lookups",
]


class LookupInputs(BaseModel):
    """What the lookups of a case need from the form (built by :func:`inputs_from_application`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant: Subject
    spouse: Subject | None = None
    declared_marital_status: MaritalStatus = MaritalStatus.UNMARRIED
    declared_multi_child: bool | None = None
    fund_account_no: str | None = None
    contract_no: str | None = None
    cert_no: str | None = None
    card_no: str | None = None
    authorization_id: str | None = None


def inputs_from_application(application: Application) -> LookupInputs:
    """The lookup inputs of a filled form; raises ValueError (Chinese) when the applicant is incomplete."""
    applicant = application.applicant
    if not applicant.name or not applicant.id_number:
        raise ValueError("申请人：核验前须填写姓名和身份证号码")
    spouse = application.spouse
    house = application.property
    auth = application.credit_authorization
    cert = getattr(house, "title_certificate", None) if house is not None else None
    return LookupInputs(
        applicant=Subject(name=applicant.name, id_number=applicant.id_number),
        spouse=Subject(name=spouse.name, id_number=spouse.id_number)
        if spouse is not None and spouse.name and spouse.id_number
        else None,
        declared_marital_status=application.scenario.marital_status,
        fund_account_no=application.fund_account.account_number if application.fund_account else None,
        contract_no=house.contract_number if house is not None else None,
        cert_no=cert,
        card_no=application.repayment_account.card_number if application.repayment_account else None,
        # Only a recorded authorization counts: a reference typed without the signature does not.
        authorization_id=auth.reference if auth is not None and auth.recorded is True else None,
    )


def plan_lookups(case_id: str, scenario: Scenario, inputs: LookupInputs) -> list[LookupRequest]:
    """One request per lookup the scenario needs, about the applicant, with the parameters each registry takes."""
    params: dict[VerificationKind, dict[str, Any]] = {
        VerificationKind.MARRIAGE: {"declared_status": inputs.declared_marital_status.value}
        | ({"spouse_id_number": inputs.spouse.id_number} if inputs.spouse else {}),
        VerificationKind.CHILDREN: {"declared_multi_child": inputs.declared_multi_child}
        if inputs.declared_multi_child is not None
        else {},
        VerificationKind.FUND_ACCOUNT: {"account_no": inputs.fund_account_no} if inputs.fund_account_no else {},
        VerificationKind.CONTRACT: {"contract_no": inputs.contract_no or ""},
        VerificationKind.TAX: {"contract_no": inputs.contract_no or ""},
        VerificationKind.BANK_CARD: {"card_no": inputs.card_no or ""},
        VerificationKind.PROPERTY: {"cert_no": inputs.cert_no}
        if scenario.property_kind is PropertyKind.RESALE and inputs.cert_no
        else {"contract_no": inputs.contract_no or ""},
    }
    return [
        LookupRequest(
            case_id=case_id,
            kind=kind,
            subject=inputs.applicant,
            params=params.get(kind, {}),
            authorization_id=inputs.authorization_id if kind is VerificationKind.CREDIT else None,
        )
        for kind in scenario.verifications()
    ]


def outcomes_by_kind(results: Iterable[VerificationResult]) -> dict[VerificationKind, VerificationOutcome]:
    """The outcome per kind for forms.materials (exemptions); the latest result of a kind wins."""
    ordered = sorted(results, key=lambda r: r.checked_at)
    return {r.kind: r.outcome for r in ordered}


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


_FUND_STATUS = {
    "normal": FundAccountStatus.NORMAL,
    "sealed": FundAccountStatus.SEALED,
    "suspended": FundAccountStatus.SEALED,
    "frozen": FundAccountStatus.FROZEN,
    "closed": FundAccountStatus.CLOSED,
}


# Every form path a lookup of each kind can backfill (what backfill_values below may put): while one is running, Enter
# passes these fields when empty, since the registry is about to fill them (screens/case_enter.py).
BACKFILL_PATHS: dict[VerificationKind, frozenset[str]] = {
    VerificationKind.FUND_ACCOUNT: frozenset(
        f"fund_account.{name}"
        for name in (
            "account_number",
            "status",
            "balance",
            "contribution_base",
            "monthly_deposit",
            "consecutive_months",
            "opened_on",
        )
    )
    | {"employer.name"},
    VerificationKind.CONTRACT: frozenset(
        f"property.{name}"
        for name in (
            "contract_number",
            "location",
            "area",
            "total_price",
            "contract_amount",
            "presale_permit",
            "developer",
            "seller_name",
            "seller_id_number",
        )
    ),
    VerificationKind.PROPERTY: frozenset({"property.title_certificate", "property.completion_year"}),
    VerificationKind.BANK_CARD: frozenset({"repayment_account.bank"}),
}


def backfill_values(result: VerificationResult, property_kind: PropertyKind) -> list[tuple[str, Any]]:
    """Form paths and values a matched lookup supplies (数据回填); nothing for any other outcome."""
    if result.outcome is not VerificationOutcome.MATCH:
        return []
    data = result.data
    values: list[tuple[str, Any]] = []

    def put(path: str, value: Any) -> None:
        if value not in (None, ""):
            values.append((path, value))

    if result.kind is VerificationKind.FUND_ACCOUNT:
        put("fund_account.account_number", data.get("account_no"))
        put("fund_account.status", _FUND_STATUS.get(str(data.get("status"))))
        put("fund_account.balance", _money(data.get("balance")))
        put("fund_account.contribution_base", _money(data.get("contribution_base")))
        put("fund_account.monthly_deposit", _money(data.get("monthly_deposit")))
        put("fund_account.consecutive_months", data.get("consecutive_months"))
        opened = data.get("opened_on")
        with contextlib.suppress(TypeError, ValueError):
            put("fund_account.opened_on", date.fromisoformat(str(opened)) if opened else None)
        put("employer.name", data.get("unit_name"))
    elif result.kind is VerificationKind.CONTRACT:
        put("property.contract_number", data.get("contract_no"))
        put("property.location", data.get("address"))
        put("property.area", _money(data.get("area_m2")))
        put("property.total_price", _money(data.get("total_price")))
        put("property.contract_amount", _money(data.get("total_price")))
        if property_kind is PropertyKind.NEW:
            put("property.presale_permit", data.get("pre_sale_permit"))
            put("property.developer", data.get("seller_name"))
        else:
            sellers = data.get("seller_ids")
            if isinstance(sellers, list) and len(sellers) == 1:
                # One seller: the form's seller fields take the filing's party (several sellers are typed).
                put("property.seller_name", data.get("seller_name"))
                put("property.seller_id_number", sellers[0])
    elif result.kind is VerificationKind.PROPERTY and property_kind is PropertyKind.RESALE:
        put("property.title_certificate", data.get("cert_no"))
        put("property.completion_year", data.get("built_year"))
    elif result.kind is VerificationKind.BANK_CARD:
        put("repayment_account.bank", data.get("bank"))
    return values


def backfill_application(
    application: Application, results: Iterable[VerificationResult], *, today: date | None = None
) -> tuple[Application, list[str]]:
    """Write every matched value into the form through ``Application.backfill`` (re-validated there).

    A value the form refuses is skipped and named in the returned notes (Chinese); the rest still goes in.
    """
    notes: list[str] = []
    kind = application.scenario.property_kind
    for result in results:
        for path, value in backfill_values(result, kind):
            if application.source_of(path) is FieldSource.OVERRIDDEN:
                continue  # the clerk changed the registry's value on purpose, with a reason: it stands
            try:
                application = application.backfill(path, value, FieldSource.VERIFIED, today=today)
            except (ValidationError, ValueError):
                notes.append(f"{result.label}返回的“{path}”未通过表单校验，未回填，请人工核对")
    return application, notes

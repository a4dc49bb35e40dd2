"""The merged application form (一表申请) as a pydantic model, with its acceptance checks.

Three layers of checking, kept apart on purpose:

1. Per-field format (pydantic, on creation *and* on assignment — ``validate_assignment=True``): ID numbers
   (length, characters, birth date, check character, region), mobiles, bank-card and USCC shape, money (Decimal,
   2 places ROUND_HALF_UP, never negative, parsed by forms.money), annual rates in percent (``2.6`` or ``2.6%``
   is 2.6 %, as in forms.loan), dates not in the future. Every message is Chinese and starts with the field's
   label (``"身份证号码：校验位错误，应为 X（输入为 1），请核对证件后重新输入"``); ``issues_from_error`` turns a
   ``ValidationError`` into :class:`Issue` rows with the full label (``"申请人身份证号码"``).
2. Drafts: almost every field is optional, so a half-filled form loads and saves (JSON round trip is lossless).
3. Acceptance: :meth:`Application.check` runs completeness and cross-field rules for a given ``today`` and
   returns errors and warnings (Luhn and USCC check characters are warnings only, DOMAIN.md).

"Today" is injectable everywhere: ``Application.model_validate(data, context={"today": d})``, the
:func:`frozen_today` context manager (the only way to reach validators run by attribute assignment), or the
``check(today)`` parameter. Only when neither is given does a validator fall back to the wall clock.

Where values come from: every field declares its label and its static source (``typed`` or ``derived``) in
``json_schema_extra`` (see :func:`field`, :func:`field_label`, :func:`field_source`). Values a registry returned
are recorded per application in ``sources`` (dotted path -> :class:`FieldSource`), always through
:meth:`Application.backfill`, which returns a *new*, fully re-validated application and leaves the old one
untouched (atomic: a registry answer that fails validation changes nothing).

Modules, each importing only those above it: ``_types`` (field types, validators, ``frozen_today``), ``_base``
(the labelled base model, ``field``), ``issues`` (``Issue``, ``Severity``), ``people``, ``property``,
``loan_parts`` (the sections), ``model`` (``Application``, ``label_for``, ``issues_from_error``).
"""

from __future__ import annotations

from forms.application._base import field, field_label, field_source
from forms.application._types import frozen_today
from forms.application.issues import Issue, Severity
from forms.application.loan_parts import BankLoan, CreditAuthorization, FundLoan, RepaymentAccount
from forms.application.model import Application, issues_from_error, label_for
from forms.application.people import (
    CO_BORROWER_RELATION_LABELS,
    FUND_ACCOUNT_STATUS_LABELS,
    Agent,
    Applicant,
    CoBorrower,
    CoBorrowerRelation,
    Employer,
    FundAccount,
    FundAccountStatus,
    Person,
    Spouse,
)
from forms.application.property import NewHouse, PropertyDetails, ResaleHouse

__all__ = [
    "CO_BORROWER_RELATION_LABELS",
    "FUND_ACCOUNT_STATUS_LABELS",
    "Agent",
    "Applicant",
    "Application",
    "BankLoan",
    "CoBorrower",
    "CoBorrowerRelation",
    "CreditAuthorization",
    "Employer",
    "FundAccount",
    "FundAccountStatus",
    "FundLoan",
    "Issue",
    "NewHouse",
    "Person",
    "PropertyDetails",
    "RepaymentAccount",
    "ResaleHouse",
    "Severity",
    "Spouse",
    "field",
    "field_label",
    "field_source",
    "frozen_today",
    "issues_from_error",
    "label_for",
]

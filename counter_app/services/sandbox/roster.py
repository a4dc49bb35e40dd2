"""The sandbox roster: fictitious households (测试件) kept in ``roster.json`` next to this module.

Every household is one test case a trainer can hand out: the people and registry records behind it, the scenario
to choose at the window, what to type (``inputs``) and what each lookup must answer (``expected`` outcomes and a
few ``expected_data`` fields). The registries of the sandbox answer from the union of all households, indexed by
ID number, contract number, certificate number and card number. docs/sandbox.md lists the roster for trainers.

All data is invented; the ID numbers only satisfy GB 11643's check character.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forms.vocabulary import (
    LoanKind,
    MaritalStatus,
    Presence,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)

ROSTER_FILE = "roster.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FundAccountRecord(_Frozen):
    account_no: str
    status: Literal["normal", "sealed", "frozen", "closed"]
    # Relative to the sandbox's today, so "younger than 6 months" stays true whenever the sandbox runs.
    opened_months_ago: int = Field(ge=0)
    balance: Decimal
    contribution_base: Decimal
    monthly_deposit: Decimal
    unit_name: str


class FundLoanRecord(_Frozen):
    loan_no: str
    status: Literal["open", "closed"]
    amount: Decimal


class CreditRecord(_Frozen):
    overdue_count: int = 0
    current_overdue: bool = False
    max_overdue_months: int = 0
    open_loans: int = 0
    summary: str = ""
    # The last 24 months of the report's repayment record: months with an overdue, and the longest run of them.
    # Defaults of 0 keep the households without overdues answering as before.
    overdue_months_24: int = Field(0, ge=0, le=24)
    overdue_max_consecutive_24: int = Field(0, ge=0, le=24)

    @model_validator(mode="after")
    def _runs_fit(self) -> CreditRecord:
        # A run longer than the months it is made of would be a typo in roster.json.
        if self.overdue_max_consecutive_24 > self.overdue_months_24:
            raise ValueError("overdue_max_consecutive_24 exceeds overdue_months_24")
        return self


class PersonRecord(_Frozen):
    id_number: str
    name: str
    role: Literal["applicant", "spouse", "seller", "relative", "agent"] = "applicant"
    household_status: Literal["normal", "cancelled"] = "normal"
    marital_status: MaritalStatus = MaritalStatus.UNMARRIED
    marriage_registered_on: date | None = None
    spouse_id_number: str | None = None
    children_count: int = 0
    fund_account: FundAccountRecord | None = None
    fund_loans: list[FundLoanRecord] = Field(default_factory=list)
    credit: CreditRecord = CreditRecord()


class ContractRecord(_Frozen):
    contract_no: str
    property_kind: PropertyKind
    filed: bool
    filed_on: date | None = None
    buyer_ids: list[str]
    seller_ids: list[str] = Field(default_factory=list)
    seller_name: str | None = None
    address: str
    area_m2: Decimal
    total_price: Decimal
    pre_sale_permit: str | None = None


class PropertyRecord(_Frozen):
    cert_no: str
    kind: Literal["pre_registration", "title"]
    contract_no: str | None = None
    owner_ids: list[str]
    address: str
    area_m2: Decimal
    registered_on: date
    built_year: int | None = None


class TaxRecord(_Frozen):
    contract_no: str
    declared: bool
    deed_tax_paid: bool
    deed_tax_amount: Decimal
    paid_on: date | None = None


class BankCardRecord(_Frozen):
    card_no: str
    holder_id_number: str
    bank: str


class ScenarioSpec(_Frozen):
    """The scenario a trainer chooses at the window (same fields as forms.scenario.Scenario)."""

    property_kind: PropertyKind = PropertyKind.NEW
    loan_kind: LoanKind = LoanKind.FUND
    presence: Presence = Presence.SELF
    marital_status: MaritalStatus = MaritalStatus.UNMARRIED
    co_borrower_count: int = 0


class SubjectInput(_Frozen):
    name: str
    id_number: str


class TrainerInputs(_Frozen):
    """What the trainer types at the window for this test case (validated by the client's LookupInputs)."""

    applicant: SubjectInput
    spouse: SubjectInput | None = None
    declared_marital_status: MaritalStatus = MaritalStatus.UNMARRIED
    declared_multi_child: bool | None = None
    fund_account_no: str | None = None
    contract_no: str | None = None
    cert_no: str | None = None
    card_no: str | None = None
    authorization_id: str | None = None


class TrialInputs(_Frozen):
    """What else the trainee types for ``counter trial``: co-borrowers, and the loan asked for (blank: the most the
    rules allow, at most 70% of the price)."""

    co_borrowers: list[SubjectInput] = Field(default_factory=list)
    loan_amount: Decimal | None = None
    loan_months: int | None = None
    bank_loan_amount: Decimal | None = None


class Household(_Frozen):
    """One test case (测试件)."""

    code: str = Field(pattern=r"^T\d{2}$")
    title: str
    description: str
    scenario: ScenarioSpec
    people: list[PersonRecord]
    contracts: list[ContractRecord] = Field(default_factory=list)
    properties: list[PropertyRecord] = Field(default_factory=list)
    taxes: list[TaxRecord] = Field(default_factory=list)
    bank_cards: list[BankCardRecord] = Field(default_factory=list)
    inputs: TrainerInputs
    trial: TrialInputs = TrialInputs()
    expected: dict[VerificationKind, VerificationOutcome]
    expected_data: dict[VerificationKind, dict[str, Any]] = Field(default_factory=dict)
    trainer_note: str = ""
    # ``counter trial``: the materials the applicant does not bring (left 未提交) or will bring later (容缺) …
    lacking: list[str] = Field(default_factory=list)
    waive: list[str] = Field(default_factory=list)
    # … and what the counter must judge (docs/sandbox.md lists them; tests/test_trial.py asserts them).
    expected_verdict: Literal["auto", "manual", "refuse"] | None = None
    expected_flags: list[str] = Field(default_factory=list)
    expected_decision: Literal["受理", "不予受理"] | None = None


class Roster(_Frozen):
    version: int
    note: str = ""
    households: list[Household]

    def household(self, code: str) -> Household:
        for household in self.households:
            if household.code == code:
                return household
        raise KeyError(code)


class RosterIndex:
    """Lookups across all households, as the registries see them."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.people: dict[str, PersonRecord] = {}
        self.contracts: dict[str, ContractRecord] = {}
        self.properties: dict[str, PropertyRecord] = {}
        self.taxes: dict[str, TaxRecord] = {}
        self.cards: dict[str, BankCardRecord] = {}
        for household in roster.households:
            for person in household.people:
                self._put(self.people, person.id_number, person, household.code)
            for contract in household.contracts:
                self._put(self.contracts, contract.contract_no, contract, household.code)
            for record in household.properties:
                self._put(self.properties, record.cert_no, record, household.code)
            for tax in household.taxes:
                self._put(self.taxes, tax.contract_no, tax, household.code)
            for card in household.bank_cards:
                self._put(self.cards, card.card_no, card, household.code)

    @staticmethod
    def _put(table: dict[str, Any], key: str, value: Any, code: str) -> None:
        # Duplicate keys across households would make a test case answer from another one's records.
        if key in table:
            raise ValueError(f"roster: duplicate key {key!r} in household {code}")
        table[key] = value

    def property_for_contract(self, contract_no: str) -> PropertyRecord | None:
        return next((p for p in self.properties.values() if p.contract_no == contract_no), None)


def load_roster(text: str | None = None) -> Roster:
    """Parse the packaged roster (or ``text``, for tests)."""
    if text is None:
        text = resources.files(__package__).joinpath(ROSTER_FILE).read_text(encoding="utf-8")
    return Roster.model_validate(json.loads(text))


@cache
def default_index() -> RosterIndex:
    """The packaged roster, parsed and indexed once per process."""
    return RosterIndex(load_roster())

"""The household is the unit (借款人家庭): who is on a case, what the registries said about each, who borrows.

The applicant's figures come from the form (backfilled by the applicant's own lookups); the spouse's and each
co-borrower's from their own lookups. Whether the spouse and the co-borrowers count towards the limit, and when
the couple cap applies, is pack data (``loan.toml`` ``[household]``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from forms.case.record import CaseFile, LookupRecord
from forms.identifiers import Sex
from forms.loan import Borrower
from forms.materials import Whose
from forms.policy import PolicyPack
from forms.vocabulary import MaritalStatus, VerificationKind, VerificationOutcome

# What is looked up about the spouse and each co-borrower (the applicant's lookups are the scenario's).
MEMBER_KINDS = (
    VerificationKind.IDENTITY,
    VerificationKind.FUND_ACCOUNT,
    VerificationKind.LOAN_HISTORY,
    VerificationKind.CREDIT,
)


@dataclass(frozen=True)
class Member:
    """One person of the household on this case."""

    who: Whose
    position: int
    name: str | None
    id_number: str | None
    birth_date: date | None
    sex: Sex | None

    @property
    def label(self) -> str:
        return member_label(self.who, self.position)


def member_label(who: Whose, position: int = 0) -> str:
    if who is Whose.APPLICANT:
        return "申请人"
    if who is Whose.SPOUSE:
        return "配偶"
    if who is Whose.CO_BORROWER:
        return f"共同借款人{position + 1}"
    if who is Whose.AGENT:
        return "代办人"
    return "本件"


def members(case: CaseFile) -> list[Member]:
    """The applicant, the spouse (when married) and every co-borrower, in that order."""
    app = case.application
    found = [
        Member(
            Whose.APPLICANT,
            0,
            app.applicant.name,
            app.applicant.id_number,
            app.applicant.birth_date,
            app.applicant.sex,
        )
    ]
    spouse = app.spouse
    if app.scenario.marital_status is MaritalStatus.MARRIED and spouse is not None:
        found.append(Member(Whose.SPOUSE, 0, spouse.name, spouse.id_number, spouse.birth_date, spouse.sex))
    for index, co in enumerate(app.co_borrowers or []):
        found.append(Member(Whose.CO_BORROWER, index, co.name, co.id_number, co.birth_date, co.sex))
    return found


def answer(case: CaseFile, member: Member, kind: VerificationKind) -> LookupRecord | None:
    return case.lookup(kind, member.who, member.position)


def number(record: LookupRecord | None, key: str) -> Decimal | None:
    """A figure of a matched answer (money, months, counts), or None when absent or not a number."""
    if record is None or record.outcome is not VerificationOutcome.MATCH:
        return None
    value = record.data.get(key)
    if value is None or isinstance(value, bool | list | dict):
        return None
    with contextlib.suppress(InvalidOperation, ValueError):
        return Decimal(str(value))
    return None


def fund_status(record: LookupRecord | None) -> str | None:
    if record is None or record.outcome is not VerificationOutcome.MATCH:
        return None
    status = record.data.get("status")
    return str(status) if status is not None else None


def _age(member: Member, today: date) -> int | None:
    if member.birth_date is None:
        return None
    years = today.year - member.birth_date.year
    if (today.month, today.day) < (member.birth_date.month, member.birth_date.day):
        years -= 1
    return years


def _applicant_borrower(case: CaseFile, today: date) -> Borrower | None:
    applicant = case.application.applicant
    if applicant.birth_date is None or applicant.sex is None:
        return None
    account = case.application.fund_account
    months = 0
    if account is not None:
        if account.consecutive_months is not None:
            months = account.consecutive_months
        elif account.opened_on is not None:
            months = max(0, (today - account.opened_on).days * 12 // 365)
    age = applicant.age_on(today) or 0
    if not 16 <= age <= 100:
        return None
    return Borrower(
        age=age,
        sex=applicant.sex,
        birth_date=applicant.birth_date,
        monthly_base=(account.contribution_base if account else None) or Decimal("0.00"),
        balance=(account.balance if account else None) or Decimal("0.00"),
        account_months=min(months, 1200),
    )


def _member_borrower(case: CaseFile, member: Member, today: date) -> Borrower | None:
    """A spouse or co-borrower from their own fund-account answer; None when it did not match or is not normal."""
    record = answer(case, member, VerificationKind.FUND_ACCOUNT)
    age = _age(member, today)
    if fund_status(record) != "normal" or member.sex is None or age is None or not 16 <= age <= 100:
        return None
    return Borrower(
        age=age,
        sex=member.sex,
        birth_date=member.birth_date,
        monthly_base=number(record, "contribution_base") or Decimal("0.00"),
        balance=number(record, "balance") or Decimal("0.00"),
        account_months=min(int(number(record, "consecutive_months") or 0), 1200),
        label=member.label,
    )


def borrowers(case: CaseFile, policy: PolicyPack, today: date) -> list[Borrower]:
    """The applicant first, then the spouse and co-borrowers who count towards the limit under the pack."""
    main = _applicant_borrower(case, today)
    if main is None:
        return []
    rule = policy.loan.household
    counted = [main]
    for member in members(case)[1:]:
        if rule is None:
            break
        counts = rule.spouse_counts.value if member.who is Whose.SPOUSE else rule.co_borrowers_count.value
        extra = _member_borrower(case, member, today) if counts else None
        if extra is not None and len(counted) < 4:
            counted.append(extra)
    return counted


def couple_cap(case: CaseFile, policy: PolicyPack) -> bool:
    """The couple cap: married, and (where the pack says so) both spouses contributing normally."""
    if case.application.scenario.marital_status is not MaritalStatus.MARRIED:
        return False
    rule = policy.loan.household
    if rule is None or not rule.couple_cap_needs_both_contributing.value:
        return True
    spouse = next((m for m in members(case) if m.who is Whose.SPOUSE), None)
    return spouse is not None and fund_status(answer(case, spouse, VerificationKind.FUND_ACCOUNT)) == "normal"


def household_loans(case: CaseFile) -> tuple[int, int]:
    """(fund loans ever, fund loans outstanding) of the applicant and the spouse: the household's loan count."""
    total = outstanding = 0
    for member in members(case):
        if member.who not in (Whose.APPLICANT, Whose.SPOUSE):
            continue
        record = answer(case, member, VerificationKind.LOAN_HISTORY)
        total += int(number(record, "fund_loans_total") or 0)
        outstanding += int(number(record, "fund_loans_open") or 0)
    return total, outstanding

"""Ages, statutory retirement ages and the maximum term (贷款期限).

The retirement ages are data in the policy pack, because they rise in stages from 2025.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from forms.identifiers import Sex
from forms.loan._common import MONTHS_PER_YEAR
from forms.loan.borrowers import Borrower, _borrower_name
from forms.loan.policy import LoanPolicy
from forms.vocabulary import PropertyKind

# The statutory retirement age depends on the sex derived from the ID number (forms.identifiers.Sex).
SEX_LABELS: dict[Sex, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}


# --------------------------------------------------------------------------------------------------------------
# Ages, retirement, eligibility
# --------------------------------------------------------------------------------------------------------------


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if end is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def retirement_age_months(policy: LoanPolicy, sex: Sex, birth_date: date | None = None) -> int:
    """Statutory retirement age in months, with the staged rise when the birth date is known.

    Without a birth date the base age is used: it is the lower age, so the term and the capacity it gives are
    never longer than the real ones.
    """
    rule = policy.retirement.male if Sex(sex) is Sex.MALE else policy.retirement.female
    base = rule.base_age.value * MONTHS_PER_YEAR
    if birth_date is None:
        return base
    first = rule.first_affected_birth.value
    if (birth_date.year, birth_date.month) < (first.year, first.month):
        return base
    born_after = (birth_date.year - first.year) * 12 + (birth_date.month - first.month)
    max_delay = (rule.target_age.value - rule.base_age.value) * MONTHS_PER_YEAR
    delay = min(max_delay, born_after // max(rule.birth_months_per_step.value, 1) + 1)
    return base + delay


def age_months(borrower: Borrower, as_of: date | None = None) -> int:
    """The borrower's age in months: exact from the birth date when both it and ``as_of`` are known."""
    if borrower.birth_date is not None and as_of is not None:
        return _months_between(borrower.birth_date, as_of)
    return borrower.age * MONTHS_PER_YEAR


def _months_until_retirement_plus(policy: LoanPolicy, borrower: Borrower, extra_years: int, as_of: date | None) -> int:
    limit = retirement_age_months(policy, borrower.sex, borrower.birth_date) + extra_years * MONTHS_PER_YEAR
    return max(0, limit - age_months(borrower, as_of))


# --------------------------------------------------------------------------------------------------------------
# Maximum term
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermBound:
    """One upper bound of the term in months: ``key`` is stable (max_term, age, house_age)."""

    key: str
    label: str
    months: int
    detail: str


@dataclass(frozen=True, slots=True)
class TermLimit:
    """The longest term allowed, every bound shown, the binding one named, and the reason in Chinese."""

    months: int
    bounds: tuple[TermBound, ...]
    binding: TermBound
    reason: str

    @property
    def years(self) -> int:
        """Whole years, for forms that ask for the term in years."""
        return self.months // MONTHS_PER_YEAR


def max_term_months(
    policy: LoanPolicy,
    borrowers: Sequence[Borrower],
    property_kind: PropertyKind = PropertyKind.NEW,
    house_age_years: int | None = None,
    *,
    as_of: date | None = None,
) -> TermLimit:
    """The longest term: ≤ max years; age + term ≤ retirement + N for every borrower; resale: age + term ≤ 50.

    The age rule is applied to every borrower and the shortest result kept: that is the oldest borrower's limit,
    or a younger borrower's where an earlier retirement age makes it shorter.
    """
    if not borrowers:
        raise ValueError("借款人不能为空：至少须有主借款人一人")
    property_kind = PropertyKind(property_kind)
    rule = policy.term
    cap = rule.max_years.value * MONTHS_PER_YEAR
    bounds: list[TermBound] = [TermBound("max_term", "最长贷款期限", cap, f"贷款期限最长 {rule.max_years.value} 年")]

    extra = rule.years_after_retirement.value
    age_limits = [
        (_months_until_retirement_plus(policy, borrower, extra, as_of), index, borrower)
        for index, borrower in enumerate(borrowers)
    ]
    months_left, index, borrower = min(age_limits, key=lambda item: (item[0], item[1]))
    retire = retirement_age_months(policy, borrower.sex, borrower.birth_date)
    retire_text = f"{retire // 12} 岁" + (f" {retire % 12} 个月" if retire % 12 else "")
    bounds.append(
        TermBound(
            "age",
            "借款人年龄",
            months_left,
            f"{_borrower_name(index, borrower)}（{SEX_LABELS[borrower.sex]}，{borrower.age} 岁）年龄 + 贷款期限"
            f" ≤ 法定退休年龄 {retire_text} + {extra} 年",
        )
    )
    if property_kind is PropertyKind.RESALE and house_age_years is not None:
        limit = rule.resale_age_plus_term_max_years.value
        house_months = max(0, (limit - house_age_years) * MONTHS_PER_YEAR)
        bounds.append(
            TermBound("house_age", "房龄", house_months, f"房龄 {house_age_years} 年 + 贷款期限 ≤ {limit} 年")
        )
    binding = min(bounds, key=lambda bound: bound.months)
    months = max(0, min(binding.months, cap))
    if months == 0:
        reason = f"受“{binding.label}”限制，可贷期限为 0，不能办理：{binding.detail}"
    else:
        reason = (
            f"最长可贷 {months} 个月（{months // 12} 年"
            + (f" {months % 12} 个月）" if months % 12 else "）")
            + f"，受“{binding.label}”限制：{binding.detail}"
        )
    if property_kind is PropertyKind.RESALE and house_age_years is None:
        reason += "；再交易住房未填写房龄，尚未按房龄规则核定"
    return TermLimit(months, tuple(bounds), binding, reason)

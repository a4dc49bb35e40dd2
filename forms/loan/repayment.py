"""Repayment tables and summaries (等额本息、等额本金还款计算).

Money is Decimal yuan rounded to the fen; rates are annual percentages as Decimal (``Decimal("2.6")`` means
2.6 % a year); the monthly rate is annual / 12.

Rounding, decided once here so that the screen, the printed form and the CLI agree:

* Repayment tables: every row is rounded to the fen (ROUND_HALF_UP). For equal instalments (等额本息) the monthly
  payment is the formula's M rounded to the fen, each month's interest is the remaining principal × monthly rate
  rounded to the fen, and the last row takes whatever principal remains, so the principal column sums to the loan
  exactly. For equal principal (等额本金) every month repays P/n rounded to the fen, interest is the remaining
  principal × monthly rate rounded to the fen, and the last row again takes the principal that remains.
* Summaries report the formulas' nominal figures, each rounded once to the fen — the figures fund centres'
  calculators publish: the payment M, or the first and last payments P/n + (P − (k−1)·P/n)·r and the monthly fall
  P/n·r; ``total_interest`` M·n − P or P·r·(n+1)/2. Beside them, the ``scheduled_`` figures of the rounded table,
  which is what is actually paid. For 600,000 over 360 months at 2.6 %: equal instalments 2,402.04 a month and
  264,733.78 nominal interest (264,733.47 scheduled); equal principal 2,966.67 first, 1,670.28 last (1,669.08 in
  the table), falling 3.61, 234,650.00 nominal interest and 234,649.55 scheduled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from forms.loan._common import _PRECISION, MONTHS_PER_YEAR, _cent
from forms.money import to_money
from forms.vocabulary import RepaymentMethod

REPAYMENT_METHOD_LABELS: dict[RepaymentMethod, str] = {
    RepaymentMethod.ANNUITY: "等额本息",
    RepaymentMethod.EQUAL_PRINCIPAL: "等额本金",
}


# --------------------------------------------------------------------------------------------------------------
# Repayment
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepaymentRow:
    """One month of a repayment table; every figure in yuan, rounded to the fen."""

    month: int
    payment: Decimal
    principal: Decimal
    interest: Decimal
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class RepaymentSchedule:
    """A full repayment table; ``total_interest`` is the sum of the rounded rows (what is actually paid)."""

    principal: Decimal
    annual_rate: Decimal
    months: int
    method: RepaymentMethod
    rows: tuple[RepaymentRow, ...]

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.rows), Decimal("0.00"))

    @property
    def total_paid(self) -> Decimal:
        return sum((row.payment for row in self.rows), Decimal("0.00"))

    @property
    def total_principal(self) -> Decimal:
        return sum((row.principal for row in self.rows), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class RepaymentSummary:
    """The figures a clerk quotes without the table.

    The plain fields are the formulas' nominal figures rounded once to the fen (what calculators publish and
    what the CLI prints): ``monthly_payment`` is the fixed instalment (等额本息) or the first month's payment
    (等额本金); ``first_payment``/``last_payment`` the first and last months' payments; ``monthly_decrease`` the
    fall per month for equal principal (P/n × r), zero for equal instalments; ``total_interest`` M·n − P or
    P·r·(n+1)/2. The ``scheduled_`` fields come from the table rounded to the fen, which is what is paid.
    """

    principal: Decimal
    annual_rate: Decimal
    months: int
    method: RepaymentMethod
    monthly_payment: Decimal
    first_payment: Decimal
    last_payment: Decimal
    monthly_decrease: Decimal
    total_interest: Decimal
    total_repaid: Decimal
    scheduled_first_payment: Decimal
    scheduled_last_payment: Decimal
    scheduled_total_interest: Decimal
    scheduled_total_repaid: Decimal


def _loan_terms(
    principal: Decimal | int | str, annual_rate_percent: Decimal | int | str, months: int, max_months: int
) -> tuple[Decimal, Decimal, int]:
    amount = to_money(principal, "贷款本金")
    if amount <= 0:
        raise ValueError(f"贷款本金须大于 0 元，收到 {amount}")
    if isinstance(annual_rate_percent, bool):
        raise ValueError("贷款年利率须为数字（百分数），例如 2.6")
    try:
        rate = Decimal(str(annual_rate_percent).strip().removesuffix("%"))
    except InvalidOperation:
        raise ValueError(f"贷款年利率“{annual_rate_percent}”不是有效的数字，请输入百分数，例如 2.6") from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise ValueError(f"贷款年利率须在 0 至 100（百分数）之间，收到 {annual_rate_percent}")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= max_months:
        raise ValueError(f"贷款期限（月）须为 1 至 {max_months} 之间的整数，收到 {months}")
    return amount, rate, months


def _annuity_payment_exact(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    if monthly_rate == 0:
        return principal / months
    factor = (1 + monthly_rate) ** months
    return principal * monthly_rate * factor / (factor - 1)


def _iter_rows(principal: Decimal, rate: Decimal, months: int, method: RepaymentMethod) -> Iterator[RepaymentRow]:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        monthly_rate = rate / 100 / MONTHS_PER_YEAR
        remaining = principal
        if method is RepaymentMethod.ANNUITY:
            payment = _cent(_annuity_payment_exact(principal, monthly_rate, months))
            for month in range(1, months + 1):
                interest = _cent(remaining * monthly_rate)
                # The last row takes what is left; before that, never repay more than is owed (tiny loans with a
                # rounded-up instalment could otherwise overshoot).
                part = remaining if month == months else min(payment - interest, remaining)
                remaining -= part
                yield RepaymentRow(month, part + interest, part, interest, remaining)
        else:
            # The same principal part P/n (rounded to the fen) every month, the last month taking what is left;
            # interest on the actual remaining balance. This gives the published 234,649.55 for 600,000 / 360 /
            # 2.6 %. With a tiny loan, n rounded-up parts could exceed P: never repay more than is owed.
            part_each = _cent(principal / months)
            for month in range(1, months + 1):
                interest = _cent(remaining * monthly_rate)
                part = remaining if month == months else min(part_each, remaining)
                remaining -= part
                yield RepaymentRow(month, part + interest, part, interest, remaining)


def schedule(
    principal: Decimal | int | str,
    annual_rate_percent: Decimal | int | str,
    months: int,
    method: RepaymentMethod,
    *,
    max_months: int = 360,
) -> RepaymentSchedule:
    """The month-by-month table for a loan; raises ValueError (Chinese) for out-of-range inputs.

    ``annual_rate_percent`` is a percentage (2.6 means 2.6 % a year); 0 is allowed (the payment is then P/n).
    """
    amount, rate, n = _loan_terms(principal, annual_rate_percent, months, max_months)
    rows = tuple(_iter_rows(amount, rate, n, method))
    return RepaymentSchedule(amount, rate, n, method, rows)


def summary(
    principal: Decimal | int | str,
    annual_rate_percent: Decimal | int | str,
    months: int,
    method: RepaymentMethod,
    *,
    max_months: int = 360,
) -> RepaymentSummary:
    """Monthly payment(s) and totals: nominal formula figures and the rounded table's sums (see module doc)."""
    amount, rate, n = _loan_terms(principal, annual_rate_percent, months, max_months)
    first: RepaymentRow | None = None
    last: RepaymentRow | None = None
    scheduled_interest = Decimal("0.00")
    for row in _iter_rows(amount, rate, n, method):
        first = first or row
        last = row
        scheduled_interest += row.interest
    assert first is not None and last is not None  # n >= 1 was checked
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        monthly_rate = rate / 100 / MONTHS_PER_YEAR
        if method is RepaymentMethod.ANNUITY:
            exact = _annuity_payment_exact(amount, monthly_rate, n)
            monthly = _cent(exact)
            last_nominal = monthly
            decrease = Decimal("0.00")
            nominal_interest = _cent(exact * n - amount)
        else:
            monthly = _cent(amount / n + amount * monthly_rate)
            last_nominal = _cent(amount / n * (1 + monthly_rate))
            decrease = _cent(amount / n * monthly_rate)
            nominal_interest = _cent(amount * monthly_rate * (n + 1) / 2)
    return RepaymentSummary(
        principal=amount,
        annual_rate=rate,
        months=n,
        method=method,
        monthly_payment=monthly,
        first_payment=monthly,
        last_payment=last_nominal,
        monthly_decrease=decrease,
        total_interest=nominal_interest,
        total_repaid=amount + nominal_interest,
        scheduled_first_payment=first.payment,
        scheduled_last_payment=last.payment,
        scheduled_total_interest=scheduled_interest,
        scheduled_total_repaid=amount + scheduled_interest,
    )

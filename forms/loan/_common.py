"""Shared units and rounding of the loan rules: months per year, Decimal precision, rounding to the fen."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from forms.money import CENT

# Decimal precision for the annuity factor (1 + r)^n: 40 digits keeps 360 compounding steps exact to far below
# a fen for any loan this product can see.
_PRECISION = 40

MONTHS_PER_YEAR = 12


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cent_down(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)

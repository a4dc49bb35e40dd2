"""Shared data and helpers for the forms.application tests (test_application_fields.py, test_application_rules.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from pydantic import ValidationError
from stdnum import luhn

from forms.application import Application, Issue, Severity, issues_from_error
from forms.identifiers import make_id_number

TODAY = dt.date(2026, 5, 1)
APPLICANT_ID = make_id_number("370202", dt.date(1990, 3, 15), 123)
SPOUSE_ID = make_id_number("370203", dt.date(1991, 7, 2), 246)
CHILD_ID = make_id_number("370212", dt.date(2000, 1, 9), 35)
PARENT_ID = make_id_number("110105", dt.date(1962, 11, 30), 17)
AGENT_ID = make_id_number("510104", dt.date(1985, 4, 4), 88)
SELLER_ID = make_id_number("110101", dt.date(1970, 2, 2), 51)
CARD = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
CJK = re.compile(r"[\u4e00-\u9fff]")


def complete(**scenario: Any) -> Application:
    """A fund-only, new-house, in-person, unmarried case with everything acceptance needs."""
    return Application.model_validate(
        {
            "scenario": scenario,
            "applicant": {"name": "张三", "id_number": APPLICANT_ID, "phone": "13812345678", "monthly_income": "12000"},
            "employer": {"name": "青岛某某科技有限公司", "uscc": "91110000101623741K", "unit_account": "12345678"},
            "fund_account": {
                "account_number": "110012345678",
                "status": "normal",
                "balance": "56000.00",
                "contribution_base": "10000",
                "monthly_deposit": "2400",
                "paid_up_to": "2026-04",
                "consecutive_months": 48,
                "opened_on": "2018-03-01",
            },
            "property": {
                "property_kind": "new",
                "project": "海景花园",
                "location": "青岛市市南区某路 1 号 2-301",
                "area": "89.5",
                "total_price": "1500000",
                "contract_number": "YS2026-000123",
                "contract_date": "2026-04-20",
                "contract_amount": "1500000",
                "down_payment": "500000",
                "presale_permit": "青房预字 2025 第 12 号",
            },
            "fund_loan": {
                "amount": "800000",
                "months": 360,
                "rate": "2.6",
                "repayment_method": "annuity",
                "home_ordinal": "first",
            },
            "repayment_account": {"bank": "中国工商银行", "card_number": CARD},
            "credit_authorization": {
                "recorded": True,
                "reference": "ZX-2026-0001",
                "recorded_at": "2026-05-01T01:00:00Z",
            },
        },
        context={"today": TODAY},
    )


def errors(issues: list[Issue]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for issue in issues:
        if issue.severity is Severity.ERROR:
            found.setdefault(issue.path, []).append(issue.message)
    return found


def warnings(issues: list[Issue]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for issue in issues:
        if issue.severity is Severity.WARNING:
            found.setdefault(issue.path, []).append(issue.message)
    return found


def field_issues(exc: pytest.ExceptionInfo[ValidationError], prefix: str = "") -> dict[str, str]:
    return {issue.path: issue.message for issue in issues_from_error(exc.value, prefix)}

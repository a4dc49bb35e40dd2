"""The loan sections of the form: fund loan, bank part of a combined loan, repayment account, credit authorization.

Rates are annual rates in percent, as in forms.loan and the CLI: ``Decimal("2.6")`` is 2.6 % a year.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime

from forms.application._base import _FormModel, field
from forms.application._types import _BLANK, _BankCard, _Bool, _Money, _Months, _Rate, _ShortText
from forms.vocabulary import HomeOrdinal, RepaymentMethod


class FundLoan(_FormModel):
    """公积金贷款部分."""

    amount: _Money = field("金额（元）")
    months: _Months = field("期限（月）")
    rate: _Rate = field("年利率")
    repayment_method: Annotated[RepaymentMethod | None, _BLANK] = field("还款方式")
    home_ordinal: Annotated[HomeOrdinal | None, _BLANK] = field("购房套数")
    fund_account_deduction: _Bool = field("公积金账户按月冲还")


class BankLoan(_FormModel):
    """组合贷款的商业贷款部分."""

    bank: _ShortText = field("承贷银行")
    amount: _Money = field("金额（元）")
    months: _Months = field("期限（月）")
    rate: _Rate = field("年利率")


class RepaymentAccount(_FormModel):
    """还款账户: the card the monthly instalment is debited from."""

    bank: _ShortText = field("开户银行")
    card_number: _BankCard = field("银行卡号")


class CreditAuthorization(_FormModel):
    """征信查询授权: recorded before any credit lookup (DESIGN.md step 4)."""

    recorded: _Bool = field("已签署")
    reference: _ShortText = field("授权书编号")
    recorded_at: Annotated[AwareDatetime | None, _BLANK] = field("签署时间")

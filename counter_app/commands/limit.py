"""``counter calc --limit``: the walk-in limit estimate (可贷额度估算), no case created.

The arithmetic is ``forms.loan.estimate.estimate_limit``, shared with the calculator screen; this module reads the
options, prints the answer and documents nothing of the rules. Figures are passed on as typed so that the domain's
validation speaks (in Chinese) about a bad one.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import Any

from counter_app.commands import CommandError
from counter_app.commands.args import date_type
from counter_app.commands.output import dumps
from forms.china_time import china_date
from forms.loan import REPAYMENT_METHOD_LABELS
from forms.loan.estimate import Estimate, EstimateError, estimate_limit, make_input
from forms.money import to_chinese_capital
from forms.policy import PolicyPack
from forms.vocabulary import HomeOrdinal, PropertyKind, RepaymentMethod

HOME_LABELS = {HomeOrdinal.FIRST: "首套", HomeOrdinal.SECOND: "二套"}
PROPERTY_LABELS = {PropertyKind.NEW: "新建商品房", PropertyKind.RESALE: "再交易住房"}

# Option dest -> EstimateInput field; the values go through as typed (see the module doc).
_FIELDS = {
    "age": "age",
    "birth_date": "birth_date",
    "sex": "sex",
    "base": "monthly_base",
    "balance": "balance",
    "months_contributed": "account_months",
    "spouse_age": "spouse_age",
    "spouse_sex": "spouse_sex",
    "spouse_base": "spouse_base",
    "spouse_balance": "spouse_balance",
    "spouse_months_contributed": "spouse_account_months",
    "property": "property_kind",
    "house_age": "house_age_years",
    "price": "house_price",
    "term": "term_months",
    "home": "home",
    "method": "method",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of the estimate, in their own help group under ``counter calc``."""
    g = p.add_argument_group("可贷额度估算 limit estimate（--limit；不建办件）")
    g.add_argument("--limit", action="store_true", help="估算最高可贷额度与最长期限（不需要 --amount/--months）")
    who = g.add_mutually_exclusive_group()
    who.add_argument("--age", help="借款人年龄（周岁）")
    who.add_argument(
        "--birth-date",
        type=date_type("出生日期", example="1990-05-01"),
        help="借款人出生日期 YYYY-MM-DD（按渐进式退休年龄计算）",
    )
    g.add_argument("--sex", help="借款人性别：男|女（male|female）")
    g.add_argument("--base", help="月缴存基数（元）")
    g.add_argument("--balance", help="公积金账户余额（元）")
    g.add_argument("--months-contributed", help="连续缴存月数（默认：按已满政策要求的月数）")
    g.add_argument("--spouse-age", help="配偶年龄（填写任一配偶项即按夫妻双方缴存估算）")
    g.add_argument("--spouse-sex", help="配偶性别：男|女（默认与借款人相反）")
    g.add_argument("--spouse-base", help="配偶月缴存基数（元）")
    g.add_argument("--spouse-balance", help="配偶公积金账户余额（元）")
    g.add_argument("--spouse-months-contributed", help="配偶连续缴存月数（默认：已满）")
    g.add_argument(
        "--property", choices=[k.value for k in PropertyKind], default="new", help="new 新房 | resale 二手房"
    )
    g.add_argument("--house-age", help="房龄（年，再交易住房）")
    g.add_argument("--price", help="购房总价（元）")
    g.add_argument("--term", help="拟贷期限（月，可不填：按最长期限）")
    g.add_argument("--as-of", type=date_type("估算日期（--as-of）"), help="按此日期估算（年龄、利率表；默认今天）")


def _inputs(args: argparse.Namespace) -> dict[str, Any]:
    values = {field: getattr(args, dest) for dest, field in _FIELDS.items()}
    return {field: value for field, value in values.items() if value is not None}


def _json(policy: PolicyPack, estimate: Estimate, as_of: date) -> dict[str, object]:
    loan, term = estimate.loan, estimate.term
    return {
        "policy": policy.code,
        "as_of": as_of,
        "max_loan": estimate.amount,
        "max_loan_in_words": to_chinese_capital(estimate.amount),
        "binding": loan.binding.key,
        "bounds": [
            {"key": b.key, "label": b.label, "amount": b.amount, "detail": b.detail, "binding": b is loan.binding}
            for b in loan.bounds
        ],
        "eligible": loan.eligible,
        "reasons": list(loan.reasons),
        "max_term_months": term.months,
        "term_binding": term.binding.key,
        "term_bounds": [
            {"key": b.key, "label": b.label, "months": b.months, "detail": b.detail, "binding": b is term.binding}
            for b in term.bounds
        ],
        "term_reason": term.reason,
        "couple": estimate.couple,
        "term_months": estimate.term_months,
        "annual_rate": estimate.annual_rate,
        "method": estimate.method.value,
        "monthly_payment": estimate.monthly_payment,
        "problems": list(estimate.problems),
        "notes": list(estimate.notes),
    }


def _text(policy: PolicyPack, estimate: Estimate, as_of: date, home: HomeOrdinal, kind: PropertyKind) -> list[str]:
    loan, term = estimate.loan, estimate.term
    who = "夫妻双方缴存" if estimate.couple else "单方缴存"
    situation = f"{as_of.isoformat()}，{HOME_LABELS[home]}，{PROPERTY_LABELS[kind]}，{who}"
    lines = [f"{policy.meta.name} 公积金贷款可贷额度估算（{situation}）"]
    if estimate.amount > 0:
        words = to_chinese_capital(estimate.amount)
        lines.append(f"可贷额度 {estimate.amount:,.2f} 元（{words}），受“{loan.binding.label}”限制")
    else:
        lines.append("可贷额度 0 元，不能办理")
    for bound in loan.bounds:
        mark = "▶" if bound is loan.binding else " "
        lines.append(f"  {mark} {bound.label} {bound.amount:,.2f} 元：{bound.detail}")
    lines.extend(f"  ！{reason}" for reason in loan.reasons)
    years = f"{term.months // 12} 年" + (f" {term.months % 12} 个月" if term.months % 12 else "")
    lines.append(f"最长期限 {term.months} 个月（{years}），受“{term.binding.label}”限制")
    for item in term.bounds:
        mark = "▶" if item is term.binding else " "
        lines.append(f"  {mark} {item.label} {item.months} 个月：{item.detail}")
    if estimate.monthly_payment is not None and estimate.annual_rate is not None:
        method = REPAYMENT_METHOD_LABELS[estimate.method]
        first = "月供" if estimate.method is RepaymentMethod.ANNUITY else "首月还款"
        lines.append(
            f"按 {estimate.term_months} 个月、年利率 {estimate.annual_rate}%、{method}："
            f"{first} {estimate.monthly_payment:,.2f} 元"
        )
    lines.extend(f"问题：{problem}" for problem in estimate.problems)
    lines.extend(f"说明：{note}" for note in estimate.notes)
    lines.append("（估算仅供参考，以受理后审批结果为准）")
    return lines


def handle(args: argparse.Namespace, policy: PolicyPack) -> int:
    """Run the estimate under ``policy`` (the caller resolved ``--policy`` or the setting)."""
    if args.rate is not None:
        raise CommandError("--limit 按政策包利率表估算，不能与 --rate 同用")
    if args.amount is not None or args.months is not None:
        raise CommandError("--limit 估算可贷额度，不用 --amount/--months（拟贷期限用 --term）")
    if args.schedule:
        raise CommandError("--limit 不打印还款计划表；请按估算结果另行 counter calc --amount … --schedule")
    as_of = args.as_of or china_date(datetime.now(UTC))
    try:
        inputs = make_input(_inputs(args))
        estimate = estimate_limit(policy.loan, inputs, as_of)
    except EstimateError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(dumps(_json(policy, estimate, as_of)))
    else:
        print("\n".join(_text(policy, estimate, as_of, inputs.home, inputs.property_kind)))
    return 0

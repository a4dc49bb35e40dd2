"""``counter calc``: the loan calculator a counter hands out, and with ``--limit`` the walk-in limit estimate."""

from __future__ import annotations

import argparse

from counter_app.commands import CommandError, limit
from counter_app.commands.args import int_type, money_type, rate_type
from counter_app.commands.defaults import policy_code
from counter_app.commands.output import dumps
from forms.loan import rate_for, schedule, summary
from forms.money import to_chinese_capital
from forms.policy import available_policies, load_policy
from forms.vocabulary import HomeOrdinal, RepaymentMethod

METHOD_LABELS = {RepaymentMethod.ANNUITY: "等额本息", RepaymentMethod.EQUAL_PRINCIPAL: "等额本金"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "calc",
        help="贷款计算器 loan calculator",
        description="按贷款金额、期限、利率与还款方式计算月供、总利息和还款总额；"
        "加 --limit 按借款人情况估算最高可贷额度与最长期限（不建办件）。",
    )
    p.add_argument("--amount", type=money_type("贷款金额"), help="贷款金额（元），例如 600000（计算月供时必填）")
    p.add_argument("--months", type=int_type("贷款期限（月）", 1, 360), help="贷款期限（月），1-360（计算月供时必填）")
    rate = p.add_mutually_exclusive_group()
    rate.add_argument("--rate", type=rate_type(), help="年利率（%%），大于 0、不超过 20，例如 2.6")
    rate.add_argument(
        "--policy", choices=available_policies(), help="按政策包利率表取利率（默认取设置 policy / COUNTER_POLICY）"
    )
    p.add_argument("--home", choices=[h.value for h in HomeOrdinal], default="first", help="first 首套 | second 二套")
    p.add_argument(
        "--method",
        choices=[m.value for m in RepaymentMethod],
        default="annuity",
        help="annuity 等额本息 | equal-principal 等额本金",
    )
    p.add_argument("--schedule", action="store_true", help="打印完整还款计划表")
    p.add_argument("--json", action="store_true", help="JSON 输出")
    limit.add_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.limit:
        return limit.handle(args, load_policy(policy_code(args.policy)))
    if args.amount is None or args.months is None:
        raise CommandError("计算月供须填写 --amount（贷款金额）和 --months（期限，月）；估算可贷额度请用 --limit")
    method = RepaymentMethod(args.method)
    if args.amount <= 0:
        raise CommandError(f"贷款金额为 {args.amount}，应为大于 0 的金额（元）")
    if args.rate is not None:
        rate = args.rate
        rate_source = "given"
    else:
        policy = load_policy(policy_code(args.policy))
        if not 1 <= args.months <= 360:
            raise CommandError(f"贷款期限为 {args.months} 个月，应为 1 到 360 个月")
        rate = rate_for(policy.loan, HomeOrdinal(args.home), args.months)
        rate_source = f"policy:{policy.code}:{args.home}"
    try:
        result = summary(args.amount, rate, args.months, method)
        table = schedule(args.amount, rate, args.months, method) if args.schedule else None
    except ValueError as exc:
        raise CommandError(str(exc)) from exc

    if args.json:
        data: dict[str, object] = {
            "amount": result.principal,
            "amount_in_words": to_chinese_capital(result.principal),
            "months": result.months,
            "annual_rate": result.annual_rate,
            "rate_source": rate_source,
            "method": method.value,
            "monthly_payment": result.monthly_payment,
            "first_payment": result.first_payment,
            "last_payment": result.last_payment,
            "monthly_decrease": result.monthly_decrease,
            "total_interest": result.total_interest,
            "total_repaid": result.total_repaid,
            "scheduled_total_interest": result.scheduled_total_interest,
        }
        if table is not None:
            data["schedule"] = [
                {
                    "month": r.month,
                    "payment": r.payment,
                    "principal": r.principal,
                    "interest": r.interest,
                    "remaining": r.remaining,
                }
                for r in table.rows
            ]
        print(dumps(data))
        return 0

    print(f"贷款金额 {result.principal:,.2f} 元（{to_chinese_capital(result.principal)}）")
    print(f"期限 {result.months} 个月，年利率 {result.annual_rate}%，{METHOD_LABELS[method]}")
    if method is RepaymentMethod.ANNUITY:
        print(f"每月还款 {result.monthly_payment:,.2f} 元")
    else:
        print(
            f"首月还款 {result.first_payment:,.2f} 元，每月递减 {result.monthly_decrease:,.2f} 元，"
            f"末月还款 {result.last_payment:,.2f} 元"
        )
    print(f"利息总额 {result.total_interest:,.2f} 元，还款总额 {result.total_repaid:,.2f} 元")
    if table is not None:
        print(f"\n{'期数':>4} {'月供':>12} {'本金':>12} {'利息':>10} {'剩余本金':>14}")
        for r in table.rows:
            print(f"{r.month:>6} {r.payment:>14,.2f} {r.principal:>14,.2f} {r.interest:>12,.2f} {r.remaining:>16,.2f}")
    return 0

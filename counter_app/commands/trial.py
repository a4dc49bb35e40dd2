"""``counter trial T01 [T02 …] [--policy P] [--json] [--accept] [--print]``: a test case through intake, no screens.

For trainers and the back office's test environment (Fujian asks for one that processes test cases): each sandbox
test case (测试件, docs/sandbox.md) is taken through the embedded sandbox as a clerk would, and the counter's
judgement is printed: per-person lookups, materials, limit, risk flags and the 机审 verdict. ``--accept`` takes the
decision the assessment allows; ``--print`` writes that decision's documents to the spool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING

from pydantic import ValidationError

from counter_app.commands import CommandError

if TYPE_CHECKING:
    from counter_app.services.sandbox.roster import Household
    from counter_app.services.trial import TrialCase, TrialReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "trial",
        help="测试件试办 run sandbox test cases through intake",
        description="在内嵌沙箱上按窗口流程试办测试件（T01…），输出每人核验结果、材料、额度、风险提示与机审结论。",
    )
    p.add_argument("codes", nargs="+", metavar="T01", help="测试件编号 test case codes (docs/sandbox.md)")
    p.add_argument("--policy", help="政策包 policy pack (default: the settings' policy)")
    p.add_argument("--json", action="store_true", help="JSON 输出")
    p.add_argument("--accept", action="store_true", help="按审核结果作出受理或不予受理决定")
    p.add_argument("--print", dest="print_", action="store_true", help="打印决定所需文书到输出目录（需 --accept）")
    p.set_defaults(handler=handle)


def trial_case(household: Household) -> TrialCase:
    """What the trainer types for a roster household."""
    from counter_app.services.trial import Person, TrialCase
    from forms.scenario import Scenario

    number = int(household.code[1:])
    inputs = household.inputs

    def person(subject: object, prefix: str, index: int = 0) -> Person:
        name, id_number = getattr(subject, "name"), getattr(subject, "id_number")  # noqa: B009
        return Person(name=name, id_number=id_number, phone=f"{prefix}{number:02d}{index:02d}")

    agent = next((p for p in household.people if p.role == "agent"), None)
    return TrialCase(
        code=household.code,
        title=household.title,
        scenario=Scenario.model_validate(household.scenario.model_dump()),
        applicant=person(inputs.applicant, "1380000"),
        spouse=person(inputs.spouse, "1390000") if inputs.spouse else None,
        co_borrowers=tuple(person(c, "1370000", i) for i, c in enumerate(household.trial.co_borrowers)),
        agent=person(agent, "1360000") if agent else None,
        contract_no=inputs.contract_no,
        cert_no=inputs.cert_no,
        card_no=inputs.card_no,
        fund_account_no=inputs.fund_account_no,
        loan_amount=household.trial.loan_amount,
        loan_months=household.trial.loan_months,
        bank_loan_amount=household.trial.bank_loan_amount,
        lacking=tuple(household.lacking),
        waive=tuple(household.waive),
    )


def _render(report: TrialReport, title: str) -> str:
    lines = [f"== {report.code} {title}　案件 {report.case_number}", "核验："]
    lines += [f"  {x['person']} {x['kind']}：{x['outcome']}" for x in report.lookups]
    lines.append("材料：")
    lines += [f"  {x['name']}：{x['status']}{('　' + x['note']) if x['note'] else ''}" for x in report.materials]
    lines.append(f"可贷额度：{report.limit or '—'}　最长期限：{report.term or '—'}")
    lines.append("风险提示：" + ("无" if not report.flags else ""))
    lines += [f"  [{x['severity']}] {x['message']}（{x['evidence']}）" for x in report.flags]
    from forms.case.risk import VERDICT_LABELS

    lines.append(f"机审结论：{report.verdict}（{VERDICT_LABELS.get(report.verdict, '')}）")
    if report.decision:
        lines.append(f"决定：{report.decision}" + (f"　已打印 {', '.join(report.printed)}" if report.printed else ""))
    return "\n".join(lines)


async def _run(args: argparse.Namespace) -> list[tuple[TrialReport, str]]:
    import tempfile
    from pathlib import Path

    from counter_app.compose import open_workstation
    from counter_app.services.sandbox.roster import load_roster
    from counter_app.services.trial import run_trial
    from counter_app.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    roster = load_roster()
    households = []
    for code in args.codes:
        try:
            households.append(roster.household(code.upper()))
        except KeyError:
            raise CommandError(f"没有测试件“{code}”：可用 {', '.join(h.code for h in roster.households)}") from None
    updates: dict[str, object] = {"gateway_url": "", "platform_url": ""}
    if args.policy:
        updates["policy"] = args.policy
    with tempfile.TemporaryDirectory(prefix="counter-trial-") as tmp:
        # A throwaway store: a trial never touches the counter's own cases; documents go to the real spool.
        spool = settings.spool_folder
        updates.update(data_dir=Path(tmp), spool_dir=spool)
        try:
            trial_settings = settings.model_copy(update=updates)
            trial_settings = type(settings).model_validate(trial_settings.model_dump())
        except ValidationError as exc:
            raise CommandError(f"设置无效：{exc}") from exc
        workstation = open_workstation(trial_settings)
        try:
            # The throwaway store's demo clerk (created beside the sandbox) is the clerk at the window.
            clerk = workstation.login("demo", "demo1234")
            return [
                (
                    await run_trial(workstation, clerk, trial_case(h), accept=args.accept, print_documents=args.print_),
                    h.title,
                )
                for h in households
            ]
        finally:
            await workstation.aclose()


def handle(args: argparse.Namespace) -> int:
    if args.print_ and not args.accept:
        raise CommandError("--print 须与 --accept 一起使用：打印的是决定所需的文书")
    results = asyncio.run(_run(args))
    if args.json:
        print(json.dumps([r.as_json() for r, _ in results], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(_render(r, title) for r, title in results))
    return 0

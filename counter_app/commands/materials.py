"""``counter materials``: the material list of a scenario (what is handed in, what data sharing exempts)."""

from __future__ import annotations

import argparse

from counter_app.commands.defaults import policy_code
from counter_app.commands.output import dumps
from forms.materials import guide
from forms.policy import available_policies, load_policy
from forms.scenario import Scenario
from forms.vocabulary import (
    LINKED_ITEM_LABELS,
    VERIFICATION_LABELS,
    LoanKind,
    MaritalStatus,
    MaterialClass,
    Presence,
    PropertyKind,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "materials",
        help="办理情形的材料清单 material list of a scenario",
        description="列出一个办理情形在各项核验均一致时需提交的材料，以及通过数据共享免提交的材料。",
    )
    p.add_argument(
        "--policy", choices=available_policies(), help="政策包（默认取设置 policy / COUNTER_POLICY，通常为 qingdao）"
    )
    p.add_argument(
        "--property", choices=[k.value for k in PropertyKind], required=True, help="new 新房 | resale 二手房"
    )
    p.add_argument("--loan", choices=[k.value for k in LoanKind], required=True, help="fund 纯公积金 | combined 组合贷")
    p.add_argument("--agent", action="store_true", help="代办（帮办代办员代为办理）")
    p.add_argument("--married", action="store_true", help="已婚（配偶材料）")
    p.add_argument("--co-borrowers", type=int, choices=range(4), default=0, help="共同借款人人数 0-3")
    p.add_argument("--json", action="store_true", help="JSON 输出")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    policy = load_policy(policy_code(args.policy))
    scenario = Scenario(
        property_kind=PropertyKind(args.property),
        loan_kind=LoanKind(args.loan),
        presence=Presence.AGENT if args.agent else Presence.SELF,
        marital_status=MaritalStatus.MARRIED if args.married else MaritalStatus.UNMARRIED,
        co_borrower_count=args.co_borrowers,
    )
    result = guide(policy.materials, scenario)
    materials = [
        {
            "code": m.code,
            "name": m.name,
            "class": m.material_class.value,
            "waivable": m.shortfall.waivable,
            "due_if_waived": m.shortfall.due_label() if m.shortfall.waivable else None,
            "whose": m.whose.value,
            "copies": m.copies,
        }
        for m in result.to_hand_in
    ]
    exempt = [{"code": e.material.code, "name": e.material.name, "kind": e.kind.value} for e in result.exempted]
    if args.json:
        print(
            dumps(
                {
                    "policy": policy.code,
                    "scenario": scenario.model_dump(mode="json"),
                    "linked_items": [i.value for i in scenario.linked_items()],
                    "materials": materials,
                    "exempt": exempt,
                    "promised_working_days": policy.promised_working_days.value,
                }
            )
        )
        return 0
    print(f"{policy.meta.name} 公积金贷款购房“一件事” 材料清单")
    print("联办事项：" + "；".join(LINKED_ITEM_LABELS[i] for i in scenario.linked_items()))
    print(f"\n需提交材料（{len(materials)} 项）：")
    for n, m in enumerate(result.to_hand_in, 1):
        klass = "核心" if m.material_class is MaterialClass.CORE else "非核心"
        waiver = f"，可容缺：{m.shortfall.due_label()}" if m.shortfall.waivable else ""
        print(f"  {n:>2}. {m.name}（{klass}{waiver}）")
    print(f"\n数据共享免提交（{len(exempt)} 项）：")
    for n, e in enumerate(result.exempted, 1):
        print(f"  {n:>2}. {e.material.name} —— 由{VERIFICATION_LABELS[e.kind]}核验代替")
    print(f"\n承诺办结时限：{policy.promised_working_days.value} 个工作日")
    return 0

"""Pieces several documents share: people, linked items, the verification summary, the header table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.platypus import Flowable

from forms.application import CO_BORROWER_RELATION_LABELS, Application, Person
from forms.identifiers import mask_id, mask_phone
from forms.vocabulary import LINKED_ITEM_LABELS, OUTCOME_LABELS, VERIFICATION_LABELS, LinkedItem, VerificationKind
from printouts.layout import Styles, grid_table, tick
from printouts.models import VerificationRow, local
from printouts.text import fmt_money, fmt_stamp, para


def id_text(number: str | None, masked: bool) -> str:
    """An ID number for print: masked on receipts and notices, in full on signed forms."""
    if not number:
        return ""
    return mask_id(number) if masked else number


def phone_text(number: str | None, masked: bool) -> str:
    if not number:
        return ""
    return mask_phone(number) if masked else number


def person_pairs(person: Person, today: date, *, masked: bool = False) -> list[tuple[str, str]]:
    """Label/value pairs (values escaped) describing one person."""
    age = person.age_on(today)
    pairs = [
        ("姓名", para(person.name)),
        ("身份证号码", para(id_text(person.id_number, masked))),
        ("性别", para(person.sex.value if person.sex else "")),
        ("出生日期", para(person.birth_date.isoformat() if person.birth_date and not masked else "")),
        ("年龄", para(f"{age} 周岁" if age is not None else "")),
        ("手机号码", para(phone_text(person.phone, masked))),
    ]
    if not masked:
        pairs += [
            ("学历", para(person.education)),
            ("职业", para(person.occupation)),
            ("月收入", para(fmt_money(person.monthly_income))),
        ]
    return pairs


def person_wide_pairs(person: Person) -> list[tuple[str, str]]:
    """The long fields of a person, one per row so that addresses wrap across the full width."""
    return [("户籍所在地", para(person.household_place)), ("现居住地址", para(person.address))]


def relation_text(relation: object) -> str:
    for key, label in CO_BORROWER_RELATION_LABELS.items():
        if relation == key:
            return label
    return ""


def linked_item_ticks(app: Application) -> str:
    """Every linked item with a tick box, those of this case ticked."""
    chosen = set(app.linked_items or [])
    return "<br/>".join(f"{tick(item in chosen)} {para(LINKED_ITEM_LABELS[item])}" for item in LinkedItem)


def linked_item_list(app: Application) -> str:
    return "；".join(para(LINKED_ITEM_LABELS[item]) for item in (app.linked_items or []))


def verification_table(st: Styles, app: Application, rows: Sequence[VerificationRow]) -> Flowable:
    """Which facts were confirmed, by which registry, when: one row per lookup the scenario needs."""
    by_kind: dict[VerificationKind, VerificationRow] = {row.kind: row for row in rows}
    kinds = list(app.scenario.verifications())
    kinds += [k for k in by_kind if k not in kinds]
    data: list[list[str]] = []
    for number, kind in enumerate(kinds, 1):
        row = by_kind.get(kind)
        if row is None:
            data.append([str(number), para(VERIFICATION_LABELS[kind]), "未核验", "", "", ""])
            continue
        data.append(
            [
                str(number),
                para(VERIFICATION_LABELS[kind]),
                para(OUTCOME_LABELS[row.outcome]),
                para(row.source),
                para(fmt_stamp(local(row.checked_at)) if row.checked_at else ""),
                para(row.detail, empty=""),
            ]
        )
    return grid_table(
        st, ["序号", "核验事项", "结果", "核验单位", "核验时间", "说明"], data, [0.06, 0.22, 0.1, 0.22, 0.18, 0.22]
    )

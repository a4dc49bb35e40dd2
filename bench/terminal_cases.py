"""The sandbox test cases T01, T02 and T15 (docs/sandbox.md) as a practised clerk types them: scripts kept as data.

A script is a list of actions: characters to type into a field (:class:`Type`), keys to press (:class:`Press`) and
the few texts a real clerk waits to see (:class:`WaitFor`: the house the contract lookup backfills, 可以受理 before
F9, the confirmation, the print dialog). There is no pause after ``n``, after a choice or after a step change.

Every typed value says what kind of text it is (:data:`DATA`, :data:`NAME`, :data:`WORD`), so the keys can be
counted against the irreducible data alone or against everything typed:

- ``DATA``, irreducible: what no registry supplies and no choice list can offer: ID numbers, phones, the contract
  number, amounts, terms, the bank part's rate, the bank card, and the credit-authorization number (授权书编号, typed
  or scanned off the signed paper since ed0dc6c).
- ``NAME``: people's names (typed, one character per key, as an input method commits them).
- ``WORD``: other free text a choice list could offer (the bank's name, the agent's relation to the applicant).
"""

from __future__ import annotations

from dataclasses import dataclass

DATA = "data"
NAME = "name"
WORD = "word"


@dataclass(frozen=True)
class Type:
    """Characters sent one at a time; ``path``: the field that must end up holding them; ``kind``: DATA/NAME/WORD."""

    text: str
    path: str | None = None
    kind: str = DATA


@dataclass(frozen=True)
class Press:
    """Named tmux keys (Enter, Tab, BTab, PageDown, Space, F9, n), one at a time."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class WaitFor:
    """A text (regular expression) a real clerk waits to see before going on; ``why`` says what the clerk waits for."""

    pattern: str
    why: str
    timeout: float = 20.0


Action = Type | Press | WaitFor


def press(*keys: str) -> Press:
    return Press(keys)


def typed(text: str, path: str, kind: str = DATA) -> Type:
    return Type(text, path, kind)


def person(prefix: str, id_number: str, name: str, phone: str = "") -> list[Action]:
    """An ID number, a name and (where the form requires it) a phone, each confirmed with Enter (Enter goes to the
    next field still to be typed: the spouse's phone is optional, so it is passed)."""
    actions: list[Action] = [
        typed(id_number, f"{prefix}.id_number"),
        press("Enter"),
        typed(name, f"{prefix}.name", NAME),
        press("Enter"),
    ]
    return actions + ([typed(phone, f"{prefix}.phone"), press("Enter")] if phone else [])


def authorization(number: str) -> list[Action]:
    """The applicant's credit-authorization number, then Enter: the counter records the authorization (its box ticks
    itself) and focus goes on to the next box still to tick (a spouse's), or, none left, to the contract number on
    the house-and-loan step (the lookups step, with nothing to type, is passed: PageDown still shows it)."""
    return [typed(number, "credit_authorization.reference"), press("Enter")]


# The end of every case: the review must say it can be accepted (the lookups have answered), F9 shows what is
# accepted, Enter confirms; the print dialog opens by itself with the receipt ticked, Enter prints.
ACCEPT_AND_PRINT: list[Action] = [
    WaitFor("可以受理", "the review: every lookup answered, nothing blocks acceptance"),
    press("F9"),
    WaitFor("确认受理", "the confirmation's summary, read before confirming"),
    press("Enter"),
    WaitFor("打印文书", "the print dialog, what will be printed"),
    press("Enter"),
    WaitFor("已打印：受理回执", "the receipt printed"),
]
# Enter after the contract number goes on to the amount while the lookup runs (the house's fields are the registry's
# to fill); the clerk waits for the limit it makes possible (the house's price is one of its inputs), in the panel
# beside the amount, before typing the amount.
HOUSE_BACKFILLED = WaitFor(r"可贷额度：[0-9]", "the limit, worked out once the contract lookup backfilled the house")

SCRIPTS: dict[str, list[Action]] = {
    # 新建商品房·纯公积金·本人·已婚 (docs/sandbox.md T01; phones and loan as scripts/sandbox_cases.py).
    "T01": [
        press("n"),
        # 1 办理情形: 婚姻状况 is the fourth choice; Right goes from 未婚 to 已婚 without opening the list.
        press("Tab", "Tab", "Tab", "Right", "PageDown"),
        # 2 申请人: focus starts on the applicant's ID number; after the spouse's phone Enter goes to 授权书编号.
        *person("applicant", "370202198803159132", "王建国", "13800000001"),
        *person("spouse", "370202199007029243", "刘晓梅"),
        *authorization("SQ-T01-0001"),
        # Enter went to the spouse's box (the applicant's ticked itself): Space ticks it and goes on to
        # 4 房屋与贷款 (the lookups of 3 核验 run while the clerk goes on).
        press("Space"),
        # 4 房屋与贷款: the contract number; Enter goes on to the next field still to be typed (the amount), past the
        # house's fields (the lookup it starts fills them), 首付款 (optional) and the backfilled account.
        typed("XF2026000101", "property.contract_number"),
        press("Enter"),
        HOUSE_BACKFILLED,
        typed("600000", "fund_loan.amount"),
        press("Enter"),
        typed("300", "fund_loan.months"),
        press("Enter"),  # past 年利率 (the pack's, derived) to the card
        typed("6222020200112345679", "repayment_account.card_number"),
        press("Enter"),  # nothing left to type on the step: on to 5 材料清单
        # 5 材料清单: A marks every line still missing as received; 6 审核与决定.
        press("a", "PageDown"),
        *ACCEPT_AND_PRINT,
    ],
    # 再交易住房·纯公积金·本人·未婚 (T02).
    "T02": [
        press("n"),
        # 房屋类型 is the first choice (focused): Right to 再交易住房. 未婚 is the default.
        press("Right", "PageDown"),
        *person("applicant", "370203199511089153", "陈思远", "13800000021"),
        *authorization("SQ-T02-0001"),
        typed("CJ2026000201", "property.contract_number"),
        press("Enter"),
        HOUSE_BACKFILLED,
        # The contract backfills the seller and the title too; focus moves on to the amount (past the optional
        # 首付款, 评估价值 and 卖方收款账号).
        typed("400000", "fund_loan.amount"),
        press("Enter"),
        typed("240", "fund_loan.months"),
        press("Enter"),
        typed("6217001234009876549", "repayment_account.card_number"),
        press("Enter"),
        press("a", "PageDown"),
        *ACCEPT_AND_PRINT,
    ],
    # 新建商品房·组合贷款·代办·未婚 (T15): the agent (孙帮办) and the bank part; data as tests/test_followup.py.
    "T15": [
        press("n"),
        # 贷款类型 (second choice): Right to 组合贷款; 办理方式 (third): Right to 帮办代办.
        press("Tab", "Right", "Tab", "Right", "PageDown"),
        *person("applicant", "370211198703039770", "唐宇", "13800000015"),
        # After the agent's phone Enter goes to 授权书编号 (the relation is optional; the power of attorney is
        # marked received with every other paper by A on the checklist).
        *person("agent", "370211198506189358", "孙帮办", "13900000015"),
        *authorization("SQ-T15-0001"),
        typed("XF2026001501", "property.contract_number"),
        press("Enter"),
        HOUSE_BACKFILLED,
        typed("500000", "fund_loan.amount"),
        press("Enter"),
        typed("300", "fund_loan.months"),
        press("Enter"),  # past 年利率 (derived) to the bank part
        typed("沙箱银行", "bank_loan.bank", WORD),
        press("Enter"),
        typed("300000", "bank_loan.amount"),
        press("Enter"),
        typed("300", "bank_loan.months"),
        press("Tab"),  # the bank's rate is optional (Enter would pass it): Tab goes to it
        typed("3.5", "bank_loan.rate"),
        press("Enter"),
        typed("6217004455667788992", "repayment_account.card_number"),
        press("Enter"),
        press("a", "PageDown"),
        *ACCEPT_AND_PRINT,
    ],
}


def typed_chars(script: list[Action], *kinds: str) -> int:
    """Characters typed into form fields, of the given kinds (all kinds when none is given)."""
    return sum(len(a.text) for a in script if isinstance(a, Type) and a.path and (not kinds or a.kind in kinds))


def data_chars(script: list[Action]) -> int:
    """Characters of irreducible data (:data:`DATA`): names and other words not counted."""
    return typed_chars(script, DATA)

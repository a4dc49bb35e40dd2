"""The test cases (测试件) of docs/sandbox.md: who applies, for what, and what the clerk types, waives or lacks.

Data only, shared by the Pilot driver (:mod:`app_driver`, which re-exports every name here), the tests, the
user-guide script and the bench. The sandbox's registries answer these people and contracts; see docs/sandbox.md.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["T01", "T02", "T08", "Person", "TestCase"]


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    phone: str


@dataclass(frozen=True)
class TestCase:
    code: str
    scenario: dict[str, str]
    applicant: Person
    contract: str
    card: str
    amount: str
    months: str
    spouse: Person | None = None
    title_certificate: str = ""
    # Other fields the clerk types on the property-and-loan step (path, text), e.g. the seller of a resale.
    extra: tuple[tuple[str, str], ...] = ()
    # Non-core materials the applicant does not have today (容缺); everything else still owed is handed in.
    waive: tuple[str, ...] = ()
    # Materials the applicant cannot hand in at all today (left 未提交).
    lacking: tuple[str, ...] = ()

    @property
    def authorization(self) -> str:
        """The number on the applicant's signed credit authorization (docs/sandbox.md), typed or scanned."""
        return f"SQ-{self.code}-0001"


T01 = TestCase(
    code="T01",
    scenario={"marital_status": "married"},
    applicant=Person("370202198803159132", "王建国", "13800000001"),
    spouse=Person("370202199007029243", "刘晓梅", "13800000002"),
    contract="XF2026000101",
    card="6222020200112345679",
    amount="600000",
    months="300",
    waive=("purchase_invoice",),
)
T02 = TestCase(
    code="T02",
    scenario={"property_kind": "resale", "marital_status": "unmarried"},
    applicant=Person("370203199511089153", "陈思远", "13800000021"),
    contract="CJ2026000201",
    card="6217001234009876549",
    amount="400000",
    months="240",
    extra=(("property.seller_name", "赵国强"), ("property.seller_id_number", "370203196804219317")),
    waive=("seller_marital",),
)
T08 = TestCase(
    code="T08",
    scenario={"marital_status": "unmarried"},
    applicant=Person("370203199102039534", "蒋文博", "13800000081"),
    contract="XF2026000801",
    card="6228480099887766550",
    amount="500000",
    months="240",
    lacking=("purchase_contract",),
)

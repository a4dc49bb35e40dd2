"""The scenario (办理情形) of a case: it decides the linked items, the lookups and the material list."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from forms.vocabulary import (
    LinkedItem,
    LoanKind,
    MaritalStatus,
    Presence,
    PropertyKind,
    VerificationKind,
)


class Scenario(BaseModel):
    """What kind of case this is, chosen first at the window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    property_kind: PropertyKind = Field(PropertyKind.NEW, title="房屋类型")
    loan_kind: LoanKind = Field(LoanKind.FUND, title="贷款类型")
    presence: Presence = Field(Presence.SELF, title="办理方式")
    marital_status: MaritalStatus = Field(MaritalStatus.UNMARRIED, title="婚姻状况")
    co_borrower_count: int = Field(0, ge=0, le=3, title="共同借款人人数")

    @property
    def married(self) -> bool:
        return self.marital_status is MaritalStatus.MARRIED

    @property
    def by_agent(self) -> bool:
        return self.presence is Presence.AGENT

    def linked_items(self) -> list[LinkedItem]:
        """联办事项: a resale adds transfer registration and the transaction tax declaration."""
        items = [LinkedItem.LOAN, LinkedItem.CREDIT_INQUIRY, LinkedItem.MORTGAGE_REGISTRATION]
        if self.property_kind is PropertyKind.RESALE:
            items += [LinkedItem.TRANSFER_REGISTRATION, LinkedItem.TAX_DECLARATION]
        return items

    def verifications(self) -> list[VerificationKind]:
        """The lookups this scenario needs; all run concurrently at intake."""
        kinds = [
            VerificationKind.IDENTITY,
            VerificationKind.MARRIAGE,
            VerificationKind.CHILDREN,
            VerificationKind.FUND_ACCOUNT,
            VerificationKind.LOAN_HISTORY,
            VerificationKind.CREDIT,
            VerificationKind.CONTRACT,
            # New house: pre-registration (预告登记); resale: the seller's title.
            VerificationKind.PROPERTY,
            VerificationKind.BANK_CARD,
        ]
        if self.property_kind is PropertyKind.RESALE:
            # The transaction tax and deed tax are declared only for a resale.
            kinds.append(VerificationKind.TAX)
        return kinds

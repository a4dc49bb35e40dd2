"""The service guide (服务指南) of a scenario: the materials handed in when every lookup matches.

For walk-in questions, before there is a case. Answered by :func:`~forms.materials.evaluation.evaluate` itself so
that the guide, the receipt and the notice can never disagree.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from forms.materials.catalog import Material, MaterialCatalog
from forms.materials.checklist import initial_checklist
from forms.materials.evaluation import ExemptedItem, evaluate
from forms.scenario import Scenario
from forms.vocabulary import (
    VerificationOutcome,
)


class Guide(BaseModel):
    """A scenario's material list for walk-in questions (服务指南): what is handed in when every lookup matches."""

    model_config = ConfigDict(frozen=True)

    to_hand_in: list[Material]
    exempted: list[ExemptedItem]


def guide(catalog: MaterialCatalog, scenario: Scenario) -> Guide:
    """The material list of a scenario in the standard case: every lookup it needs answers ``match``.

    Answered by :func:`evaluate` itself so that the guide, the receipt and the notice can never disagree.
    """
    outcomes = dict.fromkeys(scenario.verifications(), VerificationOutcome.MATCH)
    checklist = initial_checklist(catalog, scenario, outcomes)
    # The date only matters for waived materials' due dates; a guide waives nothing.
    result = evaluate(catalog, scenario, checklist, outcomes, accepted_on=date(2026, 1, 5))
    return Guide(to_hand_in=result.to_hand_in, exempted=result.exempted)

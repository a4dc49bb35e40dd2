"""The intake use case: one case from the first keystroke to the printed receipt (DESIGN.md, "the intended walk").

An :class:`IntakeCase` is the case open at a window. It reads the typed aggregate (:class:`forms.case.CaseFile`)
and its assessment (:func:`forms.case.assess`), and changes it only through commands, each ONE store transaction
(:mod:`counter_app.services.case_core`). The commands are grouped by what they touch:

- :mod:`~counter_app.services.case_form` — the form and the checklist of a draft;
- :mod:`~counter_app.services.case_lookups` — who is asked what, which lookups are due, the answers in;
- :mod:`~counter_app.services.case_decisions` — accept, decline, hand-off, void, reopen, 补件, 出件;
- :mod:`~counter_app.services.case_documents` — printing, first prints frozen, authorised reprints;
- :mod:`~counter_app.services.case_ratings` — 好差评 after 受理 and 出件, and the follow-up of a bad one.

The rules live in ``forms``; screens talk to this class, never to SQL or HTTP.
"""

from __future__ import annotations

from counter_app.services.case_core import CaseCore
from counter_app.services.case_decisions import DecisionCommands
from counter_app.services.case_documents import PrintCommands
from counter_app.services.case_form import FormCommands
from counter_app.services.case_lookups import LookupCommands
from counter_app.services.case_ratings import RatingCommands
from counter_app.services.case_types import CHINA_TZ, DecisionMade, IntakeError, OperatorRef, PrintSetup

__all__ = [
    "CHINA_TZ",
    "CaseCore",
    "DecisionMade",
    "IntakeCase",
    "IntakeError",
    "OperatorRef",
    "PrintSetup",
]


class IntakeCase(FormCommands, LookupCommands, DecisionCommands, PrintCommands, RatingCommands):
    """One case being taken at the window."""

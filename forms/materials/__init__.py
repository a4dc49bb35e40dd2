"""The material catalog (申请材料), the checklist and the shortfall-tolerant acceptance evaluation (容缺受理).

A policy pack owns a ``materials.toml`` that lists every material its process has ever asked for, with when it
applies, whether a matching registry lookup replaces it (数据共享核验 -> 免提交), and whether it may be waived
(容缺) and until when. This package turns that list, a scenario and the lookup outcomes into the one answer the
window needs: can the case be accepted now, what does the applicant hand in, what was exempted, what was waived
until when, and — for the one-time notice (一次性告知) — everything that is still missing and why.

Exemption is decided from the lookup outcomes, never from a checklist line alone: a line saying ``verified``
whose lookup has since come back ``mismatch`` needs the paper again.

Layout: the catalog models in :mod:`forms.materials.catalog`, the checklist lines in
:mod:`forms.materials.checklist`, the evaluation in :mod:`forms.materials.evaluation` and the service guide in
:mod:`forms.materials.guides`. Every public name is re-exported here: import from ``forms.materials``.
"""

from __future__ import annotations

from forms.materials.catalog import (
    BEFORE_DISBURSEMENT_TEXT,
    WHOSE_LABELS,
    AppliesWhen,
    Material,
    MaterialCatalog,
    ShortfallRule,
    Whose,
    materials_for,
)
from forms.materials.checklist import (
    PAPER_FORM_LABELS,
    MaterialState,
    OutcomesByWhose,
    PaperForm,
    Receipt,
    Waiver,
    initial_checklist,
)
from forms.materials.evaluation import Evaluation, ExemptedItem, MissingItem, WaivedItem, evaluate
from forms.materials.guides import Guide, guide

__all__ = [
    "BEFORE_DISBURSEMENT_TEXT",
    "PAPER_FORM_LABELS",
    "WHOSE_LABELS",
    "AppliesWhen",
    "Evaluation",
    "ExemptedItem",
    "Guide",
    "Material",
    "MaterialCatalog",
    "MaterialState",
    "MissingItem",
    "OutcomesByWhose",
    "PaperForm",
    "Receipt",
    "ShortfallRule",
    "WaivedItem",
    "Waiver",
    "Whose",
    "evaluate",
    "guide",
    "initial_checklist",
    "materials_for",
]

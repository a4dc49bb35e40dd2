"""Printouts: the merged application form, the receipt, the notices and the service guide as PDF (reportlab).

Pure renderers: each takes a small pydantic document model (:mod:`printouts.models`) and returns a
:class:`RenderedDocument` (PDF bytes, page count, font warnings). :mod:`printouts.spool` writes PDFs to the spool
folder and hands them to ``lp``. No Textual, no database, no network here.

Names are imported lazily (PEP 562): the counter starts without loading reportlab, which is only needed when the
first document is printed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE: dict[str, str] = {
    "DocumentData": "printouts.api",
    "kind_of": "printouts.api",
    "load_data": "printouts.api",
    "print_document": "printouts.api",
    "render": "printouts.api",
    "reprint": "printouts.api",
    "FontChoice": "printouts.fonts",
    "FontWarning": "printouts.fonts",
    "resolve_font": "printouts.fonts",
    "RenderedDocument": "printouts.layout",
    "AuthorizationData": "printouts.models",
    "CommitmentData": "printouts.models",
    "FormData": "printouts.models",
    "GuideData": "printouts.models",
    "NoticeData": "printouts.models",
    "Office": "printouts.models",
    "OverdueListData": "printouts.models",
    "OverdueRow": "printouts.models",
    "ReceiptData": "printouts.models",
    "VerificationRow": "printouts.models",
    "DOC_LABELS": "printouts.kinds",
    "DocKind": "printouts.kinds",
    "PrintRecord": "printouts.spool",
    "SpoolError": "printouts.spool",
    "safe_case_part": "printouts.spool",
}

__all__ = [
    "DOC_LABELS",
    "AuthorizationData",
    "CommitmentData",
    "DocKind",
    "DocumentData",
    "FontChoice",
    "FontWarning",
    "FormData",
    "GuideData",
    "NoticeData",
    "Office",
    "OverdueListData",
    "OverdueRow",
    "PrintRecord",
    "ReceiptData",
    "RenderedDocument",
    "SpoolError",
    "VerificationRow",
    "kind_of",
    "load_data",
    "print_document",
    "render",
    "reprint",
    "resolve_font",
    "safe_case_part",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'printouts' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from printouts.api import DocumentData, kind_of, load_data, print_document, render, reprint
    from printouts.fonts import FontChoice, FontWarning, resolve_font
    from printouts.kinds import DOC_LABELS, DocKind
    from printouts.layout import RenderedDocument
    from printouts.models import (
        AuthorizationData,
        CommitmentData,
        FormData,
        GuideData,
        NoticeData,
        Office,
        OverdueListData,
        OverdueRow,
        ReceiptData,
        VerificationRow,
    )
    from printouts.spool import PrintRecord, SpoolError, safe_case_part

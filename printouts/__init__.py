"""Printouts: the merged application form, the receipt, the notices and the service guide as PDF (reportlab).

Pure renderers: each takes a small pydantic document model (:mod:`printouts.models`) and returns a
:class:`RenderedDocument` (PDF bytes, page count, font warnings). :mod:`printouts.spool` writes PDFs to the spool
folder and hands them to ``lp``. No Textual, no database, no network here.
"""

from __future__ import annotations

from printouts.api import DocumentData, kind_of, load_data, print_document, render, reprint
from printouts.fonts import FontChoice, FontWarning, resolve_font
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
from printouts.spool import DOC_LABELS, DocKind, PrintRecord, SpoolError, safe_case_part

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

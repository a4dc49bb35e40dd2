"""Shared set-up for the printout tests: the sample cases, their documents rendered once, and their text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cache

import pdfplumber

from printouts import DocKind, DocumentData, RenderedDocument, render
from printouts.samples import SampleCase, SampleKind, sample_case


@cache
def case(kind: SampleKind) -> SampleCase:
    return sample_case(kind)


@cache
def rendered(kind: SampleKind, doc: DocKind) -> RenderedDocument:
    sample = case(kind)
    makers: dict[DocKind, Callable[[], DocumentData]] = {
        DocKind.FORM: sample.form,
        DocKind.RECEIPT: sample.receipt,
        DocKind.NOTICE: sample.notice,
        DocKind.COMMITMENT: sample.commitment,
        DocKind.AUTHORIZATION: sample.authorization,
        DocKind.GUIDE: sample.guide,
    }
    return render(makers[doc]())


@cache
def pages_text(kind: SampleKind, doc: DocKind) -> tuple[str, ...]:
    with pdfplumber.open(io.BytesIO(rendered(kind, doc).pdf)) as pdf:
        return tuple(page.extract_text(use_text_flow=True) or "" for page in pdf.pages)


def flat(kind: SampleKind, doc: DocKind) -> str:
    """All text without whitespace, so that words wrapped across lines still match."""
    return re.sub(r"\s+", "", "".join(pages_text(kind, doc)))


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


ALL_DOCS = [
    (SampleKind.NEW_MARRIED, DocKind.FORM),
    (SampleKind.NEW_MARRIED, DocKind.RECEIPT),
    (SampleKind.RESALE_WAIVED, DocKind.RECEIPT),
    (SampleKind.RESALE_WAIVED, DocKind.COMMITMENT),
    (SampleKind.DECLINED, DocKind.NOTICE),
    (SampleKind.AGENT, DocKind.FORM),
    (SampleKind.COMBINED, DocKind.FORM),
    (SampleKind.CROWDED, DocKind.FORM),
    (SampleKind.CROWDED, DocKind.RECEIPT),
    (SampleKind.CROWDED, DocKind.AUTHORIZATION),
    (SampleKind.CROWDED, DocKind.GUIDE),
]

"""One entry point for the app and the CLI: render any document, print it, reprint it.

``render(data)`` picks the renderer from the data model's type. ``print_document`` renders, writes to the spool
and optionally sends to ``lp``; ``reprint`` is the same with a mandatory reason (补打原因) and ``is_reprint``, and
the document carries a visible mark on every page: 补打, the reprint date and its number (第 N 次补打).
The caller logs the returned :class:`~printouts.spool.PrintRecord` in the store's print log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from printouts.fonts import FontChoice, resolve_font
from printouts.form import render_form
from printouts.guide import render_guide
from printouts.layout import RenderedDocument, stamped
from printouts.models import (
    AuthorizationData,
    CommitmentData,
    FormData,
    GuideData,
    NoticeData,
    OverdueListData,
    ReceiptData,
    local,
)
from printouts.notices import render_authorization, render_commitment, render_notice
from printouts.overdue import render_overdue
from printouts.receipt import render_receipt
from printouts.spool import LP_TIMEOUT_SECONDS, DocKind, PrintRecord, spool_document
from printouts.text import fmt_date

DocumentData = FormData | ReceiptData | NoticeData | CommitmentData | AuthorizationData | GuideData | OverdueListData

_RENDERERS: dict[type[Any], tuple[DocKind, Callable[[Any, FontChoice | None], RenderedDocument]]] = {
    FormData: (DocKind.FORM, render_form),
    ReceiptData: (DocKind.RECEIPT, render_receipt),
    NoticeData: (DocKind.NOTICE, render_notice),
    CommitmentData: (DocKind.COMMITMENT, render_commitment),
    AuthorizationData: (DocKind.AUTHORIZATION, render_authorization),
    GuideData: (DocKind.GUIDE, render_guide),
    OverdueListData: (DocKind.OVERDUE, render_overdue),
}

DATA_TYPES: dict[DocKind, type[DocumentData]] = {kind: cls for cls, (kind, _) in _RENDERERS.items()}


def kind_of(data: DocumentData) -> DocKind:
    """The document kind a data model renders to."""
    return _RENDERERS[type(data)][0]


def reprint_mark(when: datetime, number: int) -> str:
    """The mark a reprint carries on every page: 补打, the reprint date (China time) and its number."""
    return f"补打　{fmt_date(local(when))}　第 {number} 次补打"


def render(
    data: DocumentData, *, font_path: Path | str | None = None, font: FontChoice | None = None, stamp: str = ""
) -> RenderedDocument:
    """Render any document to PDF bytes; the font is resolved (and cached) from ``font_path`` when not given.
    ``stamp`` (e.g. :func:`reprint_mark`) is printed in red at the top right of every page."""
    entry = _RENDERERS.get(type(data))
    if entry is None:
        raise TypeError(f"不支持的打印文书数据类型：{type(data).__name__}")
    _kind, renderer = entry
    with stamped(stamp):
        return renderer(data, font or resolve_font(font_path))


def load_data(kind: DocKind | str, snapshot: str) -> DocumentData:
    """Rebuild a document's data from the JSON stored at the first print (``data.model_dump_json()``)."""
    cls = DATA_TYPES[DocKind(kind)]
    return cls.model_validate_json(snapshot)


def print_document(
    data: DocumentData,
    *,
    spool_dir: Path,
    actor: str,
    printer: str | None = None,
    font_path: Path | str | None = None,
    now: datetime | None = None,
    lp_command: Sequence[str] = ("lp",),
    lp_timeout: float = LP_TIMEOUT_SECONDS,
    _reprint_reason: str | None = None,
    _reprint_number: int = 0,
) -> PrintRecord:
    """Render, spool and (when a printer is configured) print; never raises for printer trouble."""
    when = now or datetime.now(UTC)
    stamp = reprint_mark(when, _reprint_number) if _reprint_reason is not None else ""
    doc = render(data, font_path=font_path, stamp=stamp)
    return spool_document(
        doc,
        kind_of(data),
        spool_dir,
        actor=actor,
        printer=printer,
        is_reprint=_reprint_reason is not None,
        reason=_reprint_reason,
        reprint_number=_reprint_number if _reprint_reason is not None else 0,
        now=when,
        lp_command=lp_command,
        lp_timeout=lp_timeout,
    )


def reprint(
    data: DocumentData,
    *,
    reason: str,
    number: int = 1,
    spool_dir: Path,
    actor: str,
    printer: str | None = None,
    font_path: Path | str | None = None,
    now: datetime | None = None,
    lp_command: Sequence[str] = ("lp",),
    lp_timeout: float = LP_TIMEOUT_SECONDS,
) -> PrintRecord:
    """A reprint (补打): same as :func:`print_document`, but the reason is required and recorded, and every page
    carries the 补打 mark with the date and ``number``: the how-manieth reprint of this document it is (第 N 次补打;
    the caller counts the earlier ones in its print log)."""
    if not reason or not reason.strip():
        raise ValueError("补打原因（reason）：补打时须填写原因，例如“申请人遗失回执”")
    if number < 1:
        raise ValueError("补打次数（number）须为正整数")
    return print_document(
        data,
        spool_dir=spool_dir,
        actor=actor,
        printer=printer,
        font_path=font_path,
        now=now,
        lp_command=lp_command,
        lp_timeout=lp_timeout,
        _reprint_reason=reason,
        _reprint_number=number,
    )

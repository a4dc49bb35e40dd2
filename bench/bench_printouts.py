"""Printouts: warm and cold rendering of the form and receipt, receipt pages per second.

Baseline, timed in the same run: a bare reportlab page with one line of Helvetica, i.e. what reportlab itself
costs before fonts, tables and layout.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bench.common import Figure, best_of
from printouts import benchmark


def _bare_page() -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    canvas.drawString(72, 720, "Acceptance receipt QD01-20260930-0001")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def run() -> list[Figure]:
    bare = best_of(_bare_page, repeat=7, number=5)
    warm = benchmark.warm_form_and_receipt()
    first, with_imports = benchmark.cold_first_print()
    pages = benchmark.receipts_pages_per_second()
    return [
        Figure("printouts: warm form + receipt", warm * 1e3, "ms", "bare reportlab page", bare * 1e3, "< 250 ms"),
        Figure("printouts: cold first render (fonts)", first * 1e3, "ms", "bare reportlab page", bare * 1e3, "< 1 s"),
        Figure("printouts: cold incl. imports", with_imports * 1e3, "ms", "bare reportlab page", bare * 1e3),
        Figure("printouts: receipt pages per second", pages, "pages/s", "bare pages/s", 1 / bare),
    ]

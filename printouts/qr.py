"""The QR code on the receipt: it carries the case number and nothing else (no personal data)."""

from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from printouts.text import clean


def qr_payload(case_no: str) -> str:
    """What the code encodes: the cleaned case number."""
    return clean(case_no, 64)


def qr_drawing(case_no: str, size_mm: float = 28) -> Drawing:
    """A square Drawing (a platypus flowable) with the case number's QR code, error correction M."""
    widget = QrCodeWidget(qr_payload(case_no), barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    size = size_mm * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def qr_matrix(case_no: str) -> list[list[bool]]:
    """The module matrix (dark = True, top row first) that :func:`qr_drawing` draws, for checks and tests."""
    widget = QrCodeWidget(qr_payload(case_no), barLevel="M", barBorder=2)
    widget.qr.make()
    count = widget.qr.getModuleCount()
    return [[bool(widget.qr.isDark(r, c)) for c in range(count)] for r in range(count)]

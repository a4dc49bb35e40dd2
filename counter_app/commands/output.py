"""Shared output helpers: stable JSON (Decimal as string, dates ISO) for scripts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    """JSON with keys in insertion order, Chinese unescaped, money as strings with 2 decimals."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)

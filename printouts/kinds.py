"""The documents the window prints, by name: light enough to import anywhere (no reportlab)."""

from __future__ import annotations

from enum import StrEnum


class DocKind(StrEnum):
    """The documents the window prints; values are the ``counter print --doc`` names."""

    RECEIPT = "receipt"
    FORM = "form"
    NOTICE = "notice"
    COMMITMENT = "commitment"
    AUTHORIZATION = "authorization"
    GUIDE = "guide"
    OVERDUE = "overdue"


DOC_LABELS: dict[DocKind, str] = {
    DocKind.RECEIPT: "受理回执",
    DocKind.FORM: "申请表（一表）",
    DocKind.NOTICE: "一次性告知书",
    DocKind.COMMITMENT: "容缺受理承诺书",
    DocKind.AUTHORIZATION: "征信查询授权书",
    DocKind.GUIDE: "材料清单与办事指南",
    DocKind.OVERDUE: "逾期未补件清单",
}

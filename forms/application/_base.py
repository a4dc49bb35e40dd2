"""The base of every form section: labelled fields, label paths, and Chinese messages for pydantic's own errors.

Every field declares its Chinese label (``title``) and its static source (``typed`` or ``derived``) through
:func:`field`. :func:`_walk` follows a pydantic error location (or a dotted path) through the form's models and
collects the labels on the way; ``_FormModel`` uses it to prefix each error with its field's label.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from forms.vocabulary import FieldSource

# ---------------------------------------------------------------------------------------------------------------
# Labels and sources
# ---------------------------------------------------------------------------------------------------------------


def field(label: str, source: FieldSource = FieldSource.TYPED, **kwargs: Any) -> Any:
    """A form field: Chinese label (``title``), static source, default None unless a default is given."""
    if "default" not in kwargs and "default_factory" not in kwargs:
        kwargs["default"] = None
    return Field(title=label, json_schema_extra={"source": source.value}, **kwargs)


def field_label(model_cls: type[BaseModel], name: str) -> str:
    """The Chinese label of one field of a form model (its ``title``)."""
    info = model_cls.model_fields[name]
    return info.title or name


def field_source(model_cls: type[BaseModel], name: str) -> FieldSource:
    """The static source of a field: ``derived`` for values computed from others, else ``typed``."""
    extra = model_cls.model_fields[name].json_schema_extra
    source = extra.get("source") if isinstance(extra, dict) else None
    if isinstance(source, str):
        return FieldSource(source)
    return FieldSource.TYPED


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    """The model classes inside an annotation (through Optional, unions, list and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is Annotated:
        return _model_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list):
        found: list[type[BaseModel]] = []
        for arg in get_args(annotation):
            found += _model_types(arg)
        return found
    return []


def _tag(model_cls: type[BaseModel]) -> str | None:
    info = model_cls.model_fields.get("property_kind")
    return str(info.default) if info is not None else None


def _walk(root: type[BaseModel], loc: tuple[str | int, ...] | list[str | int]) -> tuple[list[str], list[str | int]]:
    """Labels along a location and the location without discriminator tags (``property.resale.x``)."""
    candidates: list[type[BaseModel]] = [root]
    titles: list[str] = []
    path: list[str | int] = []
    for segment in loc:
        if isinstance(segment, int):
            titles.append(str(segment + 1))
            path.append(segment)
            continue
        owner = next((c for c in candidates if segment in c.model_fields), None)
        if owner is None:
            tagged = [c for c in candidates if _tag(c) == segment]
            if tagged:
                candidates = tagged
                continue
            titles.append(segment)
            path.append(segment)
            candidates = []
            continue
        info = owner.model_fields[segment]
        titles.append(info.title or segment)
        path.append(segment)
        candidates = _model_types(info.annotation)
    return titles, path


def _split(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".") if p]


def _join(path: list[str | int]) -> str:
    return ".".join(str(p) for p in path)


# ---------------------------------------------------------------------------------------------------------------
# Chinese messages for pydantic's own errors
# ---------------------------------------------------------------------------------------------------------------


def _expected(ctx: Mapping[str, Any] | None) -> str:
    raw = str((ctx or {}).get("expected", ""))
    return raw.replace("'", "").replace(" or ", "、").replace(", ", "、")


def _reason(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in {"form_value", "form"}:
        return str(ctx.get("reason", error["msg"]))
    if kind == "missing":
        return "必须填写"
    if kind == "extra_forbidden":
        return "不是本表的字段，请删除"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "日期格式不正确，应为 YYYY-MM-DD，如 2026-03-01"
    if kind == "timezone_aware":
        return "时间须带时区，应为 UTC 时间"
    if kind.startswith("int"):
        return "应为整数"
    if kind.startswith("bool"):
        return "应为“是”或“否”"
    if kind.startswith("decimal") or kind.startswith("float"):
        return "应为数字"
    if kind in {"enum", "literal_error"}:
        return f"取值无效，应为以下之一：{_expected(ctx)}"
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        return "房屋类型无效，应为 new（新建商品房）或 resale（再交易住房）"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}"
    if kind == "less_than":
        return f"应小于 {ctx.get('lt')}"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind in {"string_type", "string_too_long", "string_too_short"}:
        return "应为文字"
    if kind in {"model_type", "model_attributes_type", "dict_type", "list_type"}:
        return "结构不正确，请重新填写"
    return "取值无效，请核对后重新输入"


class _FormModel(BaseModel):
    """Base of every form section: validated on assignment, no unknown fields, Chinese labelled errors."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _label_errors(cls, value: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo) -> Self:
        # Errors of this model's own fields get "<label>：<reason>"; errors of nested form models arrive already
        # labelled (type "form") and keep their location so that each one still points at its field.
        try:
            return handler(value)
        except ValidationError as exc:
            details: list[InitErrorDetails] = []
            for error in exc.errors():
                if error["type"] == "form":
                    ctx = error.get("ctx") or {}
                    label, reason = str(ctx.get("label", "")), str(ctx.get("reason", error["msg"]))
                else:
                    titles, _ = _walk(cls, error["loc"])
                    label = titles[-1] if titles else (cls.model_config.get("title") or "表单")
                    reason = _reason(error)
                details.append(
                    InitErrorDetails(
                        type=PydanticCustomError("form", "{label}：{reason}", {"label": label, "reason": reason}),
                        loc=error["loc"],
                        input=error["input"],
                    )
                )
            raise ValidationError.from_exception_data(cls.__name__, details) from None

"""The property section of the form: a new commercial house or a resale house, told apart by ``property_kind``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from forms.application._base import _FormModel, field
from forms.application._types import (
    _Account,
    _Area,
    _Bool,
    _IdNumber,
    _Money,
    _Name,
    _PastDate,
    _ShortText,
    _Text,
    _Year,
)
from forms.vocabulary import PropertyKind


class _HouseBase(_FormModel):
    project: _Text = field("项目名称")
    location: _Text = field("坐落")
    area: _Area = field("建筑面积（平方米）")
    unit_price: _Money = field("单价（元/平方米）")
    total_price: _Money = field("总价（元）")
    contract_number: _ShortText = field("合同编号")
    contract_date: _PastDate = field("合同签订日期")
    contract_amount: _Money = field("合同金额（元）")
    down_payment: _Money = field("首付款（元）")


class NewHouse(_HouseBase):
    """新建商品房 (期房 or 现房)."""

    property_kind: Literal[PropertyKind.NEW] = field("类型", default=PropertyKind.NEW)
    developer: _Text = field("开发企业")
    presale_permit: _ShortText = field("预售许可证号")
    ready_built: _Bool = field("是否现房")


class ResaleHouse(_HouseBase):
    """再交易住房 (二手房): the seller is a person; the title and the appraisal matter."""

    property_kind: Literal[PropertyKind.RESALE] = field("类型", default=PropertyKind.RESALE)
    seller_name: _Name = field("卖方姓名")
    seller_id_number: _IdNumber = field("卖方身份证号码")
    seller_bank: _ShortText = field("卖方收款银行")
    seller_account: _Account = field("卖方收款账号")
    title_certificate: _ShortText = field("不动产权证书号")
    completion_year: _Year = field("建成年份")
    appraised_value: _Money = field("评估价值（元）")

    def house_age_on(self, today: dt.date) -> int | None:
        """房龄 in years on ``today`` (term + house age is limited by policy)."""
        return today.year - self.completion_year if self.completion_year is not None else None


PropertyDetails = Annotated[NewHouse | ResaleHouse, Field(discriminator="property_kind")]

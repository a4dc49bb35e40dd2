"""The material list and service guide (材料清单与办事指南) of a scenario, printable without a case."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from forms.materials import WHOSE_LABELS, materials_for
from forms.vocabulary import LINKED_ITEM_LABELS, VERIFICATION_LABELS
from printouts.fonts import FontChoice, resolve_font
from printouts.labels import CLASS_LABELS, scenario_text
from printouts.layout import (
    FRAME_WIDTH,
    P,
    RenderedDocument,
    build_pdf,
    gap,
    grid_table,
    section,
    styles_for,
    title_block,
    wide_kv_table,
)
from printouts.models import GuideData
from printouts.text import clean, fmt_date, para

# 序号, 材料名称, 提供人, 类别, 份数要求, 数据共享核验, 容缺受理: 提供人 holds 借款申请人 and 共同借款人 on one line.
MATERIAL_COLUMNS = (0.05, 0.23, 0.11, 0.07, 0.19, 0.18, 0.17)
_CELL_PADDING = 6.0
_BREAK_AFTER = set("，、；：。）)” 或及后")
_BREAK_BEFORE = ("（", "(", "“", "原件", "复印件", "核验一致")


def phrases(text: str) -> list[str]:
    """The text cut where a line may break: after Chinese punctuation, spaces, 或, 及 and 后; before an opening bracket
    and before the words 原件, 复印件 and 核验一致."""
    out: list[str] = []
    current = ""
    for index, char in enumerate(text):
        if current and text.startswith(_BREAK_BEFORE, index):
            out.append(current)
            current = ""
        current += char
        if char in _BREAK_AFTER:
            out.append(current)
            current = ""
    return [*out, current] if current else out


def wrapped(text: str, share: float, font_name: str, size: float) -> str:
    """Cell markup whose lines break between phrases, never inside a word such as 借款申请人 (a phrase wider than
    the column still wraps inside it)."""
    width = share * FRAME_WIDTH - _CELL_PADDING
    lines: list[str] = []
    line = ""
    for phrase in phrases(clean(text)):
        if line and stringWidth(line + phrase, font_name, size) > width:
            lines.append(line)
            line = phrase
        else:
            line += phrase
    lines.append(line)
    return "<br/>".join(para(part.strip(), empty="") for part in lines) or para("")


def render_guide(data: GuideData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    policy = data.policy
    scenario = data.scenario
    title = "材料清单与办事指南"
    story: list[Flowable] = [
        *title_block(st, f"{policy.meta.name}住房公积金贷款购房“一件事”", title),
        P(f"办理情形：{para(scenario_text(scenario), 200)}", st.body),
    ]

    story += section(st, "一、联办事项（一次申请、一窗受理）")
    items = [[str(i), para(LINKED_ITEM_LABELS[item])] for i, item in enumerate(scenario.linked_items(), 1)]
    story.append(grid_table(st, ["序号", "事项"], items, [0.1, 0.9]))

    story += section(st, "二、申请材料")
    rows: list[list[str]] = []
    cell = st.cell

    def fit(text: str, column: int) -> str:
        return wrapped(text, MATERIAL_COLUMNS[column], cell.fontName, cell.fontSize)

    for number, material in enumerate(materials_for(policy.materials, scenario), 1):
        if material.printed_by_us:
            exempt = "窗口打印，现场签字"
        elif material.exempt_by is not None:
            exempt = f"{VERIFICATION_LABELS[material.exempt_by]}核验一致的，免提交"
        else:
            exempt = "须提交"
        rows.append(
            [
                str(number),
                fit(material.name, 1),
                fit(WHOSE_LABELS[material.whose], 2),
                fit(CLASS_LABELS[material.material_class], 3),
                fit(material.copies or "原件1份", 4),
                fit(exempt, 5),
                fit(material.shortfall.due_label(), 6),
            ]
        )
    story.append(
        grid_table(
            st,
            ["序号", "材料名称", "提供人", "类别", "份数要求", "数据共享核验", "容缺受理"],
            rows,
            MATERIAL_COLUMNS,
        )
    )
    story.append(
        P(
            "说明：标注“核验一致的，免提交”的材料，经窗口通过数据共享平台核验一致后无需提交纸质材料；"
            "非核心材料可按容缺受理办理，申请人签署《容缺受理承诺书》后在规定期限内补交；核心材料不得容缺。",
            st.small,
        )
    )

    story += section(st, "三、办理时限与咨询")
    service = policy.service
    story.append(
        wide_kv_table(
            st,
            [
                ("办结时限", para(f"受理后 {policy.promised_working_days.value} 个工作日（不含法定节假日）")),
                ("受理窗口", para(data.window or service.office)),
                ("咨询电话", para(service.hotline)),
                ("监督电话", para(service.supervision_phone)),
                ("进度查询", para(service.progress_query, 300)),
            ],
        )
    )
    story.append(gap())
    story.append(
        P(
            f"本清单依据{para(policy.meta.authority)}现行规定（{fmt_date(policy.meta.effective)}起施行）生成，"
            f"打印日期 {fmt_date(data.printed_on)}，仅供咨询参考，以窗口受理时的审核为准。",
            st.small,
        )
    )
    return build_pdf(story, kind="guide", title=title, case_no="", font=font)

"""The material list and service guide (材料清单与办事指南) of a scenario, printable without a case."""

from __future__ import annotations

from reportlab.platypus import Flowable

from forms.materials import WHOSE_LABELS, materials_for
from forms.vocabulary import LINKED_ITEM_LABELS, VERIFICATION_LABELS
from printouts.fonts import FontChoice, resolve_font
from printouts.labels import CLASS_LABELS, scenario_text
from printouts.layout import (
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
from printouts.text import fmt_date, para


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
                para(material.name),
                para(WHOSE_LABELS[material.whose]),
                para(CLASS_LABELS[material.material_class]),
                para(material.copies or "原件1份"),
                para(exempt),
                para(material.shortfall.due_label()),
            ]
        )
    story.append(
        grid_table(
            st,
            ["序号", "材料名称", "提供人", "类别", "份数要求", "数据共享核验", "容缺受理"],
            rows,
            [0.06, 0.27, 0.1, 0.08, 0.17, 0.18, 0.14],
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

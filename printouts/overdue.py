"""The list of overdue shortfalls (逾期未补件清单): what the window must chase, case by case."""

from __future__ import annotations

from reportlab.platypus import Flowable

from printouts.fonts import FontChoice, resolve_font
from printouts.layout import P, RenderedDocument, build_pdf, grid_table, section, styles_for, title_block
from printouts.models import OverdueListData, local
from printouts.text import fmt_date, para


def render_overdue(data: OverdueListData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    title = "逾期未补件清单"
    printed = local(data.printed_at)
    story: list[Flowable] = [
        *title_block(st, data.office.authority, title),
        P(f"打印时间：{printed:%Y-%m-%d %H:%M}　打印人：{para(data.clerk, 40)}　共 {len(data.rows)} 项", st.body),
    ]
    story += section(st, "逾期未补交的容缺材料")
    rows = [
        [str(n), para(row.case_no, 40), para(row.material), fmt_date(row.due)]
        for n, row in enumerate(sorted(data.rows, key=lambda r: (r.due, r.case_no)), 1)
    ]
    story.append(grid_table(st, ["序号", "案件编号", "材料", "约定补交日期"], rows, [0.08, 0.27, 0.45, 0.2]))
    story.append(P("请逐件联系申请人补交；逾期仍未补交的，按容缺受理承诺书约定处理并报负责人。", st.body))
    return build_pdf(story, kind="overdue", title=title, case_no="OVERDUE", font=font)

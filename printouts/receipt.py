"""The acceptance receipt (受理回执): what was accepted, what was received, exempted and waived, and when it is due.

Identifiers are masked: the receipt leaves the building in the applicant's pocket.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from forms.materials import PAPER_FORM_LABELS, WHOSE_LABELS, Evaluation
from forms.vocabulary import VERIFICATION_LABELS, LoanKind, VerificationOutcome
from printouts.fonts import FontChoice, resolve_font
from printouts.labels import scenario_text
from printouts.layout import (
    FRAME_WIDTH,
    P,
    RenderedDocument,
    Sections,
    build_pdf,
    grid_table,
    kv_table,
    seal_box,
    styles_for,
    title_block,
    wide_kv_table,
)
from printouts.models import ReceiptData, local
from printouts.parts import id_text, linked_item_list, phone_text, verification_table
from printouts.qr import qr_drawing
from printouts.text import fmt_date, fmt_datetime, fmt_money, para

TITLE = "受理回执"
ESTIMATE_MARK = "估算"


def promised_text(data: ReceiptData) -> str:
    """承诺办结日期 with the 估算 mark when the calendar does not know that year's holidays."""
    text = fmt_date(data.promised.due)
    if data.promised.estimate:
        text += f"（{ESTIMATE_MARK}：该年度法定节假日安排尚未公布，按节假日规则推算，未计调休）"
    return text


def completeness_text(ev: Evaluation) -> str:
    """What the review found: "齐全" only when nothing is waived; "（含容缺受理）" only when something is."""
    committed = f"（{len(ev.committed)} 项以告知承诺替代）" if ev.committed else ""
    if not ev.waived:
        return f"经审查，申请材料齐全{committed}，予以受理。"
    return (
        f"经审查，除 {len(ev.waived)} 项容缺受理材料须在期限内补交外，其余申请材料已收取或经数据共享核验一致"
        f"{committed}，予以受理（含容缺受理）。"
    )


def loan_pairs(data: ReceiptData) -> list[tuple[str, str]]:
    """What was applied for: the amount and term of each loan part, the contract (values escaped)."""
    app = data.application
    fund, bank = app.fund_loan, app.bank_loan
    pairs = [
        ("公积金贷款金额", para(fmt_money(fund.amount) if fund else "")),
        ("公积金贷款期限", para(f"{fund.months} 个月" if fund and fund.months else "")),
    ]
    if app.scenario.loan_kind is LoanKind.COMBINED or bank is not None:
        pairs += [
            ("商业贷款金额", para(fmt_money(bank.amount) + (f"（{bank.bank}）" if bank.bank else "") if bank else "")),
            ("商业贷款期限", para(f"{bank.months} 个月" if bank and bank.months else "")),
        ]
    pairs.append(("购房合同编号", para(app.property.contract_number if app.property else "")))
    return pairs


def render_receipt(data: ReceiptData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    app = data.application
    ev = data.evaluation
    accepted = local(data.accepted_at)
    subtitle = data.office.authority
    if data.document_no:
        subtitle += f"　{data.document_no}"
    story: list[Flowable] = [*title_block(st, f"住房公积金贷款购房“一件事”{TITLE}", subtitle)]

    story.append(
        kv_table(
            st,
            [
                ("案件编号", para(data.case_no, 64)),
                ("受理时间", para(fmt_datetime(accepted))),
                ("受理窗口", para(data.office.window)),
                ("受理人", para(data.clerk)),
                ("申请人", para(app.applicant.name)),
                ("身份证号码", para(id_text(app.applicant.id_number, masked=True))),
                ("联系电话", para(phone_text(app.applicant.phone, masked=True))),
                ("代办人", para(app.agent.name if app.agent and app.scenario.by_agent else "本人办理")),
            ],
        )
    )
    story.append(
        wide_kv_table(
            st,
            [("办理情形", para(scenario_text(app.scenario), 200)), ("申请事项", linked_item_list(app))],
        )
    )
    story.append(kv_table(st, loan_pairs(data)))
    story.append(wide_kv_table(st, [("房屋坐落", para(app.property.location if app.property else "", 200))]))
    story.append(
        P(
            f"您申请的上述事项，{completeness_text(ev)}"
            f"承诺办结时限为 {data.promised_days} 个工作日"
            f"（自受理次日起算，不含法定节假日），预计办结日期：{promised_text(data)}。",
            st.body,
        )
    )
    if data.office.policy_version:  # the rules the case was assessed under (empty in a receipt frozen before them)
        story.append(P(f"本件依据政策包 {para(data.office.policy_version)} 审查受理。", st.small))

    sec = Sections(st)
    forms = {line.code: line for line in data.checklist}
    story += sec("已收取材料")
    received_rows: list[list[str]] = []
    for number, material in enumerate(ev.received, 1):
        line = forms.get(material.code)
        how = "已收取"  # as the checklist recorded it: original or copy, and how many
        if line is not None and line.received is not None:
            how = f"{PAPER_FORM_LABELS[line.received.form]} {line.received.count} 份"
        received_rows.append([str(number), para(material.name), para(WHOSE_LABELS[material.whose]), para(how)])
    story.append(grid_table(st, ["序号", "材料名称", "提供人", "收取情况"], received_rows, [0.08, 0.57, 0.15, 0.2]))

    story += sec("免提交材料（数据共享核验一致）")
    exempt_rows = [
        [str(n), para(item.material.name), para(VERIFICATION_LABELS[item.kind]), "核验一致，免提交"]
        for n, item in enumerate(ev.exempted, 1)
    ]
    story.append(
        grid_table(st, ["序号", "材料名称", "替代核验（数据来源）", "说明"], exempt_rows, [0.08, 0.44, 0.28, 0.2])
    )

    story += sec("容缺受理材料（须在期限内补交）")
    waived_rows = [
        [str(n), para(item.material.name), para(item.due_text), para(item.reason, empty="")]
        for n, item in enumerate(ev.waived, 1)
    ]
    story.append(grid_table(st, ["序号", "材料名称", "补交期限", "容缺原因"], waived_rows, [0.08, 0.4, 0.27, 0.25]))
    if ev.waived:
        story.append(
            P("容缺材料请按《容缺受理承诺书》约定的期限补交；逾期未补交的，本件将终止办理、不予放款。", st.small)
        )

    if data.verifications:
        story += sec("数据共享核验情况")
        story.append(verification_table(st, app, data.verifications))
        pending = [row for row in data.verifications if row.outcome is VerificationOutcome.PENDING]
        if pending:
            # Accepted offline: say so plainly, so the applicant knows the case may still be called back.
            story.append(
                P(
                    f"注：本件受理时网络中断，{len(pending)} 项核验尚未完成（核验待完成），恢复连接后自动补查；"
                    "补查结果与申报不一致的，窗口将另行通知。",
                    st.small,
                )
            )

    story += sec("进度查询")
    service = data.office.service
    qr_size = 30
    side = (qr_size + 12) * mm
    contacts = wide_kv_table(
        st,
        [
            ("进度查询", para(service.progress_query, 300)),
            ("咨询电话", para(service.hotline)),
            ("监督电话", para(service.supervision_phone)),
            ("办理机构", para(service.office)),
        ],
        width=FRAME_WIDTH - side,
    )
    qr_cell = [qr_drawing(data.case_no, qr_size), P(f"扫码查询进度<br/>{para(data.case_no, 64)}", st.small)]
    box = Table(
        [[contacts, qr_cell]],
        colWidths=[FRAME_WIDTH - side, side],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
            ]
        ),
        hAlign="LEFT",
    )
    story.append(KeepTogether([box]))
    story.append(seal_box(st, data.office.authority, fmt_date(accepted)))
    story.append(P("申请人（代办人）签收：____________________　日期：________年____月____日", st.body))
    return build_pdf(story, kind="receipt", title=TITLE, case_no=data.case_no, font=font)

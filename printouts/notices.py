"""The one-time notice (一次性告知书), the shortfall commitment (容缺受理承诺书) and the credit inquiry
authorization (征信查询授权书)."""

from __future__ import annotations

from reportlab.platypus import Flowable

from forms.materials import WHOSE_LABELS
from printouts.fonts import FontChoice, resolve_font
from printouts.labels import scenario_text
from printouts.layout import (
    P,
    RenderedDocument,
    Sections,
    build_pdf,
    gap,
    grid_table,
    kv_table,
    seal_box,
    section,
    signature_block,
    styles_for,
    title_block,
    wide_kv_table,
)
from printouts.models import AuthorizationData, CommitmentData, NoticeData, local
from printouts.parts import id_text, linked_item_list, phone_text, relation_text
from printouts.text import fmt_date, fmt_datetime, para

NOTICE_TITLE = "一次性告知书"
COMMITMENT_TITLE = "容缺受理承诺书"
AUTHORIZATION_TITLE = "个人征信查询授权书"


def render_notice(data: NoticeData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    app = data.application
    issued = local(data.issued_at)
    subtitle = data.office.authority + (f"　{data.document_no}" if data.document_no else "")
    story: list[Flowable] = [*title_block(st, f"住房公积金贷款购房“一件事”{NOTICE_TITLE}", subtitle)]
    story.append(
        kv_table(
            st,
            [
                ("案件编号", para(data.case_no, 64)),
                ("告知时间", para(fmt_datetime(issued))),
                ("申请人", para(app.applicant.name)),
                ("身份证号码", para(id_text(app.applicant.id_number, masked=True))),
                ("联系电话", para(phone_text(app.applicant.phone, masked=True))),
                ("受理窗口", para(data.office.window)),
            ],
        )
    )
    story.append(
        wide_kv_table(st, [("办理情形", para(scenario_text(app.scenario), 200)), ("申请事项", linked_item_list(app))])
    )
    sec = Sections(st)
    name = para(app.applicant.name, empty="申请人")
    story.append(
        P(
            f"{name}：您于 {fmt_date(issued)} 申请办理的上述事项，经审查，申请材料不齐全或不符合要求，暂不予受理。"
            "现将需要补充或更正的全部内容一次性告知如下：",
            st.body,
        )
    )
    if data.reasons:
        # The reasons as the clerk confirmed them when declining, in the clerk's order.
        story += sec("不予受理的原因")
        reason_rows = [[str(n), para(text, 300)] for n, text in enumerate(data.reasons, 1)]
        story.append(grid_table(st, ["序号", "原因"], reason_rows, [0.07, 0.93]))
    story += sec("需补正的材料")
    rows = [
        [str(n), para(item.material.name), para(WHOSE_LABELS[item.material.whose]), para(item.reason, 300)]
        for n, item in enumerate(data.evaluation.missing, 1)
    ]
    story.append(grid_table(st, ["序号", "材料名称", "提供人", "补正内容及原因"], rows, [0.07, 0.3, 0.12, 0.51]))
    if data.form_issues:
        story += sec("申请表需补正的信息")
        issue_rows = [[str(n), para(text, 300)] for n, text in enumerate(data.form_issues, 1)]
        story.append(grid_table(st, ["序号", "需补正的内容"], issue_rows, [0.07, 0.93]))
    story += sec("补正方式")
    service = data.office.service
    story.append(
        P(
            "请按上述要求备齐材料后，携带本告知书到任一公积金贷款购房“一件事”专窗重新申请；"
            "已经数据共享核验一致的信息和材料无需重复提供。非核心材料可申请容缺受理，签署《容缺受理承诺书》后限期补交。",
            st.body,
        )
    )
    story.append(
        wide_kv_table(
            st,
            [
                ("咨询电话", para(service.hotline)),
                ("监督电话", para(service.supervision_phone)),
                ("办理地点", para(service.office)),
                ("告知人", para(data.clerk)),
            ],
        )
    )
    story.append(seal_box(st, data.office.authority, fmt_date(issued)))
    story.append(P("申请人（代办人）签收：____________________　日期：________年____月____日", st.body))
    return build_pdf(story, kind="notice", title=NOTICE_TITLE, case_no=data.case_no, font=font)


def render_commitment(data: CommitmentData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    app = data.application
    accepted = local(data.accepted_at)
    story: list[Flowable] = [*title_block(st, COMMITMENT_TITLE, data.office.authority)]
    story.append(
        kv_table(
            st,
            [
                ("案件编号", para(data.case_no, 64)),
                ("受理日期", para(fmt_date(accepted))),
                ("承诺人（申请人）", para(app.applicant.name)),
                ("身份证号码", para(id_text(app.applicant.id_number, masked=False))),
                ("联系电话", para(app.applicant.phone)),
                ("受理人", para(data.clerk)),
            ],
        )
    )
    story.append(wide_kv_table(st, [("申请事项", linked_item_list(app))]))
    story.append(
        P(
            f"本人申请办理上述事项，下列非核心材料暂未提交，申请容缺受理。本人承诺在下列期限内向{para(data.office.authority)}"
            "补交全部容缺材料，并对所作承诺的真实性负责：",
            st.body,
        )
    )
    rows = [
        [str(n), para(item.material.name), para(item.reason, empty=""), para(item.due_text)]
        for n, item in enumerate(data.evaluation.waived, 1)
    ]
    story.append(grid_table(st, ["序号", "容缺材料", "容缺原因", "补交期限"], rows, [0.07, 0.4, 0.25, 0.28]))
    if data.evaluation.committed:
        # 告知承诺: a signed commitment replaces these materials; nothing of them is owed later.
        story += section(st, "告知承诺")
        story.append(
            P(
                "下列材料实行告知承诺制，本人承诺所填信息真实、有效，以本承诺代替提交；如有不实，愿承担相应法律责任，"
                "已受理的申请不予审批或依法撤销：",
                st.body,
            )
        )
        committed = [[str(n), para(m.name)] for n, m in enumerate(data.evaluation.committed, 1)]
        story.append(grid_table(st, ["序号", "以承诺代替提交的材料"], committed, [0.07, 0.93]))
    story += section(st, "补交方式")
    service = data.office.service
    story.append(
        P(
            f"携带本承诺书副本及所缺材料到{para(service.office)}或任一专窗办理补件；咨询电话 {para(service.hotline)}。",
            st.body,
        )
    )
    story += section(st, "未按期补交的后果")
    story.append(
        P(
            "一、逾期未补交或补交材料与承诺不符的，本件终止办理，已受理的贷款申请不予审批、不予放款；<br/>"
            "二、因承诺不实造成的损失由承诺人承担，相关失信情况按规定记入信用记录；<br/>"
            "三、已签订的借款合同、抵押登记等按有关规定处理。",
            st.body,
        )
    )
    story.append(gap(2))
    story.append(signature_block(st, ["承诺人（申请人）", "受理人（窗口）"]))
    story.append(seal_box(st, data.office.authority, fmt_date(accepted)))
    return build_pdf(story, kind="commitment", title=COMMITMENT_TITLE, case_no=data.case_no, font=font)


def render_authorization(data: AuthorizationData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    app = data.application
    printed = local(data.printed_at)
    subtitle = f"授权书编号：{para(data.reference, 64)}" if data.reference else ""
    story: list[Flowable] = [*title_block(st, AUTHORIZATION_TITLE, subtitle)]
    story.append(
        kv_table(
            st,
            [
                ("案件编号", para(data.case_no, 64)),
                ("被授权人", para(data.office.authority)),
            ],
        )
    )
    people: list[tuple[str, str, str]] = [("借款申请人", app.applicant.name or "", app.applicant.id_number or "")]
    if app.spouse is not None and not app.spouse.is_empty():
        people.append(("配偶", app.spouse.name or "", app.spouse.id_number or ""))
    for number, co in enumerate(app.co_borrowers, 1):
        relation = relation_text(co.relation)
        role = f"共同借款人 {number}" + (f"（{relation}）" if relation else "")
        people.append((role, co.name or "", co.id_number or ""))
    story += section(st, "授权人")
    rows = [[str(n), para(role), para(name), para(number)] for n, (role, name, number) in enumerate(people, 1)]
    story.append(grid_table(st, ["序号", "身份", "姓名", "身份证号码"], rows, [0.08, 0.27, 0.25, 0.4]))
    valid = f"至 {fmt_date(data.valid_until)} 止" if data.valid_until else "至本笔贷款结清之日止"
    story += section(st, "授权事项")
    story.append(
        P(
            f"本人（授权人）同意并不可撤销地授权{para(data.office.authority)}：<br/>"
            "一、为审核本人住房公积金个人住房贷款申请，通过中国人民银行征信中心金融信用信息基础数据库查询、打印、保存本人信用报告；<br/>"
            "二、在贷款存续期间为贷后管理需要查询本人信用报告，并按规定向金融信用信息基础数据库报送本人贷款信息；<br/>"
            "三、通过数据共享平台核验本人身份、婚姻、公积金账户、不动产、税务等与本次申请相关的信息。<br/>"
            f"授权期限：自签署之日起{valid}。被授权人应依法保护授权人个人信息，不得用于本授权以外的用途。",
            st.body,
        )
    )
    story.append(gap(2))
    story.append(signature_block(st, [f"授权人：{name or role}" for role, name, _ in people]))
    story.append(P(f"打印日期：{fmt_date(printed)}", st.small))
    return build_pdf(story, kind="authorization", title=AUTHORIZATION_TITLE, case_no=data.case_no, font=font)

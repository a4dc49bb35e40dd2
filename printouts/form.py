"""The merged application form (一表): every section, full identifiers, signature lines for everyone who signs."""

from __future__ import annotations

from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether

from forms.application import FUND_ACCOUNT_STATUS_LABELS, Application, NewHouse, ResaleHouse
from forms.money import to_chinese_capital
from forms.vocabulary import LoanKind
from printouts.fonts import FontChoice, resolve_font
from printouts.labels import HOME_LABELS, MARITAL_LABELS, REPAYMENT_LABELS, scenario_text
from printouts.layout import (
    P,
    RenderedDocument,
    Sections,
    Styles,
    build_pdf,
    gap,
    grid_table,
    kv_table,
    signature_block,
    styles_for,
    title_block,
    wide_kv_table,
)
from printouts.models import FormData, local
from printouts.parts import linked_item_ticks, person_pairs, person_wide_pairs, relation_text, verification_table
from printouts.text import fmt_date, fmt_datetime, fmt_money, fmt_rate, fmt_stamp, para

TITLE = "住房公积金贷款购房“一件事”申请表"


def _capital(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    try:
        return to_chinese_capital(amount)
    except ValueError:
        return ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _people(st: Styles, sec: Sections, app: Application, data: FormData) -> list[Flowable]:
    today = local(data.printed_at).date()
    story: list[Flowable] = []
    applicant = app.applicant
    story += sec("借款申请人")
    pairs = person_pairs(applicant, today)
    pairs.insert(4, ("婚姻状况", para(MARITAL_LABELS[app.scenario.marital_status])))
    pairs.append(("家庭月收入", para(fmt_money(applicant.family_monthly_income))))
    story.append(kv_table(st, pairs))
    story.append(wide_kv_table(st, person_wide_pairs(applicant)))

    if app.spouse is not None or app.scenario.married:
        story += sec("配偶")
        spouse = app.spouse
        if spouse is None:
            story.append(P("（未填写）", st.body))
        else:
            story.append(kv_table(st, person_pairs(spouse, today)))
            story.append(wide_kv_table(st, person_wide_pairs(spouse)))

    if app.co_borrowers:
        story += sec(f"共同借款人（{len(app.co_borrowers)} 人）")
        for number, co in enumerate(app.co_borrowers, 1):
            pairs = person_pairs(co, today)
            pairs.insert(0, ("与申请人关系", para(relation_text(co.relation))))
            pairs += [("公积金账号", para(co.fund_account_number)), ("公积金缴存地", para(co.fund_account_place))]
            # One co-borrower's block never straddles a page: it reads as one person.
            block = [
                P(f"共同借款人 {number}", st.body),
                kv_table(st, pairs),
                wide_kv_table(st, person_wide_pairs(co)),
                gap(2),
            ]
            story.append(KeepTogether(block))

    if app.agent is not None or app.scenario.by_agent:
        story += sec("代办人")
        agent = app.agent
        if agent is None:
            story.append(P("（未填写）", st.body))
        else:
            story.append(
                kv_table(
                    st,
                    [
                        ("姓名", para(agent.name)),
                        ("身份证号码", para(agent.id_number)),
                        ("手机号码", para(agent.phone)),
                        ("与申请人关系", para(agent.relation)),
                        ("授权委托书", para(_yes_no(agent.power_of_attorney) and "已提交")),
                        ("委托书编号", para(agent.power_of_attorney_ref)),
                    ],
                )
            )
    return story


def _fund(st: Styles, sec: Sections, app: Application) -> list[Flowable]:
    story: list[Flowable] = [*sec("工作单位及公积金账户")]
    employer = app.employer
    if employer is not None:
        story.append(
            kv_table(
                st,
                [
                    ("单位名称", para(employer.name)),
                    ("统一社会信用代码", para(employer.uscc)),
                    ("单位公积金账号", para(employer.unit_account)),
                    ("单位电话", para(employer.phone)),
                ],
            )
        )
        story.append(wide_kv_table(st, [("单位地址", para(employer.address))]))
    account = app.fund_account
    if account is not None:
        story.append(
            kv_table(
                st,
                [
                    ("个人公积金账号", para(account.account_number)),
                    ("账户状态", para(FUND_ACCOUNT_STATUS_LABELS.get(account.status, "") if account.status else "")),
                    ("账户余额", para(fmt_money(account.balance))),
                    ("缴存基数", para(fmt_money(account.contribution_base))),
                    ("月缴存额", para(fmt_money(account.monthly_deposit))),
                    ("缴至年月", para(account.paid_up_to)),
                    ("连续正常缴存", para(f"{account.consecutive_months} 个月" if account.consecutive_months else "")),
                    ("开户日期", para(fmt_date(account.opened_on))),
                ],
            )
        )
    if employer is None and account is None:
        story.append(P("（未填写）", st.body))
    return story


def _house(st: Styles, sec: Sections, app: Application) -> list[Flowable]:
    story: list[Flowable] = [*sec("所购房屋")]
    house = app.property
    if house is None:
        story.append(P("（未填写）", st.body))
        return story
    story.append(
        wide_kv_table(
            st,
            [
                ("项目名称", para(house.project)),
                ("房屋坐落", para(house.location)),
            ],
        )
    )
    pairs = [
        ("建筑面积", para(f"{house.area} 平方米" if house.area is not None else "")),
        ("单价", para(f"{house.unit_price:,.2f} 元/平方米" if house.unit_price is not None else "")),
        ("房屋总价", para(fmt_money(house.total_price))),
        ("首付款", para(fmt_money(house.down_payment))),
        ("购房合同编号", para(house.contract_number)),
        ("合同签订日期", para(fmt_date(house.contract_date))),
        ("合同金额", para(fmt_money(house.contract_amount))),
    ]
    if isinstance(house, NewHouse):
        pairs += [
            (
                "房屋类型",
                "新建商品房" + ("（现房）" if house.ready_built else "（期房）" if house.ready_built is False else ""),
            ),
            ("预售许可证号", para(house.presale_permit)),
            ("开发企业", para(house.developer)),
        ]
    elif isinstance(house, ResaleHouse):
        pairs += [
            ("房屋类型", "再交易住房（二手房）"),
            ("不动产权证书号", para(house.title_certificate)),
            ("建成年份", para(house.completion_year)),
            ("评估价值", para(fmt_money(house.appraised_value))),
            ("卖方姓名", para(house.seller_name)),
            ("卖方身份证号码", para(house.seller_id_number)),
            ("卖方收款银行", para(house.seller_bank)),
            ("卖方收款账号", para(house.seller_account)),
        ]
    story.append(kv_table(st, pairs))
    return story


def _loan(st: Styles, sec: Sections, app: Application) -> list[Flowable]:
    story: list[Flowable] = [*sec("贷款申请")]
    loan = app.fund_loan
    combined = app.scenario.loan_kind is LoanKind.COMBINED
    if loan is not None:
        amounts = [
            ("贷款金额（小写）", para(fmt_money(loan.amount))),
            ("贷款金额（大写）", para(_capital(loan.amount))),
        ]
        # A sub-heading stays with its first table.
        story.append(KeepTogether([P("公积金贷款部分", st.body), wide_kv_table(st, amounts)]))
        story.append(
            kv_table(
                st,
                [
                    ("贷款期限", para(f"{loan.months} 个月" if loan.months else "")),
                    ("年利率", para(fmt_rate(loan.rate))),
                    ("还款方式", para(REPAYMENT_LABELS[loan.repayment_method] if loan.repayment_method else "")),
                    ("购房套数", para(HOME_LABELS[loan.home_ordinal] if loan.home_ordinal else "")),
                    ("公积金账户按月冲还", para(_yes_no(loan.fund_account_deduction))),
                    ("担保方式", "所购住房抵押"),
                ],
            )
        )
    bank = app.bank_loan
    if combined or bank is not None:
        heading = P("商业贷款部分（组合贷款）", st.body)
        if bank is None:
            story.append(KeepTogether([heading, P("（未填写）", st.body)]))
        else:
            bank_amounts = [
                ("承贷银行", para(bank.bank)),
                ("贷款金额（小写）", para(fmt_money(bank.amount))),
                ("贷款金额（大写）", para(_capital(bank.amount))),
            ]
            story.append(KeepTogether([heading, wide_kv_table(st, bank_amounts)]))
            story.append(
                kv_table(
                    st,
                    [
                        ("贷款期限", para(f"{bank.months} 个月" if bank.months else "")),
                        ("年利率", para(fmt_rate(bank.rate))),
                    ],
                )
            )
        total = (loan.amount if loan and loan.amount else Decimal(0)) + (bank.amount if bank and bank.amount else 0)
        story.append(
            wide_kv_table(
                st,
                [("贷款金额合计", para(f"{fmt_money(Decimal(total))}（{_capital(Decimal(total))}）"))],
            )
        )
    account = app.repayment_account
    story.append(
        kv_table(
            st,
            [
                ("还款账户开户银行", para(account.bank if account else "")),
                ("还款银行卡号", para(account.card_number if account else "")),
            ],
        )
    )
    return story


def _risk(st: Styles, sec: Sections, data: FormData) -> list[Flowable]:
    """The back office's section: the 机审 verdict and every risk flag with its evidence and supervisors' notes."""
    story: list[Flowable] = [*sec("机审与风险提示（后台审核用）")]
    story.append(wide_kv_table(st, [("机审结论", para(data.verdict))]))
    rows = []
    for number, flag in enumerate(data.flags, 1):
        notes = "<br/>".join(f"{para(n.by)} {para(fmt_stamp(local(n.at)))}：{para(n.note)}" for n in flag.notes)
        rows.append([str(number), para(flag.severity), para(flag.message), para(flag.evidence), notes])
    story.append(
        grid_table(
            st,
            ["序号", "级别", "风险提示", "依据", "负责人批注"],
            rows,
            [0.06, 0.1, 0.36, 0.24, 0.24],
            empty_text="（无风险提示）",
        )
    )
    story.append(P("本栏由系统按核验结果生成，供后台审核参考；负责人批注不改变风险提示本身。", st.small))
    return story


def render_form(data: FormData, font: FontChoice | None = None) -> RenderedDocument:
    font = font or resolve_font()
    st = styles_for(font)
    app = data.application
    printed = local(data.printed_at)
    sec = Sections(st)
    story: list[Flowable] = [*title_block(st, TITLE, "（一表申请）")]
    story.append(
        kv_table(
            st,
            [
                ("案件编号", para(data.case_no, 64)),
                ("填表日期", para(fmt_date(printed))),
                ("受理窗口", para(data.office.window)),
                ("受理人", para(data.clerk)),
            ],
        )
    )
    story += sec("办理情形与联办事项")
    story.append(
        wide_kv_table(
            st,
            [
                ("办理情形", para(scenario_text(app.scenario), 200)),
                ("联办事项", linked_item_ticks(app)),
            ],
        )
    )
    story += _people(st, sec, app, data)
    story += _fund(st, sec, app)
    story += _house(st, sec, app)
    story += _loan(st, sec, app)
    story += sec("数据共享核验摘要")
    story.append(verification_table(st, app, data.verifications))
    story.append(
        P(
            "以上核验结果由窗口通过数据共享平台实时查询取得，核验一致的信息已回填本表，对应材料免于提交。",
            st.small,
        )
    )
    declaration = P(
        "本人（及共同申请人）承诺：本表所填信息及所提交材料真实、准确、完整，如有虚假，愿承担相应法律责任；"
        f"同意{para(data.office.authority)}及联办部门为办理上述联办事项共享、核验本人相关信息。",
        st.body,
    )
    roles = ["借款申请人"]
    if app.spouse is not None or app.scenario.married:
        roles.append("配偶")
    roles += [f"共同借款人 {n}" for n in range(1, len(app.co_borrowers) + 1)]
    if app.agent is not None or app.scenario.by_agent:
        roles.append("代办人")
    roles.append("受理人（窗口）")
    # The heading, the declaration, every signature line and the print time stay on one page: a signature block
    # never lands alone on a page, away from what is signed.
    # The rules it was assessed under, named on paper (master data: a draft keeps its pack version until re-assessed).
    version = f"　政策包：{para(data.office.policy_version)}" if data.office.policy_version else ""
    printed_line = P(f"打印时间：{fmt_datetime(printed)}{version}", st.small)
    signing = [*sec("申请人声明及签字", guard=False), declaration, signature_block(st, roles), gap(2), printed_line]
    story.append(KeepTogether(signing))
    if data.verdict:  # a form frozen before the 机审 existed prints without the section
        story += _risk(st, sec, data)
    return build_pdf(story, kind="form", title=TITLE, case_no=data.case_no, font=font)

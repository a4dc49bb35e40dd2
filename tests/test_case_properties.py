"""Properties of the household's judgement (hypothesis): more borrowers never lower the capacity bound; a refusing
flag always refuses; the verdict follows the flags and nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from forms.case import CaseFile, LookupRecord, assess
from forms.case.risk import RiskFlag, verdict_of
from forms.identifiers import Sex
from forms.loan import Borrower, LoanLimitInput, max_loan
from forms.policy import load_policy
from forms.scenario import Scenario
from forms.vocabulary import HomeOrdinal, PropertyKind, VerificationKind, VerificationOutcome
from forms.workdays import load_calendar

POLICY = load_policy("qingdao")
CALENDAR = load_calendar([])
TODAY = date(2026, 9, 30)
AT = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)

borrowers = st.builds(
    Borrower,
    age=st.integers(20, 55),
    sex=st.sampled_from(list(Sex)),
    monthly_base=st.decimals(0, 40000, places=2),
    balance=st.decimals(0, 500000, places=2),
    account_months=st.integers(6, 240),
)


def _capacity(people: list[Borrower]) -> Decimal:
    limit = max_loan(
        POLICY.loan,
        LoanLimitInput(
            borrowers=people,
            house_price=Decimal("3000000"),
            home=HomeOrdinal.FIRST,
            property_kind=PropertyKind.NEW,
            term_months=240,
        ),
        as_of=TODAY,
    )
    return limit.bound("capacity").amount


@given(main=borrowers, others=st.lists(borrowers, max_size=2), extra=borrowers)
def test_adding_a_co_borrower_never_lowers_the_capacity_bound(
    main: Borrower, others: list[Borrower], extra: Borrower
) -> None:
    before = _capacity([main, *others])
    assert _capacity([main, *others, extra]) >= before


flags = st.builds(
    RiskFlag,
    code=st.sampled_from(["a", "b", "c"]),
    severity=st.sampled_from(["refuse", "manual", "note"]),
    message=st.text(min_size=1, max_size=10),
)


@given(st.lists(flags, max_size=6))
def test_the_verdict_follows_the_flags(found: list[RiskFlag]) -> None:
    verdict, reasons = verdict_of(found)
    severities = {f.severity for f in found}
    if "refuse" in severities:
        assert verdict == "refuse" and reasons
    elif "manual" in severities:
        assert verdict == "manual" and reasons
    else:
        assert verdict == "auto" and reasons == ()


outcomes = st.sampled_from(list(VerificationOutcome))
kinds = st.sampled_from(Scenario(property_kind=PropertyKind.RESALE).verifications())


@given(st.lists(st.tuples(kinds, outcomes, st.booleans()), max_size=12))
def test_a_refusing_flag_always_refuses_the_case(
    answers: list[tuple[VerificationKind, VerificationOutcome, bool]],
) -> None:
    records = [
        LookupRecord(
            kind=kind,
            request_id=f"r{i}",
            outcome=outcome,
            checked_at=AT,
            data={"household_status": "cancelled", "status": "sealed", "current_overdue": True, "fund_loans_open": 1}
            if odd
            else {},
        )
        for i, (kind, outcome, odd) in enumerate(answers)
    ]
    scenario = Scenario(property_kind=PropertyKind.RESALE)
    file = CaseFile().model_copy(update={"application": CaseFile().application.with_scenario(scenario)})
    assessment = assess(file.with_lookups(records), POLICY, CALENDAR, TODAY)
    refusing = [f for f in assessment.flags if f.severity == "refuse"]
    if refusing:
        assert assessment.verdict == "refuse"
        assert not assessment.acceptable
        assert all(f"风险核查：{f.message}" in assessment.blocking for f in refusing)
    else:
        assert assessment.verdict in ("auto", "manual")

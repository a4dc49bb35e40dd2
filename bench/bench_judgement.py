"""The household's judgement: the share of ``auto`` verdicts over the roster, and the time of one assessment.

- Share of ``auto`` (机审) verdicts over every sandbox test case taken through ``counter trial``'s intake. Baseline:
  the share Chengdu reports approving by machine (about 40%, seed 002) — a reference, not a target.
- ``assess`` on a three-borrower combined loan (applicant, spouse, one co-borrower; every lookup answered), best of
  many calls. Baseline: ``assess`` on a one-borrower case in the same run. Interactive target: < 5 ms.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from bench.common import Figure, best_of

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from app_driver import FrozenClock, make_settings, make_workstation  # noqa: E402

from counter_app.commands.trial import trial_case  # noqa: E402
from counter_app.services.sandbox.roster import load_roster  # noqa: E402
from counter_app.services.trial import run_trial  # noqa: E402
from forms.case import CaseFile, LookupRecord, assess  # noqa: E402
from forms.materials import Whose  # noqa: E402
from forms.policy import load_policy  # noqa: E402
from forms.scenario import Scenario  # noqa: E402
from forms.vocabulary import LoanKind, MaritalStatus, VerificationKind, VerificationOutcome  # noqa: E402
from forms.workdays import load_calendar  # noqa: E402

AT = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


async def _verdicts() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        ws = make_workstation(make_settings(Path(tmp) / "data"), FrozenClock())
        try:
            clerk = ws.login("demo", "demo1234")
            reports = [await run_trial(ws, clerk, trial_case(h)) for h in load_roster().households]
        finally:
            await ws.aclose()
    return [r.verdict for r in reports]


def _case(people: int) -> CaseFile:
    married = people >= 2
    scenario = Scenario(
        loan_kind=LoanKind.COMBINED,
        marital_status=MaritalStatus.MARRIED if married else MaritalStatus.UNMARRIED,
        co_borrower_count=max(0, people - 2),
    )
    file = CaseFile().model_copy(update={"application": CaseFile().application.with_scenario(scenario)})
    records = []
    for index, (who, position) in enumerate([(Whose.APPLICANT, 0), (Whose.SPOUSE, 0), (Whose.CO_BORROWER, 0)][:people]):
        kinds = scenario.verifications() if who is Whose.APPLICANT else [VerificationKind.IDENTITY]
        for kind in kinds:
            records.append(
                LookupRecord(
                    person=who,
                    position=position,
                    kind=kind,
                    request_id=f"{index}-{kind}",
                    outcome=VerificationOutcome.MATCH,
                    checked_at=AT,
                    data={"status": "normal", "contribution_base": "9000", "balance": "60000"},
                )
            )
    return file.with_lookups(records)


def run() -> list[Figure]:
    verdicts = asyncio.run(_verdicts())
    share = 100 * verdicts.count("auto") / len(verdicts)
    policy, calendar, today = load_policy("qingdao"), load_calendar([]), date(2026, 9, 30)
    three, one = _case(3), _case(1)
    t_three = best_of(lambda: assess(three, policy, calendar, today), repeat=5, number=50)
    t_one = best_of(lambda: assess(one, policy, calendar, today), repeat=5, number=50)
    return [
        Figure(f"judgement: auto verdicts over {len(verdicts)} test cases", share, "%", "Chengdu machine share", 40),
        Figure("judgement: assess, 3 borrowers, combined", t_three * 1000, "ms", "1 borrower", t_one * 1000, "< 5 ms"),
    ]

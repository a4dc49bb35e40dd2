"""The intake service on the sandbox: backfill for a resale, autosave of half-typed state."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app_driver import open_counter, store_of

from counter_app.settings import Settings
from forms.scenario import Scenario
from forms.vocabulary import FieldSource, VerificationOutcome

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


async def test_resale_contract_backfills_the_seller(tmp_path: Path) -> None:
    ws = open_counter(Settings(data_dir=tmp_path, sync_interval_seconds=0), clock=lambda: NOW)
    try:
        clerk = ws.login("demo", "demo1234")
        case = ws.new_case(clerk, Scenario(property_kind="resale"))
        for path, value in {
            "applicant.id_number": "370203199511089153",
            "applicant.name": "陈思远",
            "property.contract_number": "CJ2026000201",
            "repayment_account.card_number": "6217001234009876549",
        }.items():
            assert case.set_field(path, value) == []
        case.record_authorization()
        await case.run_lookups()
        assert case.outcomes()[next(k for k in case.outcomes() if k.value == "contract")] is VerificationOutcome.MATCH
        house = case.application.property
        assert house is not None
        assert getattr(house, "seller_name", None) == "赵国强"
        assert getattr(house, "seller_id_number", None) == "370203196804219317"
        assert case.source_of("property.seller_id_number") is FieldSource.VERIFIED
        # The lookups ran on the workstation's clock, so a frozen clock freezes what the screen shows.
        assert all(r.checked_at == NOW for r in case.results.values())
    finally:
        store_of(ws).close()

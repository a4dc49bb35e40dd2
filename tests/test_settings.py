"""Settings: every field documented (in code and in docs/settings.md), sources in the right order."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from counter_app.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_field_has_a_docstring_and_is_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no docstring"
        assert f"`{name}`" in text, f"{name} missing from docs/settings.md"


def test_defaults_derive_paths_from_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert s.database_file == tmp_path / "counter.db"
    assert s.key_file == tmp_path / "counter.key"
    assert s.spool_folder == tmp_path / "spool"
    assert s.uses_sandbox


def test_file_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('policy = "sichuan"\nidle_lock_minutes = 3\n', encoding="utf-8")
    monkeypatch.setenv("COUNTER_CONFIG", str(cfg))
    monkeypatch.setenv("COUNTER_IDLE_LOCK_MINUTES", "7")
    s = Settings()
    assert s.policy == "sichuan"
    assert s.idle_lock_minutes == 7


@pytest.mark.parametrize(
    ("field", "value"), [("policy", "atlantis"), ("workstation_id", "qd/../x"), ("idle_lock_minutes", 0)]
)
def test_bad_values_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: value})


def test_unknown_key_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings(gatway_url="http://typo")  # type: ignore[call-arg]

"""Settings of a counter workstation: defaults < TOML file < environment (``COUNTER_*``).

Built once at start (``load_settings()``) and passed down; tests build their own with ``Settings(...)``.
The TOML file's path comes from ``COUNTER_CONFIG``, else ``config.toml`` in the platform config directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "counter-workstation"


def default_config_path() -> Path:
    """Where the TOML settings file is looked for: ``COUNTER_CONFIG`` or the platform config dir."""
    env = os.environ.get("COUNTER_CONFIG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


class Settings(BaseSettings):
    """Everything a counter workstation can be told; every field documents itself."""

    model_config = SettingsConfigDict(
        env_prefix="COUNTER_",
        extra="forbid",
        use_attribute_docstrings=True,
        validate_default=True,
    )

    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path(APP_NAME))
    """Folder for the database, the key file and the print spool (COUNTER_DATA_DIR)."""

    db_path: Path | None = None
    """SQLite database file; empty means ``counter.db`` inside data_dir."""

    key_path: Path | None = None
    """Key file protecting personal data at rest (mode 0600); empty means ``counter.key`` inside data_dir."""

    spool_dir: Path | None = None
    """Folder where printed PDFs are written; empty means ``spool`` inside data_dir."""

    workstation_id: str = Field("QD01", pattern=r"^[A-Z0-9]{2,8}$")
    """This counter's id (2-8 upper-case letters or digits); it prefixes every case number made here."""

    window_name: str = "公积金贷款购房“一件事”专窗"
    """The window's name as printed on receipts."""

    policy: str = "qingdao"
    """Active policy pack: qingdao (default), sichuan, fujian, gansu or shanxi."""

    holiday_file: Path | None = None
    """Optional TOML file with official holiday schedules for years the packaged calendar does not know; empty means
    ``holidays.toml`` inside data_dir when ``counter calendar import`` has written one."""

    gateway_url: str = ""
    """Verification gateway base URL; empty means the embedded in-process sandbox."""

    platform_url: str = ""
    """Back-office platform base URL; empty means the embedded in-process sandbox."""

    master_data_key: str = ""
    """Ed25519 public key (Base64 of 32 bytes) that policy packs and holiday calendars from the platform must be
    signed with; empty means the embedded sandbox's key, trusted only while no platform_url is set."""

    app_key: str = "sandbox-app"
    """Application key sent to the gateway as X-App-Key."""

    app_secret: SecretStr = SecretStr("sandbox-secret")
    """Secret used to sign gateway requests (HMAC-SM3 or HMAC-SHA256, see crypto_suite); never printed."""

    crypto_suite: Literal["auto", "gm", "intl"] = "auto"
    """Cryptographic suite. gm: national algorithms (SM4-GCM at rest, HMAC-SM3 search hashes, audit chain and
    request signatures); intl: AES-GCM, HMAC-SHA256 and SHA-256. auto: a new store is gm, an existing one keeps the
    suite it was written with, and requests are signed HMAC-SM3. gm or intl also refuses a store written with the
    other suite (move it with ``counter store rekey --suite gm``)."""

    lookup_timeout_seconds: float = Field(8.0, gt=0, le=120)
    """Per-lookup timeout for registry requests, in seconds."""

    printer: str = ""
    """Printer name for ``lp``; empty means PDFs go to the spool folder only."""

    print_follow_seconds: float = Field(20.0, gt=0, le=300)
    """Seconds to follow a print job with ``lpstat`` after ``lp`` queued it; a job held, stopped or still pending by
    then is reported as not printed (打印机未完成) and its PDF kept in the spool folder."""

    spool_retention_days: int = Field(30, ge=1, le=3650)
    """Days a PDF may stay in the spool folder (it holds personal data in clear); older ones are deleted by the
    background round and by ``counter spool purge``."""

    font_path: Path | None = None
    """TrueType CJK font to embed in printouts; empty means search the system."""

    sync_interval_seconds: int = Field(20, ge=0, le=3600)
    """Seconds between background sync rounds (outbox push, status pull, deferred lookups); 0 turns them off."""

    idle_lock_minutes: int = Field(10, ge=1, le=240)
    """Minutes of inactivity after which the screen locks."""

    lockout_failures: int = Field(5, ge=1, le=20)
    """Failed logins in a row that lock an operator account."""

    lockout_minutes: int = Field(15, ge=1, le=1440)
    """How long a locked operator account stays locked."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Least severity written to logs/counter.log inside data_dir (DEBUG, INFO, WARNING or ERROR)."""

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        from forms.policy_names import available_policies

        if value not in available_policies():
            known = "、".join(available_policies())
            raise ValueError(f"政策包“{value}”不存在，可选：{known}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_upper(cls, value: object) -> object:
        # COUNTER_LOG_LEVEL=debug is as clear as DEBUG.
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def store_suite(self) -> Literal["gm", "intl"] | None:
        """The suite the store must be in; None (auto) takes whatever it was written with (gm when new)."""
        return None if self.crypto_suite == "auto" else self.crypto_suite

    @property
    def signature_method(self) -> Literal["HMAC-SM3", "HMAC-SHA256"]:
        """The X-Signature-Method of gateway requests: HMAC-SHA256 only under intl."""
        return "HMAC-SHA256" if self.crypto_suite == "intl" else "HMAC-SM3"

    @property
    def uses_sandbox(self) -> bool:
        """True when either service runs in the embedded in-process sandbox."""
        return not self.gateway_url or not self.platform_url

    @property
    def database_file(self) -> Path:
        return self.db_path or self.data_dir / "counter.db"

    @property
    def key_file(self) -> Path:
        return self.key_path or self.data_dir / "counter.key"

    @property
    def spool_folder(self) -> Path:
        return self.spool_dir or self.data_dir / "spool"

    @property
    def holiday_data_file(self) -> Path:
        """Where ``counter calendar import`` saves official schedules: holiday_file, else data_dir/holidays.toml."""
        return self.holiday_file or self.data_dir / "holidays.toml"

    @property
    def holiday_files(self) -> list[Path]:
        """The holiday files the calendar loads after the packaged data. A configured holiday_file must exist (a
        wrong path is an error); the data_dir one is read only once an import has written it."""
        if self.holiday_file is not None:
            return [self.holiday_file]
        imported = self.holiday_data_file
        return [imported] if imported.exists() else []

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first: explicit arguments, then the environment, then the TOML file.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=default_config_path()))

    def masked(self) -> dict[str, Any]:
        """The effective settings for display, secrets masked."""
        data = self.model_dump(mode="json")
        data["app_secret"] = "********"
        data["database_file"] = str(self.database_file)
        data["key_file"] = str(self.key_file)
        data["spool_folder"] = str(self.spool_folder)
        return data


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once at start."""
    return Settings(**overrides)

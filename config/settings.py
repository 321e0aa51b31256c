"""Settings read from the environment (and an optional ``.env`` file).

A missing or malformed setting stops start-up with one line naming the variable, so that an
operator never has to read a traceback to find a typo.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_API_FILE_URL = "https://api.telegram.org/file/bot"
PACKAGE_CONFIG_DIR = Path(__file__).resolve().parent
# What the Bot API accepts as a webhook secret_token.
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr = Field(min_length=1)
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    telegram_api_file_url: str = DEFAULT_API_FILE_URL
    data_dir: Path = Path("./data")
    # Unset or sqlite:///path: the SQLite file (DATA_DIR/polmas.sqlite3 when unset);
    # postgresql://user@host/db: PostgreSQL, shared by several bot instances (README).
    database_url: SecretStr = SecretStr("")
    # On PostgreSQL one instance runs the scheduled scans; the others try to take over this
    # often, so a dead scheduler is replaced within this many seconds.
    scheduler_takeover_seconds: int = Field(default=30, ge=1, le=60)
    timezone: str = "Asia/Makassar"
    default_language: Literal["id", "en"] = "id"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    organisation_file: Path = PACKAGE_CONFIG_DIR / "organisation.toml"
    activities_file: Path = PACKAGE_CONFIG_DIR / "activities.toml"
    schedule_file: Path = PACKAGE_CONFIG_DIR / "schedule.toml"
    territory_file: Path = PACKAGE_CONFIG_DIR / "territory.toml"
    invitation_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    correction_window_hours: int = Field(default=24, ge=0, le=24 * 30)
    complaint_stale_days: int = Field(default=7, ge=1, le=365)
    # The largest file an export sends: Telegram's 50 MB for bots; a self-hosted Bot API server
    # takes up to 2000 MB. Over it a spreadsheet is split and a PDF's photos shrunk or left out.
    upload_limit_bytes: int = Field(default=50 * 1024 * 1024, ge=1024, le=2000 * 1024 * 1024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Run modes and operations (README "Reliability").
    run_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = ""
    webhook_secret: SecretStr = SecretStr("")
    # Connect and read timeout of each Bot API call (getUpdates waits its long poll on top).
    # A timed-out call is retried after 0.5, 2 and 5 s (ui/ratelimit.py), so one call gives
    # up after at most 4 x this + 7.5 s; a SIGTERM waits that long for a reply in hand.
    telegram_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    backup_time: time = time(2, 0)
    backup_retention_days: int = Field(default=14, ge=1, le=3650)
    resident_contact_retention_days: int = Field(default=365, ge=1, le=36500)
    # Group chat summaries (jobs/summaries.py), in the precinct's time zone.
    group_daily_summary_time: time = time(19, 0)
    group_weekly_summary_day: int = Field(default=6, ge=0, le=6)  # 0 Monday ... 6 Sunday
    group_weekly_summary_time: time = time(19, 0)
    group_summary_max_delay_hours: int = Field(default=12, ge=1, le=24 * 7)
    group_summary_scan_seconds: int = Field(default=60, ge=5, le=3600)
    # Off unless chosen: documentation photos can show residents, and groups carry no
    # residents' personal data.
    group_weekly_photo_sheet: bool = False
    # Processes decoding, stamping and laying out photos (storage/photo_work.py), off the
    # event loop's GIL. Unset: one fewer than the cores, at least one; 0: threads of the bot's
    # own process instead (tests that patch imaging; hosts that cannot start processes).
    photo_workers: int | None = Field(default=None, ge=0, le=64)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        head, sep, tail = token.partition(":")
        if not (sep and head.isdigit() and tail):
            raise ValueError("expected the form 123456:ABC... given by @BotFather")
        return value

    @field_validator("telegram_api_base_url", "telegram_api_file_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError:
                raise ValueError("expected Telegram user ids separated by commas") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if url and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("expected sqlite:///path or postgresql://user@host:port/database")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and (len(secret) > 256 or not set(secret) <= _SECRET_CHARS):
            raise ValueError("1-256 characters A-Z, a-z, 0-9, _ and - (Bot API secret_token)")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        # A webhook without a secret would accept forged updates from anyone on the network.
        if self.run_mode == "webhook":
            if not self.webhook_url.startswith(("http://", "https://")):
                raise ValueError("WEBHOOK_URL: required (http(s)://...) when RUN_MODE=webhook")
            if not self.webhook_secret.get_secret_value():
                raise ValueError("WEBHOOK_SECRET: required when RUN_MODE=webhook")
        return self

    @property
    def webhook_url_path(self) -> str:
        """The path the local webhook server listens on (default: the public URL's path)."""
        return (self.webhook_path or urlsplit(self.webhook_url).path).strip("/")

    @property
    def backups_dir(self) -> Path:
        """Where ``python -m bot backup`` and the nightly job write by default."""
        return self.data_dir / "backups"

    @property
    def tz(self) -> ZoneInfo:
        """The precinct's time zone, in which every time is shown."""
        return ZoneInfo(self.timezone)

    @property
    def database_path(self) -> Path:
        """Where the SQLite database lives (``sqlite:///relative`` or ``sqlite:////absolute``)."""
        url = self.database_url.get_secret_value()
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///"))
        return self.data_dir / "polmas.sqlite3"

    @property
    def postgres(self) -> bool:
        """Whether the data lives on a PostgreSQL server."""
        return self.database_url.get_secret_value().startswith(("postgresql://", "postgres://"))

    @property
    def photos_dir(self) -> Path:
        """Where the photo store lives."""
        return self.data_dir / "photos"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            if not problem["loc"]:  # a rule across settings names its variables itself
                lines.append(str(problem["msg"]).removeprefix("Value error, "))
                continue
            variable = "_".join(str(part) for part in problem["loc"][:1]).upper()
            reason = "is required but not set" if problem["type"] == "missing" else problem["msg"]
            lines.append(f"{variable}: {reason}")
        raise SettingsError("; ".join(lines)) from None

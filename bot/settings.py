"""Configuration from the environment (the contract in DESIGN.md)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
#: What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: str | None = Field(default=None, validation_alias="TELEGRAM_BASE_URL")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="TEACHLOG_DATABASE_URL")
    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    #: Where `teachlog run --platform slack` serves /slack/events in HTTP mode (`--port`).
    slack_port: int = 3000
    telegram_webhook_secret: str | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    #: `teachlog run --webhook-url`: Telegram posts updates to this public URL instead of being polled.
    telegram_webhook_url: str | None = None
    #: Where the webhook's HTTP server listens (`--listen`, `--port`), behind the reverse proxy.
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 3000

    def require_telegram_token(self) -> str:
        token = (self.telegram_bot_token or "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token."
            )
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN looks malformed: expected '<bot id>:<about 35 letters, digits, _ or ->' "
                "as @BotFather gives it, e.g. 123456789:AAH…"
            )
        return token

    def require_webhook(self) -> tuple[str, str]:
        """The webhook's URL and secret, checked; a webhook without a secret would take updates from anyone."""
        url = (self.telegram_webhook_url or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigError(f"--webhook-url {url!r} is not a URL Telegram can post to: "
                              "expected https://HOST/PATH")
        secret = (self.telegram_webhook_secret or "").strip()
        if not secret:
            raise ConfigError("a webhook needs a secret, or anyone could post updates to it: "
                              "pass --webhook-secret or set TELEGRAM_WEBHOOK_SECRET")
        if not WEBHOOK_SECRET_PATTERN.match(secret):
            raise ConfigError("the webhook secret may only have 1 to 256 letters, digits, _ and - (Telegram's rule)")
        return url, secret

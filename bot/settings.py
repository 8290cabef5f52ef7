"""Configuration from the environment (the contract in DESIGN.md)."""

from __future__ import annotations

import re

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")


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

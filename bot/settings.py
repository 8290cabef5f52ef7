"""Configuration from the environment (the contract in DESIGN.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
DINGTALK_API_URL = "https://api.dingtalk.com"
DINGTALK_OAPI_URL = "https://oapi.dingtalk.com"
#: What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class DingTalkConfig:
    """The internal app's credentials and the two hosts its calls go to (without a trailing slash)."""

    client_id: str
    client_secret: str
    robot_code: str
    api_url: str = DINGTALK_API_URL
    oapi_url: str = DINGTALK_OAPI_URL


@dataclass(frozen=True)
class WebhookConfig:
    """`teachlog run --webhook-url`: the public URL Telegram posts to, the secret it sends along, and where this
    process listens."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 3000

    @property
    def path(self) -> str:
        """The path this process serves: the URL's, as the reverse proxy passes it on."""
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True)
class SlackConfig:
    """The app's tokens as `teachlog run|worker --platform slack` uses them, checked."""

    bot_token: str
    #: Socket Mode when set; else HTTP on `port`, each request checked with `signing_secret`.
    app_token: str = ""
    signing_secret: str = ""
    api_url: str | None = None
    port: int = 3000


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
    dingtalk_client_id: str | None = Field(default=None, validation_alias="DINGTALK_CLIENT_ID")
    dingtalk_client_secret: str | None = Field(default=None, validation_alias="DINGTALK_CLIENT_SECRET")
    dingtalk_robot_code: str | None = Field(default=None, validation_alias="DINGTALK_ROBOT_CODE")
    dingtalk_api_url: str = Field(default=DINGTALK_API_URL, validation_alias="DINGTALK_API_URL")
    dingtalk_oapi_url: str = Field(default=DINGTALK_OAPI_URL, validation_alias="DINGTALK_OAPI_URL")
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

    def require_dingtalk(self) -> DingTalkConfig:
        client_id = (self.dingtalk_client_id or "").strip()
        client_secret = (self.dingtalk_client_secret or "").strip()
        if not client_id or not client_secret:
            raise ConfigError(
                "DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET must both be set: the AppKey and AppSecret of "
                "the internal app (open-dev.dingtalk.com → the app → Credentials)."
            )
        for name, url in (("DINGTALK_API_URL", self.dingtalk_api_url), ("DINGTALK_OAPI_URL", self.dingtalk_oapi_url)):
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"{name} must be an http(s) address such as https://api.dingtalk.com, not {url!r}")
        return DingTalkConfig(client_id, client_secret, (self.dingtalk_robot_code or "").strip() or client_id,
                              self.dingtalk_api_url.rstrip("/"), self.dingtalk_oapi_url.rstrip("/"))

    def require_slack(self, *, listening: bool = True) -> SlackConfig:
        """The Slack app's settings; `listening` (`teachlog run`) also needs SLACK_APP_TOKEN or
        SLACK_SIGNING_SECRET."""
        token = (self.slack_bot_token or "").strip()
        if not token:
            raise ConfigError("SLACK_BOT_TOKEN is not set: install the app to your workspace (see `teachlog slack "
                              "manifest`) and export its Bot User OAuth Token (xoxb-…).")
        app_token = (self.slack_app_token or "").strip()
        signing_secret = (self.slack_signing_secret or "").strip()
        if listening and not app_token and not signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode checks every request with it (Basic "
                              "Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.")
        return SlackConfig(token, app_token, signing_secret, self.slack_api_url, self.slack_port)

    def webhook(self) -> WebhookConfig | None:
        """The webhook `--webhook-url` asks for, checked (:meth:`require_webhook`); None for long polling."""
        return self.require_webhook() if self.telegram_webhook_url else None

    def require_webhook(self) -> WebhookConfig:
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
        return WebhookConfig(url, secret, self.webhook_listen, self.webhook_port)

"""What `teachlog run` and `teachlog worker` share as long-running services: `--metrics-port` (with
`--metrics-host` and `--max-outbox-delay`) and `--log-format`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from bot.cli.common import CliError
from bot.clock import Clock

LOG_FORMATS = ("text", "json")

METRICS_PORT = typer.Option(None, "--metrics-port", metavar="N",
                            help="Serve /healthz and /metrics over HTTP on this port.")
METRICS_HOST = typer.Option("127.0.0.1", "--metrics-host", help="With --metrics-port: the address to listen on.")
MAX_OUTBOX_DELAY = typer.Option(900.0, "--max-outbox-delay", metavar="SECONDS",
                                help="/healthz answers 503 once a due outbox message has waited this long.")
LOG_FORMAT = typer.Option("text", "--log-format", metavar="text|json",
                          help="text, or json: one JSON object per line.")


def check_log_format(log_format: str) -> str:
    if log_format not in LOG_FORMATS:
        raise CliError(f"unknown --log-format {log_format!r}: use text or json")
    return log_format


@contextmanager
def metrics_served(port: int | None, host: str, max_outbox_delay: float, *, database_url: str, clock: Clock,
                   platform: str, platform_connects: bool) -> Iterator[None]:
    """/healthz and /metrics on `host:port` while the block runs; nothing when `port` is None."""
    if port is None:
        yield
        return
    from bot.observability.server import ServerStartError, observability_server
    if not 0 < port < 65536:
        raise CliError(f"--metrics-port {port} is not a port: use 1-65535")
    if max_outbox_delay <= 0:
        raise CliError("--max-outbox-delay must be more than 0 seconds")
    server = observability_server(database_url, clock, platform, port, host=host, platform_connects=platform_connects,
                                  max_outbox_delay=max_outbox_delay)
    try:
        server.start()
    except ServerStartError as error:
        raise CliError(str(error)) from None
    try:
        yield
    finally:
        server.stop()

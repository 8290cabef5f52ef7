"""`teachlog run` as a real process against a FakeTelegram served over HTTP: started, killed, restarted."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


class BotProcess:
    """`python -m bot run` with TELEGRAM_BASE_URL at the fake; its log is kept in `log_path` across restarts."""

    def __init__(self, database_url: str, base_url: str, folder: Path, *run_args: str, name: str = "bot") -> None:
        """`run_args` follow `run` (e.g. `--webhook-url …`); `name` names the log, for several processes."""
        self.env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
                    "TEACHLOG_DATABASE_URL": database_url}
        self.folder = folder
        self.run_args = run_args
        self.log_path = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self, *prefix: str) -> None:
        """Start the bot, optionally under a wrapper such as `faketime -f "@2026-11-18 17:36:00"`."""
        self.starts += 1
        with self.log_path.open("a") as log:
            log.write(f"--- start {self.starts}\n")
            log.flush()
            # A session of its own, signalled as a group: a wrapper such as faketime runs the bot as its child,
            # which a signal to the wrapper alone would leave running after the test.
            self.process = await asyncio.create_subprocess_exec(
                *prefix, sys.executable, "-m", "bot", "run", *self.run_args, env=self.env, cwd=self.folder,
                stdout=log, stderr=log, start_new_session=True)

    def _signal(self, signal_number: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal_number)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed."""
        self._signal(signal.SIGKILL)
        await self.process.wait()

    async def restart(self, *prefix: str) -> None:
        await self.kill()
        await self.start(*prefix)

    async def stop(self) -> int:
        """SIGTERM and wait; the exit code."""
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else 0
        self._signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=20)

    def log(self) -> str:
        return self.log_path.read_text()

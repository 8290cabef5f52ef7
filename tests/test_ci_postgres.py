"""In CI the PostgreSQL half of the suite fails when PostgreSQL is unreachable; elsewhere it is skipped."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_TEST = "tests/test_outbox.py::test_a_dedupe_key_is_planned_once[postgresql]"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_postgres_test(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "TEACHLOG_TEST_BACKENDS")}
    env["TEACHLOG_TEST_PG_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/test"
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
         POSTGRES_TEST],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_unreachable_postgres_fails_the_postgres_tests_in_ci() -> None:
    result = run_postgres_test(ci="true")
    assert result.returncode == 1, result.stdout
    assert "PostgreSQL is not reachable" in result.stdout
    assert "in CI its half of the suite must run" in result.stdout
    assert "skipped" not in result.stdout


def test_unreachable_postgres_skips_the_postgres_tests_outside_ci() -> None:
    result = run_postgres_test(ci=None)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout

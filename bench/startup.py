"""How long does `teachlog --help` take to start?

Runs each command as a subprocess ``--runs`` times after one warm-up run (so the
files are in the page cache) and reports the median, the fastest and the slowest
wall time. The fair baseline, timed in the same run, is ``python -c pass``: the
interpreter alone, which no change to teachlog can make faster. The goal is
``teachlog --help`` under 0.3 s. Nothing here is asserted by the tests; see
``python -X importtime -m bot --help`` for where the time goes.

    python bench/startup.py                 # 20 runs of each
    python bench/startup.py --runs 5
    python bench/startup.py --json
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 0.3


def commands() -> dict[str, list[str]]:
    """What is timed, by name: the interpreter alone, `teachlog --help` and `python -m bot --help`."""
    teachlog = shutil.which("teachlog") or str(Path(sys.executable).with_name("teachlog"))
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "teachlog --help": [teachlog, "--help"],
        "python -m bot --help": [sys.executable, "-m", "bot", "--help"],
    }


def wall_seconds(command: list[str]) -> float:
    """One run's wall time; a command that fails ends the bench, since its time would mean nothing."""
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - started


def timing(command: list[str], runs: int) -> dict[str, Any]:
    """Median, fastest and slowest of ``runs`` runs after a warm-up."""
    wall_seconds(command)
    times = [wall_seconds(command) for _ in range(runs)]
    return {"runs": runs, "median_seconds": statistics.median(times), "min_seconds": min(times),
            "max_seconds": max(times)}


def measure(runs: int) -> dict[str, Any]:
    results = {name: timing(command, runs) for name, command in commands().items()}
    baseline = results["python -c pass"]["median_seconds"]
    for result in results.values():
        result["above_interpreter_seconds"] = result["median_seconds"] - baseline
    return {"goal_seconds": GOAL_SECONDS, "python": sys.version.split()[0], "commands": results}


def print_table(result: dict[str, Any]) -> None:
    commands_timed = result["commands"]
    runs = next(iter(commands_timed.values()))["runs"]
    print(f"start-up, median of {runs} runs (goal: teachlog --help < {GOAL_SECONDS} s)")
    print(f"{'command':<24}{'median s':>10}{'min s':>8}{'max s':>8}{'+ python s':>12}")
    for name, timed in commands_timed.items():
        print(f"{name:<24}{timed['median_seconds']:>10.3f}{timed['min_seconds']:>8.3f}{timed['max_seconds']:>8.3f}"
              f"{timed['above_interpreter_seconds']:>12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each command (after one warm-up)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    options = parser.parse_args()
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    result = measure(options.runs)
    if options.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()

"""`teachlog --help` starts quickly: the command's libraries are loaded by the commands that use them, not on import.

Start-up time itself is measured by bench/startup.py, never asserted; these tests check which modules get loaded.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("openpyxl", "matplotlib", "numpy", "telegram", "slack_bolt", "sqlalchemy", "dateparser")

LOADED_AFTER = """
import runpy, sys
sys.argv = ["teachlog", *{args!r}]
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit:
    pass
print("loaded:", " ".join(name for name in {heavy!r} if name in sys.modules))
"""


def loaded_after(*args: str) -> tuple[str, list[str]]:
    """What ``python -m bot ARGS`` printed, and which of the heavy libraries it had imported by its end."""
    code = LOADED_AFTER.format(args=args, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    output, _, last = result.stdout.rstrip("\n").rpartition("\n")
    assert last.startswith("loaded:"), result.stdout
    return output, last.removeprefix("loaded:").split()


def test_importing_the_cli_loads_neither_openpyxl_nor_matplotlib_nor_telegram():
    code = f"import sys, bot.cli; print(' '.join(name for name in {HEAVY!r} if name in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == []


@pytest.mark.parametrize("args", [("--help",), ("export", "--help"), ("run", "--help"), ("pair", "add", "--help"),
                                  ("chat", "--help")])
def test_help_is_printed_without_loading_the_commands_libraries(args):
    output, loaded = loaded_after(*args)
    assert "Usage:" in output
    assert loaded == []


def test_the_help_still_lists_every_command():
    output, _ = loaded_after("--help")
    for command in ("run", "worker", "chat", "notify", "export", "progress", "policy", "school", "invite", "members",
                    "entries", "pair", "roster", "db"):
        assert f" {command} " in output, command


def test_pair_add_help_names_the_kinds_of_place():
    output, _ = loaded_after("pair", "add", "--help")
    assert "contact_point" in output and "联系点" in output


def test_policy_list_still_lists_the_presets_without_touching_the_database():
    output, loaded = loaded_after("policy", "list")
    assert "seed-000" in output
    assert "sqlalchemy" not in loaded


def test_the_chat_engine_is_built_without_loading_openpyxl():
    """Every `teachlog run` and `worker` builds the engine with its flows; a workbook loads openpyxl when written."""
    code = ("import sys; from bot.chat.engine_builder import build_engine; import bot.chat.flows.export; "
            "print('openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

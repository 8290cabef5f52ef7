"""`python -m bot` is the `teachlog` command."""

from bot.cli import main

main()

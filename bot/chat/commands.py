"""The bot's commands, in one catalogue: each command's name, what it does (en, and zh through the locale catalogue),
the flow that answers it, and where it works.

Everything that lists commands reads it: the flows' routing (:meth:`bot.chat.flow.Flow.wants`), /help
(:func:`help_text`), Telegram's command menu, the Slack app manifest's usage hint and the commands typed as words
(:func:`as_words`, :func:`named_by_word`: Slack's subcommands), and the terminal (`teachlog chat`, whose /help
is the core's). A new command is one entry here plus its flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat.events import Command
from bot.i18n import LANGUAGES, N_, Translator, translator

#: The sections of /help, in the order it shows them.
MEMBERS, GROUP, LEADERS = "members", "group", "leaders"


@dataclass(frozen=True)
class HelpLine:
    """One line of /help: `/name args — text`."""

    text: str
    #: What to type after the name, as an example (translated when the catalogue has it).
    args: str = ""
    section: str = MEMBERS
    #: Shown only to members whose plan asks for written records.
    only_with_records: bool = False


@dataclass(frozen=True)
class BotCommand:
    name: str
    #: What it does in a few words (Telegram's command menu).
    description: str
    #: The name of the flow that answers it when no conversation is open (`Flow.name`).
    flow: str
    #: Where it works: a private chat with the bot, a group or channel.
    private: bool = True
    group: bool = False
    #: Only a school's leaders may use it (others are told so by its flow).
    leaders: bool = False
    #: The word typed where commands are words rather than /commands (Slack's subcommands): /start is `join`.
    word: str = ""
    #: What follows the command in a usage hint ("CODE").
    usage: str = ""
    #: In the platforms' command menus (not /start, which the invite link sends).
    menu: bool = True
    help: tuple[HelpLine, ...] = ()

    @property
    def typed(self) -> str:
        """The command as a word: `join` for /start, else its name."""
        return self.word or self.name


COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("start", N_("Join your school with an invite code"), "join", word="join", usage="CODE",
               menu=False),
    BotCommand("log", N_("Log an activity"), "log", help=(
        HelpLine(N_("log a {activities} (or tap 📝 Log)")),
        HelpLine(N_("log in one line"), N_("home visit Wang Xiaoming yesterday 40min notes")),
    )),
    BotCommand("mine", N_("My counts"), "mine", help=(
        HelpLine(N_("where you stand on your quotas, and your counts")),)),
    BotCommand("report", N_("My report, with charts"), "report", group=True, help=(
        HelpLine(N_("your report with charts: /report month, /report last week, /report 家访")),
        HelpLine(N_("counts and rankings only, never students' names"), section=GROUP),
        HelpLine(N_("any member of your school, in detail"), N_("@name"), section=LEADERS),
    )),
    BotCommand("history", N_("My last entries"), "history", help=(HelpLine(N_("your last 10 entries")),)),
    BotCommand("undo", N_("Remove my last entry"), "undo", help=(
        HelpLine(N_("remove your last entry (within 24 hours)")),)),
    BotCommand("problems", N_("Problems families raised"), "problems", help=(
        HelpLine(N_("problems families raised that are assigned to you")),
        HelpLine(N_("the school's open problems: assign them, close them with a result"), section=LEADERS),
    )),
    BotCommand("record", N_("Send a written record"), "records", help=(
        HelpLine(N_("send a written record your plan asks for, as text, a photo or a file"),
                 only_with_records=True),)),
    BotCommand("away", N_("No reminders while I am away"), "away", help=(
        HelpLine(N_("no reminders until then; /back ends it"), N_("until 12月3号")),)),
    BotCommand("back", N_("Reminders on again"), "back"),
    BotCommand("settings", N_("Language and reminders"), "settings", help=(
        HelpLine(N_("language, and daily, weekly or no reminders")),)),
    BotCommand("export", N_("Entries and progress as files"), "export", leaders=True, help=(
        HelpLine(N_("entries and progress as .xlsx and .csv"), "2026-11-01 2026-11-30", section=LEADERS),)),
    BotCommand("link", N_("Post the weekly leaderboard in this group"), "groups", group=True, leaders=True, help=(
        HelpLine(N_("in a staff group: weekly leaderboard and /report there (/link top 5, /link totals)"),
                 section=LEADERS),)),
    BotCommand("unlink", N_("Stop posting in this group"), "groups", group=True, leaders=True, help=(
        HelpLine(N_("stop posting to that group"), section=LEADERS),)),
    BotCommand("help", N_("What I can do"), "basics", group=True),
    BotCommand("cancel", N_("Stop what I am doing"), "basics", help=(HelpLine(N_("stop what you are doing")),)),
)

BY_NAME = {command.name: command for command in COMMANDS}
#: Each command by the word typed for it where commands are words (`join` is /start).
BY_WORD = {command.typed: command.name for command in COMMANDS}
#: A /command of the core's in a text (not in a path or a link).
_SLASHED = re.compile(r"(?<![A-Za-z0-9_/.:<])/(" + "|".join(BY_NAME) + r")(?![A-Za-z0-9_/])")
#: (command name, in a private chat) → the flow that answers it.
_FLOWS = {(command.name, private): command.flow for command in COMMANDS
          for private, works in ((True, command.private), (False, command.group)) if works}
#: The commands that work only in a private chat, so the fallback says where to send them.
PRIVATE_ONLY = frozenset(command.name for command in COMMANDS if command.private and not command.group)

_HEADINGS = {MEMBERS: N_("What I can do:"), GROUP: N_("In a staff group:"), LEADERS: N_("For leaders:")}


def flow_for(name: str, *, private: bool) -> str | None:
    """The flow that answers /name in a private chat or a group, or None where it does not work."""
    return _FLOWS.get((name, private))


def as_words(text: str, prefix: str) -> str:
    """The core's "/log", "/start CODE"… in a text as typed where commands are words after one `prefix` (Slack's
    slash command): "/teachlog log", "/teachlog join CODE"."""
    return _SLASHED.sub(lambda match: f"{prefix} {BY_NAME[match.group(1)].typed}", text)


def named_by_word(word: str) -> str:
    """The name of the command typed as `word` (`join` is start); any other word as it is."""
    return BY_WORD.get(word, word)


def command_of_words(text: str) -> Command:
    """A command typed as words after a platform's one slash command, the inverse of :func:`as_words`: `join CODE`
    is Command("start", "CODE"), `mine` Command("mine"); nothing typed is help."""
    name, _, args = text.strip().partition(" ")
    return Command(named_by_word((name or "help").lower().lstrip("/")), args.strip())


def menu_commands() -> tuple[BotCommand, ...]:
    """What a private chat's command menu offers everyone (leaders' commands are in their /help)."""
    return tuple(command for command in COMMANDS if command.menu and command.private and not command.leaders)


def command_menus() -> dict[str, tuple[tuple[str, str], ...]]:
    """The menu of :func:`menu_commands` in each language, as (command, its description): what a platform that shows
    a command menu sends."""
    return {language: tuple((command.name, translator(language)(command.description)) for command in menu_commands())
            for language in LANGUAGES}


def usage_hint(separator: str = " | ") -> str:
    """Every command as typed as a word, with its arguments: "join CODE | log | mine | …"."""
    return separator.join(" ".join(filter(None, (command.typed, command.usage))) for command in COMMANDS)


def help_text(t: Translator, *, leader: bool = False, activities: str | None = None,
              records: bool = False) -> str:
    """/help: each section's lines, the leaders' only for a leader; `activities` names the school's own
    (see :func:`bot.logbook.activity_words.activities_phrase`), `records` whether the plan asks for written records."""
    activities = activities or t("home visit, call or tutoring session")
    sections: list[str] = []
    for section in (MEMBERS, GROUP, LEADERS):
        if section == LEADERS and not leader:
            continue
        lines = [_help_line(t, command, line, activities) for command in COMMANDS for line in command.help
                 if line.section == section and (records or not line.only_with_records)]
        sections.append("\n".join([t(_HEADINGS[section]), *lines]))
    return "\n\n".join(sections)


def _help_line(t: Translator, command: BotCommand, line: HelpLine, activities: str) -> str:
    usage = " ".join(filter(None, ("/" + command.name, t(line.args) if line.args else "")))
    text = t(line.text, activities=activities) if "{activities}" in line.text else t(line.text)
    return f"{usage} — {text}"

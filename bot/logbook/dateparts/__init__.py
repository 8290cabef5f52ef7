"""The pieces :mod:`bot.logbook.dates` reads date phrases with, one job per module.

* :mod:`.numerals` — Arabic, Chinese (零 … 三十一 … 九十九) and English number words;
* :mod:`.normalize` — full-width forms, punctuation, spacing and colloquial words
  (今早, 昨儿个, 前儿, a couple of days ago) rewritten to the plain forms;
* :mod:`.time_of_day` — 下午三点一刻, 3点半, 15:30, 4pm, this morning, 傍晚;
* :mod:`.calendar_days` — dates on the calendar: 2026-11-20, 11-20, 11/20, 十一月二十号,
  20号, Nov 20, the 20th, and a weekday said with one (11月21日周六, Sat 21 Nov);
* :mod:`.moments` — times counted back from now: 刚才, just now, 两小时前, an hour ago.

Pure functions over plain text; nothing here knows about chats or storage.
"""

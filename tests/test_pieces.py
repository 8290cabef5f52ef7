"""Long texts are cut at line ends, within a platform's limit, losing nothing but blank pieces."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from bot.chat.layout import split_text
from bot.chat.pieces import split_at_lines
from handlers.telegram.port import CAPABILITIES as TELEGRAM


def test_lines_stay_whole_when_they_fit():
    assert split_at_lines("one\ntwo\nthree", 8) == ["one\ntwo", "three"]


def test_a_line_longer_than_the_limit_is_cut_hard():
    assert split_at_lines("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@given(st.text(alphabet=st.sampled_from(["a", "王", "😀", "\n", " "]), max_size=400), st.integers(4, 60))
def test_every_piece_fits_telegram_and_the_text_survives(text, limit):
    capabilities = dataclasses.replace(TELEGRAM, text_length=limit)
    pieces = split_text(text, capabilities)
    assert all(len(piece.encode("utf-16-le")) // 2 <= limit for piece in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")

"""Garbage collection paused for a planning round, and left as it was found afterwards."""

from __future__ import annotations

import gc

import pytest

from bot.gc_pause import collection_paused


def test_collection_is_paused_inside_and_on_again_after_even_when_the_block_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # a round inside a round: the inner end does not switch it back on
            pass
        assert not gc.isenabled()
        raise RuntimeError("a school's bad data")
    assert gc.isenabled()


def test_a_pause_where_collection_was_off_leaves_it_off():
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

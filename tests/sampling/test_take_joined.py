"""``frame_hash.take_joined`` (C in ``sampling/_join.c``, with a Python fallback) joins the
picked pieces, as ``b"".join`` does."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling import frame_hash


def test_the_join_helper_is_built():
    """setup.py builds sampling/_join.c; without it the hash joins its lines in Python."""
    assert frame_hash._take_joined is not None, "sampling/_join.c was not built: pip install -e ."


@contextmanager
def _joiner(kind: str):
    saved = frame_hash._take_joined
    if kind == "Python":
        frame_hash._take_joined = None
    try:
        yield frame_hash.take_joined
    finally:
        frame_hash._take_joined = saved


@pytest.mark.parametrize("kind", ["C", "Python"])
@given(pieces=st.lists(st.binary(max_size=12), min_size=1, max_size=20), data=st.data())
def test_the_picked_pieces_are_joined_in_order(kind, pieces, data):
    index = data.draw(st.lists(st.integers(0, len(pieces) - 1), max_size=60))
    expected = b"".join(pieces[i] for i in index)
    with _joiner(kind) as take_joined:
        assert take_joined(pieces, np.array(index, dtype=np.int64)) == expected
        assert take_joined(pieces, np.array(index, dtype=np.int32)) == expected


@pytest.mark.parametrize("kind", ["C", "Python"])
@pytest.mark.parametrize("bad", [-1, 3])
def test_an_index_out_of_range_is_refused(kind, bad):
    with _joiner(kind) as take_joined, pytest.raises(IndexError):
        take_joined([b"a", b"b", b"c"], np.array([0, bad]))

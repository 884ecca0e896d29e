"""The canonical content hash of a frame (SHA-256), independent of row order and file format.

PURE. The definition is documented in ``docs/frame-format.md`` and must never change: it is in
every draw commitment (``tests/sampling/test_frame_hash_pins.py`` pins it).
"""

from __future__ import annotations

import hashlib

import polars as pl

from sampling.frames import columns as fc

HASH_VERSION = "exit-assessment frame v1"


def id_order(data: pl.DataFrame) -> pl.Series:
    """The positions sorted by ``household_id``, ties in file order: the order of the hash. Ids
    all of digits and of one length (up to 18) sort as their numbers do: the same order, faster."""
    ids = data["household_id"]
    width = len(ids[0] or "") if len(ids) else 0
    if 0 < width <= 18 and ids.str.contains(f"^[0-9]{{{width}}}$").all():
        ids = ids.str.to_integer()
    return ids.to_frame().select(pl.arg_sort_by("household_id", maintain_order=True)).to_series()


def _canonical_text(values: pl.Series, name: str) -> pl.Series:
    """Each value as the hash writes it: booleans ``0``/``1``, a blank exit year empty."""
    if values.dtype == pl.Boolean:
        return values.cast(pl.UInt8).cast(pl.String)
    if name == "exit_year":
        return values.cast(pl.String).zip_with(values != 0, pl.repeat("", len(values), eager=True))
    return values.cast(pl.String)


def content_hash(data: pl.DataFrame, order: pl.Series | None = None) -> str:
    """SHA-256 (hex) of a frame's canonical content (``docs/frame-format.md``, "Content hash"):
    the version line, then for each canonical column and ``extra_json`` its name and its values
    in ``household_id`` order, one line each (booleans ``0``/``1``, a blank exit year empty).
    ``data``: typed canonical columns and ``extra_json``; ``order``: :func:`id_order`, or None."""
    # a column and 100,000 values at a time: no sorted copy of the frame, nor a column as one text
    if order is None:
        order = id_order(data)
    digest = hashlib.sha256(f"{HASH_VERSION}\n".encode())
    for name in (*fc.CANONICAL_COLUMNS, "extra_json"):
        digest.update(f"{name}\n".encode())
        text = _canonical_text(data[name].gather(order), name)
        for start in range(0, max(len(text), 1), 100_000):
            lines = text.slice(start, 100_000).str.join("\n").cast(pl.Binary)  # UTF-8
            digest.update(lines.item() + b"\n")
    return digest.hexdigest()

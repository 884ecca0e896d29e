"""The canonical content hash of a frame (SHA-256), independent of row order and file format.

PURE. Split from :mod:`sampling.frames`; the definition is documented in
``docs/frame-format.md`` and must never change (it is in every draw commitment).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from sampling import frame_columns as fc

HASH_VERSION = "exit-assessment frame v1"

try:
    from sampling._join import take_joined as _take_joined
except ImportError:  # not built (no C compiler where the package was installed)
    _take_joined = None


def take_joined(pieces: list[bytes], index: np.ndarray) -> bytes:
    """``b"".join(pieces[i] for i in index)``: in one pass by ``sampling/_join.c`` when it
    was built, else by a gather and join here."""
    index = np.ascontiguousarray(index, dtype=np.int64)
    if _take_joined is not None:
        return _take_joined(pieces, index)
    if len(index) and (int(index.min()) < 0 or int(index.max()) >= len(pieces)):
        raise IndexError("index out of range")
    table = np.empty(len(pieces), dtype=object)
    table[:] = pieces
    return b"".join(table[index].tolist())


def _id_order(ids: Sequence[str]) -> tuple[np.ndarray, dict[str, bytes]]:
    """Positions of the households sorted by id, and the id lines of the hash when cheap.

    ASCII ids sort as bytes (same order as code points, and faster); ids that are also all
    of one length give the hashed id lines straight from the sorted byte matrix.
    """
    try:
        key = np.array(ids, dtype="S")
    except UnicodeEncodeError:
        return np.argsort(np.array(ids, dtype=str), kind="stable"), {}
    order = np.argsort(key, kind="stable")
    n, width = len(key), key.dtype.itemsize
    if n == 0 or int(np.strings.str_len(key).min()) != width:
        return order, {}
    matrix = np.empty((n, width + 1), dtype=np.uint8)
    matrix[:, :width] = key[order].view(np.uint8).reshape(n, width)
    matrix[:, width] = ord("\n")
    return order, {"household_id": matrix.tobytes()}


def _gathered_lines(values: np.ndarray, index: np.ndarray) -> bytes:
    """UTF-8 of ``values[index]``, each followed by a line break, encoding each value once."""
    return take_joined([(value + "\n").encode("utf-8") for value in values.tolist()], index)


def _int_lines(values: np.ndarray, blank_zero: bool) -> bytes:
    """``str(value) + "\\n"`` for each value (``"\\n"`` alone for 0 when ``blank_zero``), UTF-8.

    Each distinct number is formatted once; households pick theirs by index.
    """
    values = values.astype(np.int64)
    low, high = int(values.min()), int(values.max())
    if high - low <= 1_000_000:
        distinct, index = np.arange(low, high + 1), values - low
    else:
        distinct, index = np.unique(values, return_inverse=True)
    text = ["" if blank_zero and v == 0 else str(v) for v in distinct.tolist()]
    return take_joined([(t + "\n").encode() for t in text], index)


def _text_lines(values: np.ndarray, order: np.ndarray) -> bytes:
    """UTF-8 of ``values[order]``, each followed by a line break.

    A column with few distinct values (township, status, ...) is encoded once per distinct
    value and gathered by integer code: far cheaper than joining a million strings.
    """
    items = values.tolist()
    if len(set(items[:2000])) > 1900:  # mostly distinct (ids, names): join in order
        return ("\n".join(values[order].tolist()) + "\n").encode("utf-8")
    codes = _Codes()
    index = np.fromiter(map(codes.__getitem__, items), dtype=np.int64, count=len(items))
    return take_joined([(value + "\n").encode("utf-8") for value in codes], index[order])


class _Codes(dict):
    """Value -> code, numbering values in order of first appearance."""

    def __missing__(self, key) -> int:
        code = self[key] = len(self)
        return code


def _canonical_lines(values: np.ndarray, order: np.ndarray, name: str) -> bytes:
    """The canonical text of a column in hash order: each value followed by a line break."""
    if len(values) == 0:
        return b"\n"
    if values.dtype == bool:
        # "0\n1\n..." straight from the bytes of the array
        out = np.full(2 * len(values), ord("\n"), dtype=np.uint8)
        out[0::2] = values[order].view(np.uint8) + ord("0")
        return out.tobytes()
    if values.dtype.kind in "iu":
        return _int_lines(values[order], blank_zero=name == "exit_year")
    if values.dtype != object:
        values = values.astype(str).astype(object)
    return _text_lines(values, order)


def content_hash(arrays: Mapping[str, np.ndarray], extra_json: np.ndarray, order) -> str:
    """SHA-256 (hex) of a frame's canonical content, independent of row order and file format.

    The hashed UTF-8 text is the version line ``exit-assessment frame v1``, then for each
    canonical column in canonical order and finally ``extra_json``: a line with the column
    name, then the column's canonical values in ``household_id`` order, one per line
    (booleans ``0``/``1``, a blank exit year as an empty line, text stripped). Values cannot
    hold line breaks or control characters (the checks reject them; extra JSON escapes
    them), so the text is unambiguous. An empty frame gives one empty line per column.
    """
    return _hash(arrays, extra_json, order, {})


def _hash(arrays, extra_json, order, prepared: Mapping[str, bytes]) -> str:
    """:func:`content_hash`, with the canonical lines of some columns already built."""
    order = np.asarray(order, dtype=np.intp)
    digest = hashlib.sha256(f"{HASH_VERSION}\n".encode())
    named = [(name, arrays[name]) for name in fc.CANONICAL_COLUMNS]
    named.append(("extra_json", extra_json))
    for name, values in named:
        digest.update(f"{name}\n".encode())
        lines = prepared.get(name)
        if lines is None:
            lines = _canonical_lines(np.asarray(values), order, name)
        digest.update(lines)
    return digest.hexdigest()

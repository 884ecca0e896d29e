"""The parts of an XLSX workbook besides the worksheet's cells, for the fast XLSX path
(:mod:`sampling.frame_xlsx`): relationships, shared strings, styles, and the text of values.

PURE. The shared-string table is read with numpy: :func:`tokens` finds every ``<`` and names
the tag that starts there from a short list (anything else raises :class:`NotPlain`, and
calamine reads the workbook). Text is decoded and unescaped once per distinct value.
"""

from __future__ import annotations

import re
import zipfile

import numpy as np

from sampling.frame_reader import (
    _WORKBOOK_PART,
    _WORKBOOK_RELS,
    MAX_XLSX_UNPACKED,
    _attributes,
    cell_text,
)

SLACK = 32  # zero bytes after a part, so that words can be read at any tag
_LT = 0x3C
MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)

# Token kinds (0: not recognised).
SI, SI_END, T, T_SPACE, T_END, T_EMPTY, PHONETIC = range(1, 8)
_SST_TAGS = {
    SI: b"<si>",
    SI_END: b"</si>",
    T: b"<t>",
    T_SPACE: b"<t xml:s",  # the rest, 'pace="preserve">', is checked apart
    T_END: b"</t>",
    T_EMPTY: b"<t/>",
    PHONETIC: b"<phoneti",  # <phoneticPr .../>: Excel's East Asian reading settings
}
_T_SPACE_REST = b'pace="preserve">'
#: Number formats under which calamine reads a number as a number (General, 0, 0.00, #,##0,
#: percentages, fractions, scientific, accounting, text): not dates or times.
_PLAIN_FORMATS = frozenset((*range(0, 14), *range(37, 45), 48, 49))
_NUMBER = re.compile(rb"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_EXCEL_ESCAPE = re.compile(r"_x[0-9a-fA-F]{4}_")
#: XML's white space, which calamine trims from text not marked xml:space="preserve".
XML_SPACE = " \t\r\n"


class NotPlain(Exception):
    """The workbook is not one the fast path reads exactly: calamine reads it."""


def workbook_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Paths of the first worksheet, the shared strings and the styles, by the workbook's
    relationships (the first sheet whose relationship is a worksheet, as calamine takes)."""
    if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
        raise NotPlain
    rels = {
        rel.get("Id"): (rel.get("Type", "").rpartition("/")[2], rel.get("Target", ""))
        for rel in _attributes(archive.read(_WORKBOOK_RELS), "Relationship")
    }
    parts = {}
    for kind, target in rels.values():
        if kind in ("sharedStrings", "styles"):
            parts[kind] = _part_path(target)
    for sheet in _attributes(archive.read(_WORKBOOK_PART), "sheet"):
        kind, target = rels.get(sheet.get("id"), ("", ""))
        if kind == "worksheet":
            parts["worksheet"] = _part_path(target)
            break
        if kind != "chartsheet":
            raise NotPlain  # a dialog or macro sheet: leave the choice to calamine
    return parts


def _part_path(target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    if ".." in target or "\\" in target:
        raise NotPlain
    return "xl/" + target


# --- tokens -----------------------------------------------------------------------------


class Buffer:
    """A part's bytes in a zero-padded array, and the little-endian word at every offset."""

    def __init__(self, size: int) -> None:
        self.bytes = np.zeros(size + SLACK, dtype=np.uint8)
        self.view = np.ndarray((size + SLACK - 7,), dtype="<u8", buffer=self.bytes, strides=(1,))
        self.size = 0

    @classmethod
    def of(cls, data: bytes) -> Buffer:
        buffer = cls(len(data))
        buffer.append(data)
        return buffer

    def append(self, block: bytes) -> None:
        self.bytes[self.size : self.size + len(block)] = np.frombuffer(block, dtype=np.uint8)
        self.size += len(block)

    def joined(self, starts: np.ndarray, lengths: np.ndarray) -> bytes:
        """The bytes at ``starts`` (``lengths`` long) joined by NUL bytes, in one gather (XML
        text holds no NUL)."""
        if len(starts) == 0:
            return b""
        spans = lengths + 1
        ends = np.cumsum(spans)
        index = np.arange(int(ends[-1]), dtype=np.int64)
        index += np.repeat(starts - (ends - spans), spans)
        joined = self.bytes[index]
        joined[ends - 1] = 0
        return joined[:-1].tobytes()


def tag_table(tags: dict[int, bytes]):
    """Lookup by the two bytes after ``<``, and each kind's word mask and expected word."""
    table = np.zeros(1 << 16, dtype=np.uint8)
    masks = np.zeros(max(tags) + 1, dtype=np.uint64)
    words = np.ones(max(tags) + 1, dtype=np.uint64)  # kind 0 never matches (mask 0, word 1)
    for kind, tag in tags.items():
        table[tag[1] | tag[2] << 8] = kind
        masks[kind] = MASKS[len(tag)]
        words[kind] = int.from_bytes(tag, "little")
    return table, masks, words


SST_TABLE = tag_table(_SST_TAGS)
_T_SPACE_WORDS = np.frombuffer(_T_SPACE_REST, dtype="<u8")


def tokens(buffer: Buffer, start: int, end: int, tags) -> tuple[np.ndarray, np.ndarray]:
    """Offset and kind of every ``<`` in ``[start, end)``; NotPlain for a tag not listed."""
    table, masks, words = tags
    offsets = np.flatnonzero(buffer.bytes[start:end] == _LT)
    offsets += start
    word = buffer.view[offsets]
    kinds = table[(word >> np.uint64(8)).astype(np.uint16)]
    if not ((word & masks[kinds]) == words[kinds]).all():
        raise NotPlain
    spaced = offsets[kinds == T_SPACE]
    if len(spaced) and not (
        (buffer.view[spaced + 8] == _T_SPACE_WORDS[0]).all()
        and (buffer.view[spaced + 16] == _T_SPACE_WORDS[1]).all()
    ):
        raise NotPlain
    return offsets, kinds


def unescaped(texts: list[str]) -> list[str]:
    """XML's five named entities and character references replaced; NotPlain for Excel's
    ``_xHHHH_`` escapes (read by calamine) and for any other ``&``."""
    for i, text in enumerate(texts):
        if "&" in text:
            text = _ENTITY.sub(_entity, text)
            if "&" in text.replace("\x00&", ""):
                raise NotPlain
            texts[i] = text.replace("\x00&", "&")
        if "_x" in text and _EXCEL_ESCAPE.search(text):
            raise NotPlain
    return texts


def _entity(match: re.Match) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        character = _NAMED[name]
    else:
        code = int(decimal) if decimal else int(hexadecimal, 16)
        if not 0 < code <= 0x10FFFF:
            raise NotPlain
        character = chr(code)
    return "\x00&" if character == "&" else character  # marked: not an unknown entity


def number_texts(values: list[bytes]) -> list[str]:
    """Text of each number as :func:`cell_text` writes the float calamine reads."""
    texts = []
    for value in values:
        if not _NUMBER.match(value):
            raise NotPlain
        number = float(value)
        if not np.isfinite(number):
            raise NotPlain
        texts.append(cell_text(number))
    return texts


def shared_texts(values: list[bytes], shared: list[str]) -> list[str]:
    """The shared strings the indices point to."""
    if not all(value.isdigit() for value in values):
        raise NotPlain
    indices = [int(value) for value in values]
    if indices and max(indices) >= len(shared):
        raise NotPlain
    return [shared[i] for i in indices]


# --- parts ------------------------------------------------------------------------------


# --- parts ------------------------------------------------------------------------------


def shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    """The shared-string table: ``<si>`` items of one plain ``<t>`` each (Excel's
    ``<phoneticPr/>`` allowed); NotPlain for rich-text or phonetic runs."""
    if part is None:
        return []
    data = archive.read(part)
    buffer = Buffer.of(data)
    begin = data.find(b"<sst")
    end = data.rfind(b"</sst>")
    if begin < 0 or end < 0:
        raise NotPlain  # no table, or written as <sst/> (empty) or with a prefix
    start = data.index(b">", begin) + 1
    offsets, kinds = tokens(buffer, start, end, SST_TABLE)
    phonetic = offsets[kinds == PHONETIC]
    after = (buffer.view[phonetic + 8] & MASKS[4]).tolist()
    if not set(after) <= {int.from_bytes(b"cPr ", "little"), int.from_bytes(b"cPr/", "little")}:
        raise NotPlain
    keep = kinds != PHONETIC
    offsets, kinds = offsets[keep], kinds[keep]
    items = np.flatnonzero(kinds == SI)
    pad = np.zeros(3, dtype=kinds.dtype)
    k = [np.concatenate((kinds, pad))[items + i] for i in range(1, 4)]
    text = ((k[0] == T) | (k[0] == T_SPACE)) & (k[1] == T_END) & (k[2] == SI_END)
    empty = (k[0] == T_EMPTY) & (k[1] == SI_END)
    used = 4 * text + 3 * empty
    if not (text | empty).all() or int(used.sum()) != len(kinds):
        raise NotPlain
    if (items[:-1] + used[:-1] > items[1:]).any():
        raise NotPlain
    padded = np.concatenate((offsets, np.zeros(3, dtype=offsets.dtype)))
    starts = np.where(text, padded[items + 1] + np.where(k[0] == T, 3, 24), 0)
    lengths = np.where(text, padded[items + 2] - starts, 0)
    texts = unescaped(buffer.joined(starts, lengths).decode("utf-8").split("\x00"))
    for i in np.flatnonzero(k[0] == T).tolist():  # not xml:space="preserve": calamine trims
        texts[i] = texts[i].strip(XML_SPACE)
    return texts


_XF = re.compile(rb"<xf\b([^>]*)>")
_NUMBER_FORMAT_ID = re.compile(rb'\snumFmtId\s*=\s*"([0-9]+)"')


def number_formats(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """Cell styles (``s``) under which a number cell reads as a plain number."""
    if part is None:
        return frozenset({0})
    styles = archive.read(part)
    begin, end = styles.find(b"<cellXfs"), styles.find(b"</cellXfs>")
    if begin < 0 or end < 0:
        return frozenset({0})
    plain = set()
    for index, match in enumerate(_XF.finditer(styles, begin, end)):
        number_format = _NUMBER_FORMAT_ID.search(match[1])
        if int(number_format[1] if number_format else 0) in _PLAIN_FORMATS:
            plain.add(index)
    return frozenset(plain)

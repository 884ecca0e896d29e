"""Every message in the code has a Chinese translation, and the compiled catalog is current."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "assessment/locale/zh/LC_MESSAGES/assessment.po"
MO = PO.with_suffix(".mo")
METHODS = [("**.py", "python"), ("**/templates/**.jinja2", "jinja2")]
# ``tx`` translates dynamic msgids in templates (see assessment/web.py).
KEYWORDS = {**DEFAULT_KEYWORDS, "tx": None}
OPTIONS = {"**/templates/**.jinja2": {"newstyle_gettext": "true", "extensions": "jinja2.ext.do"}}


def extracted_msgids() -> set[str]:
    ids = set()
    for package in ("assessment", "sampling", "surveys", "reports"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, METHODS, options_map=OPTIONS, keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_message_has_a_chinese_translation():
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh")
    translated = {m.id for m in catalog if m.id and m.string}
    assert sorted(extracted_msgids() - translated) == []


def _messages(catalog) -> dict:
    """msgid -> msgstr of a catalog, without the header entry (it names the tool's version)."""
    return {m.id: m.string for m in catalog if m.id and m.string}


def test_compiled_catalog_matches_the_po_file():
    # Messages, not bytes: a Babel upgrade rewrites the header ("Generated-By") and may order
    # the compiled file differently, but a message missing from or changed in the .mo fails.
    with PO.open("rb") as f:
        source = _messages(read_po(f, locale="zh"))
    with MO.open("rb") as f:
        compiled = _messages(read_mo(f))
    assert compiled == source, "run `make i18n` to recompile the catalog"

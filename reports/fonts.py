"""The embedded TrueType font of the PDF reports (PURE).

Every PDF the reports package writes uses only this font, embedded as subsets: the shipped
WenQuanYi Micro Hei covers Chinese and Latin, so no standard-14 font (which viewers substitute)
ever enters a report, and the report looks the same in any viewer in ten years.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

DEFAULT_FONT_PATH = Path(__file__).parent / "fonts" / "wqy-microhei.ttc"
FONT_SETTING = "reports.font_path"

_registered: dict[tuple[str, int], str] = {}


class ReportFontError(FileNotFoundError):
    """The report font is missing or unreadable; the message names ``reports.font_path``."""


def register_font(font_path: str | Path | None = None, *, subfont_index: int = 0) -> str:
    """Register the report font with reportlab and return its font name.

    Parameters
    ----------
    font_path : str or Path, optional
        A TrueType font (.ttf) or collection (.ttc) with CJK and Latin glyphs; default the
        shipped WenQuanYi Micro Hei (:data:`DEFAULT_FONT_PATH`).
    subfont_index : int
        Face index inside a .ttc collection.

    Returns
    -------
    str
        The reportlab font name to use in styles and drawings.

    Raises
    ------
    ReportFontError
        When the file is missing or is not a TrueType font; the message names the setting
        ``reports.font_path``.
    """
    path = Path(DEFAULT_FONT_PATH if font_path is None else font_path).resolve()
    key = (str(path), subfont_index)
    if key in _registered:
        return _registered[key]
    if not path.is_file():
        raise ReportFontError(
            f"Report font not found: {path}. Set {FONT_SETTING} to a TrueType font file "
            f"with Chinese glyphs (for example {DEFAULT_FONT_PATH.name}, shipped in reports/fonts)."
        )
    digest = hashlib.sha256(f"{path}:{subfont_index}".encode()).hexdigest()[:10]
    name = f"ReportFont-{digest}"
    try:
        font = TTFont(name, str(path), subfontIndex=subfont_index)
    except (TTFError, OSError, ValueError) as exc:
        raise ReportFontError(
            f"Report font {path} is not a usable TrueType font ({exc}). "
            f"Set {FONT_SETTING} to a .ttf or .ttc file with Chinese glyphs."
        ) from exc
    pdfmetrics.registerFont(font)
    _registered[key] = name
    return name

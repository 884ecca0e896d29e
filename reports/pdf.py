"""Public entry points of the PDF reports: a locked snapshot in, PDF bytes out (PURE).

Both renderers are deterministic: the same snapshot, language and font give byte-identical
PDFs (reportlab's invariant mode, dates from the snapshot). Every font in the PDF is the
embedded TrueType report font (see :mod:`reports.fonts`).
"""

from __future__ import annotations

from pathlib import Path

from reports import labels as L
from reports.model import CountyReport, ProvinceReport
from reports.pdf_base import PageFurniture, build_pdf, load_fonts
from reports.pdf_county import county_story
from reports.pdf_province import province_story
from reports.wording import institution_text


def _furniture(
    lang: str,
    left: str,
    version: str,
    institution: str,
    signed_off: bool,
    simulated: bool,
    interim: bool = False,
) -> PageFurniture:
    if version in ("draft", ""):  # an unnumbered draft: the word once, not "版本 draft"
        right = L.text(lang, "draft")
    else:
        right = f"{L.text(lang, 'version')} {version}"
        if not signed_off:
            right += f" · {L.text(lang, 'draft')}"
    if interim:
        right += f" · {L.text(lang, 'interim')}"
    if simulated:
        right += f" · {L.text(lang, 'simulated')}"
    return PageFurniture(
        header_left=left,
        header_right=right,
        footer_left=institution_text(lang, institution),
        page_label=L.text(lang, "page"),
        watermark=None if signed_off else L.text(lang, "draft"),
        simulated=L.text(lang, "simulated_mark") if simulated else None,
    )


def render_county_report(
    snapshot: CountyReport,
    *,
    lang: str = "zh",
    font_path: str | Path | None = None,
    households: bool = True,
) -> bytes:
    """Render the county evaluation report (评估报告) as PDF.

    Parameters
    ----------
    snapshot : CountyReport
        The locked snapshot; proportions 0-1 are shown as percentages.
    lang : {"zh", "en"}
        Report language (Chinese by default).
    font_path : str or Path, optional
        The ``reports.font_path`` setting: a TrueType font with Chinese glyphs; default the
        shipped WenQuanYi Micro Hei.
    households : bool
        True for the problem list with each household (id, village, size, the assessors'
        notes): only for the roles that may see households. False gives counts by category
        and by standard not met instead (the readers' copy).

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    ValueError
        If ``snapshot`` is not a CountyReport or ``lang`` is unknown.
    reports.fonts.ReportFontError
        If the font is missing (the message names ``reports.font_path``).
    """
    if not isinstance(snapshot, CountyReport):
        raise ValueError(f"snapshot must be a CountyReport, got {type(snapshot).__name__}")
    L.check_language(lang)
    fonts = load_fonts(font_path)
    title = L.text(lang, "title_county")
    left = f"{snapshot.province} {snapshot.county} · {title}"
    furniture = _furniture(
        lang,
        left,
        snapshot.version,
        snapshot.institution,
        snapshot.signed_off,
        snapshot.simulated,
        snapshot.interim,
    )
    return build_pdf(
        county_story(snapshot, lang, fonts, households=households),
        font=fonts.text,
        furniture=furniture,
        created=snapshot.created,
        title=f"{snapshot.province}{snapshot.county} {title}",
        author=institution_text(lang, snapshot.institution),
        subject=f"{snapshot.scheme} {snapshot.year}",
    )


def render_province_report(
    snapshot: ProvinceReport, *, lang: str = "zh", font_path: str | Path | None = None
) -> bytes:
    """Render the provincial summary (one row per county, failing counties first) as PDF.

    Parameters
    ----------
    snapshot : ProvinceReport
        The locked snapshot of the round.
    lang : {"zh", "en"}
        Report language.
    font_path : str or Path, optional
        The ``reports.font_path`` setting (see :func:`render_county_report`).

    Returns
    -------
    bytes
        The PDF.
    """
    if not isinstance(snapshot, ProvinceReport):
        raise ValueError(f"snapshot must be a ProvinceReport, got {type(snapshot).__name__}")
    L.check_language(lang)
    fonts = load_fonts(font_path)
    title = L.text(lang, "title_province")
    furniture = _furniture(
        lang,
        f"{snapshot.province} · {title}",
        snapshot.version,
        snapshot.institution,
        snapshot.signed_off,
        snapshot.simulated,
    )
    return build_pdf(
        province_story(snapshot, lang, fonts),
        font=fonts.text,
        furniture=furniture,
        created=snapshot.created,
        title=f"{snapshot.province} {title}",
        author=institution_text(lang, snapshot.institution),
        subject=f"{snapshot.scheme} {snapshot.year}",
    )

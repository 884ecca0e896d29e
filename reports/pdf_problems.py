"""The problem list (问题清单) and the methods appendix of the county report (PURE).

The problem list names households (ids, villages, sizes, the assessors' notes): it is only for
the roles that may see households. The other copy (:func:`problem_counts_section`) gives
counts by category and by standard not met, and nothing that identifies a household.
"""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from reports import labels as L
from reports import wording as W
from reports.model import INDICATOR_KEYS, PROBLEM_KINDS, CountyReport, Problem
from reports.pdf_base import CONTENT_WIDTH, Fonts, Heading, escape, pct
from reports.tables import grid, key_values

# Fractions of the content width; the id column is wide enough for an 18-digit id on one line.
PROBLEM_COLUMNS = (0.055, 0.15, 0.165, 0.055, 0.16, 0.305, 0.11)


def _problem_row(number: int, p: Problem, lang: str, cell) -> list:
    sep = "、" if lang == "zh" else ", "
    standards = sep.join(L.text(lang, code) for code in p.standards_not_met)
    return [
        str(number),
        Paragraph(f"{escape(p.township)}<br/>{escape(p.village)}", cell),
        p.household_id,
        str(p.persons) if p.persons else "–",
        Paragraph(escape(standards) or "–", cell),
        Paragraph(escape(p.reasons) or "–", cell),
        Paragraph(_review(p, lang), cell),
    ]


def _review(p: Problem, lang: str) -> str:
    """The review status; after a failed re-visit and a new ruling, where the earlier
    rulings are (escaped markup)."""
    review = escape(L.code(lang, "review_", p.review_status))
    if p.appeal is None or not p.appeal.earlier:
        return review
    note = L.text(lang, "problem_earlier")
    return f"{review}<br/>{escape(note)}"


def problem_table(problems: list[Problem], lang: str, styles: dict, font: str):
    """A LongTable of problem households; the header repeats and rows never split."""
    head = [
        L.text(lang, k)
        for k in (
            "col_no",
            "col_place",
            "col_household",
            "col_persons",
            "col_standards",
            "col_reasons",
            "col_review",
        )
    ]
    rows = [head] + [_problem_row(i, p, lang, styles["cell"]) for i, p in enumerate(problems, 1)]
    widths = [CONTENT_WIDTH * f for f in PROBLEM_COLUMNS]
    extra = [("VALIGN", (0, 1), (-1, -1), "TOP"), ("FONTSIZE", (2, 1), (2, -1), 7.5)]
    return grid(rows, widths, font=font, styles=styles, long=True, align_right=(0, 3), extra=extra)


def problems_section(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 4: every wrongly exited, missed and non-recognising household, by kind."""
    by_kind = {
        k: sorted(
            (p for p in s.problems if p.kind == k),
            key=lambda p: (p.township, p.village, p.household_id),
        )
        for k in PROBLEM_KINDS
    }
    story: list = [Heading(escape(L.text(lang, "s_problems")), styles["h1"])]
    if not s.problems:
        return [*story, Paragraph(escape(L.text(lang, "problems_none")), styles["body"])]
    total = L.text(
        lang,
        "problems_total",
        n=len(s.problems),
        w=len(by_kind["wrongly_exited"]),
        m=len(by_kind["missed"]),
        r=len(by_kind["not_recognising"]),
    )
    story.append(Paragraph(escape(total), styles["body"]))
    for kind, problems in by_kind.items():
        if not problems:
            continue
        name = L.text(lang, "kind_" + kind)
        title = f"{name}（{len(problems)}）" if lang == "zh" else f"{name} ({len(problems)})"
        story += [
            Heading(escape(title), styles["h2"], level=1),
            problem_table(problems, lang, styles, fonts.text),
        ]
    return story


def problem_counts_section(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 4 without household identities: counts by kind and by standard not met."""
    story: list = [Heading(escape(L.text(lang, "s_problems")), styles["h1"])]
    if not s.problems:
        return [*story, Paragraph(escape(L.text(lang, "problems_none")), styles["body"])]
    kinds = Counter(p.kind for p in s.problems)
    total = L.text(
        lang,
        "problems_total",
        n=len(s.problems),
        w=kinds["wrongly_exited"],
        m=kinds["missed"],
        r=kinds["not_recognising"],
    )
    rows = [[L.text(lang, "col_problem_category"), L.text(lang, "col_households")]]
    sep = "：" if lang == "zh" else ": "
    for kind in PROBLEM_KINDS:
        if not kinds[kind]:
            continue
        name = L.text(lang, "kind_" + kind)
        rows.append([Paragraph(escape(name), styles["cell"]), f"{kinds[kind]:,}"])
        if kind == "not_recognising":
            continue  # recognition is not a standard: no breakdown
        standards = Counter(
            code for p in s.problems if p.kind == kind for code in p.standards_not_met
        )
        rows += [
            [Paragraph(escape(f"  {name}{sep}{L.text(lang, code)}"), styles["cell"]), f"{n:,}"]
            for code, n in sorted(standards.items())
        ]
    widths = [CONTENT_WIDTH * 0.7, CONTENT_WIDTH * 0.3]
    return [
        *story,
        Paragraph(escape(total), styles["body"]),
        grid(rows, widths, font=fonts.text, styles=styles, align_right=(1,)),
        Spacer(1, 4 * mm),
        Paragraph(escape(L.text(lang, "problems_restricted")), styles["body"]),
    ]


SEP_LINE = {"zh": "；", "en": "; "}


def _mono(value: str, fonts: Fonts, styles: dict) -> Paragraph:
    return Paragraph(f"<font name='{fonts.mono}'>{escape(value)}</font>", styles["cell"])


def methods_section(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Appendix: frame hash, design, strata, seed commitment and verification, estimators."""
    t = lambda key, **kw: L.text(lang, key, **kw)  # noqa: E731
    m, w, font = s.methods, CONTENT_WIDTH, fonts.text
    pairs = [
        (t("frame_hash"), _mono(m.frame_hash, fonts, styles)),
        (t("plan_id"), _mono(m.plan_id, fonts, styles)),
        (t("design"), W.design_text(lang, m.design)),
        (
            t("seed_commitment"),
            _mono(W.seed_commitment_text(lang, m.seed_commitment), fonts, styles),
        ),
        (t("estimators"), W.estimators_text(lang, m.estimators)),
        (t("ci_method"), W.ci_method_text(lang, m.ci_method)),
        # what the intervals are and how they held in simulation; the key under the indicator
        # table (bound_note) says how to read the statements and points here
        (t("bound_method_label"), t("bound_method")),
        (t("icc_heading"), SEP_LINE[lang].join(W.icc_lines(lang, m, s.indicators))),
        (t("instrument_version"), W.instrument_text(lang, m.instrument_version)),
    ]
    if s.coverage.response:  # snapshots since the non-response adjustment
        pairs.append((t("nonresponse"), t("nonresponse_text")))
    pairs.append((t("sample_size"), t("sample_size_text")))
    verify = t("verify_draw", mono=fonts.mono, plan=escape(m.plan_id))
    return [
        Heading(escape(t("s_methods")), styles["h1"]),
        key_values(pairs, [w * 0.26, w * 0.74], font=font, styles=styles),
        Spacer(1, 4 * mm),
        Paragraph(verify, styles["body"]),
        *_methods_tables(s, lang, styles, font),
    ]


def _methods_tables(s: CountyReport, lang: str, styles: dict, font: str) -> list:
    t = lambda key: L.text(lang, key)  # noqa: E731
    widths = [CONTENT_WIDTH * f for f in (0.4, 0.2, 0.2, 0.2)]
    strata = [[t(k) for k in ("col_stratum", "col_unit", "col_population", "col_sample")]]
    strata += [
        [
            Paragraph(escape(W.stratum_text(lang, r.stratum)), styles["cell"]),
            L.code(lang, "unit_", r.unit),
            f"{r.population_units:,}",
            f"{r.sample_units:,}",
        ]
        for r in s.methods.strata
    ]
    counts = [[t(k) for k in ("col_indicator", "col_numerator", "col_denominator", "col_estimate")]]
    counts += [
        [t(i.key), _number(i.numerator), _number(i.denominator), pct(i.estimate)]
        for i in sorted(s.indicators, key=lambda i: INDICATOR_KEYS.index(i.key))
    ]
    return [
        Heading(escape(t("strata_heading")), styles["h2"], level=1),
        grid(strata, widths, font=font, styles=styles, align_right=(2, 3)),
        Heading(escape(t("counts_heading")), styles["h2"], level=1),
        grid(counts, widths, font=font, styles=styles, align_right=(1, 2, 3)),
    ]


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"

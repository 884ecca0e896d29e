"""The appeal section of the county report (申诉举证与裁定) (PURE).

The summary (counts of published, accepted, disputed, upheld and overturned cases, and each
indicator before and after the rulings) is in every copy; the table of cases, which names
households and quotes the county's statements, only in the copy for roles that may see
households.
"""

from __future__ import annotations

from reportlab.platypus import Paragraph

from reports import labels as L
from reports.model import AppealNote, CountyReport, EarlierRuling, Problem
from reports.pdf_base import CONTENT_WIDTH, Fonts, Heading, escape, pct
from reports.tables import grid

CASE_COLUMNS = (0.18, 0.12, 0.3, 0.2, 0.2)


def _earlier(e: EarlierRuling, lang: str) -> str:
    """One replaced ruling: what, why, by whom and when, the team and how the re-visit ended."""
    colon, sep = ("：", "；") if lang == "zh" else (": ", "; ")
    line = L.code(lang, "appeal_earlier_", e.ruling or "none")
    if e.reason:
        line += colon + e.reason
    who = " ".join(part for part in (e.expert, e.ruled_at) if part)
    details = [who] if who else []
    if e.team:
        details.append(L.text(lang, "appeal_earlier_team", team=e.team))
    if e.contact_outcome:
        outcome = L.code(lang, "contact_", e.contact_outcome)
        details.append(L.text(lang, "appeal_earlier_failed", outcome=outcome))
    if details:
        line += ("（{}）" if lang == "zh" else " ({})").format(sep.join(details))
    return line


def _ruling_cell(note: AppealNote, lang: str) -> str:
    """The final ruling with its reason, then the rulings it replaced (escaped markup)."""
    colon = "：" if lang == "zh" else ": "
    ruling = L.code(lang, "appeal_ruling_", note.ruling or "none")
    if note.ruling_reason:
        ruling += colon + note.ruling_reason
    lines = [escape(ruling)]
    if note.earlier:
        lines.append(escape(L.text(lang, "appeal_earlier") + colon))
        lines += [f"{i}. {escape(_earlier(e, lang))}" for i, e in enumerate(note.earlier, 1)]
    return "<br/>".join(lines)


def _case_row(p: Problem, lang: str, cell) -> list:
    note = p.appeal
    answer = L.code(lang, "appeal_response_", note.response or "none")
    if note.statement:
        answer += ("：" if lang == "zh" else ": ") + note.statement
    return [
        p.household_id,
        Paragraph(escape(L.text(lang, "kind_" + p.kind)), cell),
        Paragraph(escape(answer), cell),
        Paragraph(escape("; ".join(note.evidence)) or "–", cell),
        Paragraph(_ruling_cell(note, lang), cell),
    ]


def _cases(s: CountyReport) -> list[Problem]:
    counted = [p for p in s.problems if p.appeal is not None]
    cases = counted
    if s.appeals:
        cases += [*s.appeals.overturned_cases, *s.appeals.revisit_failed_cases]
    return sorted(cases, key=lambda p: (p.kind, p.township, p.village, p.household_id))


def appeals_section(
    s: CountyReport, lang: str, styles: dict, fonts: Fonts, *, households: bool = True
) -> list:
    """Section 5: the county's appeal, its rulings and how the indicators moved (nothing
    before the county's suspected cases are published)."""
    a = s.appeals
    if a is None:
        return []
    t = lambda key, **kw: L.text(lang, key, **kw)  # noqa: E731
    story: list = [Heading(escape(t("s_appeals")), styles["h1"])]
    summary = t(
        "appeals_summary",
        n=a.published,
        acc=a.accepted,
        none=a.unanswered,
        dis=a.disputed,
        up=a.upheld,
        over=a.overturned,
        open=a.pending,
    )
    story.append(Paragraph(escape(summary), styles["body"]))
    if a.pending:
        story.append(Paragraph(escape(t("appeals_interim")), styles["body"]))
    w = CONTENT_WIDTH
    moves = [[t("col_indicator"), t("col_before_rulings"), t("col_after_rulings")]]
    moves += [[t(m.key), pct(m.before), pct(m.after)] for m in a.moves]
    if a.moves:
        story.append(
            grid(
                moves,
                [w * 0.5, w * 0.25, w * 0.25],
                font=fonts.text,
                styles=styles,
                align_right=(1, 2),
            )
        )
    if not households:
        return story
    cases = _cases(s)
    if cases:
        head = [
            t(k)
            for k in (
                "col_household",
                "col_case_kind",
                "col_answer",
                "col_evidence",
                "col_ruling",
            )
        ]
        rows = [head] + [_case_row(p, lang, styles["cell"]) for p in cases]
        widths = [w * f for f in CASE_COLUMNS]
        story += [
            Heading(escape(t("appeals_cases")), styles["h2"], level=1),
            grid(
                rows,
                widths,
                font=fonts.text,
                styles=styles,
                long=True,
                extra=[("VALIGN", (0, 1), (-1, -1), "TOP")],
            ),
        ]
    return story

"""Survey pages and JSON API; helpers shared by the assessor's and the supervisor's pages."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.core.formatting import plain_number
from assessment.core.i18n import N_, translate
from assessment.core.models import Role
from assessment.core.security import TEAM_ROLES
from surveys.forms import build_form
from surveys.instrument_store import instrument_of
from surveys.instruments.model import Group, Instrument
from surveys.labels import (
    FIELD_LABELS,
    INTERVIEW_STATUS_LABELS,
    NO,
    OUTCOME_LABELS,
    YES,
)
from surveys.quality import SurveySettings
from surveys.workflow import PARTS

PREFIX = {"verification": "v", "recognition": "r"}


def survey_settings(request) -> SurveySettings:
    return SurveySettings.from_settings(request.registry.app_settings)


def team_scope(request) -> int | None:
    """The team whose work the user sees; None (all teams) for admins and coordinators.

    Only assessors and supervisors see a team's work; anyone else (a reader given a team)
    sees none (-1 matches no team).
    """
    user = request.user
    if user.role in (Role.admin, Role.coordinator):
        return None
    if user.role in TEAM_ROLES and user.team_id is not None:
        return user.team_id
    return -1


def instruments_of(interview) -> dict[str, Instrument]:
    return {part: instrument_of(getattr(interview, f"{part}_version")) for part in PARTS}


def _typed(row) -> bool:
    return any(v not in (None, "", []) for v in row.values())


def drop_empty_rows(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """Roster rows with nothing typed are the blank row offered for a new member: drop them."""
    for item in instrument.items:
        if isinstance(item, Group) and isinstance(answers.get(item.name), list):
            answers[item.name] = [row for row in answers[item.name] if _typed(row)]
    return answers


def _kept_rows(form, instrument: Instrument, answers) -> dict[str, list[str]]:
    """Group name -> the HTML names (``v-roster-2``) of the rows that ``drop_empty_rows``
    keeps, in order: row ``k`` of the stored answers is the ``k``-th of them."""
    out = {}
    for item in instrument.items:
        if isinstance(item, Group) and isinstance(answers.get(item.name), list):
            entries = form[item.name].entries
            out[item.name] = [
                entry.name
                for entry, row in zip(entries, answers[item.name], strict=True)
                if _typed(row)
            ]
    return out


def _close_spooled_body(request) -> None:
    body = request.environ.get("wsgi.input")
    if isinstance(body, io.BufferedRandom) and not body.closed:
        body.close()


def close_spooled_body(request) -> None:
    """WebOb spools a large body into a temporary file it never closes: close it at the end."""
    request.add_finished_callback(_close_spooled_body)


def posted_answers(
    request, instruments: Mapping[str, Instrument], *, rows: dict | None = None
) -> dict[str, dict]:
    """The answers typed into the questionnaire page (both parts).

    ``rows``, when given, receives per part the HTML names of the kept roster rows
    (:func:`_kept_rows`), so problems and skip logic can be shown on the rows as typed.
    """
    close_spooled_body(request)
    language = request.locale_name
    out = {}
    for part, instrument in instruments.items():
        form = build_form(instrument, request.POST, language=language, prefix=PREFIX[part])
        answers = form.answers()
        if rows is not None:
            rows[part] = _kept_rows(form, instrument, answers)
        out[part] = drop_empty_rows(instrument, answers)
    return out


def answer_forms(request, instruments, answers, problems=(), *, blank_row: bool = True):
    """Forms showing ``answers``; each problem (paths prefixed by part) beside its field."""
    language = request.locale_name
    forms = {}
    for part, instrument in instruments.items():
        form = build_form(
            instrument, answers=answers.get(part) or {}, language=language, prefix=PREFIX[part]
        )
        forms[part] = form
    for problem in problems:
        part, _, path = problem.field_path.partition(".")
        field = forms[part].field_at(path) if part in forms else None
        if field is not None and not hasattr(field, "entries"):
            field.errors = [*field.errors, problem.message.render(language)]
    if blank_row:
        for part, instrument in instruments.items():
            for item in instrument.items:
                if isinstance(item, Group) and len(forms[part][item.name].entries) < item.max_rows:
                    forms[part][item.name].append_entry()
    return forms


def field_name(path: str) -> str:
    """The HTML name of a prefixed path: ``verification.roster.0.age`` is ``v-roster-0-age``."""
    part, _, rest = path.partition(".")
    return f"{PREFIX.get(part, part)}-{rest.replace('.', '-')}"


def html_name(part: str, path: str, rows: Mapping | None = None) -> str:
    """The HTML name of an answer path of ``part``; a row index is mapped through ``rows``
    (see :func:`posted_answers`) when given."""
    steps = path.split(".")
    kept = (rows or {}).get(part, {}).get(steps[0]) if len(steps) > 1 else None
    if kept and steps[1].isdigit() and int(steps[1]) < len(kept):
        return "-".join([kept[int(steps[1])], *steps[2:]])
    return f"{PREFIX[part]}-{path.replace('.', '-')}"


def relevance(results, rows: Mapping | None = None) -> dict[str, bool]:
    """``{html field name: asked}`` from the validations of both parts."""
    out = {}
    for part, result in results.items():
        for path, asked in result.evaluation.relevant.items():
            out[html_name(part, path, rows)] = asked
    return out


def problem_label(instruments, path: str, language: str) -> str:
    """The question's label for a prefixed problem path (the path itself if unknown)."""
    part, _, rest = path.partition(".")
    try:
        question = instruments[part].question(rest)
    except KeyError:
        return rest
    label = question.label.get(language)
    parts = rest.split(".")
    if len(parts) == 3:
        return f"{label} ({translate('Member {n}', language, n=int(parts[1]) + 1)})"
    return label


def display_value(question, value, language: str) -> str:
    """An answer as text for the review page."""
    if value is None or value == "" or value == []:
        return "—"
    if question.type == "yes_no" and isinstance(value, bool):
        return translate(YES if value else NO, language)
    labels = {c.code: c.label.get(language) for c in question.choices}
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


@dataclass(frozen=True)
class ShownChange:
    """A change of the audit trail or of a stale save, as the user reads it: the question's
    label (in the user's language) and the values as answered, with the raw path kept."""

    path: str
    label: str
    old: str
    new: str


def _question_at(instruments, path: str):
    part, _, rest = path.partition(".")
    try:
        return instruments[part].question(rest) if part in instruments else None
    except KeyError:
        return None


def change_label(instruments, path: str, language: str) -> str:
    """The label of an audited path: a question's (a roster member's numbered), or the
    workflow field's (status, contact outcome, photo, reserve); the path if unknown."""
    if path in FIELD_LABELS:
        return translate(FIELD_LABELS[path], language)
    item = _question_at(instruments, path)
    if isinstance(item, Group):
        return item.label.get(language)
    return problem_label(instruments, path, language) if item is not None else path


def _value_text(instruments, path: str, value, language: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    labels = {"status": INTERVIEW_STATUS_LABELS, "contact_outcome": OUTCOME_LABELS}.get(path)
    if labels is not None and value in labels:
        return translate(labels[value], language)
    item = _question_at(instruments, path)
    if isinstance(item, Group) or (isinstance(value, list) and isinstance(value[0], dict)):
        return translate(N_("{count} rows"), language, count=len(value))  # a roster, in rows
    if item is not None:
        return display_value(item, value, language)
    if isinstance(value, bool):
        return translate(YES if value else NO, language)
    return str(plain_number(value))


def shown_changes(instruments, changes, language: str) -> list[ShownChange]:
    """Audit changes (``path, old, new``) or stale changes (``path, theirs, yours``) with
    labels and answer texts in ``language``."""
    out = []
    for c in changes:
        old, new = (c.old, c.new) if hasattr(c, "old") else (c.theirs, c.yours)
        out.append(
            ShownChange(
                c.path,
                change_label(instruments, c.path, language),
                _value_text(instruments, c.path, old, language),
                _value_text(instruments, c.path, new, language),
            )
        )
    return out

"""WTForms built from an instrument definition (web layer; never writes to a database).

:func:`form_class` builds one Form class per instrument version and language (cached). Every
field keeps the raw text the user typed, and :meth:`InstrumentForm.validate` hands the
converted answers to :func:`surveys.instruments.validation.check_answers` - the same
authority as the JSON API - and shows each problem beside its field in the form's language.

Answers <-> form: :func:`formdata_from_answers` gives the ``data=`` for a new form (resuming a
draft); :meth:`InstrumentForm.answers` gives the answer dict to store. Numbers typed as text
that do not parse stay text in the answers, so a draft keeps them and validation flags them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from wtforms import Form
from wtforms.fields import (
    FieldList,
    FormField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms.fields import SelectChoice
except ImportError:  # pragma: no cover - older WTForms

    def SelectChoice(value, label):
        return (value, label)


from assessment.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from surveys.instruments.model import Group, Instrument, Question
from surveys.instruments.validation import FieldProblem, Validation, check_answers

YES_NO = {"zh": (("yes", "是"), ("no", "否")), "en": (("yes", "Yes"), ("no", "No"))}
LONG_TEXT = 200  # characters from which a text answer gets a text area


class _RowForm(Form):
    """One roster row (no CSRF of its own: the outer form carries it)."""


class InstrumentForm(Form):
    """Base of every generated form; see :func:`form_class`."""

    instrument: Instrument
    language: str = DEFAULT_LANGUAGE
    problems: tuple[FieldProblem, ...] = ()
    validation: Validation | None = None

    def answers(self) -> dict[str, Any]:
        """The answer dict (the JSON stored per interview) from what was typed."""
        return _answers_of(self, self.instrument.items)

    def validate(
        self,
        extra_validators=None,
        *,
        for_submission: bool = True,
        context: Mapping[str, Any] | None = None,
    ) -> bool:
        """Run :func:`~surveys.instruments.validation.check_answers`; messages beside fields."""
        super().validate(extra_validators)
        result = check_answers(
            self.instrument, self.answers(), for_submission=for_submission, context=context
        )
        self.validation, self.problems = result, result.problems
        for problem in result.problems:
            field = self.field_at(problem.field_path)
            if field is not None and not isinstance(field, FieldList):
                field.errors = [*field.errors, problem.message.render(self.language)]
        return not result.problems

    def field_at(self, path: str):
        """The bound field at a problem's path (``"roster.1.age"``), or None."""
        parts = path.split(".")
        field = self._fields.get(parts[0])
        if field is None or len(parts) == 1:
            return field
        if not isinstance(field, FieldList) or not parts[1].isdigit():
            return None
        index = int(parts[1])
        if index >= len(field.entries):
            return None
        row = field.entries[index].form
        return row._fields.get(parts[2]) if len(parts) == 3 else None

    def messages(self, path: str) -> list[str]:
        """Every message for ``path`` in the form's language (rows and groups included)."""
        return [p.message.render(self.language) for p in self.problems if p.field_path == path]


def form_class(instrument: Instrument, language: str = DEFAULT_LANGUAGE) -> type[InstrumentForm]:
    """The Form class of ``instrument`` with labels in ``language`` ("zh" or "en").

    Parameters
    ----------
    instrument : Instrument
    language : str

    Returns
    -------
    type
        A subclass of :class:`InstrumentForm`; the same class for the same version and
        language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language: expected one of {LANGUAGES}, got {language!r}")
    return _form_class(instrument, language)


@lru_cache(maxsize=64)
def _form_class(instrument: Instrument, language: str) -> type[InstrumentForm]:
    attrs: dict[str, Any] = {"instrument": instrument, "language": language}
    for item in instrument.items:
        if isinstance(item, Group):
            row = type(f"{item.name.title()}RowForm", (_RowForm,), _row_fields(item, language))
            attrs[item.name] = FieldList(
                FormField(row), label=item.label.get(language), max_entries=item.max_rows
            )
        else:
            attrs[item.name] = _field(item, language)
    name = "".join(p.title() for p in instrument.id.split("_")) + f"V{instrument.version}Form"
    return type(name, (InstrumentForm,), attrs)


def _row_fields(group: Group, language: str) -> dict[str, Any]:
    return {q.name: _field(q, language) for q in group.questions}


def _field(question: Question, language: str):
    label = question.label.get(language)
    description = question.hint.get(language) if question.hint else ""
    kw: dict[str, Any] = {"label": label, "description": description}
    kind = question.type
    if kind in ("single_choice", "yes_no"):
        pairs = (
            YES_NO[language]
            if kind == "yes_no"
            else [(c.code, c.label.get(language)) for c in question.choices]
        )
        choices = [SelectChoice(code, label) for code, label in pairs]
        return RadioField(choices=choices, validate_choice=False, **kw)
    if kind == "multiple_choice":
        return SelectMultipleField(
            choices=[SelectChoice(c.code, c.label.get(language)) for c in question.choices],
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            **kw,
        )
    render = {
        "integer": {"inputmode": "numeric"},
        "decimal": {"inputmode": "decimal"},
        "date": {"type": "date"},
    }.get(kind, {})
    if kind == "text" and (question.max_length or 0) > LONG_TEXT:
        return TextAreaField(render_kw=render, **kw)
    return StringField(render_kw=render, **kw)


def _answers_of(form: Form, items) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        field = form._fields[item.name]
        if isinstance(item, Group):
            rows = [_answers_of(entry.form, item.questions) for entry in field.entries]
            out[item.name] = rows
        else:
            value = _from_field(item, field.data)
            if value is not None:
                out[item.name] = value
    return out


def _from_field(question: Question, data: Any) -> Any:
    """A field's data as an answer; text that does not parse is kept for validation to flag."""
    if question.type == "multiple_choice":
        return list(data) if data else None
    if data is None or (isinstance(data, str) and not data.strip()):
        return None
    text = data.strip() if isinstance(data, str) else data
    if question.type == "yes_no":
        return {"yes": True, "no": False}.get(text, text)
    if question.type in ("integer", "decimal"):
        number = _number(text.replace(",", "").replace("，", ""), question.type)
        return text if number is None else number
    return text


def _number(text: str, kind: str) -> int | float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    whole = value.is_integer() and "." not in text and "e" not in text.lower()
    if kind == "integer":
        return int(value) if whole else None
    return int(value) if whole else value


def formdata_from_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data=`` mapping that shows stored ``answers`` in a new form."""
    out: dict[str, Any] = {}
    for item in instrument.items:
        value = answers.get(item.name)
        if isinstance(item, Group):
            rows = value if isinstance(value, list) else []
            out[item.name] = [
                {q.name: _to_field(q, r.get(q.name)) for q in item.questions}
                for r in rows
                if isinstance(r, Mapping)
            ]
        else:
            out[item.name] = _to_field(item, value)
    return out


def _to_field(question: Question, value: Any) -> Any:
    if value is None:
        return [] if question.type == "multiple_choice" else None
    if question.type == "yes_no" and isinstance(value, bool):
        return "yes" if value else "no"
    if question.type in ("integer", "decimal") and not isinstance(value, str):
        return str(value)
    return value


def build_form(
    instrument: Instrument,
    formdata=None,
    *,
    answers: Mapping[str, Any] | None = None,
    language: str = DEFAULT_LANGUAGE,
    **kwargs: Any,
) -> InstrumentForm:
    """A form bound to posted ``formdata`` (e.g. ``request.POST``) or showing ``answers``."""
    data = formdata_from_answers(instrument, answers or {}) if formdata is None else None
    return form_class(instrument, language)(formdata=formdata, data=data, **kwargs)

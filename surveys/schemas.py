"""Request bodies of the survey JSON API and the bounds of every answer (pydantic models).

One set of models serves three purposes: the JSON API parses its bodies with them
(:func:`parse_body`: malformed JSON, unknown keys, wrong types and out-of-bound values are a
400 with a message per field, never a 500 and never read as ``{}``); the interview service
checks every answer document against :class:`Answers` before it is stored or audited, from
the API, the questionnaire form or the autosave alike (:func:`answer_problems`); and the
OpenAPI document is generated from them (:func:`json_schemas`).

The bounds are generous for real interviews and small for an attacker: an instrument allows
at most 1,000 characters of text, 100 roster rows and a few dozen questions a part; incomes
are far below 10^12 yuan. Nesting is bounded by the shape itself (a part holds questions, a
roster holds rows of scalars) and by the JSON parser's own depth limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    Tag,
    ValidationError,
)

from assessment.core.i18n import N_, Message
from surveys.instruments.validation import (
    MSG_INTEGER,
    MSG_LENGTH,
    MSG_MAX,
    MSG_MIN,
    MSG_UNKNOWN,
    FieldProblem,
)
from surveys.models import OUTCOMES

MAX_BODY_BYTES = 1024 * 1024  # a JSON body: a full interview is about 10 kB
MAX_TEXT = 2000  # characters of one text answer (instruments allow at most 1,000)
MAX_CHOICES = 50  # codes of one multiple-choice answer
MAX_ROWS = 100  # roster rows (an instrument allows at most 100)
MAX_QUESTIONS = 300  # answers in one part, or in one roster row
MAX_NUMBER = 10**12  # any number answer, in absolute value
MAX_VERSION = 2**31 - 1  # interview versions are 32-bit columns
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"  # question names (surveys.instruments.definition.NAME)

MSG_BODY_JSON = N_("The request body is not valid JSON (or is nested too deeply).")
MSG_BODY_OBJECT = N_("Expected an object.")
MSG_BODY_TOO_LARGE = N_("The request body is too large.")
MSG_FIELD_REQUIRED = N_("This field is required.")
MSG_FINITE = N_("Enter a finite number.")
MSG_TOO_MANY = N_("At most {max} entries are allowed.")
MSG_NAME = N_("Not a valid question name.")
MSG_VALUE = N_("This value is not allowed here.")
MSG_CHOOSE = N_("Choose one of: {choices}.")
MSG_ANSWER_TYPE = N_("Expected text, a number, yes/no, a list of choices or a list of rows.")

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT)]
Integer = Annotated[StrictInt, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-MAX_NUMBER, le=MAX_NUMBER)]
Choices = Annotated[list[Text], Field(max_length=MAX_CHOICES)]

_SCALAR_TAGS = {type(None): "null", bool: "yes_no", int: "integer", float: "number", str: "text"}
TAGS = frozenset((*_SCALAR_TAGS.values(), "choices", "rows"))


def _answer_kind(value: Any) -> str | None:
    """The branch of an answer: by its JSON type (a list of objects is a roster)."""
    kind = _SCALAR_TAGS.get(type(value))
    if kind is None and isinstance(value, list):
        kind = "rows" if value and isinstance(value[0], Mapping) else "choices"
    return kind


def _answer_union(*extra):
    branches = (
        Annotated[None, Tag("null")],
        Annotated[StrictBool, Tag("yes_no")],
        Annotated[Integer, Tag("integer")],
        Annotated[Number, Tag("number")],
        Annotated[Text, Tag("text")],
        Annotated[Choices, Tag("choices")],
        *extra,
    )
    # A callable discriminator picks one branch, so a bad value gets one error, not six.
    return Annotated[Union[branches], Discriminator(_answer_kind)]  # noqa: UP007


RowAnswer = _answer_union()
Row = Annotated[dict[Name, RowAnswer], Field(max_length=MAX_QUESTIONS)]
Rows = Annotated[list[Row], Field(max_length=MAX_ROWS)]
Answer = _answer_union(Annotated[Rows, Tag("rows")])
Part = Annotated[dict[Name, Answer], Field(max_length=MAX_QUESTIONS)]


class Answers(BaseModel):
    """Answers per instrument: question name -> value; a roster is a list of row objects."""

    model_config = ConfigDict(extra="forbid")

    verification: Part = Field(default_factory=dict)
    recognition: Part = Field(default_factory=dict)


class SaveBody(BaseModel):
    """Save a draft or submit: the version the editor loaded, and the answers."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[StrictInt, Field(ge=0, le=MAX_VERSION)]
    answers: Answers


class OutcomeBody(BaseModel):
    """Record the contact outcome of a household."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal[OUTCOMES]  # type: ignore[valid-type] - a tuple of literals


class EmptyBody(BaseModel):
    """A body with nothing in it (``{}``), e.g. to issue a token."""

    model_config = ConfigDict(extra="forbid")


class BodyInvalid(ValueError):
    """A request body that does not fit its schema; ``problems`` names each field."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("; ".join(f"{p.field_path}: {p.message}" for p in problems))
        self.problems = problems


def parse_body(model: type[BaseModel], body: bytes) -> BaseModel:
    """``body`` (JSON bytes) as ``model``; raises :class:`BodyInvalid` with every problem."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyInvalid([FieldProblem("", Message(MSG_BODY_TOO_LARGE), "type")])
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise BodyInvalid(_problems(exc)) from None


def answer_problems(answers: Mapping[str, Any]) -> list[FieldProblem]:
    """Every bound that ``{"verification": {...}, "recognition": {...}}`` breaks (paths as the
    validation's: ``verification.roster.3.age``); empty when the answers are within bounds."""
    try:
        Answers.model_validate(answers)
    except ValidationError as exc:
        return _problems(exc)
    return []


def without_problems(answers: Mapping[str, Any], problems: list[FieldProblem]) -> dict:
    """A copy of ``answers`` without the values that broke a bound (lists and objects cut to
    their bound instead), to show the form again without echoing megabytes back."""
    out = {
        part: _copy(answers.get(part)) if isinstance(answers.get(part), Mapping) else {}
        for part in ("verification", "recognition")
    }
    for problem in problems:
        *parents, last = problem.field_path.split(".")
        node: Any = out
        for key in parents:
            node = _child(node, key)
        target = _child(node, last)
        if isinstance(target, list) and len(target) > MAX_ROWS:
            del target[MAX_ROWS:]
        elif isinstance(target, dict) and len(target) > MAX_QUESTIONS:
            for key in list(target)[MAX_QUESTIONS:]:
                del target[key]
        elif isinstance(node, dict):
            node.pop(last, None)
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = {}
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    return None


def _path(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in TAGS and p != "[key]"]
    if parts and parts[0] == "answers" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def _message(error: dict) -> Message:
    kind, ctx = error["type"], error.get("ctx") or {}
    limit = ctx.get("max_length", ctx.get("le", ctx.get("ge")))
    simple = {
        "json_invalid": MSG_BODY_JSON,
        "json_type": MSG_BODY_JSON,
        "model_type": MSG_BODY_OBJECT,
        "model_attributes_type": MSG_BODY_OBJECT,
        "dict_type": MSG_BODY_OBJECT,
        "missing": MSG_FIELD_REQUIRED,
        "extra_forbidden": MSG_UNKNOWN,
        "int_type": MSG_INTEGER,
        "finite_number": MSG_FINITE,
        "string_pattern_mismatch": MSG_NAME,
        "union_tag_not_found": MSG_ANSWER_TYPE,
        "union_tag_invalid": MSG_ANSWER_TYPE,
    }
    if kind in simple:
        return Message(simple[kind])
    if kind == "literal_error":
        return Message(MSG_CHOOSE, {"choices": ctx.get("expected", "")})
    if kind == "string_too_long":
        return Message(MSG_LENGTH, {"max": limit})
    if kind == "too_long":
        return Message(MSG_TOO_MANY, {"max": limit})
    if kind in ("less_than_equal", "less_than"):
        return Message(MSG_MAX, {"max": _plain(limit)})
    if kind in ("greater_than_equal", "greater_than"):
        return Message(MSG_MIN, {"min": _plain(limit)})
    return Message(MSG_VALUE)


def _plain(limit) -> Any:
    return int(limit) if isinstance(limit, float) and limit.is_integer() else limit


def _problems(exc: ValidationError) -> list[FieldProblem]:
    seen, out = set(), []
    for error in exc.errors(include_url=False, include_input=False):
        problem = FieldProblem(_path(error["loc"]), _message(error), "type")
        key = (problem.field_path, problem.message.render("en"))
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def json_schemas() -> dict[str, dict]:
    """The JSON Schemas of the request bodies, for the OpenAPI document's components."""
    out: dict[str, dict] = {}
    for model in (SaveBody, OutcomeBody):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return _any_of(out)


def _any_of(node):
    # An integer is also a number: a branch chosen by type is "anyOf" in JSON Schema terms.
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node

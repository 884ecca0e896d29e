"""Parse and check an instrument definition; load the built-in ones (PURE).

Use :func:`parse_instrument` for a definition kept in the database (a ``dict`` or JSON text),
:func:`load_instrument` for a file, and :func:`builtin_instrument` for the definitions shipped
in ``surveys/definitions/``.

Every fault is collected with a JSON-path-like location so that an admin editing a new version
sees all of them at once.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from surveys.instruments.definition_graph import check_semantics
from surveys.instruments.expressions import Expression, ExpressionError, parse_expression
from surveys.instruments.model import (
    KINDS,
    QUESTION_TYPES,
    Check,
    Choice,
    Computed,
    ContextValue,
    DefinitionError,
    Group,
    Instrument,
    Question,
    RecognitionRule,
    Section,
    Text,
    canonical_json,
    content_hash,
)

DEFINITIONS_DIR = Path(__file__).parents[1] / "definitions"

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
ROOT_KEYS = {"id", "version", "kind", "title", "description", "sections", "computed", "checks"}
ROOT_KEYS |= {"context", "recognition_rule"}
QUESTION_KEYS = {"name", "type", "label", "required", "relevant", "choices", "min", "max"}
QUESTION_KEYS |= {"max_length", "hint", "unit"}
GROUP_KEYS = {"name", "type", "label", "items", "min_rows", "max_rows", "computed", "checks"}
RULE_KEYS = {"items", "not_recognised", "ignored", "max_not_recognised", "min_substantive"}
RULE_KEYS |= {"when_undecided"}
NUMERIC = ("integer", "decimal")


class _Parser:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def keys(self, data: Any, allowed: set[str], required: set[str], where: str) -> bool:
        if not isinstance(data, Mapping):
            self.fail(where, "must be an object")
            return False
        for key in sorted(set(data) - allowed):
            self.fail(where, f"unknown key {key!r}")
        for key in sorted(required - set(data)):
            self.fail(where, f"missing key {key!r}")
        return True

    def name(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not NAME.match(value):
            self.fail(where, f"name {value!r} must match {NAME.pattern}")
            return str(value)
        return value

    def text(self, value: Any, where: str) -> Text:
        ok = isinstance(value, Mapping) and set(value) == {"zh", "en"}
        if not ok or not all(isinstance(v, str) and v.strip() for v in value.values()):
            self.fail(where, "must be {'zh': text, 'en': text}, both non-empty")
            return Text("?", "?")
        return Text(value["zh"], value["en"])

    def expression(self, value: Any, where: str) -> Expression | None:
        try:
            return parse_expression(value)
        except ExpressionError as exc:
            self.fail(where, str(exc))
            return None

    def choices(self, data: Any, where: str) -> tuple[Choice, ...]:
        if not isinstance(data, list) or not data:
            self.fail(where, "must be a non-empty list")
            return ()
        out: list[Choice] = []
        for i, item in enumerate(data):
            at = f"{where}[{i}]"
            if self.keys(item, {"code", "label"}, {"code", "label"}, at):
                code = item["code"]
                if not isinstance(code, str) or not code or len(code) > 64:
                    self.fail(at, f"code {code!r} must be text of 1-64 characters")
                elif code in {c.code for c in out}:
                    self.fail(at, f"duplicate code {code!r}")
                else:
                    out.append(Choice(code, self.text(item["label"], f"{at}.label")))
        return tuple(out)

    def question(self, data: Any, where: str) -> Question | None:
        if not self.keys(data, QUESTION_KEYS, {"name", "type", "label"}, where):
            return None
        kind = data["type"]
        if kind not in QUESTION_TYPES:
            self.fail(where, f"type {kind!r} is not one of {', '.join(QUESTION_TYPES)}")
            return None
        has_choices = kind in ("single_choice", "multiple_choice")
        if has_choices != ("choices" in data):
            self.fail(where, "choices are needed for choice questions and only for them")
        bounds = {k: data.get(k) for k in ("min", "max")}
        self.bounds(kind, bounds, where)
        max_length = data.get("max_length")
        if max_length is not None and (kind != "text" or not _positive_int(max_length)):
            self.fail(where, "max_length must be a positive integer, on text questions only")
        if not isinstance(data.get("required", False), bool):
            self.fail(where, "required must be true or false")
        opt = {k: self.text(data[k], f"{where}.{k}") for k in ("hint", "unit") if k in data}
        return Question(
            name=self.name(data["name"], f"{where}.name"),
            type=kind,
            label=self.text(data["label"], f"{where}.label"),
            required=data.get("required", False) is True,
            relevant=self.expression(data["relevant"], f"{where}.relevant")
            if "relevant" in data
            else None,
            choices=self.choices(data.get("choices"), f"{where}.choices") if has_choices else (),
            min=bounds["min"],
            max=bounds["max"],
            max_length=max_length,
            **opt,
        )

    def bounds(self, kind: str, bounds: dict[str, Any], where: str) -> None:
        present = {k: v for k, v in bounds.items() if v is not None}
        if not present:
            return
        if kind in NUMERIC:
            good = all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in present.values()
            )
            if kind == "integer":
                good = good and all(isinstance(v, int) for v in present.values())
        elif kind == "date":
            good = all(isinstance(v, str) and _is_date(v) for v in present.values())
        else:
            self.fail(where, "min/max apply to integer, decimal and date questions only")
            return
        if not good:
            self.fail(where, f"min/max must be of the question's type ({kind})")
        elif len(present) == 2 and present["min"] > present["max"]:
            self.fail(where, "min is greater than max")

    def computed(self, data: Any, where: str) -> tuple[Computed, ...]:
        if not isinstance(data, list):
            self.fail(where, "must be a list")
            return ()
        out = []
        for i, item in enumerate(data):
            at = f"{where}[{i}]"
            if self.keys(
                item, {"name", "expression", "label"}, {"name", "expression", "label"}, at
            ):
                expr = self.expression(item["expression"], f"{at}.expression")
                name = self.name(item["name"], f"{at}.name")
                if expr is not None:
                    out.append(Computed(name, expr, self.text(item["label"], f"{at}.label")))
        return tuple(out)

    def checks(self, data: Any, where: str) -> tuple[Check, ...]:
        if not isinstance(data, list):
            self.fail(where, "must be a list")
            return ()
        out = []
        keys = {"id", "expression", "field", "message"}
        for i, item in enumerate(data):
            at = f"{where}[{i}]"
            if self.keys(item, keys, keys, at):
                expr = self.expression(item["expression"], f"{at}.expression")
                message = self.text(item["message"], f"{at}.message")
                if expr is not None:
                    self.placeholders(message, expr, f"{at}.message")
                    check_id = self.name(item["id"], f"{at}.id")
                    out.append(Check(check_id, expr, str(item["field"]), message))
        return tuple(out)

    def placeholders(self, message: Text, expr: Expression, where: str) -> None:
        for text in (message.zh, message.en):
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
            except ValueError:
                self.fail(where, f"bad braces in {text!r}")
                continue
            for name in sorted(fields - expr.names):
                self.fail(where, f"placeholder {{{name}}} is not a name read by the expression")

    def group(self, data: Mapping[str, Any], where: str) -> Group | None:
        if not self.keys(data, GROUP_KEYS, {"name", "type", "label", "items"}, where):
            return None
        items = data["items"] if isinstance(data["items"], list) else []
        questions = []
        for i, item in enumerate(items):
            if isinstance(item, Mapping) and item.get("type") == "group":
                self.fail(f"{where}.items[{i}]", "groups cannot be nested")
            elif (q := self.question(item, f"{where}.items[{i}]")) is not None:
                questions.append(q)
        if not questions:
            self.fail(where, "a group needs at least one question")
        min_rows, max_rows = data.get("min_rows", 0), data.get("max_rows", 30)
        if not (_int(min_rows) and _positive_int(max_rows) and 0 <= min_rows <= max_rows <= 100):
            self.fail(where, "need integers 0 <= min_rows <= max_rows <= 100")
        return Group(
            name=self.name(data["name"], f"{where}.name"),
            label=self.text(data["label"], f"{where}.label"),
            questions=tuple(questions),
            min_rows=min_rows if _int(min_rows) else 0,
            max_rows=max_rows if _int(max_rows) else 30,
            computed=self.computed(data.get("computed", []), f"{where}.computed"),
            checks=self.checks(data.get("checks", []), f"{where}.checks"),
        )

    def sections(self, data: Any) -> tuple[Section, ...]:
        if not isinstance(data, list) or not data:
            self.fail("sections", "must be a non-empty list")
            return ()
        out = []
        for i, section in enumerate(data):
            at = f"sections[{i}]"
            if not self.keys(section, {"id", "title", "items"}, {"id", "title", "items"}, at):
                continue
            items: list[Question | Group] = []
            for j, item in enumerate(
                section["items"] if isinstance(section["items"], list) else []
            ):
                where = f"{at}.items[{j}]"
                is_group = isinstance(item, Mapping) and item.get("type") == "group"
                parsed = self.group(item, where) if is_group else self.question(item, where)
                if parsed is not None:
                    items.append(parsed)
            if not items:
                self.fail(at, "a section needs at least one item")
            out.append(
                Section(
                    self.name(section["id"], f"{at}.id"),
                    self.text(section["title"], f"{at}.title"),
                    tuple(items),
                )
            )
        return tuple(out)

    def context(self, data: Any) -> tuple[ContextValue, ...]:
        out = []
        for i, item in enumerate(data if isinstance(data, list) else [None]):
            at = f"context[{i}]"
            if self.keys(item, {"name", "choices"}, {"name", "choices"}, at):
                codes = item["choices"]
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    self.fail(at, "choices must be a list of codes")
                    codes = []
                out.append(ContextValue(self.name(item["name"], f"{at}.name"), tuple(codes)))
        return tuple(out)

    def rule(self, data: Any) -> RecognitionRule | None:
        required = {"items", "not_recognised"}
        if not self.keys(data, RULE_KEYS, required, "recognition_rule"):
            return None
        lists = {k: data.get(k, []) for k in ("items", "not_recognised", "ignored")}
        for key, value in lists.items():
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.fail("recognition_rule", f"{key} must be a list of text")
                lists[key] = []
        numbers = {
            k: data.get(k, d) for k, d in (("max_not_recognised", 0), ("min_substantive", 1))
        }
        for key, value in numbers.items():
            if not _int(value) or value < 0:
                self.fail("recognition_rule", f"{key} must be an integer >= 0")
                numbers[key] = 0
        if not isinstance(data.get("when_undecided", False), bool):
            self.fail("recognition_rule", "when_undecided must be true or false")
        if not lists["items"] or not lists["not_recognised"]:
            self.fail("recognition_rule", "items and not_recognised must not be empty")
        return RecognitionRule(
            items=tuple(lists["items"]),
            not_recognised=tuple(lists["not_recognised"]),
            ignored=tuple(lists["ignored"]),
            when_undecided=data.get("when_undecided", False) is True,
            **numbers,
        )


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(value: Any) -> bool:
    return _int(value) and value > 0


def _is_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def build(data: Mapping[str, Any], canonical: str, digest: str) -> Instrument:
    """Parse ``data`` into an :class:`Instrument`, or raise :class:`DefinitionError`."""
    parser = _Parser()
    parser.keys(data, ROOT_KEYS, {"id", "version", "kind", "title", "sections"}, "definition")
    if parser.errors:
        raise DefinitionError(parser.errors)
    if not _positive_int(data["version"]):
        parser.fail("version", "must be a positive integer")
    if data["kind"] not in KINDS:
        parser.fail("kind", f"must be one of {', '.join(KINDS)}")
    instrument = Instrument(
        id=parser.name(data["id"], "id"),
        version=data["version"] if _positive_int(data["version"]) else 0,
        kind=str(data["kind"]),
        title=parser.text(data["title"], "title"),
        sections=parser.sections(data["sections"]),
        computed=parser.computed(data.get("computed", []), "computed"),
        checks=parser.checks(data.get("checks", []), "checks"),
        context=parser.context(data.get("context", [])),
        recognition_rule=parser.rule(data["recognition_rule"])
        if "recognition_rule" in data
        else None,
        canonical_json=canonical,
        content_hash=digest,
    )
    if parser.errors:
        raise DefinitionError(parser.errors)
    return check_semantics(instrument)


def parse_instrument(definition: Mapping[str, Any] | str) -> Instrument:
    """Check a definition and freeze it.

    Parameters
    ----------
    definition : mapping or str
        The decoded JSON document, or its text.

    Returns
    -------
    Instrument

    Raises
    ------
    DefinitionError
        Listing every problem found (unknown keys, duplicate names, bad expressions, unknown
        names, cycles in skip logic or computed values, expressions that fail on sample data).
    """
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise DefinitionError([f"not valid JSON: {exc}"]) from exc
    if not isinstance(definition, Mapping):
        raise DefinitionError(["the definition must be a JSON object"])
    return build(definition, canonical_json(definition), content_hash(definition))


def load_instrument(path: str | Path) -> Instrument:
    """Load and check the definition file at ``path`` (UTF-8 JSON)."""
    return parse_instrument(Path(path).read_text(encoding="utf-8"))


@cache
def builtin_instrument(instrument_id: str, version: int) -> Instrument:
    """The shipped definition ``surveys/definitions/<id>-v<version>.json``."""
    path = DEFINITIONS_DIR / f"{instrument_id}-v{int(version)}.json"
    if not path.is_file():
        raise ValueError(f"instrument_id/version: no built-in {instrument_id!r} v{version}")
    instrument = load_instrument(path)
    if (instrument.id, instrument.version) != (instrument_id, int(version)):
        raise DefinitionError([f"{path.name} declares {instrument.key}"])
    return instrument


def builtin_instruments() -> tuple[Instrument, ...]:
    """Every shipped definition, sorted by file name."""
    return tuple(
        builtin_instrument(*_split_key(p.stem)) for p in sorted(DEFINITIONS_DIR.glob("*.json"))
    )


def _split_key(stem: str) -> tuple[str, int]:
    name, _, version = stem.rpartition("-v")
    return name, int(version)

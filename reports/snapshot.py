"""Report snapshots as JSON: the locked input of a PDF, stored with each report version (PURE).

A snapshot round-trips exactly (dataclasses, tuples, dates, floats by ``repr``), so the
stored JSON renders the very same PDF bytes years later.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from reports import model

_TYPES = {
    cls.__name__: cls
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return date.fromisoformat(value["__date__"])
    kind = value.get("__type__")
    if kind not in _TYPES:
        raise ValueError(f"snapshot: unknown type {kind!r}")
    return _TYPES[kind](**{k: _decode(v) for k, v in value.items() if k != "__type__"})


def dumps(snapshot: model.CountyReport | model.ProvinceReport) -> str:
    """The snapshot as canonical JSON text."""
    return json.dumps(_encode(snapshot), ensure_ascii=False, sort_keys=True, allow_nan=True)


def loads(text: str) -> model.CountyReport | model.ProvinceReport:
    """The snapshot back from :func:`dumps`."""
    return _decode(json.loads(text))

"""Request bodies of the appeal JSON API (pydantic), and their JSON Schemas for OpenAPI."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from appeals.models import RESPONSES, RULINGS
from appeals.services import MAX_TEXT

Text = Annotated[StrictStr, Field(max_length=MAX_TEXT)]


class AnswerBody(BaseModel):
    """The county's answer: ``accepted``, or ``disputed`` with a statement."""

    model_config = ConfigDict(extra="forbid")

    response: Literal[RESPONSES]  # type: ignore[valid-type] - a tuple of literals
    statement: Text | None = None


class RuleBody(BaseModel):
    """An expert's ruling with its reason (and the re-visit team for ``revisit``)."""

    model_config = ConfigDict(extra="forbid")

    ruling: Literal[RULINGS]  # type: ignore[valid-type]
    reason: Text
    revisit_team_id: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None


def json_schemas() -> dict[str, dict]:
    return {
        model.__name__: model.model_json_schema(ref_template="#/components/schemas/{model}")
        for model in (AnswerBody, RuleBody)
    }

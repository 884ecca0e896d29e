"""The OpenAPI 3 document of the survey JSON API (served at ``/api/openapi.json``).

The request bodies' schemas are generated from the pydantic models the views parse them
with (:mod:`surveys.schemas`), so the document states exactly what the server accepts.
"""

from __future__ import annotations

from typing import Any

from surveys.schemas import json_schemas

HOUSEHOLD = {"name": "household", "in": "path", "required": True, "schema": {"type": "integer"}}
ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok: dict, *extra: int) -> dict:
    out: dict[str, Any] = {"200": {"description": "OK", **_json(ok)}}
    texts = {
        400: "The body does not fit the schema (or answers out of bounds): errors per field",
        403: "Not allowed (other team, reader, missing CSRF header)",
        404: "No such household or interview",
        409: "Stale version or locked interview",
        422: "Invalid answers: a message list per field path",
    }
    for status in (403, 404, *extra):
        out[str(status)] = {"description": texts[status], **_json(ERROR)}
    return out


SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "string",
                "enum": [
                    "forbidden",
                    "not_found",
                    "stale",
                    "locked",
                    "invalid",
                    "conflict",
                    "too_large",
                ],
            },
            "message": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"path": {"type": "string"}, "theirs": {}, "yours": {}},
                },
            },
            "version": {"type": "integer"},
        },
        "required": ["error"],
    },
    "Assignment": {
        "type": "object",
        "properties": {
            k: {"type": t}
            for k, t in (
                ("household", "integer"),
                ("household_id", "string"),
                ("head_name", "string"),
                ("village", "string"),
                ("township", "string"),
                ("status", "string"),
            )
        }
        | {"version": {"type": ["integer", "null"]}},
    },
}


def openapi_document(server_url: str) -> dict:
    """The OpenAPI 3.1 document, with ``server_url`` as the server."""
    post = {"security": [{"session": [], "csrf": []}, {"bearer": []}]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Exit assessment survey API", "version": "1"},
        "servers": [{"url": server_url}],
        "components": {
            "schemas": {**SCHEMAS, **json_schemas()},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "assess_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"session": []}, {"bearer": []}],
        "paths": {
            "/api/tokens": {
                "post": {
                    "summary": "Issue a bearer token to the logged-in (session) user",
                    **post,
                    "responses": _responses(
                        {
                            "type": "object",
                            "properties": {
                                "token": {"type": "string"},
                                "expires_at": {"type": "string"},
                            },
                        }
                    ),
                }
            },
            "/api/assignments": {
                "get": {
                    "summary": "The households assigned to the user's team",
                    "responses": _responses(
                        {
                            "type": "object",
                            "properties": {
                                "progress": {"type": "object"},
                                "assignments": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Assignment"},
                                },
                            },
                        }
                    ),
                }
            },
            "/api/households/{household}/interview": {
                "get": {
                    "summary": "An interview's data (household header blinded)",
                    "parameters": [HOUSEHOLD],
                    "responses": _responses({"type": "object"}),
                }
            },
            "/api/households/{household}/outcome": {
                "post": {
                    "summary": (
                        "Record the contact outcome (a non-interview releases a reserve; "
                        "absent counts as one visit until the round's visits are made: "
                        "visits_needed says how many are left)"
                    ),
                    "parameters": [HOUSEHOLD],
                    **post,
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/OutcomeBody"}),
                    },
                    "responses": _responses({"type": "object"}, 400, 409),
                }
            },
            "/api/households/{household}/interview/draft": {
                "post": {
                    "summary": "Save a draft (warnings allowed)",
                    "parameters": [HOUSEHOLD],
                    **post,
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/SaveBody"}),
                    },
                    "responses": _responses({"type": "object"}, 400, 409),
                }
            },
            "/api/households/{household}/interview/submit": {
                "post": {
                    "summary": "Submit: full validation, derived verdict and quality flags",
                    "parameters": [HOUSEHOLD],
                    **post,
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/SaveBody"}),
                    },
                    "responses": _responses({"type": "object"}, 400, 409, 422),
                }
            },
        },
    }

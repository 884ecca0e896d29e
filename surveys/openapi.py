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
                    "properties": {
                        "path": {"type": "string"},
                        "label": {"type": "string"},
                        "theirs": {},
                        "yours": {},
                    },
                },
            },
            "version": {"type": "integer"},
        },
        "required": ["error"],
    },
    "SyncResult": {
        "type": "object",
        "properties": {
            "status": {"type": "string"},
            "version": {"type": "integer"},
            "replayed": {"type": "boolean", "description": "A retry: the first answer again"},
            "created": {"type": "boolean", "description": "outcome: this change recorded it"},
            "released_reserve": {"type": ["object", "null"]},
            "reserve_confirmed": {
                "type": "boolean",
                "description": "outcome: the server released the reserve the phone picked",
            },
            "sha256": {"type": "string", "description": "photo: the stored JPEG's digest"},
            "visits": {
                "type": "array",
                "items": {"type": "string"},
                "description": "visit: the household's 不在家 visits on the server (UTC)",
            },
            "visits_needed": {
                "type": "integer",
                "description": "visit, outcome refused: visits the round's rule still needs",
            },
            "verdict": {"type": ["string", "null"]},
        },
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


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "The change's key (else the body's ``key`` field)",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
}
SYNC_BODY = {
    "type": "object",
    "description": (
        "The questionnaire page's form fields (v-<question>, r-<question>, "
        "v-<roster>-<row>-<question>), and:"
    ),
    "properties": {
        "key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
        "action": {
            "type": "string",
            "enum": ["visit", "outcome", "draft", "submit", "photo"],
        },
        "version": {
            "type": "integer",
            "description": "The interview version the phone's change was made on (0: none)",
        },
        "outcome": {"type": "string", "description": "For action=outcome"},
        "reserve": {
            "type": "integer",
            "description": "For a non-interview outcome: the reserve the phone released offline",
        },
        "visit_at": {
            "type": "array",
            "items": {"type": "string", "format": "date-time"},
            "description": (
                "For action=visit, and outcome=absent: the phone's times of its 不在家 visits "
                "(not later than the server's clock plus 10 minutes, not before the plan was "
                "committed or the reserve released); recorded once each"
            ),
        },
        "photo": {"type": "string", "format": "binary", "description": "For action=photo"},
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "accuracy": {"type": "number"},
    },
    "required": ["action"],
}


def openapi_document(server_url: str, parts: tuple[tuple[dict, dict], ...] = ()) -> dict:
    """The OpenAPI 3.1 document, with ``server_url`` as the server; ``parts`` are later
    features' ``(paths, schemas)`` (the appeal endpoints), registered in their includeme."""
    document = _survey_document(server_url)
    for paths, schemas in parts:
        document["paths"].update(paths)
        document["components"]["schemas"].update(schemas)
    return document


def _survey_document(server_url: str) -> dict:
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
            "/api/offline/day": {
                "get": {
                    "summary": (
                        "What a phone caches for offline work: the team's households, the "
                        "unreleased reserves per village and stratum in rank order, and the "
                        "pages to cache (url, and the address to store it under)"
                    ),
                    "responses": _responses({"type": "object"}),
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
            "/api/households/{household}/sync": {
                "post": {
                    "summary": (
                        "One change from a phone's offline queue (visit, outcome, draft, "
                        "submit or photo), applied once per idempotency key; a retry gets "
                        "the first answer again with replayed=true"
                    ),
                    "parameters": [HOUSEHOLD, IDEMPOTENCY_KEY],
                    **post,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {"schema": SYNC_BODY},
                            "application/x-www-form-urlencoded": {"schema": SYNC_BODY},
                        },
                    },
                    "responses": _responses(
                        {"$ref": "#/components/schemas/SyncResult"}, 400, 409, 422
                    ),
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

"""The appeal endpoints' part of the OpenAPI document (merged in by ``surveys.openapi``)."""

from __future__ import annotations

from appeals.schemas import json_schemas

CASE = {"name": "case", "in": "path", "required": True, "schema": {"type": "integer"}}
CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
POST = {"security": [{"session": [], "csrf": []}, {"bearer": []}]}
ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _responses(ok: dict, *extra: int) -> dict:
    texts = {
        400: "The body does not fit the schema, or a refused evidence file",
        403: "Not allowed (another county, not an expert, missing CSRF header)",
        404: "No such county or case",
        409: "Refused by the appeal's rules (deadline passed, ruled already, no self-ruling...)",
    }
    out: dict = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    for status in (403, 404, *extra):
        out[str(status)] = {"description": texts[status], **ERROR}
    return out


def _body(name: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


CASE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "household_id": {"type": "string"},
        "kind": {"type": "string", "enum": ["wrongly_exited", "missed"]},
        "persons": {"type": "integer"},
        "basis": {"type": "object"},
        "assessor_note": {"type": "string"},
        "response": {"type": ["string", "null"]},
        "statement": {"type": ["string", "null"]},
        "evidence": {"type": "array", "items": {"type": "object"}},
        "ruling": {"type": ["string", "null"]},
        "ruling_reason": {"type": ["string", "null"]},
        "revisit_team_id": {"type": ["integer", "null"]},
        "revisit_interview": {
            "type": ["object", "null"],
            "description": "The new interview a re-visit ruling opened for the other team",
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string"},
                "contact_outcome": {
                    "type": ["string", "null"],
                    "description": "interviewed, or the non-contact that made the re-visit fail",
                },
                "verdict": {"type": ["string", "null"], "description": "once approved"},
            },
        },
        "earlier_rulings": {
            "type": "array",
            "description": "Rulings a later one replaced, oldest first: a re-visit that could "
            "not reach the household, with its reason and how it ended",
            "items": {
                "type": "object",
                "properties": {
                    "ruling": {"type": "string"},
                    "reason": {"type": "string"},
                    "ruled_by": {"type": ["string", "null"]},
                    "ruled_at": {"type": ["string", "null"]},
                    "team": {"type": ["string", "null"], "description": "the re-visit team"},
                    "contact_outcome": {"type": "string"},
                },
            },
        },
        "revisit_failed": {
            "type": "boolean",
            "description": "The re-visit could not reach the household (a non-contact): the "
            "case awaits an expert's ruling again (upheld, overturned, or another re-visit by "
            "a team that has not visited the household)",
        },
        "outcome": {
            "type": ["string", "null"],
            "enum": ["upheld", "overturned", None],
            "description": "the final ruling, or the approved re-visit's outcome",
        },
        "final": {"type": "boolean"},
    },
}

PATHS = {
    "/api/appeals/county/{code}": {
        "get": {
            "summary": "A county's published suspected cases with answers and rulings",
            "parameters": [CODE],
            "responses": _responses({"type": "object"}),
        }
    },
    "/api/appeals/cases/{case}/answer": {
        "post": {
            "summary": "The county liaison accepts or disputes a case (before the deadline)",
            "parameters": [CASE],
            **POST,
            "requestBody": _body("AnswerBody"),
            "responses": _responses({"$ref": "#/components/schemas/AppealCase"}, 400, 409),
        }
    },
    "/api/appeals/cases/{case}/evidence": {
        "post": {
            "summary": "One evidence file for a disputed case: the body is the file",
            "parameters": [
                CASE,
                {"name": "name", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            **POST,
            "requestBody": {
                "required": True,
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("application/pdf", "image/jpeg", "image/png")
                },
            },
            "responses": _responses({"$ref": "#/components/schemas/AppealCase"}, 400, 409),
        }
    },
    "/api/appeals/cases/{case}/rule": {
        "post": {
            "summary": "An appeal expert rules: upheld, overturned or revisit, with a reason "
            "(again after a failed re-visit)",
            "parameters": [CASE],
            **POST,
            "requestBody": _body("RuleBody"),
            "responses": _responses({"$ref": "#/components/schemas/AppealCase"}, 400, 409),
        }
    },
}


def schemas() -> dict:
    return {"AppealCase": CASE_SCHEMA, **json_schemas()}

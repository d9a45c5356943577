"""The OpenAPI schema tells every answer: each operation lists the errors it can give, in the one
error shape (`Error`: code, detail, fields), with an example of each (a drf-spectacular hook)."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API. Conflicts (409) add context next to code and detail.",
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable: what went wrong."},
        "detail": {"type": "string", "description": "A sentence for a person."},
        "fields": {
            "type": "object",
            "description": "Per input field (dotted for nested ones), each of its errors.",
            "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        },
    },
    "required": ["code", "detail", "fields"],
    "additionalProperties": True,
}
FIELD_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["code", "detail"],
}

EXAMPLES = {
    "400": (
        "Bad input: a field's code and sentence",
        {
            "code": "naive_datetime",
            "detail": "start: Give the time with its UTC offset or Z, e.g. 2026-12-02T08:30:00-05:00.",
            "fields": {
                "start": [
                    {
                        "code": "naive_datetime",
                        "detail": "Give the time with its UTC offset or Z, e.g. 2026-12-02T08:30:00-05:00.",
                    }
                ]
            },
        },
    ),
    "401": (
        "Not signed in (the insurer API: no or an expired bearer token)",
        {
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
            "fields": {},
        },
    ),
    "403": (
        "Signed in, but not allowed",
        {
            "code": "permission_denied",
            "detail": "You do not have permission to perform this action.",
            "fields": {},
        },
    ),
    "404": (
        "No such record (or not one you may see)",
        {"code": "not_found", "detail": "No such endpoint or record.", "fields": {}},
    ),
    "409": (
        "Refused because of other records, with what is in the way",
        {
            "code": "chair_conflict",
            "detail": "Chair R1 is booked 10:00-14:00 (booking #12).",
            "fields": {"chair": [{"code": "chair_conflict", "detail": "Chair R1 is booked 10:00-14:00."}]},
            "conflict": {"booking": 12, "start": "2027-03-02T15:00:00Z"},
        },
    ),
}
WRITES = {"post", "put", "patch", "delete"}


def _statuses(method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = []
    if "requestBody" in operation or any(p.get("in") in ("query", "header") for p in parameters):
        statuses.append("400")
    statuses += ["401", "403"]
    if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
        statuses.append("404")
    if method in WRITES:
        statuses.append("409")
    return statuses


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add the `Error` component and each operation's error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["FieldError"] = FIELD_ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, operation):
                summary, value = EXAMPLES[status]
                response = responses.setdefault(status, {"description": summary})
                content = response.setdefault("content", {}).setdefault("application/json", {})
                content["schema"] = ref
                content.setdefault("examples", {}).setdefault(
                    f"Error{status}", {"summary": summary, "value": value}
                )
    return result

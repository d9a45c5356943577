"""The CapabilityStatement of GET /fhir/R4/metadata, generated from the registry (fhir/registry.py).

It lists every registered type with the interactions it really has (read, search-type, create), its
search parameters with their types, and its operations; adding or removing a registration changes it,
so it cannot drift from what is served.
"""

from django.utils import timezone

from fhir.registry import REGISTRY

COMMON_PARAMS = [
    {"name": "_count", "type": "number", "documentation": "Resources per page, 1 to 200 (default 50)."},
    {
        "name": "_total",
        "type": "token",
        "documentation": "accurate: count every match (otherwise only when free).",
    },
]


def _resource(resource_type) -> dict:
    interactions = []
    if resource_type.read is not None:
        interactions.append({"code": "read"})
    if resource_type.search is not None:
        interactions.append({"code": "search-type"})
    if resource_type.create is not None:
        interactions.append({"code": "create"})
    entry: dict = {"type": resource_type.name}
    if resource_type.profile:
        entry["profile"] = resource_type.profile
    if resource_type.documentation:
        entry["documentation"] = resource_type.documentation
    entry["interaction"] = interactions
    if resource_type.search is not None:
        entry["searchParam"] = [
            {"name": param.name, "type": param.type, "documentation": param.documentation}
            for param in resource_type.params.values()
        ] + COMMON_PARAMS
    if resource_type.operations:
        entry["operation"] = [
            {
                "name": operation.name,
                "definition": f"urn:infusion-clinic:operation:{resource_type.name}:{operation.name}",
                **({"documentation": operation.documentation} if operation.documentation else {}),
            }
            for operation in resource_type.operations.values()
        ]
    return entry


def capability_statement(request) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "kind": "instance",
        "software": {"name": "Infusion Clinic"},
        "implementation": {
            "description": "Infusion clinic FHIR R4 interface",
            "url": request.build_absolute_uri("/fhir/R4/"),
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": (
                        "Staff: a logged-in session, with the role's permissions. Insurers: an OAuth2 "
                        "client-credentials bearer token (POST /api/v1/oauth/token/), which reaches only "
                        "its own members' prior-authorization bundles."
                    )
                },
                "resource": [_resource(t) for t in sorted(REGISTRY.values(), key=lambda t: t.name)],
            }
        ],
    }

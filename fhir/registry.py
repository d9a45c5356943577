"""What /fhir/R4/ serves: one registration per resource type, read by the router and by `metadata`.

A type registers its search parameters, how to read one resource and how to search, and (for part B's
types) any operation or create it offers. The CapabilityStatement is generated from this registry, so
it lists exactly what is served. Nothing else decides which types exist.

    register(ResourceType(name="Patient", permission="patients.view_patient", params=..., read=..., ...))

`read(request, id) -> Found` and `search(request, query) -> Page` both run after the access check
(`fhir.access.check_type`); they scope rows to the caller themselves (a nurse's sites, a payer's members).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

# FHIR's id: 1 to 64 of letters, digits, "-" and "."
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# Most of our ids are a row's primary key.
PK_ID = re.compile(r"^[1-9][0-9]{0,17}$")


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR SearchParamType: token, reference, date, string, number
    documentation: str
    # (queryset, values given, context) -> queryset; each occurrence of the parameter is one value
    # (ANDed), a comma inside a value ORs. None for types that search without a queryset.
    apply: Callable[..., Any] | None = None


@dataclass
class Audit:
    """What a read showed, for `clinic.audit.record_page_access`: one row per answer."""

    model: type[Model]
    ids: list[int]
    related: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Found:
    resource: dict
    audit: Audit | None


@dataclass
class Page:
    resources: list[dict]
    audit: Audit | None
    next_cursor: str | None = None
    previous_cursor: str | None = None
    total: int | None = None
    # Resources the matches reference, sent along (`search.mode` include), each once.
    included: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Operation:
    """A FHIR operation (`$name`) on a type or an instance: handler(request, type, id or None) -> Response."""

    name: str
    handler: Callable[..., Any]
    methods: tuple[str, ...] = ("POST",)
    instance: bool = False
    documentation: str = ""
    insurers: bool = False  # an insurer's token may call it (the handler scopes to its payer)
    insurer_scope: str | None = None  # the OAuth scope that token must carry


@dataclass
class ResourceType:
    name: str
    # The staff permission (clinic/roles.py) that lets a session read this type.
    permission: str
    params: dict[str, SearchParam]
    read: Callable[..., Found] | None
    search: Callable[..., Page] | None
    documentation: str = ""
    profile: str | None = None
    id_pattern: re.Pattern = PK_ID
    id_hint: str = "a whole number"
    # An insurer's token may read and search this type (the type scopes its rows to the payer), with
    # this OAuth scope.
    insurers: bool = False
    insurer_scope: str | None = None
    operations: dict[str, Operation] = field(default_factory=dict)
    # create(request, type) -> Response, for a POST to /fhir/R4/<Type>.
    create: Callable[..., Any] | None = None


REGISTRY: dict[str, ResourceType] = {}


def register(resource_type: ResourceType) -> ResourceType:
    if resource_type.name in REGISTRY:
        raise ValueError(f"FHIR type {resource_type.name} is registered twice")
    REGISTRY[resource_type.name] = resource_type
    return resource_type


def register_operation(type_name: str, operation: Operation) -> None:
    REGISTRY[type_name].operations[operation.name] = operation


def registered(name: str) -> ResourceType | None:
    return REGISTRY.get(name)

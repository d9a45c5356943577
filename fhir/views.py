"""The /fhir/R4/ endpoints: metadata, search, read, and the operations and creates types register.

Thin: find the type in the registry, check who is asking (fhir/access.py), parse the query
(fhir/search.py), call the type, audit what was shown, render the Bundle (fhir/bundle.py). Every
error is an OperationOutcome (fhir/errors.py).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.audit import bind_actor, record_page_access
from fhir import bundle, capability
from fhir.access import check_access
from fhir.errors import FhirError, exception_handler
from fhir.http import FhirJSONParser, FhirJSONRenderer, JSONRenderer, PlainJSONParser
from fhir.registry import REGISTRY, Audit, ResourceType
from fhir.search import check_id, parse_query
from insurance.oauth import InsurerTokenAuthentication


class FhirView(APIView):
    # A bearer token is an insurer's; otherwise the staff session (with its CSRF check on writes).
    authentication_classes = [InsurerTokenAuthentication, SessionAuthentication]
    permission_classes: list = []
    renderer_classes = [FhirJSONRenderer, JSONRenderer]
    parser_classes = [FhirJSONParser, PlainJSONParser]
    throttle_classes: list = []

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    def resource_type(self, name: str) -> ResourceType:
        found = REGISTRY.get(name)
        if found is None:
            raise FhirError(
                404 if name[:1].isupper() else 400,
                "resource_type_unknown",
                f"This server serves no resource type {name[:64]!r}; GET /fhir/R4/metadata lists them.",
            )
        return found


def check_type(request, resource_type: ResourceType) -> None:
    check_access(
        request,
        resource_type.permission,
        insurers=resource_type.insurers,
        what=resource_type.name,
        scope=resource_type.insurer_scope,
    )


def audit(request, shown: Audit | None, detail: str) -> None:
    if shown is not None and shown.ids:
        record_page_access(request, shown.model, shown.ids, via="fhir", detail=detail, related=shown.related)


@extend_schema(exclude=True)
class MetadataView(FhirView):
    """The CapabilityStatement: generated from the registry. Open to anyone, as FHIR expects."""

    authentication_classes: list = []

    def get(self, request):
        return Response(capability.capability_statement(request))


@extend_schema(exclude=True)
class TypeView(FhirView):
    def get(self, request, type_name: str):
        resource_type = self.resource_type(type_name)
        check_type(request, resource_type)
        if resource_type.search is None:
            raise FhirError(405, "interaction_not_supported", f"{type_name} cannot be searched here.")
        query = parse_query(request, resource_type)
        page = resource_type.search(request, query)
        audit(request, page.audit, f"{type_name} search")
        return Response(bundle.searchset(request, resource_type, page))

    def post(self, request, type_name: str):
        resource_type = self.resource_type(type_name)
        if resource_type.create is None:
            raise FhirError(405, "interaction_not_supported", f"{type_name} cannot be created here.")
        check_type(request, resource_type)
        return resource_type.create(request, resource_type)


@extend_schema(exclude=True)
class InstanceView(FhirView):
    def get(self, request, type_name: str, resource_id: str):
        resource_type = self.resource_type(type_name)
        check_type(request, resource_type)
        check_id(resource_type, resource_id)
        if resource_type.read is None:
            raise FhirError(405, "interaction_not_supported", f"{type_name} cannot be read here.")
        found = resource_type.read(request, resource_id)
        audit(request, found.audit, f"{type_name} read")
        return Response(found.resource)


@extend_schema(exclude=True)
class OperationView(FhirView):
    """`/fhir/R4/<Type>/$op` and `/fhir/R4/<Type>/<id>/$op`, as a type registers them."""

    def dispatch_operation(self, request, type_name: str, operation: str, resource_id: str | None):
        resource_type = self.resource_type(type_name)
        found = resource_type.operations.get(operation)
        if found is None or found.instance != (resource_id is not None):
            raise FhirError(404, "operation_unknown", f"{type_name} has no operation ${operation[:64]}.")
        if request.method not in found.methods:
            raise FhirError(405, "method_not_allowed", f"${operation} takes {', '.join(found.methods)}.")
        what = f"{type_name} ${operation}"
        scope = found.insurer_scope
        check_access(request, resource_type.permission, insurers=found.insurers, what=what, scope=scope)
        if resource_id is not None:
            check_id(resource_type, resource_id)
        return found.handler(request, resource_type, resource_id)

    def get(self, request, type_name: str, operation: str, resource_id: str | None = None):
        return self.dispatch_operation(request, type_name, operation, resource_id)

    def post(self, request, type_name: str, operation: str, resource_id: str | None = None):
        return self.dispatch_operation(request, type_name, operation, resource_id)

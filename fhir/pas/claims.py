"""Claim and ClaimResponse under /fhir/R4/: prior authorization in the Da Vinci PAS shape.

- `GET  Claim/<id>`            the request as its PAS request Bundle (Claim first, then the Patient,
                               Coverage, MedicationRequest and the two Organizations it references)
- `GET  Claim?patient=&status=` the requests as a searchset: each Claim (`match`) followed by the
                               resources its bundle holds (`include`, each once)
- `GET  ClaimResponse/<id>`    the decision recorded on Claim/<id> (approved, in part, denied, pended)
- `POST ClaimResponse`         the payer's answer: a PAS response Bundle (what the guide's
                               `Claim/$submit` returns) or its ClaimResponse alone; recorded through
                               the insurer API's decision service (`fhir.pas.services`)

PAS has the provider post its request to the payer's `$submit` and read the answer from the reply.
Here the clinic is the provider and keeps the request; the payer reads it here and answers with that
same response Bundle, as a create of the ClaimResponse it holds.

Who: staff with a session and `insurance.view_priorauthorization` read every request (drafts too); a
payer's token (`authorizations:read`) reads its own members' submitted requests, and another payer's
id is a 404, as an unknown one; it answers with `authorizations:decide`. The Patient in an
insurer's bundle carries identity only (no telecom). Every read is audited, one row per answer.
"""

from django.conf import settings
from django.utils import timezone
from rest_framework.response import Response

from clinic.api import REPLAY_HEADER
from fhir.access import check_access, is_insurer
from fhir.bundle import base_url
from fhir.errors import FhirError, not_found
from fhir.mappers.coverage import coverage_resource
from fhir.mappers.medication_request import medication_request_resource
from fhir.mappers.patient import patient_resource
from fhir.pas import claim as pas
from fhir.pas import codes
from fhir.pas.services import claim_response_record
from fhir.registry import Audit, Found, Page, ResourceType, SearchParam, register
from fhir.search import keyset_rows, reference_ids, split_values
from infusions.authorizations import orders_for_authorizations
from infusions.models import TreatmentOrder
from insurance import selectors
from insurance.models import AuthStatus, PriorAuthorization
from insurance.oauth import DECIDE, READ

PERMISSION = "insurance.view_priorauthorization"


def _rows(request):
    """The requests the caller may see: a payer its own submitted ones, staff every one."""
    if is_insurer(request):
        rows = selectors.payer_authorizations(request.payer)
    else:
        rows = selectors.authorization_list()
    # What the bundle's mappers read: the payer (insurer Organization), the coverage's payer (Coverage).
    return rows.select_related("payer", "coverage__payer", "patient")


def _bundle_parts(request, auths: list[PriorAuthorization]) -> list[tuple[dict, list[dict]]]:
    """(Claim, the other resources of its bundle) per request; a fixed number of queries for a page."""
    # What the MedicationRequest mapper reads, and nothing more (no plan, so no patient facts).
    orders = orders_for_authorizations(
        auths,
        TreatmentOrder.objects.select_related("product", "indication", "protocol").prefetch_related(
            "protocol__steps"
        ),
    )
    insurer = is_insurer(request)
    parts = []
    for auth in auths:
        order = orders.get(auth.pk)
        patient = patient_resource(auth.patient)
        if insurer:  # the minimum necessary to match the member: no phone or email
            patient.pop("telecom", None)
        coverage = coverage_resource(auth.coverage)
        # In the bundle the payer is the insurer Organization beside it, as PAS's examples have it.
        coverage["payor"] = [
            {"reference": f"Organization/{pas.payer_organization_id(auth.payer_id)}", **payor}
            for payor in coverage["payor"]
        ]
        others = [patient, coverage]
        if order is not None:
            others.append(medication_request_resource(order))
        others += [pas.insurer_organization(auth.payer), pas.requestor_organization(settings.CLINIC_NAME)]
        claim = pas.pas_claim(
            auth,
            medication_request_id=str(order.pk) if order is not None else None,
            product_name=order.product.brand if order is not None else None,
        )
        parts.append((claim, others))
    return parts


def _audit(auths: list[PriorAuthorization]) -> Audit | None:
    if not auths:
        return None
    return Audit(
        PriorAuthorization, [a.pk for a in auths], {"patients.patient": [a.patient_id for a in auths]}
    )


def read(request, resource_id: str) -> Found:
    auth = _rows(request).filter(pk=int(resource_id)).first()
    if auth is None:
        raise not_found("Claim", resource_id)
    (claim, others) = _bundle_parts(request, [auth])[0]
    bundle = pas.request_bundle(claim, others, base=base_url(request), timestamp=timezone.now())
    return Found(bundle, _audit([auth]))


def _patient(queryset, values, query):
    for ids in reference_ids("patient", values, "Patient"):
        queryset = queryset.filter(patient_id__in=ids)
    return queryset


CLAIM_STATUSES = {"draft": [AuthStatus.DRAFT], "cancelled": [AuthStatus.CANCELLED]}


def _status(queryset, values, query):
    for alternatives in split_values(values):
        wanted = set()
        for value in alternatives:
            if value == "active":
                wanted |= {s for s in AuthStatus.values if s not in ("draft", "cancelled")}
            elif value in CLAIM_STATUSES:
                wanted |= set(CLAIM_STATUSES[value])
            else:
                raise FhirError(
                    400, "token_invalid", "Claim status is active, cancelled or draft.", expression=["status"]
                )
        queryset = queryset.filter(status__in=wanted)
    return queryset


PARAMS = {
    "patient": SearchParam("patient", "reference", "The patient (Patient/<id> or <id>).", _patient),
    "status": SearchParam("status", "token", "active, cancelled or draft (the Claim's status).", _status),
}


def search(request, query) -> Page:
    queryset = _rows(request)
    for name, values in query.params.items():
        queryset = PARAMS[name].apply(queryset, values, query)
    page = keyset_rows(queryset, query)
    auths = list(page.rows)
    claims, included, seen = [], [], set()
    for claim, others in _bundle_parts(request, auths):
        claims.append(claim)
        for resource in others:
            key = (resource["resourceType"], resource["id"])
            if key not in seen:
                seen.add(key)
                included.append(resource)
    return Page(
        claims,
        _audit(auths),
        page.next_cursor,
        page.previous_cursor,
        page.total,
        included=included,
    )


def create_claim_response(request, resource_type) -> Response:
    if not is_insurer(request):
        raise FhirError(
            403,
            "insurer_only",
            "A payer answers a request with its client's token; staff record a decision received by "
            "phone or fax in the admin.",
        )
    check_access(request, PERMISSION, insurers=True, what="ClaimResponse create", scope=DECIDE)
    answer, replayed = claim_response_record(
        payer_client=request.payer_client,
        body=request.data,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        by=request.user if request.user.is_authenticated else None,
    )
    headers = {"Location": f"{base_url(request)}ClaimResponse/{answer['id']}"}
    if replayed:
        headers[REPLAY_HEADER] = "true"
    return Response(answer, status=200 if replayed else 201, headers=headers)


# A request with a decision on it: its ClaimResponse (one per Claim, with the Claim's id) is readable.
DECIDED = tuple(codes.STATUS_REVIEW_ACTION)


def read_claim_response(request, resource_id: str) -> Found:
    """The payer's current decision on Claim/<id> as a PAS ClaimResponse (PAS's inquiry, by id)."""
    check_access(request, PERMISSION, insurers=True, what="ClaimResponse", scope=READ)
    auth = _rows(request).filter(pk=int(resource_id), status__in=DECIDED).first()
    if auth is None:
        raise not_found("ClaimResponse", resource_id)
    return Found(pas.pas_claim_response(auth, created=auth.decided_at or auth.updated_at), _audit([auth]))


register(
    ResourceType(
        name="Claim",
        permission=PERMISSION,
        params=PARAMS,
        read=read,
        search=search,
        insurers=True,
        insurer_scope=READ,
        profile=codes.PROFILE_CLAIM,
        documentation="Prior authorization requests (Da Vinci PAS). A read answers the PAS request Bundle; "
        "a search answers the Claims with the resources of their bundles included.",
    )
)
register(
    ResourceType(
        name="ClaimResponse",
        permission=PERMISSION,
        params={},
        read=read_claim_response,
        search=None,
        insurers=True,
        profile=codes.PROFILE_CLAIM_RESPONSE,
        create=create_claim_response,
        documentation="A payer's answer to a Claim: POST a PAS response Bundle or its ClaimResponse "
        "(review action A1 approved, A2/A6 in part, A3 denied with a reason, A4 pended). Idempotent. "
        "Read: the current decision on the Claim of the same id.",
    )
)

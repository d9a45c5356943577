"""A prior authorization request read as its Da Vinci PAS request Bundle (GET /fhir/R4/Claim/<id>)."""

import pytest
from auditlog.models import LogEntry

from clinic.audit import reads_of
from fhir.pas import codes
from insurance.models import PriorAuthorization
from patients.models import Patient
from tests.fhir.conftest import shape, validate
from tests.fhir.pas.conftest import pas_example, submitted_request


def _read(request_):
    response = request_.fhir().get(f"/fhir/R4/Claim/{request_.auth.pk}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.json()


def _resources(bundle: dict) -> dict[str, dict]:
    return {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"][:4]}


def test_a_request_reads_as_a_pas_request_bundle_that_fhir_resources_accepts(acme_request):
    bundle = _read(acme_request)
    validate(bundle)
    for entry in bundle["entry"]:
        validate(entry["resource"])
    assert bundle["type"] == "collection"
    assert bundle["meta"]["profile"] == [codes.PROFILE_REQUEST_BUNDLE]
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds == ["Claim", "Patient", "Coverage", "MedicationRequest", "Organization", "Organization"]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"/fhir/R4/{resource['resourceType']}/{resource['id']}")


def test_the_claim_says_preauthorization_of_the_hcpcs_units_for_the_order_and_coverage(acme_request):
    auth = acme_request.auth
    bundle = _read(acme_request)
    claim = bundle["entry"][0]["resource"]
    by_type = _resources(bundle)
    assert claim["use"] == "preauthorization"
    assert claim["status"] == "active"
    assert claim["patient"] == {"reference": f"Patient/{auth.patient_id}"}
    assert claim["insurance"] == [
        {"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/{auth.coverage_id}"}}
    ]
    assert claim["priority"]["coding"][0] == {"system": codes.PROCESS_PRIORITY, "code": "normal"}
    assert claim["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0] == {
        "system": codes.ICD10CM,
        "code": "G61.81",
    }
    (item,) = claim["item"]
    assert item["productOrService"]["coding"][0]["system"] == codes.HCPCS
    assert item["productOrService"]["coding"][0]["code"] == "J1569"
    assert item["quantity"]["value"] == 140
    assert item["servicedPeriod"] == {"start": "2027-03-01", "end": "2027-08-31"}
    requested = next(e for e in item["extension"] if e["url"] == codes.EXT_REQUESTED_SERVICE)
    assert requested["valueReference"] == {"reference": f"MedicationRequest/{auth.order_id}"}
    # Every reference of the Claim resolves inside the bundle.
    ids = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    for ref in (claim["patient"], claim["insurer"], claim["provider"], claim["insurance"][0]["coverage"]):
        assert ref["reference"] in ids
    assert by_type["MedicationRequest"]["id"] == str(auth.order_id)
    insurer = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["id"] == claim["insurer"]["reference"].split("/")[1]
    )
    assert insurer["name"] == acme_request.insurer.payer.name


def test_an_expedited_request_is_stat_and_urgent(acme):
    from tests.fhir.pas.conftest import Request

    request_ = Request(acme, submitted_request(acme, urgency="expedited"))
    claim = _read(request_)["entry"][0]["resource"]
    assert claim["priority"]["coding"][0]["code"] == "stat"
    level = next(e for e in claim["extension"] if e["url"] == codes.EXT_LEVEL_OF_SERVICE)
    assert level["valueCodeableConcept"]["coding"][0]["code"] == "U"


def _official_shape(resource: dict, keys) -> dict:
    return {key: shape(resource[key]) for key in keys if key in resource}


def test_the_bundle_and_claim_have_the_structure_of_the_official_pas_request_example(acme_request):
    official = pas_example("Bundle-ReferralAuthorizationBundleExample.json")
    ours = _read(acme_request)
    # The Bundle's own elements, as the example has them.
    for key in ("resourceType", "meta", "identifier", "type", "timestamp"):
        assert shape(ours[key]) == shape(official[key]), key
    official_claim, claim = official["entry"][0]["resource"], ours["entry"][0]["resource"]
    # The elements both carry have the same structure (an item's extensions are PAS's own).
    shared = [
        "resourceType",
        "meta",
        "status",
        "type",
        "use",
        "patient",
        "created",
        "insurer",
        "provider",
        "priority",
        "insurance",
    ]
    assert _official_shape(claim, shared) == _official_shape(official_claim, shared)
    # Its item has the example's elements, less the care team and place of service it does not keep.
    left_out = {"careTeamSequence", "locationCodeableConcept"}
    assert set(official_claim["item"][0]) - left_out <= set(claim["item"][0])
    for key in ("sequence", "diagnosisSequence", "category", "productOrService"):
        assert shape(claim["item"][0][key]) == shape(official_claim["item"][0][key]), key
    assert shape(claim["diagnosis"][0]["diagnosisCodeableConcept"]) == shape(
        official_claim["diagnosis"][0]["diagnosisCodeableConcept"]
    )


def test_an_insurers_bundle_leaves_out_the_patients_phone_and_email_and_staff_see_them(
    acme_request, api, manager
):
    patient = _resources(_read(acme_request))["Patient"]
    assert "telecom" not in patient
    assert patient["name"][0]["family"] == acme_request.auth.patient.family_name
    api.force_login(manager)
    staff = api.get(f"/fhir/R4/Claim/{acme_request.auth.pk}", HTTP_ACCEPT="application/fhir+json").json()
    assert "telecom" in _resources(staff)["Patient"]


def test_every_read_of_a_bundle_is_audited_naming_the_request_and_patient(acme_request):
    before = LogEntry.objects.count()
    _read(acme_request)
    assert LogEntry.objects.count() == before + 1
    read = reads_of(Patient, acme_request.auth.patient_id).first()
    assert read.additional_data["via"] == "fhir"
    assert reads_of(PriorAuthorization, acme_request.auth.pk).exists()
    assert read.actor == acme_request.insurer.app.user


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_a_staff_member_reads_drafts_and_cancelled_requests_with_their_claim_status(
    acme, api, manager, status
):
    auth = submitted_request(acme, status="draft" if status == "draft" else "submitted")
    if status == "cancelled":
        from insurance import services

        services.authorization_cancel(authorization=auth, reason="Order stopped.")
    api.force_login(manager)
    response = api.get(f"/fhir/R4/Claim/{auth.pk}", HTTP_ACCEPT="application/fhir+json")
    assert response.status_code == 200
    assert response.json()["entry"][0]["resource"]["status"] == status

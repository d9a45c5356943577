"""Location: a chair (or bed) of a site, the place an Appointment and a Schedule name."""

from fhir.mappers.common import drop_empty
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_token
from scheduling.access import access_chairs
from scheduling.models import Chair

PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"


def chair_display(chair: Chair) -> str:
    return f"{chair.name}, {chair.site.name}"


def location_resource(chair: Chair) -> dict:
    return drop_empty(
        {
            "resourceType": "Location",
            "id": str(chair.pk),
            "status": "active" if chair.is_active else "inactive",
            "name": chair_display(chair),
            "description": chair.get_kind_display(),
            "mode": "instance",
            "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "bd", "display": "Bed"}]},
            "address": {"text": chair.site.address},
        }
    )


PARAMS = {
    "status": SearchParam(
        "status",
        "token",
        "active or inactive (an inactive chair is not booked).",
        lambda qs, values, query: filter_token(
            qs, "status", values, {"active": [True], "inactive": [False], "suspended": []}, "is_active"
        ),
    ),
}

read, search = model_type(
    "Location",
    rows=lambda request: access_chairs(request.user, Chair.objects.select_related("site")),
    to_resource=location_resource,
    params=PARAMS,
    patients=lambda row: [],
)

register(
    ResourceType(
        name="Location",
        permission="scheduling.view_chair",
        params=PARAMS,
        read=read,
        search=search,
        documentation="The chairs (and beds) patients are infused in; its id is the chair's.",
    )
)

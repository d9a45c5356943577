"""Schedule: a chair's calendar. Its free Slots (fhir/mappers/slot.py) are its open, unbooked time."""

from fhir.mappers.common import drop_empty, reference
from fhir.mappers.location import chair_display
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_reference, filter_token
from scheduling.access import access_chairs
from scheduling.models import Chair

SERVICE_CATEGORY = "http://terminology.hl7.org/CodeSystem/service-category"


def schedule_resource(chair: Chair) -> dict:
    return drop_empty(
        {
            "resourceType": "Schedule",
            "id": str(chair.pk),
            "active": chair.is_active,
            "serviceCategory": [{"text": "Infusion"}],
            "actor": [reference("Location", chair.pk, chair_display(chair))],
            "comment": f"{chair.get_kind_display()} at {chair.site.name} ({chair.site.time_zone})",
        }
    )


PARAMS = {
    "actor": SearchParam(
        "actor",
        "reference",
        "The chair (Location/id).",
        lambda qs, values, query: filter_reference(qs, "actor", values, "Location", "pk"),
    ),
    "active": SearchParam(
        "active",
        "token",
        "true or false.",
        lambda qs, values, query: filter_token(
            qs, "active", values, {"true": [True], "false": [False]}, "is_active"
        ),
    ),
}

read, search = model_type(
    "Schedule",
    rows=lambda request: access_chairs(request.user, Chair.objects.select_related("site")),
    to_resource=schedule_resource,
    params=PARAMS,
    patients=lambda row: [],
)

register(
    ResourceType(
        name="Schedule",
        permission="scheduling.view_chair",
        params=PARAMS,
        read=read,
        search=search,
        documentation="One per chair; its id is the chair's. Slot?schedule= gives its free time.",
    )
)

"""Appointment: a chair booking (patient, chair, start and end, status)."""

from django.db.models import Q

from fhir.mappers.common import drop_empty, instant, reference
from fhir.mappers.location import chair_display
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_date, filter_reference, filter_token, reference_ids, split_values
from scheduling.access import access_bookings
from scheduling.models import Booking, BookingStatus
from scheduling.selectors import booking_list

STATUS = {
    BookingStatus.BOOKED: "booked",
    BookingStatus.CHECKED_IN: "checked-in",
    BookingStatus.IN_PROGRESS: "arrived",
    BookingStatus.COMPLETED: "fulfilled",
    BookingStatus.CANCELLED: "cancelled",
    BookingStatus.NO_SHOW: "noshow",
}
FHIR_STATUSES = [
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
]
BY_FHIR_STATUS = {code: [ours for ours, theirs in STATUS.items() if theirs == code] for code in FHIR_STATUSES}


def appointment_resource(booking: Booking) -> dict:
    patient = booking.patient
    return drop_empty(
        {
            "resourceType": "Appointment",
            "id": str(booking.pk),
            "status": STATUS[booking.status],
            "cancelationReason": {"text": booking.cancel_reason} if booking.cancel_reason else None,
            "serviceCategory": [{"text": "Infusion"}],
            "description": "Infusion",
            "start": instant(booking.start),
            "end": instant(booking.end),
            "minutesDuration": int((booking.end - booking.start).total_seconds() // 60),
            "created": instant(booking.created_at),
            "comment": booking.note,
            "participant": [
                {"actor": reference("Patient", patient.pk), "required": "required", "status": "accepted"},
                {
                    "actor": reference("Location", booking.chair_id, chair_display(booking.chair)),
                    "required": "required",
                    "status": "accepted",
                },
            ],
        }
    )


def _actor(queryset, values, query):
    """actor=Patient/12 or Location/3 (a chair); a bare id is a patient's."""
    for alternatives in split_values(values):
        patients, chairs = [], []
        for value in alternatives:
            if value.startswith("Location/"):
                chairs.extend(reference_ids("actor", [value], "Location")[0])
            else:
                patients.extend(reference_ids("actor", [value], "Patient")[0])
        queryset = queryset.filter(Q(patient_id__in=patients) | Q(chair_id__in=chairs))
    return queryset


PARAMS = {
    "patient": SearchParam(
        "patient",
        "reference",
        "The patient (Patient/id or id).",
        lambda qs, values, query: filter_reference(qs, "patient", values, "Patient", "patient_id"),
    ),
    "actor": SearchParam("actor", "reference", "Patient/id or Location/id (a chair).", _actor),
    "location": SearchParam(
        "location",
        "reference",
        "The chair (Location/id).",
        lambda qs, values, query: filter_reference(qs, "location", values, "Location", "chair_id"),
    ),
    "date": SearchParam(
        "date",
        "date",
        "When it starts (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "date", values, "start"),
    ),
    "status": SearchParam(
        "status",
        "token",
        "booked, checked-in, arrived (infusing), fulfilled, cancelled, noshow.",
        lambda qs, values, query: filter_token(qs, "status", values, BY_FHIR_STATUS, "status"),
    ),
}

read, search = model_type(
    "Appointment",
    rows=lambda request: access_bookings(request.user, booking_list().select_related("chair__site")),
    to_resource=appointment_resource,
    params=PARAMS,
    patients=lambda row: [row.patient_id],
)

register(
    ResourceType(
        name="Appointment",
        permission="scheduling.view_booking",
        params=PARAMS,
        read=read,
        search=search,
        documentation="Chair bookings: the patient and the chair (Location) as participants.",
    )
)

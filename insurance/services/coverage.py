"""A coverage's own writes: saving it, and its authorizations following it to another payer."""

from django.db import transaction
from django.utils import timezone

from clinic.db import validated_save
from insurance.models import AuthorizationEvent, Coverage, PriorAuthorization


def coverage_save(*, coverage: Coverage) -> Coverage:
    """Save a new or changed coverage and return it. Its authorizations (and their history, which the
    changes feed reads) follow it to its payer and patient: a coverage moved to another payer leaves
    nothing readable by the old one, and the new payer sees them as changed now.

    Raises ValidationError (`coverage_exists`, `dates_invalid`).
    """
    with transaction.atomic():
        validated_save(coverage)
        moved = PriorAuthorization.objects.filter(coverage=coverage).exclude(
            payer_id=coverage.payer_id, patient_id=coverage.patient_id
        )
        ids = list(moved.values_list("pk", flat=True))
        if ids:
            PriorAuthorization.objects.filter(pk__in=ids).update(
                payer_id=coverage.payer_id, patient_id=coverage.patient_id, updated_at=timezone.now()
            )
            AuthorizationEvent.objects.filter(authorization_id__in=ids).update(payer_id=coverage.payer_id)
    return coverage

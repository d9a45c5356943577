"""The audited base views every staff endpoint that shows patient data builds on."""

from rest_framework import viewsets
from rest_framework.response import Response

from clinic.audit import bind_actor, record_access

# Every API that answers a retried submission with its first answer says so in this header (the
# tablet's client_id, the insurer's Idempotency-Key): one name everywhere.
REPLAY_HEADER = "Idempotent-Replayed"


class AuditedViewMixin:
    """Names the caller in the trail of every write, and offers `audit_shown()` for reads.

    `audit_subject(obj)` names the record a row belongs to (the patient of a lab result, say).
    """

    audit_label = ""

    def audit_subject(self, obj):
        return obj

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    def audit_shown(self, objects, action: str) -> None:
        """Record that the caller was shown these rows' subjects (each subject once)."""
        subjects = {}
        for obj in objects:
            subject = self.audit_subject(obj)
            subjects[(type(subject), subject.pk)] = subject
        record_access(
            self.request, subjects.values(), via="api", detail=f"{self.audit_label or self.basename} {action}"
        )


class AuditedModelViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    """A staff viewset whose list and detail reads land in the audit trail."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self.audit_shown(rows, "list")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.audit_shown([instance], "view")
        return Response(self.get_serializer(instance).data)

"""The audited base viewset every staff endpoint that shows patient data builds on."""

from rest_framework import viewsets
from rest_framework.response import Response

from clinic.audit import bind_actor, record_access


class AuditedModelViewSet(viewsets.ModelViewSet):
    """A staff viewset that records every patient record it shows in the audit trail.

    `audit_subject(obj)` names the record a row belongs to (the patient for a lab result, say).
    """

    audit_label = ""

    def audit_subject(self, obj):
        return obj

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    def _record(self, objects, detail):
        subjects = {}
        for obj in objects:
            subject = self.audit_subject(obj)
            subjects[(type(subject), subject.pk)] = subject
        record_access(self.request, subjects.values(), via="api", detail=detail)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self._record(rows, f"{self.audit_label or self.basename} list")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self._record([instance], f"{self.audit_label or self.basename} view")
        return Response(self.get_serializer(instance).data)

"""The audit trail: who read or wrote which patient record, when, and from which address.

Writes are recorded by django-auditlog (models registered with `auditlog.register`). Reads have no
signal in Django, so every page, admin view and API view that shows patient data calls
`record_access()` for the records it showed (a row per record), or, for a hot list,
`record_page_access()` (one row per request naming every id read). Both land in auditlog's LogEntry
table, which a database trigger keeps append-only (clinic/migrations/0001_audit_append_only.py).
`reads_of()` answers "who read this record, when" from both kinds of row.
"""

from collections.abc import Iterable

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet


def audit_register(*models) -> None:
    """Register models with django-auditlog, tracking each one's own columns only.

    Left to itself auditlog also reads reverse one-to-one relations on every write (a booking's
    infusion session, a session's checklist): a query each, for values that are not the row's.
    """
    for model in models:
        auditlog.register(model, include_fields=[field.name for field in model._meta.concrete_fields])


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, but X-Forwarded-For is believed only behind a trusted proxy."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDIT_TRUST_X_FORWARDED_FOR:
            return AuditlogMiddleware._get_remote_addr(request)
        return request.META.get("REMOTE_ADDR")

    def __call__(self, request):
        request.audit_remote_addr = self._get_remote_addr(request)
        return super().__call__(request)


def bind_actor(user) -> None:
    """Name the user for the writes of this request.

    The middleware runs before DRF authenticates token clients, so API views call this once they
    know who is asking.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if user is not None and user.is_authenticated:
        context["actor"] = user


def record_access(request, objects: Iterable[Model], *, via: str, detail: str = "") -> None:
    """Record that the requesting user was shown these records (one INSERT, however many records)."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects:
        return
    user = request.user if request.user.is_authenticated else None
    content_types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    extra = {"via": via}
    if detail:
        extra["detail"] = detail
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_types[type(obj)],
            object_pk=str(obj.pk),
            object_id=obj.pk if isinstance(obj.pk, int) else None,
            object_repr=str(obj),
            action=LogEntry.Action.ACCESS,
            actor=user,
            actor_email=getattr(user, "email", None) if user else None,
            remote_addr=_remote_addr(request),
            additional_data=extra,
        )
        for obj in objects
    )


def _remote_addr(request) -> str | None:
    return getattr(request, "audit_remote_addr", None) or request.META.get("REMOTE_ADDR")


def record_page_access(
    request, model: type[Model], ids: list[int], *, via: str, detail: str = "", related: dict | None = None
) -> None:
    """Record, in one row, that the requesting user was shown these records of `model`.

    `related` names the other records the page showed, by model label: {"patients.patient": [3, 9]}.
    The row's `additional_data["read"]` maps each model label to its ids; `reads_of()` finds it.
    """
    if not ids:
        return
    user = request.user if request.user.is_authenticated else None
    read = {model._meta.label_lower: list(ids)}
    for label, related_ids in (related or {}).items():
        read[label.lower()] = sorted(set(related_ids))
    extra = {"via": via, "read": read}
    if detail:
        extra["detail"] = detail
    names = ", ".join(f"#{pk}" for pk in ids[:20]) + (", ..." if len(ids) > 20 else "")
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_id=None,
        object_repr=f"{len(ids)} {model._meta.verbose_name_plural}: {names}",
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=getattr(user, "email", None) if user else None,
        remote_addr=_remote_addr(request),
        additional_data=extra,
    )


def reads_of(model: type[Model], pk: int) -> QuerySet[LogEntry]:
    """Every read of one record: its own rows and the page rows that name it (newest first)."""
    content_type = ContentType.objects.get_for_model(model)
    label = model._meta.label_lower
    return LogEntry.objects.filter(
        Q(content_type=content_type, object_pk=str(pk)) | Q(additional_data__read__contains={label: [pk]}),
        action=LogEntry.Action.ACCESS,
    ).order_by("-timestamp", "-pk")


class AuditedAdminMixin:
    """For ModelAdmins that show patient data: record the records on each list page and each change page."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            record_access(request, changelist.result_list, via="admin", detail="list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = getattr(response, "context_data", {}).get("original")
            if obj is not None:
                record_access(request, [obj], via="admin", detail="view")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        # The confirmation page shows the record and everything that would go with it.
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = getattr(response, "context_data", {}).get("object")
            if obj is not None:
                record_access(request, [obj], via="admin", detail="delete")
        return response

    def response_action(self, request, queryset):
        # "Delete selected" first shows the chosen records on a confirmation page.
        response = super().response_action(request, queryset)
        shown = getattr(response, "context_data", None) or {}
        if response is not None and "deletable_objects" in shown and shown.get("queryset") is not None:
            record_access(request, list(shown["queryset"]), via="admin", detail="delete_selected")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = getattr(response, "context_data", {}).get("object")
        if obj is not None:
            record_access(request, [obj], via="admin", detail="history")
        return response


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's type-ahead (patients by name or MRN): what it offered is recorded like a list page."""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        self.offered = list(context["object_list"])
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if isinstance(self.model_admin, AuditedAdminMixin):
            record_access(request, getattr(self, "offered", []), via="admin", detail="autocomplete")
        return response

"""One pattern for the admin's action pages: a page per action on one record (move, cancel or mark a
booking a no-show; decide, submit, appeal or cancel an authorization), at `<id>/<action>/`.

Each page shows a small form; on a valid POST it calls the one service the action belongs to (the same
one the API calls), turns the service's `ValidationError` into field errors and its `Conflict` into the
form's error, and on success goes back to the record's change page with a message. Every showing is in
the audit trail. A ModelAdmin lists its pages in `action_pages` and adds `action_page_urls()` to its URLs.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import re_path, reverse
from django.utils.html import format_html_join

from clinic.audit import record_access
from clinic.errors import Conflict


@dataclass(frozen=True)
class ActionPage:
    """One action: its form, the page's title and button, and `run(request, obj, cleaned_data)`, which
    calls the action's service (and raises what the service raises)."""

    form: type[forms.Form]
    title: str
    button: str
    run: Callable[[Any, Any, dict[str, Any]], object]
    # Keyword arguments the form needs from the record (e.g. the chairs of the booking's site).
    form_kwargs: Callable[[Any], Mapping[str, Any]] = field(default=lambda obj: {})
    # The message shown on the record's page afterwards, from what `run` returned; default "<title>: done."
    done: Callable[[Any], str] | None = None


def form_errors_from(form: forms.Form, exc: ValidationError | Conflict) -> None:
    """Show a service's refusal on the form: field errors beside their fields, the rest on top."""
    if isinstance(exc, Conflict):
        form.add_error(None, ValidationError(exc.detail, code=exc.code))
        return
    for name, errors in exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]:
        form.add_error(name if name in form.fields else None, errors)


class ActionPagesMixin:
    """For a ModelAdmin: `action_pages` (action -> ActionPage), the permission they need, the URL name
    and the template (which gets `title`, `form`, `button`, the record under `action_object_name`, and
    what `action_page_context` adds)."""

    action_pages: Mapping[str, ActionPage] = {}
    action_permission: str
    action_url_name: str
    action_template: str
    action_object_name: str
    action_audit_label: str

    def action_page_urls(self) -> list:
        actions = "|".join(re.escape(a) for a in self.action_pages)
        # Only these words: the admin's own <id>/change/, /history/ must not match here.
        return [
            re_path(
                rf"^(?P<object_id>\d+)/(?P<action>{actions})/$",
                self.admin_site.admin_view(self.action_page_view),  # type: ignore[attr-defined]
                name=self.action_url_name,
            )
        ]

    def action_page_url(self, obj: Model, action: str) -> str:
        return reverse(f"admin:{self.action_url_name}", args=[obj.pk, action])

    def action_links(self, obj: Model, actions: Iterable[tuple[str, str]]):
        """Links to the given (action, label) pages, for a list column or a change page."""
        return format_html_join(
            " · ", '<a href="{}">{}</a>', ((self.action_page_url(obj, a), label) for a, label in actions)
        )

    def action_object(self, request, object_id: str) -> Model:
        return get_object_or_404(self.get_queryset(request), pk=object_id)  # type: ignore[attr-defined]

    def action_audited(self, obj: Model) -> Iterable[Model]:
        """The patient records the page shows, for the audit trail."""
        return [obj]

    def action_page_context(self, obj: Model) -> dict[str, Any]:
        return {}

    def action_page_view(self, request, object_id: str, action: str):
        if not request.user.has_perm(self.action_permission):
            raise PermissionDenied
        obj = self.action_object(request, object_id)
        page = self.action_pages[action]
        form = page.form(request.POST or None, **page.form_kwargs(obj))
        if request.method == "POST" and form.is_valid():
            try:
                result = page.run(request, obj, form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                form_errors_from(form, exc)
            else:
                message = page.done(result) if page.done else f"{page.title}: done."
                self.message_user(request, message)  # type: ignore[attr-defined]
                meta = obj._meta
                return redirect(f"admin:{meta.app_label}_{meta.model_name}_change", obj.pk)
        record_access(
            request, self.action_audited(obj), via="admin", detail=f"{self.action_audit_label} {action}"
        )
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": page.title,
            "form": form,
            "button": page.button,
            self.action_object_name: obj,
            **self.action_page_context(obj),
        }
        return TemplateResponse(request, self.action_template, context)

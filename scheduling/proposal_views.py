"""The schedule optimiser in the admin: ask for a proposal, watch it solve, see the picture and the moves,
apply it. Registered from scheduling/admin.py; the writes go through scheduling.proposals.

Pages:
- /admin/scheduling/proposal/ (list) and .../add/ (site, first day, a day or a week, time limit);
- /admin/scheduling/proposal/{id}/change/ (status and progress, refreshing while it solves; the curves
  before and after; the moves with the patient, old and new local time and chair; *Apply*);
- /admin/scheduling/proposal/{id}/apply/ (POST only).
"""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.admin_actions import form_errors_from
from clinic.audit import record_access
from clinic.errors import Conflict
from scheduling import access, proposals
from scheduling.models import Booking, Chair, Proposal, ProposalStatus, Site
from scheduling.optimiser.picture import proposal_svg
from scheduling.proposal_models import MAX_TIME_LIMIT


def proposal_picture(proposal: Proposal) -> str | None:
    """The SVG of a solved proposal's curves, or None when it has none yet."""
    result = proposal.result or {}
    if "before" not in result:
        return None
    before, after = result["before"], result["after"]
    return proposal_svg(
        labels=before["labels"],
        load_before=before["load"],
        load_after=after["load"],
        occupancy_before=before["occupancy"],
        occupancy_after=after["occupancy"],
        chairs=result.get("chairs", 0),
        zone_label=proposal.site.time_zone,
    )


class ProposalRequestForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.all())
    first_day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Local date.")
    days = forms.TypedChoiceField(choices=[(1, "That day"), (7, "That day and the six after")], coerce=int)
    time_limit_seconds = forms.IntegerField(
        min_value=1, max_value=MAX_TIME_LIMIT, initial=20, help_text="How long the optimiser may search."
    )


class ProposalAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "progress_percent",
        "peak_before_after",
        "requested_by",
        "requested_at",
    ]
    list_filter = ["status", "site"]
    date_hierarchy = "first_day"

    def has_module_permission(self, request):
        return access.may_optimise(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_optimise(request.user)

    def has_add_permission(self, request):
        return access.may_optimise(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site", "requested_by")

    @admin.display(description="Progress")
    def progress_percent(self, proposal):
        return f"{round(proposal.progress * 100)}%"

    @admin.display(description="Peak nurse load (patients per nurse)")
    def peak_before_after(self, proposal):
        result = proposal.result or {}
        if "before" not in result:
            return "-"
        return f"{result['before']['peak_load']:g} → {result['after']['peak_load']:g}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("add/", view(self.request_view), name="scheduling_proposal_add"),
            path("<int:proposal_id>/change/", view(self.detail_view), name="scheduling_proposal_change"),
            path("<int:proposal_id>/apply/", view(self.apply_view), name="scheduling_proposal_apply"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def request_view(self, request):
        if not access.may_optimise(request.user):
            raise PermissionDenied
        today = timezone.now().date()
        form = ProposalRequestForm(request.POST or None, initial={"first_day": today, "days": 1})
        if request.method == "POST" and form.is_valid():
            try:
                proposal = proposals.proposal_request(**form.cleaned_data, by=request.user)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                return redirect("admin:scheduling_proposal_change", proposal.pk)
        return TemplateResponse(
            request,
            "admin/scheduling/proposal_request.html",
            self._context(
                request, title="Level a day: ask the optimiser", form=form, button="Ask for a proposal"
            ),
        )

    def detail_view(self, request, proposal_id):
        if not access.may_optimise(request.user):
            raise PermissionDenied
        proposal = get_object_or_404(Proposal.objects.select_related("site", "requested_by"), pk=proposal_id)
        zone = proposal.site.zone
        result = proposal.result or {}
        moves = result.get("moves", [])
        bookings = Booking.objects.select_related("patient").in_bulk([m["booking"] for m in moves])
        chairs = Chair.objects.in_bulk({m["from_chair"] for m in moves} | {m["to_chair"] for m in moves})
        rows = []
        for move in moves:
            booking = bookings.get(move["booking"])
            rows.append(
                {
                    "booking": move["booking"],
                    "url": reverse("admin:scheduling_booking_change", args=[move["booking"]]),
                    "patient": booking.patient if booking else "-",
                    # Formatted here: the admin's own time zone is UTC, the site's is what staff read.
                    "from": f"{datetime.fromisoformat(move['from_start']).astimezone(zone):%a %d %b %H:%M}",
                    "to": f"{datetime.fromisoformat(move['to_start']).astimezone(zone):%a %d %b %H:%M}",
                    "minutes": move["minutes"],
                    "from_chair": chairs[move["from_chair"]].label if move["from_chair"] in chairs else "-",
                    "to_chair": chairs[move["to_chair"]].label if move["to_chair"] in chairs else "-",
                }
            )
        record_access(
            request, [b.patient for b in bookings.values()], via="admin", detail=f"proposal {proposal.pk}"
        )
        context = self._context(
            request,
            title=str(proposal),
            proposal=proposal,
            result=result,
            moves=rows,
            zone=proposal.site.time_zone,
            svg=proposal_picture(proposal),
            working=proposal.status in (ProposalStatus.QUEUED, ProposalStatus.SOLVING),
            can_apply=proposal.status == ProposalStatus.READY and bool(moves),
            percent=round(proposal.progress * 100),
            board_url=reverse(
                "admin:scheduling_site_board", args=[proposal.site_id, proposal.first_day.isoformat()]
            ),
        )
        return TemplateResponse(request, "admin/scheduling/proposal_detail.html", context)

    def apply_view(self, request, proposal_id):
        if not access.may_optimise(request.user) or request.method != "POST":
            raise PermissionDenied
        proposal = get_object_or_404(Proposal, pk=proposal_id)
        try:
            proposal = proposals.proposal_apply(proposal=proposal, by=request.user)
        except Conflict as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)
        else:
            moved = len(proposal.result.get("moves", []))
            self.message_user(
                request,
                format_html(
                    "Applied: {} booking(s) moved; the patients whose time changed will be told.", moved
                ),
            )
        return redirect("admin:scheduling_proposal_change", proposal.pk)

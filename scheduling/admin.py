"""The chair calendar in the admin: sites with hours, closures and chairs; nurse shifts; bookings; and
the day board (chairs x time, nurse load against capacity) with its week view of utilisation."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.admin_actions import ActionPage, ActionPagesMixin
from clinic.audit import AuditedAdminMixin, record_access
from clinic.errors import Conflict
from scheduling import access, admin_roster, board_hooks, roster, selectors, services
from scheduling.admin_board import STATUS_COLOURS, bar_rows, legend
from scheduling.admin_roster import NurseShiftForm
from scheduling.booking_template import template_build_queue, template_summary
from scheduling.models import (
    Booking,
    BookingEvent,
    Chair,
    Closure,
    NurseShift,
    OpeningHours,
    Proposal,
    Site,
    SiteMembership,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class ChairInline(admin.TabularInline):
    model = Chair
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "phone", "grid_minutes", "patients_per_nurse", "board_link"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline, ClosureInline, ChairInline]
    fieldsets = [
        (None, {"fields": ["name", "time_zone", "address", "phone"]}),
        (
            "Calendar rules",
            {"fields": ["grid_minutes", ("patients_per_nurse", "starts_per_nurse_per_slot"), "flatten_peak"]},
        ),
        ("Weekly booking template", {"fields": ["template_summary"]}),
    ]
    readonly_fields = ["template_summary"]
    actions = ["build_booking_template"]

    @admin.display(description="Template starts")
    def template_summary(self, site):
        return template_summary(site)

    @admin.action(description="Build the weekly booking template from the last 10 weeks")
    def build_booking_template(self, request, queryset):
        if not access.may_optimise(request.user):
            raise PermissionDenied
        template_build_queue([site.pk for site in queryset])
        self.message_user(
            request, f"Building the template of {queryset.count()} site(s) on the optimiser's queue."
        )

    @admin.display(description="Calendar")
    def board_link(self, site):
        today = timezone.now().astimezone(site.zone).date()
        return format_html(
            '<a href="{}">Day board</a> · <a href="{}">Week</a> · <a href="{}">Nurse roster</a>',
            reverse("admin:scheduling_site_board", args=[site.pk, today.isoformat()]),
            reverse("admin:scheduling_site_week", args=[site.pk, today.isoformat()]),
            reverse("admin:scheduling_site_roster", args=[site.pk, today.isoformat()]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:site_id>/board/", view(self.board_today), name="scheduling_site_board_today"),
            path("<int:site_id>/board/<str:day>/", view(self.board_view), name="scheduling_site_board"),
            path("<int:site_id>/week/<str:day>/", view(self.week_view), name="scheduling_site_week"),
            path(
                "<int:site_id>/roster/<str:day>/",
                view(lambda request, site_id, day: admin_roster.roster_view(self, request, site_id, day)),
                name="scheduling_site_roster",
            ),
            *super().get_urls(),
        ]

    def _site_and_day(self, request, site_id, day):
        if not request.user.has_perm("scheduling.view_booking"):
            raise PermissionDenied
        site = get_object_or_404(Site, pk=site_id)
        try:
            return site, date.fromisoformat(day)
        except ValueError:
            raise PermissionDenied from None  # a made-up URL, not a page anyone links to

    def board_today(self, request, site_id):
        site = get_object_or_404(Site, pk=site_id)
        today = timezone.now().astimezone(site.zone).date()
        return redirect("admin:scheduling_site_board", site.pk, today.isoformat())

    def board_view(self, request, site_id, day):
        site, day = self._site_and_day(request, site_id, day)
        board = selectors.site_days(site, day)[0]
        record_access(
            request,
            {b.patient_id: b.patient for row in board.rows for b in row.bookings}.values(),
            via="admin",
            detail="day board",
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{site.name}: {day:%A %d %B %Y}",
            "site": site,
            "board": board,
            "rows": bar_rows(board),
            "load": _load_cells(board),
            "hours": [
                {"label": f"{slot:%H:%M}", "left": f"{100 * i / len(board.slots):.3f}"}
                for i, slot in enumerate(board.slots)
                if slot.minute == 0
            ],
            "previous": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
            "week_day": day.isoformat(),
            "legend": legend(),
            "zone_label": datetime.combine(day, time(12), tzinfo=site.zone).strftime("%Z"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/scheduling/day_board.html", context)

    def week_view(self, request, site_id, day):
        site, day = self._site_and_day(request, site_id, day)
        monday = day - timedelta(days=day.weekday())
        days = selectors.site_days(site, monday, 7)
        rows = []
        for board in days:
            peak = max(
                ((load, cap) for load, cap in zip(board.load, board.capacity, strict=True)),
                key=lambda pair: pair[0] / pair[1] if pair[1] else pair[0],
                default=(0, 0),
            )
            rows.append(
                {
                    "board": board,
                    "bookings": sum(
                        1
                        for row in board.rows
                        for b in row.bookings
                        if b.status not in ("cancelled", "no_show")
                    ),
                    "percent": round(board.utilisation * 100),
                    "peak": peak,
                }
            )
        open_minutes = sum(b.open_chair_minutes for b in days)
        booked = sum(b.booked_chair_minutes for b in days)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{site.name}: week of {monday:%d %B %Y}",
            "site": site,
            "rows": rows,
            "total_percent": round(100 * booked / open_minutes) if open_minutes else 0,
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/scheduling/week.html", context)


def _load_cells(board):
    cells = []
    for slot, load, capacity in zip(board.slots, board.load, board.capacity, strict=True):
        ratio = load / capacity if capacity else (1.0 if load else 0.0)
        level = "over" if load > capacity else "full" if ratio >= 1 else "near" if ratio >= 0.75 else "ok"
        cells.append({"time": f"{slot:%H:%M}", "load": load, "capacity": capacity, "level": level})
    return cells


@admin.register(NurseShift)
class NurseShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "nurse", "local_start", "local_end"]
    list_filter = ["site"]
    list_select_related = ["site", "nurse"]
    date_hierarchy = "start"

    form = NurseShiftForm

    class Media:
        js = ["clinic/admin_local_time.js"]

    def save_model(self, request, obj, form, change):
        # roster.shift_save saved it while validating the form (and refused what leaves bookings uncovered).
        pass

    def delete_view(self, request, object_id, extra_context=None):
        # Removing a shift goes through the roster's rule; a refusal names the bookings it would strand.
        if request.method == "POST":
            shift = self.get_object(request, object_id)
            if shift is not None and self.has_delete_permission(request, shift):
                try:
                    roster.shift_remove(shift=shift)
                except Conflict as exc:
                    self.message_user(request, admin_roster.refusal_message(exc), level=messages.ERROR)
                    return redirect("admin:scheduling_nurseshift_change", shift.pk)
                self.message_user(request, f"Removed the shift {shift}.", level=messages.SUCCESS)
                return redirect("admin:scheduling_nurseshift_changelist")
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        # The bulk delete would skip the roster's rule.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Start", ordering="start")
    def local_start(self, shift):
        return local_label(shift.start, shift.site)

    @admin.display(description="End", ordering="end")
    def local_end(self, shift):
        return local_label(shift.end, shift.site)


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site"]
    list_filter = ["site"]


def local_label(moment, site) -> str:
    """A stored time in its site's zone, labelled: "Tue 02 Mar 2027 09:30 EST"."""
    if moment is None:
        return "-"
    return f"{moment.astimezone(site.zone):%a %d %b %Y %H:%M %Z}"


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = [
        "when",
        "kind",
        "by",
        "moved_from",
        "moved_to",
        "from_chair",
        "to_chair",
        "from_status",
        "to_status",
        "reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking__site", "by", "from_chair", "to_chair")

    @admin.display(description="At")
    def when(self, event):
        return local_label(event.at, event.booking.site)

    @admin.display(description="From start")
    def moved_from(self, event):
        return local_label(event.from_start, event.booking.site)

    @admin.display(description="To start")
    def moved_to(self, event):
        return local_label(event.to_start, event.booking.site)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BookingRescheduleForm(forms.Form):
    start = forms.DateTimeField(
        help_text="New start, local time of the site, e.g. 2027-03-02 10:00.",
        widget=forms.DateTimeInput(attrs={"placeholder": "YYYY-MM-DD HH:MM"}),
    )
    chair = forms.ModelChoiceField(
        queryset=Chair.objects.none(), required=False, help_text="Empty: same chair."
    )
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = Chair.objects.filter(site=site, is_active=True)
        abbreviation = timezone.now().astimezone(site.zone).strftime("%Z")
        where = f"{site.name}'s local time ({abbreviation}, {site.time_zone})"
        self.fields["start"].help_text = f"New start in {where}, e.g. 2027-03-02 10:00."


class BookingCancelForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="Why; kept in the booking's history.")


class BookingNoShowForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False)


def _local(booking: Booking, start):
    # The form read the time in the user's site zone (scheduling/zones.py); it is the booking's site's.
    return timezone.make_naive(start, timezone.get_current_timezone()).replace(tzinfo=booking.site.zone)


# Each booking change calls the service the API's action calls; history is kept.
BOOKING_CHANGES = {
    "reschedule": ActionPage(
        BookingRescheduleForm,
        "Move booking",
        "Move",
        run=lambda request, booking, data: services.booking_reschedule(
            booking=booking,
            start=_local(booking, data["start"]),
            chair=data["chair"],
            by=request.user,
            reason=data["reason"],
        ),
        form_kwargs=lambda booking: {"site": booking.site},
    ),
    "cancel": ActionPage(
        BookingCancelForm,
        "Cancel booking",
        "Cancel booking",
        run=lambda request, booking, data: services.booking_cancel(
            booking=booking, reason=data["reason"], by=request.user
        ),
    ),
    "no-show": ActionPage(
        BookingNoShowForm,
        "Mark as no-show",
        "Mark no-show",
        run=lambda request, booking, data: services.booking_mark_no_show(
            booking=booking, by=request.user, reason=data["reason"]
        ),
    ),
}


@admin.register(Booking)
class BookingAdmin(ActionPagesMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "local_start", "site", "chair", "patient", "status_badge"]
    list_filter = ["site", "status"]
    search_fields = ["patient__mrn", "patient__family_name"]
    date_hierarchy = "start"
    inlines = [BookingEventInline]
    raw_id_fields = ["patient"]
    readonly_fields = [
        "site",
        "chair",
        "patient",
        "local_start",
        "local_end",
        "status",
        "patient_confirmation",
        "note",
        "cancel_reason",
        "created_by",
        "created_at",
        "board_link",
        "change_links",
        "related_links",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site", "chair", "patient")

    @admin.display(description="See also")
    def related_links(self, booking):
        # What apps above link from a booking (the waitlist's offers of the time it freed or filled).
        links = board_hooks.booking_page_links(booking)
        return format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in links)) or "-"

    action_pages = BOOKING_CHANGES
    action_permission = "scheduling.change_booking"
    action_url_name = "scheduling_booking_change_action"
    action_template = "admin/scheduling/booking_change.html"
    action_object_name = "booking"
    action_audit_label = "booking"

    def get_urls(self):
        return [*self.action_page_urls(), *super().get_urls()]

    def action_audited(self, booking):
        return [booking.patient]

    def action_page_context(self, booking):
        return {
            "local_start": booking.start.astimezone(booking.site.zone),
            "local_when": local_label(booking.start, booking.site),
        }

    @admin.display(description="Change")
    def change_links(self, booking):
        if not booking.is_active:
            return "-"
        return self.action_links(booking, ((action, page.title) for action, page in BOOKING_CHANGES.items()))

    def has_add_permission(self, request):
        # An infusion is booked from its order (infusions' "Book next cycle"), which takes the session's
        # length from the plan and checks safety, authorization and the interval; a free-form booking
        # form here could book an infusion without its order, so there is none.
        return False

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.readonly_fields})]

    def has_change_permission(self, request, obj=None):
        # The change page is for reading; moving, cancelling and no-shows have their own pages
        # (clinic.admin_actions), which go through the services like the API's actions.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Start", ordering="start")
    def local_start(self, booking):
        return local_label(booking.start, booking.site)

    @admin.display(description="End", ordering="end")
    def local_end(self, booking):
        return local_label(booking.end, booking.site)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, booking):
        return format_html(
            '<span style="color:#fff;background:{};padding:1px 6px;border-radius:3px">{}</span>',
            STATUS_COLOURS.get(booking.status, "#555"),
            booking.get_status_display(),
        )

    @admin.display(description="Confirmed by the patient")
    def patient_confirmation(self, booking):
        # Set from the patient's reminder link (selfservice); what else they did there is in the history
        # below, each change's reason starting "Patient via link".
        if booking.confirmed_at is None:
            return "Not confirmed"
        return f"Confirmed {local_label(booking.confirmed_at, booking.site)}"

    @admin.display(description="Day board")
    def board_link(self, booking):
        day = booking.start.astimezone(booking.site.zone).date()
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:scheduling_site_board", args=[booking.site_id, day.isoformat()]),
            f"{booking.site.name}, {day:%d %b %Y}",
        )


# The schedule optimiser's proposals (scheduling/proposal_views.py).
from scheduling.proposal_views import ProposalAdmin  # noqa: E402

admin.site.register(Proposal, ProposalAdmin)

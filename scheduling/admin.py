"""The chair calendar in the admin: sites with hours, closures and chairs; nurse shifts; bookings; and
the day board (chairs x time, nurse load against capacity) with its week view of utilisation."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.admin_actions import ActionPage, ActionPagesMixin, form_errors_from
from clinic.audit import AuditedAdminMixin, record_access
from clinic.errors import Conflict
from scheduling import access, selectors, services
from scheduling.booking_template import template_build_queue, template_summary
from scheduling.models import (
    MAX_SESSION,
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

STATUS_COLOURS = {
    "booked": "#2f6fb0",
    "checked_in": "#7a4fb5",
    "in_progress": "#d08a00",
    "completed": "#3c8d40",
    "cancelled": "#9a9a9a",
    "no_show": "#c0392b",
}


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
            '<a href="{}">Day board</a> · <a href="{}">Week</a>',
            reverse("admin:scheduling_site_board", args=[site.pk, today.isoformat()]),
            reverse("admin:scheduling_site_week", args=[site.pk, today.isoformat()]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:site_id>/board/", view(self.board_today), name="scheduling_site_board_today"),
            path("<int:site_id>/board/<str:day>/", view(self.board_view), name="scheduling_site_board"),
            path("<int:site_id>/week/<str:day>/", view(self.week_view), name="scheduling_site_week"),
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
            "rows": _bar_rows(board),
            "load": _load_cells(board),
            "hours": [
                {"label": f"{slot:%H:%M}", "left": f"{100 * i / len(board.slots):.3f}"}
                for i, slot in enumerate(board.slots)
                if slot.minute == 0
            ],
            "previous": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
            "week_day": day.isoformat(),
            "colours": STATUS_COLOURS,
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


def _bar_rows(board):
    """Each chair with its bookings as bars: left and width in percent of the open day."""
    if not board.slots:
        return [{"chair": row.chair, "bars": []} for row in board.rows]
    first = board.slots[0]
    length = (len(board.slots) * board.site.grid_minutes) * 60
    zone = board.site.zone
    rows = []
    for row in board.rows:
        bars = []
        for booking in row.bookings:
            left = max(0.0, (booking.start - first).total_seconds() / length * 100)
            right = min(100.0, (booking.end - first).total_seconds() / length * 100)
            bars.append(
                {
                    "booking": booking,
                    "left": f"{left:.3f}",
                    "width": f"{max(right - left, 0.5):.3f}",
                    "colour": STATUS_COLOURS.get(booking.status, "#555"),
                    "times": f"{booking.start.astimezone(zone):%H:%M}-{booking.end.astimezone(zone):%H:%M}",
                    "url": reverse("admin:scheduling_booking_change", args=[booking.pk]),
                    "inactive": booking.status in ("cancelled", "no_show"),
                }
            )
        rows.append({"chair": row.chair, "bars": bars})
    return rows


def _load_cells(board):
    cells = []
    for slot, load, capacity in zip(board.slots, board.load, board.capacity, strict=True):
        ratio = load / capacity if capacity else (1.0 if load else 0.0)
        level = "over" if load > capacity else "full" if ratio >= 1 else "near" if ratio >= 0.75 else "ok"
        cells.append({"time": f"{slot:%H:%M}", "load": load, "capacity": capacity, "level": level})
    return cells


@admin.register(NurseShift)
class NurseShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "nurse", "start", "end"]
    list_filter = ["site"]
    date_hierarchy = "start"


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site"]
    list_filter = ["site"]


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = [
        "at",
        "kind",
        "by",
        "from_start",
        "to_start",
        "from_chair",
        "to_chair",
        "from_status",
        "to_status",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BookingAddForm(forms.ModelForm):
    """Books through `booking_create`, so the admin obeys every rule the API does."""

    start = forms.DateTimeField(
        help_text="Local time of the chair's site, e.g. 2027-03-02 10:00.",
        widget=forms.DateTimeInput(attrs={"placeholder": "YYYY-MM-DD HH:MM"}),
    )
    duration_minutes = forms.IntegerField(
        min_value=1, max_value=int(MAX_SESSION.total_seconds() // 60), initial=240
    )

    class Meta:
        model = Booking
        # No order here: a booking joins an order's cycle only through the order's booking (infusions).
        fields = ["chair", "patient", "start", "duration_minutes", "note"]

    def _post_clean(self):
        if self.errors:
            return
        data = self.cleaned_data
        chair = data["chair"]
        # The admin's current time zone is UTC; staff think in the site's local time.
        start = timezone.make_naive(data["start"], timezone.get_current_timezone()).replace(
            tzinfo=chair.site.zone
        )
        try:
            self.instance = services.booking_create(
                patient=data["patient"],
                chair=chair,
                start=start,
                duration_minutes=data["duration_minutes"],
                created_by=self.user,
                note=data.get("note", ""),
            )
        except (ValidationError, Conflict) as exc:
            form_errors_from(self, exc)


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


class BookingCancelForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="Why; kept in the booking's history.")


class BookingNoShowForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False)


def _local(booking: Booking, start):
    # The admin's current time zone is UTC; staff think in the site's local time.
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
        "start",
        "end",
        "status",
        "note",
        "cancel_reason",
        "created_by",
        "created_at",
        "board_link",
        "change_links",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site", "chair", "patient")

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
        return {"local_start": booking.start.astimezone(booking.site.zone)}

    @admin.display(description="Change")
    def change_links(self, booking):
        if not booking.is_active:
            return "-"
        return self.action_links(booking, ((action, page.title) for action, page in BOOKING_CHANGES.items()))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("BookingAddForm", (BookingAddForm,), {"user": request.user})
            kwargs["fields"] = BookingAddForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": BookingAddForm.Meta.fields})]
        return [(None, {"fields": self.readonly_fields})]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        # booking_create saved it while validating the form; bookings change through the services only.
        pass

    def has_change_permission(self, request, obj=None):
        # The change page is for reading; moving, cancelling and no-shows have their own pages
        # (clinic.admin_actions), which go through the services like the API's actions.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Start (local)", ordering="start")
    def local_start(self, booking):
        return f"{booking.start.astimezone(booking.site.zone):%Y-%m-%d %H:%M}"

    @admin.display(description="Status", ordering="status")
    def status_badge(self, booking):
        return format_html(
            '<span style="color:#fff;background:{};padding:1px 6px;border-radius:3px">{}</span>',
            STATUS_COLOURS.get(booking.status, "#555"),
            booking.get_status_display(),
        )

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

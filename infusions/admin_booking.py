"""Booking an order's cycles from the admin: the slot finder and the cycle-by-cycle preview.

`/admin/infusions/treatmentorder/<id>/book/` finds the slots the order's next cycle fits
(`infusions.slot_search`), drawn on a small day board; choosing one opens `.../book/confirm/`, which
previews the cycle (or the next N) by running the very services that book it (`cycles.cycle_book`,
`series.series_book`) in a transaction that is then rolled back, and books for real on confirmation.
So the desk obeys every rule the API does (plan-derived duration, safety checks, authorization, the
interval, the calendar) and states none of its own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clinic.audit import record_access
from clinic.errors import Conflict
from infusions import cycles, selectors, series, slot_search
from infusions.models import CycleDay, InfusionPolicy, OrderStatus, TreatmentOrder
from scheduling import access
from scheduling import selectors as calendar
from scheduling.availability import MAX_RANGE_DAYS
from scheduling.models import Chair, ChairKind, Site

FINDER_DAYS = 14  # the finder looks two weeks from the cycle's due day unless told otherwise
WEEKDAYS = [(str(n), name) for n, name in enumerate(slot_search.WEEKDAY_NAMES)]


def local(moment: datetime, zone) -> datetime:
    return moment.astimezone(zone)


def when(start: datetime, end: datetime, zone) -> str:
    """'Tue 23 Mar 2027, 09:00-13:15 EDT': a session in its site's zone, labelled."""
    a, b = local(start, zone), local(end, zone)
    return f"{a:%a %d %b %Y}, {a:%H:%M}-{b:%H:%M} {a:%Z}"


def may_book(user) -> bool:
    return user.has_perm("scheduling.add_booking") and user.has_perm("infusions.view_treatmentorder")


def book_links(order: TreatmentOrder) -> list[tuple[str, str]]:
    """The order's booking actions as (url, label), for the order and patient pages."""
    url = reverse("admin:infusions_treatmentorder_book", args=[order.pk])
    links = [(url, "Book next cycle")]
    if order.interval_days:
        links.append((f"{url}?{urlencode({'cycles': 4})}", "Book the next N cycles"))
    return links


class SlotFinderForm(forms.Form):
    cycles = forms.IntegerField(
        label="Cycles to book",
        min_value=1,
        max_value=series.MAX_SERIES,
        initial=1,
        help_text="More than 1: the next cycles at the order's interval, previewed one by one.",
    )
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any day.",
    )
    part_of_day = forms.ChoiceField(
        choices=[("", "Any time"), ("morning", "Morning (starts before 12:00)"), ("afternoon", "Afternoon")],
        required=False,
    )
    chair_type = forms.ChoiceField(choices=[("", "Any chair"), *ChairKind.choices], required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, empty_label="Every site")

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() <= 1:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", "The range ends before it starts.")
            elif (last - first).days > MAX_RANGE_DAYS:
                self.add_error("date_to", f"Search at most {MAX_RANGE_DAYS} days at once.")
        return data


def _order(request, order_id) -> TreatmentOrder:
    if not may_book(request.user):
        raise PermissionDenied
    return get_object_or_404(selectors.order_list(), pk=order_id)


def _board_pictures(search: slot_search.SlotSearch) -> list[dict]:
    """The days that have choices, as small day boards: each chair's lane with what is booked (no names)
    and the choices on it, numbered by rank."""
    by_site_day: dict[tuple[int, date], list[slot_search.Choice]] = {}
    sites = {}
    for choice in search.choices:
        key = (choice.slot.site.pk, choice.slot.local_start.date())
        by_site_day.setdefault(key, []).append(choice)
        sites[choice.slot.site.pk] = choice.slot.site
    pictures = []
    for site_id in sites:
        site = sites[site_id]
        days = sorted(day for s, day in by_site_day if s == site_id)
        boards = calendar.site_days(site, days[0], (days[-1] - days[0]).days + 1)
        for board in boards:
            todays = by_site_day.get((site_id, board.day))
            if not todays or not board.slots:
                continue
            first = board.slots[0]
            length = len(board.slots) * site.grid_minutes * 60

            def place(start, end, first=first, length=length):
                left = max(0.0, (start - first).total_seconds() / length * 100)
                right = min(100.0, (end - first).total_seconds() / length * 100)
                return f"{left:.2f}", f"{max(right - left, 0.5):.2f}"

            lanes = []
            for row in board.rows:
                bars = []
                for booking in row.bookings:
                    if booking.status in ("cancelled", "no_show"):
                        continue
                    left, width = place(booking.start, booking.end)
                    bars.append({"left": left, "width": width})
                picks = []
                for choice in todays:
                    if choice.slot.chair.pk == row.chair.pk:
                        left, width = place(choice.slot.start, choice.slot.end)
                        picks.append(
                            {
                                "left": left,
                                "width": width,
                                "choice": choice,
                                "label": f"#{choice.rank} {choice.slot.local_start:%H:%M %Z}",
                            }
                        )
                lanes.append({"chair": row.chair, "bars": bars, "picks": picks})
            hours = [
                {"label": f"{slot:%H:%M}", "left": f"{100 * i / len(board.slots):.2f}"}
                for i, slot in enumerate(board.slots)
                if slot.minute == 0
            ]
            pictures.append({"site": site, "day": board.day, "lanes": lanes, "hours": hours})
    return pictures


def finder_view(model_admin, request, order_id):
    """The slot finder: the order's next cycle (or N), the slots it fits and why none does."""
    order = _order(request, order_id)
    sites = access.access_sites(request.user).order_by("name")
    zone = (sites.first() or Site(time_zone=timezone.get_default_timezone_name())).zone
    today = timezone.now().astimezone(zone).date()
    due, earliest = slot_search.cycle_due(order, zone=zone, today=today)
    initial = {
        "cycles": request.GET.get("cycles", 1),
        "date_from": due.isoformat(),
        "date_to": (due + timedelta(days=FINDER_DAYS - 1)).isoformat(),
    }
    searched = "date_from" in request.GET
    form = SlotFinderForm(request.GET if searched else initial, sites=sites)
    search, rows, pictures, wanted = None, [], [], 1
    if form.is_valid():
        q = form.cleaned_data
        wanted = q["cycles"]
        chosen_sites = sites.filter(pk=q["site"].pk) if q.get("site") else sites
        search = slot_search.order_slot_search(
            order=order,
            sites=chosen_sites,
            date_from=q["date_from"],
            date_to=q["date_to"],
            weekdays={int(w) for w in q["weekdays"]} or None,
            part_of_day=q["part_of_day"] or None,
            chair_type=q["chair_type"] or None,
            today=today,
        )
        confirm_url = reverse("admin:infusions_treatmentorder_book_confirm", args=[order.pk])
        pictures = _board_pictures(search)
        for choice in search.choices:
            zone_here = choice.slot.site.zone
            rows.append(
                {
                    "choice": choice,
                    "when": when(choice.slot.start, choice.slot.end, zone_here),
                    "url": f"{confirm_url}?"
                    + urlencode(
                        {
                            "chair": choice.slot.chair.pk,
                            "start": choice.slot.start.isoformat(),
                            "cycles": wanted,
                        }
                    ),
                }
            )
        urls = {row["choice"].rank: row["url"] for row in rows}
        for picture in pictures:
            for lane in picture["lanes"]:
                for pick in lane["picks"]:
                    pick["url"] = urls[pick["choice"].rank]
    record_access(request, [order.patient], via="admin", detail="slot finder")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": TreatmentOrder._meta,
        "title": f"Book {'the next cycles' if wanted > 1 else 'the next cycle'}: {order}",
        "order": order,
        "form": form,
        "search": search,
        "rows": rows,
        "pictures": pictures,
        "due": due,
        "earliest": earliest,
        "wanted": wanted,
        "booked": _booked_cycles(order, zone),
    }
    return TemplateResponse(request, "admin/infusions/order_book.html", context)


def _booked_cycles(order: TreatmentOrder, zone) -> list[str]:
    return [
        f"Cycle {number}: {day:%a %d %b %Y}" if number else f"Session: {day:%a %d %b %Y}"
        for day, number in cycles.live_cycle_days(order.pk, zone)
    ]


@dataclass
class CycleRow:
    """One cycle of a preview or of what was booked, in words and local time."""

    index: int
    status: str
    title: str
    cycle: int | None = None
    target: str = ""
    days: list[dict] = field(default_factory=list)
    code: str = ""
    detail: str = ""
    moved: bool = False

    real: bool = False

    @property
    def label(self) -> str:
        return {
            series.BOOKED: ("Booked" if self.real else "Will be booked") + (", moved" if self.moved else ""),
            series.ALREADY_BOOKED: "Already booked",
            series.NOT_PLACED: "Cannot be placed",
        }[self.status]


def _title(outcome: series.CycleOutcome, of: str, count: int) -> str:
    cycle = f"Cycle {outcome.cycle}{of}" if outcome.cycle else "No cycle number"
    return f"{outcome.index} of {count}: {cycle}" if count > 1 else cycle


def _rows(order: TreatmentOrder, outcomes: list[series.CycleOutcome], *, real: bool) -> list[CycleRow]:
    rows = []
    of = f" of {order.cycles}" if order.cycles else ""
    for outcome in outcomes:
        zone = outcome.bookings[0].site.zone if outcome.bookings else outcome.target.tzinfo
        days = []
        for n, booking in enumerate(outcome.bookings, start=1):
            day = {
                "label": f"Day {n} of {len(outcome.bookings)}: " if len(outcome.bookings) > 1 else "",
                "when": when(booking.start, booking.end, booking.site.zone),
                "chair": booking.chair.name,
                "site": booking.site.name,
            }
            if real or outcome.status == series.ALREADY_BOOKED:
                day["url"] = reverse("admin:scheduling_booking_change", args=[booking.pk])
            days.append(day)
        target = local(outcome.target, zone)
        rows.append(
            CycleRow(
                index=outcome.index,
                status=outcome.status,
                title=_title(outcome, of, len(outcomes)),
                cycle=outcome.cycle,
                target=f"{target:%a %d %b %Y %H:%M %Z}",
                days=days,
                code=outcome.code,
                detail=outcome.detail,
                moved=outcome.moved,
                real=real,
            )
        )
    return rows


class _Preview(Exception):
    """Raised to roll a preview's bookings back; carries what the services answered."""

    def __init__(self, outcomes):
        super().__init__("preview")
        self.outcomes = outcomes


def _run(*, order, chair, start, wanted, by, early_reason, real: bool) -> list[series.CycleOutcome]:
    """Book `wanted` cycles from `start` in `chair` through the services; when not `real`, roll back."""

    def book():
        if wanted > 1:
            return series.series_book(
                order=order,
                first_start=start,
                cycles=wanted,
                chair=chair,
                created_by=by,
                early_reason=early_reason,
            )
        outcome = series.CycleOutcome(index=1, target=start, status=series.NOT_PLACED)
        try:
            outcome.bookings = cycles.cycle_book(
                order=order, chair=chair, start=start, created_by=by, early_reason=early_reason
            )
        except Conflict as exc:
            outcome.code, outcome.detail = exc.code, exc.detail
        except ValidationError as exc:
            outcome.code, outcome.detail = series.validation_code(exc)
        else:
            outcome.status, outcome.cycle = series.BOOKED, outcome.bookings[0].cycle_day.cycle
        return [outcome]

    if real:
        return book()
    try:
        with transaction.atomic():
            outcomes = book()
            for outcome in outcomes:  # read what the page shows before the rows vanish
                for booking in outcome.bookings:
                    _ = (booking.site.zone, booking.chair.name)
            raise _Preview(outcomes)
    except _Preview as preview:
        return preview.outcomes


class ConfirmForm(forms.Form):
    early_reason = forms.CharField(
        label="Reason to book early",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the cycle: why it is booked nearer the last one than its interval allows.",
    )


def confirm_view(model_admin, request, order_id):
    """Preview the cycle(s) from the chosen slot; POST books them and shows what was booked."""
    order = _order(request, order_id)
    params = request.POST if request.method == "POST" else request.GET
    chairs = access.access_chairs(request.user, Chair.objects.select_related("site"))
    chair = get_object_or_404(chairs, pk=params.get("chair") or 0)
    try:
        start = datetime.fromisoformat(params.get("start", ""))
        wanted = int(params.get("cycles", 1))
    except ValueError:
        raise PermissionDenied from None  # a made-up URL: the finder always sends an aware start
    if timezone.is_naive(start) or not 1 <= wanted <= series.MAX_SERIES:
        raise PermissionDenied
    form = ConfirmForm(request.POST or None)
    real = request.method == "POST" and form.is_valid()
    reason = form.cleaned_data.get("early_reason", "").strip() if real else ""
    run = {"order": order, "chair": chair, "start": start, "wanted": wanted, "by": request.user}
    outcomes = _run(**run, early_reason=reason, real=False)
    needs_reason = any(o.code == "interval_too_soon" for o in outcomes)
    if real and needs_reason and not reason:
        # Booked without the reason, the early cycle would be left out: ask again rather than half-book.
        form.add_error("early_reason", "Give a reason to book a cycle this early, or choose a later slot.")
        real = False
    if real:
        outcomes = _run(**run, early_reason=reason, real=True)
    rows = _rows(order, outcomes, real=real)
    if real:
        booked = sum(1 for row in rows if row.status == series.BOOKED)
        level = messages.SUCCESS if booked else messages.WARNING
        messages.add_message(request, level, f"{booked} of {len(rows)} cycle(s) booked.")
    record_access(request, [order.patient], via="admin", detail="book cycles")
    zone = chair.site.zone
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": TreatmentOrder._meta,
        "title": ("Booked: " if real else "Check and book: ") + str(order),
        "order": order,
        "rows": rows,
        "real": real,
        "form": form,
        "needs_reason": needs_reason and not real,
        "reason_errors": form.errors.get("early_reason"),
        "bookable": any(row.status == series.BOOKED for row in rows) or needs_reason,
        "chair": chair,
        "start": start.isoformat(),
        "start_label": f"{local(start, zone):%a %d %b %Y %H:%M %Z}",
        "wanted": wanted,
        "tolerance": InfusionPolicy.current().early_cycle_tolerance_days,
        "board_url": reverse(
            "admin:scheduling_site_board", args=[chair.site_id, local(start, zone).date().isoformat()]
        ),
    }
    return TemplateResponse(request, "admin/infusions/order_book_confirm.html", context)


def booking_words(bookings) -> dict[int, str]:
    """The day board's words for the bookings that are an order's cycle days (scheduling.board_hooks):
    product, cycle n of N, day d of D. One query."""
    days = CycleDay.objects.filter(booking_id__in=[b.pk for b in bookings]).select_related("order__product")
    words = {}
    for day in days:
        order = day.order
        if day.cycle is None:
            words[day.booking_id] = f"{order.product.brand} · order {order.pk}"
            continue
        of = f" of {order.cycles}" if order.cycles else ""
        split = f" · day {day.day} of {order.split_days}" if order.split_days > 1 else ""
        words[day.booking_id] = f"{order.product.brand} · cycle {day.cycle}{of}{split}"
    return words


def book_here_url() -> str:
    return reverse("admin:infusions_treatmentorder_book_here")


def book_here_view(model_admin, request):
    """Free space clicked on the day board: pick the patient's order to book into that chair and time."""
    if not may_book(request.user):
        raise PermissionDenied
    chairs = access.access_chairs(request.user, Chair.objects.select_related("site"))
    chair = get_object_or_404(chairs, pk=request.GET.get("chair") or 0)
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        raise PermissionDenied from None
    if timezone.is_naive(start):
        raise PermissionDenied
    query = (request.GET.get("q") or "").strip()
    orders = selectors.order_list().filter(status=OrderStatus.ACTIVE).select_related("patient", "product")
    if query:
        orders = orders.filter(
            Q(patient__mrn__iexact=query)
            | Q(patient__family_name__icontains=query)
            | Q(patient__given_name__icontains=query)
        )
    orders = list(orders.order_by("patient__family_name", "patient__given_name", "pk")[:25])
    record_access(request, [o.patient for o in orders], via="admin", detail="book here")
    zone = chair.site.zone
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": TreatmentOrder._meta,
        "title": f"Book {chair.name} at {local(start, zone):%a %d %b %Y %H:%M %Z}",
        "chair": chair,
        "start": start.isoformat(),
        "query": query,
        "rows": [
            {
                "order": order,
                "url": reverse("admin:infusions_treatmentorder_book_confirm", args=[order.pk])
                + "?"
                + urlencode({"chair": chair.pk, "start": start.isoformat(), "cycles": 1}),
            }
            for order in orders
        ],
        "board_url": reverse(
            "admin:scheduling_site_board", args=[chair.site_id, local(start, zone).date().isoformat()]
        ),
    }
    return TemplateResponse(request, "admin/infusions/order_book_here.html", context)

"""The nurse roster in the admin: a week of a site's nurses by day, where shifts are added and
removed, and "copy this week forward". Every write goes through `scheduling.roster`, which refuses a
change that would leave bookings without nurses and names them; the page shows those bookings."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from clinic.errors import Conflict
from scheduling import roster
from scheduling.models import NurseShift, Site
from scheduling.selectors import day_bounds


class ShiftAddForm(forms.Form):
    name = forms.CharField(label="Nurse", max_length=100)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(
        label="From", initial=time(7, 30), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(label="To", initial=time(18, 30), widget=forms.TimeInput(attrs={"type": "time"}))


def refusal_message(exc: Conflict):
    """The refusal with each named booking linked, for a message on the page."""
    links = format_html_join(
        ", ",
        '<a href="{}">booking #{}</a>',
        ((reverse("admin:scheduling_booking_change", args=[pk]), pk) for pk in exc.extra.get("bookings", [])),
    )
    return format_html("{} Open: {}", exc.detail, links)


def _shift_label(shift: NurseShift, zone) -> str:
    start, end = shift.start.astimezone(zone), shift.end.astimezone(zone)
    return f"{start:%H:%M}-{end:%H:%M} {start:%Z}"


def roster_view(model_admin, request, site_id, day):
    if not request.user.has_perm("scheduling.view_nurseshift"):
        raise PermissionDenied
    site = get_object_or_404(Site, pk=site_id)
    try:
        monday = date.fromisoformat(day)
    except ValueError:
        raise PermissionDenied from None
    monday -= timedelta(days=monday.weekday())
    here = reverse("admin:scheduling_site_roster", args=[site.pk, monday.isoformat()])
    form = ShiftAddForm(
        request.POST if request.POST.get("action") == "add" else None, initial={"day": monday}
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "copy":
                if not request.user.has_perm("scheduling.add_nurseshift"):
                    raise PermissionDenied
                done = roster.roster_copy_week(site=site, monday=monday)
                after = monday + timedelta(days=7)
                messages.success(
                    request,
                    f"Copied to the week of {after:%d %b %Y}: {done.created} shift(s) added"
                    + (f", {done.skipped} already there." if done.skipped else "."),
                )
                return redirect(here)
            if action == "remove":
                if not request.user.has_perm("scheduling.delete_nurseshift"):
                    raise PermissionDenied
                shift = get_object_or_404(NurseShift, pk=request.POST.get("shift") or 0, site=site)
                label = f"{shift.name or shift.nurse} {_shift_label(shift, site.zone)}"
                roster.shift_remove(shift=shift)
                messages.success(request, f"Removed {label}.")
                return redirect(here)
            if action == "add":
                if not request.user.has_perm("scheduling.add_nurseshift"):
                    raise PermissionDenied
                if form.is_valid():
                    data = form.cleaned_data
                    start = datetime.combine(data["day"], data["starts"], tzinfo=site.zone)
                    end = datetime.combine(data["day"], data["ends"], tzinfo=site.zone)
                    if end <= start:
                        end += timedelta(days=1)  # a night shift ends the next morning
                    roster.shift_save(site=site, start=start, end=end, name=data["name"])
                    messages.success(request, f"Added {data['name']} on {data['day']:%a %d %b}.")
                    return redirect(here)
        except Conflict as exc:
            messages.error(request, refusal_message(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    days = [monday + timedelta(days=n) for n in range(7)]
    begin, _ = day_bounds(site, monday)
    _, finish = day_bounds(site, days[-1])
    shifts = list(
        NurseShift.objects.filter(site=site, start__lt=finish, end__gt=begin)
        .select_related("nurse")
        .order_by("start", "pk")
    )
    grid: dict[str, dict[date, list]] = defaultdict(lambda: defaultdict(list))
    for shift in shifts:
        who = shift.name or (
            shift.nurse.get_full_name() or shift.nurse.get_username() if shift.nurse else "Nurse"
        )
        on = shift.start.astimezone(site.zone).date()
        grid[who][on].append({"shift": shift, "label": _shift_label(shift, site.zone)})
    rows = [{"nurse": who, "cells": [grid[who].get(d, []) for d in days]} for who in sorted(grid)]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Site._meta,
        "title": f"{site.name}: nurse roster, week of {monday:%d %B %Y}",
        "site": site,
        "days": days,
        "rows": rows,
        "counts": [sum(1 for row in rows if row["cells"][n]) for n in range(7)],
        "form": form,
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "may_add": request.user.has_perm("scheduling.add_nurseshift"),
        "may_remove": request.user.has_perm("scheduling.delete_nurseshift"),
    }
    return TemplateResponse(request, "admin/scheduling/roster.html", context)


class NurseShiftForm(forms.ModelForm):
    """The NurseShift admin's form: saved by `roster.shift_save`, so a change that leaves bookings
    without nurses is refused here as on the roster page, naming them."""

    class Meta:
        model = NurseShift
        fields = ["site", "nurse", "name", "start", "end"]

    def _post_clean(self):
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.instance = roster.shift_save(
                site=data["site"],
                start=data["start"],
                end=data["end"],
                shift=self.instance if self.instance.pk else None,
                name=data.get("name", ""),
                nurse=data.get("nurse"),
            )
        except Conflict as exc:
            self.add_error(None, ValidationError(refusal_message(exc), code=exc.code))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)

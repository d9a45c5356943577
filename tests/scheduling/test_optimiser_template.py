"""The weekly booking template: built from the last weeks of demand, preferred by availability."""

from datetime import timedelta

import pytest

from scheduling.availability import find_slots
from scheduling.booking_template import template_build
from scheduling.models import Site
from scheduling.optimiser import Chair
from scheduling.optimiser.template import WeekdayInput, duration_band, template_has_room, weekday_template
from tests.factories import PatientFactory
from tests.scheduling.conftest import NEW_YORK, TUESDAY, at
from tests.scheduling.factories import BookingFactory, NurseShiftFactory


def test_duration_bands_are_by_chair_hours():
    assert [duration_band(m) for m in (120, 180, 181, 240, 255, 360, 420, 660)] == [
        180,
        180,
        240,
        240,
        300,
        360,
        480,
        9999,
    ]


def test_a_typical_day_of_four_four_hour_sessions_is_spread_two_at_a_time():
    # Ten Tuesdays, each with four 4-hour sessions (40 in all): a typical Tuesday has four.
    day = WeekdayInput(
        weekday=1, opens=28, closes=76, shifts=((24, 80), (24, 80)), sessions_minutes=(240,) * 40, weeks=10
    )
    template = weekday_template(
        day, chairs=tuple(Chair(i) for i in range(6)), grid=15, patients_per_nurse=4, starts_per_nurse=1
    )
    starts = template[240]
    assert len(starts) == 4
    at_once = max(sum(1 for s in starts if s <= t < s + 16) for t in range(28, 76))
    assert at_once == 2


def test_a_weekday_without_history_has_no_template():
    day = WeekdayInput(weekday=3, opens=28, closes=76, shifts=((24, 80),), sessions_minutes=(), weeks=10)
    assert weekday_template(day, chairs=(Chair(1),), grid=15, patients_per_nurse=4, starts_per_nurse=1) == {}


def test_template_room_counts_what_is_already_booked():
    template = {"days": {"1": {"240": ["09:00", "09:00", "13:00"]}}}
    assert template_has_room(template, weekday=1, minutes=240, start="09:00", booked=1)
    assert not template_has_room(template, weekday=1, minutes=240, start="09:00", booked=2)
    assert not template_has_room(template, weekday=1, minutes=300, start="09:00", booked=0)
    assert not template_has_room(template, weekday=2, minutes=240, start="09:00", booked=0)


@pytest.fixture
def history(clinic, chairs):
    """Ten past Tuesdays, each with four 4-hour sessions all at 10:00 (the peak the template undoes)."""
    for week in range(1, 11):
        day = TUESDAY - timedelta(days=7 * week)
        for chair in chairs[:4]:
            BookingFactory(chair=chair, patient=PatientFactory(), start=at("10:00", day), status="completed")
        for name in ("Nell", "Omar"):
            NurseShiftFactory(site=clinic, name=name, start=at("06:00", day), end=at("20:00", day))
    return clinic


@pytest.mark.django_db
def test_the_site_template_levels_the_history_and_availability_offers_it_first(
    history, django_assert_num_queries
):
    template = template_build(site=history, weeks=10)
    stored = Site.objects.get(pk=history.pk).booking_template
    assert stored == template and stored["weeks"] == 10
    tuesday = stored["days"]["1"]["240"]
    assert len(tuesday) == 4
    assert tuesday.count("10:00") < 4  # not the peak it was built from
    assert "0" not in stored["days"]  # no Monday history, no Monday template

    site = Site.objects.filter(pk=history.pk)
    with django_assert_num_queries(5):  # as without a template: it comes with the site
        slots = find_slots(sites=site, duration_minutes=240, date_from=TUESDAY, date_to=TUESDAY, limit=60)
    times = [f"{s.start.astimezone(NEW_YORK):%H:%M}" for s in slots]
    in_template = [t in tuesday for t in times]
    first_out = in_template.index(False)
    assert first_out > 0 and not any(in_template[first_out:])  # template starts first, then the rest

    Site.objects.filter(pk=history.pk).update(booking_template={})
    plain = find_slots(sites=site, duration_minutes=240, date_from=TUESDAY, date_to=TUESDAY, limit=1)
    assert f"{plain[0].start.astimezone(NEW_YORK):%H:%M}" == "07:00"


@pytest.mark.django_db
def test_weeks_outside_eight_to_twelve_are_refused(clinic):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        template_build(site=clinic, weeks=4)


@pytest.mark.django_db
def test_the_site_admin_queues_the_build_and_shows_the_template(
    client, manager, history, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/scheduling/site/",
            {"action": "build_booking_template", "_selected_action": [history.pk]},
            follow=True,
        )
    assert (
        "on the optimiser&#x27;s queue" in response.content.decode()
        or "optimiser's queue" in response.content.decode()
    )
    assert len(callbacks) == 1
    template_build(site=history, weeks=10)
    page = client.get(f"/admin/scheduling/site/{history.pk}/change/").content.decode()
    assert "Tue: 3-4 h at" in page

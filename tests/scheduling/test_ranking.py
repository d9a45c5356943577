"""The day's ranking of bookable starts (scheduling/ranking.py), on plain values."""

from datetime import UTC, datetime

from scheduling.ranking import slot_rank

NINE, TEN, ELEVEN = (datetime(2027, 3, 2, h, tzinfo=UTC) for h in (9, 10, 11))


def _ranked(slots, flatten_peak=False):
    """slots: (name, start, peak_load, in_template); returns the names best first."""
    key = {
        name: slot_rank(
            in_template=template, flatten_peak=flatten_peak, peak_load=load, start=start, site_name="A"
        )
        for name, start, load, template in slots
    }
    return sorted(key, key=key.__getitem__)


def test_the_earliest_start_comes_first_when_the_site_does_not_flatten_the_peak():
    slots = [("late", ELEVEN, 0.1, False), ("early", NINE, 0.9, False), ("mid", TEN, 0.5, False)]

    assert _ranked(slots) == ["early", "mid", "late"]


def test_a_site_that_flattens_the_peak_offers_the_least_loaded_start_first():
    slots = [("late", ELEVEN, 0.1, False), ("early", NINE, 0.9, False), ("mid", TEN, 0.5, False)]

    assert _ranked(slots, flatten_peak=True) == ["late", "mid", "early"]


def test_a_start_of_the_weekly_template_beats_load_and_time():
    slots = [("early", NINE, 0.1, False), ("template", ELEVEN, 0.9, True)]

    assert _ranked(slots) == ["template", "early"]
    assert _ranked(slots, flatten_peak=True) == ["template", "early"]


def test_equal_slots_are_told_apart_by_the_sites_name():
    at_b = slot_rank(in_template=False, flatten_peak=False, peak_load=0.2, start=NINE, site_name="B")
    at_a = slot_rank(in_template=False, flatten_peak=False, peak_load=0.7, start=NINE, site_name="A")

    assert sorted([at_b, at_a]) == [at_a, at_b]

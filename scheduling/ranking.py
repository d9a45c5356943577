"""How `scheduling.availability` ranks the bookable starts of one day. Standard library only; tested on
plain values (tests/scheduling/test_ranking.py).

Three inputs, in this order of weight:

1. **the site's weekly template**: a start the template has for the weekday and duration band, not yet
   taken that day, comes before any other (scheduling/booking_template.py);
2. **the nurse load**, only at a site that prefers to flatten the peak (`Site.flatten_peak`): the slot
   whose busiest moment is least loaded (booked patients over nurse capacity) first;
3. **the start**: earliest first, then the site's name, so the order never depends on the query's.

Days are ranked before any of this (the caller walks them in order), so flattening never pushes a
patient to a later week; with `every_chair`, each free chair's slot at a start is ranked the same and
keeps the chairs' name order (the sort is stable).
"""

from datetime import datetime


def slot_rank(
    *, in_template: bool, flatten_peak: bool, peak_load: float, start: datetime, site_name: str
) -> tuple:
    """The sort key of one slot within its day: smaller is better."""
    return (not in_template, peak_load if flatten_peak else 0.0, start, site_name)

"""What the patient's pages say about a visit, in the active language: first name, date, local time with
its zone, the site's name, address and phone. Nothing clinical: no diagnosis, drug, MRN or birth date."""

from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from scheduling.models import Booking
from scheduling.reminders import local_texts
from selfservice.moves import MoveOffers, Offer


def when_texts(moment: datetime, booking: Booking) -> dict[str, str]:
    texts = local_texts(moment, booking.site)
    return {**texts, "time_zone": f"{texts['time_text']} {texts['zone_text']}"}


def visit_texts(booking: Booking) -> dict:
    site = booking.site
    confirmed = booking.confirmed_at
    return {
        "first_name": booking.patient.given_name,
        **when_texts(booking.start, booking),
        "site_name": site.name,
        "address_lines": [line.strip() for line in site.address.splitlines() if line.strip()],
        "phone": site.phone,
        "confirmed": confirmed is not None,
        "confirmed_text": when_texts(confirmed, booking)["date_text"] if confirmed else "",
    }


def offer_texts(booking: Booking, offer: Offer) -> dict[str, str]:
    return when_texts(offer.start, booking)


def offer_days(booking: Booking, offers: MoveOffers) -> list[dict]:
    zone = booking.site.zone
    return [
        {
            # The zone once per day (a fortnight may cross a DST change), not on every button.
            "label": formats.date_format(day.offers[0].start.astimezone(zone), "l j F")
            + " · "
            + day.offers[0].start.astimezone(zone).strftime("%Z"),
            "offers": [{"key": o.key, "label": offer_texts(booking, o)["time_text"]} for o in day.offers],
        }
        for day in offers.days
    ]


def no_offer_reason(code: str) -> str:
    """Why no other time is offered, in words for the patient ("" when times are offered)."""
    return {
        "": "",
        "no_time": _("We found no other free time in the next days. Please call us and we will find one."),
        "split_course": _(
            "This visit is one day of a course given over several days. Please call us to move it."
        ),
        "authorization": _("Your insurance approval covers no other day. Please call us to move this visit."),
        "order_not_active": _("Please call us to move this visit."),
        "not_booked": _("This visit can no longer be moved here. Please call us."),
    }.get(code, _("Please call us to move this visit."))

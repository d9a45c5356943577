"""Reads of the waitlist; each owns its joins, so a list's query count does not grow with its rows."""

from django.db.models import Count, Prefetch, QuerySet

from waitlist.models import FreedSlot, Offer, WaitlistEntry


def entry_list() -> QuerySet[WaitlistEntry]:
    offers = Offer.objects.select_related("slot__site", "slot__chair").order_by("-offered_at", "pk")
    return WaitlistEntry.objects.select_related("patient", "order__product").prefetch_related(
        Prefetch("offers", queryset=offers)
    )


def offer_list() -> QuerySet[Offer]:
    return Offer.objects.select_related("slot__site", "slot__chair", "entry__patient", "booking")


def freed_slot_list() -> QuerySet[FreedSlot]:
    return FreedSlot.objects.select_related("site", "chair", "freed_booking", "taken_offer").annotate(
        offer_count=Count("offers")
    )

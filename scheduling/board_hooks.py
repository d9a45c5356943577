"""What the apps above scheduling add to the admin's day board, without scheduling importing them.

The board draws bookings; which order's cycle a booking is, and how to book an order into free space,
are infusions'. Infusions registers both from its `admin.py`:

- `register_booking_words(fn)`: `fn(bookings) -> {booking_id: "Gammagard Liquid · cycle 3 of 6 ·
  day 1 of 2"}`, called once per board with every booking on it (one or two queries, not one per bar);
- `register_book_here(fn)`: `fn() -> url` of the page that books an order into a chair at a time (the
  board adds `?chair=<id>&start=<ISO 8601>` for the free space clicked).

And to a booking's admin page: `register_booking_page_links(fn)`: `fn(booking) -> [(label, url)]`
(the waitlist links the offers of the time the booking freed or was booked into).
"""

from collections.abc import Callable

_words: list[Callable] = []
_book_here: list[Callable] = []
_page_links: list[Callable] = []


def register_booking_words(fn: Callable) -> None:
    _words[:] = [fn]


def register_book_here(fn: Callable) -> None:
    _book_here[:] = [fn]


def booking_words(bookings: list) -> dict[int, str]:
    return _words[0](bookings) if _words and bookings else {}


def book_here_url() -> str:
    return _book_here[0]() if _book_here else ""


def register_booking_page_links(fn: Callable) -> None:
    if fn not in _page_links:
        _page_links.append(fn)


def booking_page_links(booking) -> list[tuple[str, str]]:
    return [link for fn in _page_links for link in fn(booking)]

"""The one parser of every report's filters, for the admin pages and the API alike.

    site     one or more site ids (`?site=1&site=2` or `?site=1,2`); every site the user sees when left out
    start    the first local day (YYYY-MM-DD), in each site's own time zone; 27 days before `end` if left out
    end      the last local day, inclusive; today at the first site if left out
    product  a product id (reports that break down by product use it; the others ignore it)

Bad input raises a ValidationError naming the field, with a stable code: `range_too_long` (more than two
years), `range_reversed` (end before start), `unknown_site`, `unknown_product`, `date_invalid`
(not a date, or outside 1900-2199). The API
answers it as a 400 `{"code", "detail", "fields"}`; the admin page shows it on the form.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from infusions.models import Product
from scheduling.access import access_sites
from scheduling.models import Site

DEFAULT_DAYS = 28
MAX_YEARS = 2
# Far enough for any clinic's records, near enough that date arithmetic cannot overflow.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True)
class ReportParams:
    sites: tuple[Site, ...]
    start: date
    end: date
    product: Product | None = None

    @property
    def site_ids(self) -> list[int]:
        return [site.pk for site in self.sites]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self) -> dict[str, str | list[str]]:
        """The filters as query parameters (for links: the CSV export, the dashboard's reports)."""
        out: dict[str, str | list[str]] = {
            "site": [str(pk) for pk in self.site_ids],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }
        if self.product is not None:
            out["product"] = str(self.product.pk)
        return out


def _error(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def _date(query, name: str) -> date | None:
    text = (query.get(name) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _error(name, "date_invalid", f"{name} must be a date as YYYY-MM-DD.") from None
    if not EARLIEST <= day <= LATEST:
        raise _error(name, "date_invalid", f"{name} must be between {EARLIEST} and {LATEST}.")
    return day


def _site_ids(query) -> list[str]:
    values = query.getlist("site") if hasattr(query, "getlist") else [query.get("site", "")]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def parse_params(query, user) -> ReportParams:
    """Read the filters from `query` (request.GET) for `user`. Three queries at most (sites, product)."""
    visible = access_sites(user).order_by("pk")
    wanted = _site_ids(query)
    if wanted:
        if not all(part.isdigit() and len(part) < 10 for part in wanted):
            raise _error("site", "unknown_site", "site must be one or more site ids.")
        ids = sorted({int(part) for part in wanted})
        sites = tuple(visible.filter(pk__in=ids))
        missing = sorted(set(ids) - {s.pk for s in sites})
        if missing:
            raise _error("site", "unknown_site", f"No site {', '.join(map(str, missing))} among your sites.")
    else:
        sites = tuple(visible)
    if not sites:
        raise _error("site", "unknown_site", "There is no site to report on.")

    end = _date(query, "end")
    start = _date(query, "start")
    if end is None:
        end = timezone.now().astimezone(sites[0].zone).date()
        if start is not None and start > end:
            end = start + timedelta(days=DEFAULT_DAYS - 1)
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise _error("end", "range_reversed", f"end ({end}) is before start ({start}).")
    if end >= _years_after(start, MAX_YEARS):
        raise _error(
            "end", "range_too_long", f"A report covers at most {MAX_YEARS} years; shorten the range."
        )

    product = None
    product_text = (query.get("product") or "").strip()
    if product_text:
        if not product_text.isdigit() or len(product_text) >= 10:
            raise _error("product", "unknown_product", "product must be a product id.")
        product = Product.objects.filter(pk=int(product_text)).first()
        if product is None:
            raise _error("product", "unknown_product", f"No product {product_text}.")
    return ReportParams(sites=sites, start=start, end=end, product=product)

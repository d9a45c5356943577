"""The staff digest: one email per site per morning, made of sections that apps register.

clinic knows nothing of orders, labs or authorizations; each app adds the sections it can answer:

    register_section("egfr_due", title="eGFR due before the next infusion", provider=fn, order=50)

`provider(site_id, day)` returns the lines for that site and local day, each naming the patient by MRN
only (the digest is email: no names, diagnoses or drugs) and linking to the admin page to act on.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string


@dataclass(frozen=True)
class DigestLine:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    provider: Callable[[int, date], list[DigestLine]]
    order: int


@dataclass(frozen=True)
class FilledSection:
    key: str
    title: str
    lines: list[DigestLine]


SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, *, title: str, provider: Callable[[int, date], list[DigestLine]], order: int = 100
) -> None:
    SECTIONS[key] = Section(key, title, provider, order)


def digest_sections(*, site_id: int, day: date) -> list[FilledSection]:
    """Every registered section, filled for the site and local day, in their order."""
    from clinic.notifications.registry import load_modules

    load_modules()
    return [
        FilledSection(s.key, s.title, s.provider(site_id, day))
        for s in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))
    ]


def digest_render(*, site_name: str, site_id: int, day: date, base_url: str = "") -> tuple[str, str]:
    """Return (subject, body) of a site's digest for a local day."""
    sections = digest_sections(site_id=site_id, day=day)
    context = {
        "site_name": site_name,
        "day": day,
        "sections": sections,
        "empty": not any(s.lines for s in sections),
        "base_url": base_url,
    }
    subject = render_to_string("notifications/staff_digest_subject.txt", context).strip()
    body = render_to_string("notifications/staff_digest.txt", context)
    return subject, body

"""Reads of authorizations. Each returns a queryset whose query count does not grow with its rows:
usage totals are correlated subqueries, related rows are joined or prefetched."""

from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from insurance.models import (
    AWAITING_PAYER,
    GRANTED,
    AuthorizationEvent,
    AuthorizationUsage,
    AuthStatus,
    Payer,
    PriorAuthorization,
    UsageStatus,
)
from insurance.remaining import remaining

EXPIRY_WARNING_DAYS = 30  # DOMAIN: warn 30 days before expiry
DUE_SOON = timedelta(hours=24)


def _usage(status: str, aggregate) -> Coalesce:
    rows = (
        AuthorizationUsage.objects.filter(authorization=OuterRef("pk"), status=status)
        .order_by()
        .values("authorization")
        .annotate(total=aggregate)
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_usage(queryset: QuerySet[PriorAuthorization]) -> QuerySet[PriorAuthorization]:
    """Annotate units and sessions used and reserved (read by `remaining_units` / `remaining_infusions`)."""
    return queryset.annotate(
        units_used=_usage(UsageStatus.USED, Sum("units")),
        units_reserved=_usage(UsageStatus.RESERVED, Sum("units")),
        sessions_used=_usage(UsageStatus.USED, Count("pk")),
        sessions_reserved=_usage(UsageStatus.RESERVED, Count("pk")),
    )


def reserved_units(booking_ids: list[int]) -> dict[int, int]:
    """Units each of these bookings holds reserved (booking id -> units; absent: none), in one query."""
    rows = AuthorizationUsage.objects.filter(booking_id__in=booking_ids, status=UsageStatus.RESERVED)
    return dict(rows.values_list("booking_id", "units"))


def authorization_list() -> QuerySet[PriorAuthorization]:
    """All authorizations with payer, coverage, patient and usage figures (staff reads)."""
    return with_usage(PriorAuthorization.objects.select_related("payer", "coverage", "patient"))


def payer_authorizations(payer: Payer) -> QuerySet[PriorAuthorization]:
    """One payer's authorizations for its insurer API: nothing of any other payer can be reached, and
    nothing the clinic has not sent yet (a draft is the clinic's working copy, not a request).
    The list reads the same rows plain: `payer_authorization_rows`."""
    rows = PriorAuthorization.objects.filter(payer=payer, submitted_at__isnull=False).select_related(
        "coverage", "patient"
    )
    return with_usage(rows)


# The insurer list's row: the authorization's own columns and its coverage's member id and plan.
LIST_COLUMNS = (
    "id",
    "status",
    "urgency",
    "number",
    "hcpcs_code",
    "icd10_code",
    "units_requested",
    "infusions_requested",
    "requested_from",
    "requested_to",
    "units_approved",
    "infusions_approved",
    "valid_from",
    "valid_to",
    "submitted_at",
    "due_at",
    "decided_at",
    "denial_code",
    "denial_reason",
    "information_requested",
    "created_at",
    "updated_at",
    "patient_id",  # for the audit trail; not shown
)


def payer_authorization_rows(payer: Payer) -> QuerySet:
    """`payer_authorizations` as plain rows (`values()`, one join for the coverage, usage totals as
    correlated subqueries): the insurer list pages these by an index and builds no model objects.
    Walking an index to a LIMIT, PostgreSQL computes the subqueries for the page's rows only. What
    remains of each grant: `with_remaining_rows`."""
    return (
        with_usage(PriorAuthorization.objects.filter(payer=payer, submitted_at__isnull=False))
        .order_by()
        .values(
            *LIST_COLUMNS,
            "units_used",
            "units_reserved",
            "sessions_used",
            "sessions_reserved",
            member_id=F("coverage__member_id"),
            plan_name=F("coverage__plan_name"),
        )
    )


def with_remaining_rows(rows: list[dict]) -> list[dict]:
    """Add what remains of each grant (units and infusions) to rows of `payer_authorization_rows`."""
    for row in rows:
        row["remaining_units"] = remaining(row["units_approved"], row["units_used"], row["units_reserved"])
        row["remaining_infusions"] = remaining(
            row["infusions_approved"], row["sessions_used"], row["sessions_reserved"]
        )
    return rows


def authorization_detail(queryset: QuerySet[PriorAuthorization]) -> QuerySet[PriorAuthorization]:
    return queryset.prefetch_related(
        Prefetch("usage", AuthorizationUsage.objects.order_by("service_date", "pk")), "documents"
    )


def payer_events(payer: Payer, *, since: datetime | None = None) -> QuerySet[AuthorizationEvent]:
    """The payer's changes feed, oldest first: events strictly after `since`."""
    events = (
        AuthorizationEvent.objects.filter(payer=payer, authorization__submitted_at__isnull=False)
        .exclude(to_status=AuthStatus.DRAFT)  # the request's creation, before the payer had it
        .order_by("at", "pk")
    )
    if since is not None:
        events = events.filter(at__gt=since)
    return events


# --- the clinic's worklist -------------------------------------------------------------------------------

WORKLIST = {
    "overdue": "Decision overdue",
    "due_soon": "Decision due within 24 h",
    "pended": "Pended: information requested",
    "units_short": "Units short for the next cycle",
    "expiring": f"Expires within {EXPIRY_WARNING_DAYS} days",
    "denied": "Denied: appeal?",
}


def worklist_filter(name: str, *, now: datetime) -> Q:
    today = now.date()
    return {
        "overdue": Q(status__in=AWAITING_PAYER, due_at__lt=now),
        "due_soon": Q(status__in=AWAITING_PAYER, due_at__gte=now, due_at__lt=now + DUE_SOON),
        "pended": Q(status=AuthStatus.PENDED),
        "units_short": Q(status__in=GRANTED, units_per_cycle__isnull=False)
        & Q(remaining_units_left__lt=F("units_per_cycle")),
        "expiring": Q(
            status__in=GRANTED, valid_to__gte=today, valid_to__lte=today + timedelta(days=EXPIRY_WARNING_DAYS)
        ),
        "denied": Q(status=AuthStatus.DENIED),
    }[name]


def with_remaining(queryset: QuerySet[PriorAuthorization]) -> QuerySet[PriorAuthorization]:
    """Add `remaining_units_left` (units approved less used and reserved) for filtering in SQL."""
    return queryset.annotate(remaining_units_left=F("units_approved") - F("units_used") - F("units_reserved"))


# Most urgent reason first, then the nearest decision due time and expiry (needs `with_attention`).
WORKLIST_ORDER = (
    "attention_rank",
    F("due_at").asc(nulls_last=True),
    F("valid_to").asc(nulls_last=True),
    "pk",
)


def with_attention(queryset: QuerySet[PriorAuthorization], *, now: datetime) -> QuerySet[PriorAuthorization]:
    """Add `attention_rank`, the position of the most urgent worklist reason (in WORKLIST's order; rows
    with none last), and order by it, then by the nearest due time and expiry: the worklist's order.
    Needs `with_remaining`."""
    rank = Case(
        *(When(worklist_filter(name, now=now), then=Value(n)) for n, name in enumerate(WORKLIST)),
        default=Value(len(WORKLIST)),
        output_field=IntegerField(),
    )
    return queryset.annotate(attention_rank=rank).order_by(*WORKLIST_ORDER)


def worklist_reasons(auth: PriorAuthorization, *, now: datetime) -> list[str]:
    """Why a row is on the worklist, most urgent first (the same rules as `worklist_filter`)."""
    reasons = []
    if auth.status in AWAITING_PAYER and auth.due_at is not None:
        if auth.due_at < now:
            reasons.append("overdue")
        elif auth.due_at < now + DUE_SOON:
            reasons.append("due_soon")
    if auth.status == AuthStatus.PENDED:
        reasons.append("pended")
    if auth.status in GRANTED:
        left = auth.remaining_units
        if auth.units_per_cycle is not None and left is not None and left < auth.units_per_cycle:
            reasons.append("units_short")
        if auth.valid_to and now.date() <= auth.valid_to <= now.date() + timedelta(days=EXPIRY_WARNING_DAYS):
            reasons.append("expiring")
    if auth.status == AuthStatus.DENIED:
        reasons.append("denied")
    return reasons

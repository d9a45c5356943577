"""Tablet pages. Thin: check access through one decorator and the scheduling access helpers, read
through the selectors, record what was shown in the audit trail, render. Every write goes through
/api/v1/sessions/ (the page's JavaScript), so the pages and the API share one path to the services."""

from decimal import Decimal
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from charting import confirmations, ordered_premedication, selectors
from charting.confirmations import END_REASONS
from charting.models import (
    CTCAE_GRADES,
    Hydration,
    RateKind,
    ReactionAction,
    ReactionKind,
    ReactionOnset,
    ReactionOutcome,
    SessionStatus,
)
from charting.services import current_rate, next_step_rate
from clinic.audit import record_access
from clinic.preferences import staff_language_set
from infusions.models import InfusionPolicy
from infusions.planning import order_plan
from infusions.selectors import order_list
from scheduling.access import access_bookings
from scheduling.models import Booking

CHART_PERMISSION = "charting.add_infusionsession"
PREMEDICATIONS = ("Acetaminophen", "Diphenhydramine", "Cetirizine", "Hydrocortisone", "Methylprednisolone")


def chairside_view(view):
    """Log in on the tablet's own page; only those who chart (nurses, managers) get in."""

    @login_required(login_url="chairside:login")
    @ensure_csrf_cookie
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(CHART_PERMISSION):
            raise PermissionDenied("Only nurses and clinic managers chart infusions.")
        return view(request, *args, **kwargs)

    return wrapped


@chairside_view
def board_page(request):
    sites = list(selectors.board_sites(request.user))
    site = next((s for s in sites if str(s.pk) == request.GET.get("site")), sites[0] if sites else None)
    now = timezone.now()
    cards = selectors.board(request.user, site, now=now) if site else []
    today = now.astimezone(site.zone).date() if site else now.date()
    notes = selectors.handover_notes(site, today) if site else []
    record_access(request, [c.booking.patient for c in cards if c.booking], via="chairside", detail="board")
    return render(
        request,
        "chairside/board.html",
        {
            "sites": sites,
            "site": site,
            "cards": cards,
            "today": today,
            "now": now,
            "shift_notes": [n for n in notes if n.session_id is None],
            "mine": sum(1 for c in cards if c.nurse == request.user),
        },
    )


def _booking(request, booking_id: int) -> Booking:
    bookings = access_bookings(request.user, Booking.objects.select_related("site", "chair", "patient"))
    return get_object_or_404(bookings, pk=booking_id)


@chairside_view
def session_page(request, booking_id: int):
    booking = _booking(request, booking_id)
    session = (
        selectors.session_detail().filter(booking=booking).first()
        if Booking.objects.filter(pk=booking.pk, infusion_session__isnull=False).exists()
        else None
    )
    # The booking's own patient, always: its order is read through its cycle day, and only if it is
    # this patient's.
    order = order_list().filter(cycle_days__booking=booking, patient_id=booking.patient_id).first()
    now = timezone.now()
    policy = InfusionPolicy.current()
    day = booking.start.astimezone(booking.site.zone).date()
    plan = order_plan(order, policy=policy, now=now, on=day) if order else None
    patient = booking.patient
    record_access(request, [patient], via="chairside", detail="session")
    context = {
        "booking": booking,
        "session": session,
        "order": order,
        "plan": plan,
        "patient": patient,
        "flags": selectors.patient_flags(_with_reactions(patient, order), day),
        "now": now,
        "local_now": now.astimezone(booking.site.zone),
        "hydration_choices": Hydration.choices,
        "premedications": PREMEDICATIONS,
        "reaction_kinds": ReactionKind.choices,
        "reaction_onsets": ReactionOnset.choices,
        "reaction_actions": ReactionAction.choices,
        "reaction_outcomes": ReactionOutcome.choices,
        "grades": sorted(CTCAE_GRADES.items()),
        "vial_sizes": order.product.vial_sizes_g if order else [],
    }
    items, other = ordered_premedication.ordered_items(order.premedication if order else "")
    context.update({"ordered_premedication": items, "ordered_other": other})
    if session is not None:
        rate = current_rate(session) if session.started_at else None
        paused = rate is not None and rate.kind in (RateKind.PAUSE, RateKind.STOP)
        context.update(
            {
                "checklist": selectors.session_checklist(session),
                "live": selectors.live_header(session, policy=policy, now=now),
                "schedule": selectors.plan_clock(session),
                "rate": rate,
                "paused": paused,
                "next_rate": next_step_rate(session, rate.rate_ml_per_hour) if rate else None,
                "slow_rate": _slower(session, rate) if rate and not paused else None,
                "has_baseline": any(v.phase == "baseline" for v in session.vitals.all()),
                "pending_flag": next(
                    (v for v in reversed(session.vitals.all()) if v.flags and not v.flag_answer), None
                ),
                "discharge_question": _discharge_question(session, policy, now),
                "end_reasons": [(value, _(label)) for value, label in END_REASONS.items()],
            }
        )
    return render(request, "chairside/session.html", context)


def _slower(session, rate) -> Decimal:
    """What "slow" suggests: the plan's step below the current rate, else half of it."""
    below = [Decimal(s["rate_ml_per_hour"]) for s in session.plan_steps]
    below = [r for r in below if r < rate.rate_ml_per_hour]
    return max(below) if below else (rate.rate_ml_per_hour / 2).quantize(Decimal("0.1"))


def _discharge_question(session, policy, now) -> str:
    if session.status != SessionStatus.OBSERVATION:
        return ""
    early = confirmations.early_discharge(
        ended_at=session.ended_at,
        at=now,
        observation_minutes=policy.observation_minutes,
        reactions=[(r.kind, r.outcome) for r in session.reactions.all()],
    )
    parts = []
    if early.before_observation_end:
        ends = early.observation_ends_at.astimezone(session.booking.site.zone)
        parts.append(_("Observation runs until %(at)s.") % {"at": f"{ends:%H:%M %Z}"})
    if early.unresolved_reactions:
        parts.append(_("A reaction is not resolved."))
    return " ".join(parts)


@chairside_view
def live_fragment(request, session_id: int):
    """The top of a session's page, polled by the tablet every 30 seconds: the server's clock, what is
    due, and while infusing the pump's rate, volume given and the expected end."""
    sessions = selectors.access_sessions(request.user, selectors.session_detail())
    session = get_object_or_404(sessions, pk=session_id)
    record_access(request, [session.patient], via="chairside", detail="live header")
    now = timezone.now()
    live = selectors.live_header(session, policy=InfusionPolicy.current(), now=now)
    return render(request, "chairside/_live.html", {"live": live, "session": session})


def _with_reactions(patient, order):
    patient.worst_reaction_grade = getattr(order, "worst_reaction_grade", None) if order else None
    return patient


@chairside_view
def summary_page(request, session_id: int):
    sessions = selectors.access_sessions(request.user, selectors.session_detail())
    session = get_object_or_404(sessions, pk=session_id)
    if session.started_at is None:
        raise Http404("This session has not started.")
    record_access(request, [session.patient], via="chairside", detail="summary")
    return render(
        request,
        "chairside/summary_page.html",
        {"summary": selectors.session_summary(session), "session": session},
    )


@cache_control(no_cache=True)
def service_worker(request):
    """The tablet's service worker, served under /chairside/ so it may keep the tablet pages (its scope);
    it holds no patient data itself."""
    return render(request, "chairside/sw.js", content_type="text/javascript")


@require_POST
@chairside_view
def language_change(request):
    """The nurse picks the tablet's language (empty: the browser's); back to the page she was on."""
    language = request.POST.get("language", "")
    try:
        staff_language_set(user=request.user, language=language)
    except ValueError:
        return render(request, "chairside/language_refused.html", status=400)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = ""
    return redirect(back or "chairside:board")

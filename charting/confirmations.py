"""What the tablet asks before it records something that cannot be undone, or that looks like a slip.

Standard library only (no Django): the services call these rules and turn a "yes, ask" into an error
the nurse answers (a reason, a confirmation); the pages ask the same questions before sending.

- **Ending short of the dose**: an infusion ended with less than the bag's volume (beyond a pump's
  rounding, `SHORT_TOLERANCE_ML`) needs a reason: a reaction, the patient's request, IV access lost, or
  another one spelt out.
- **Discharging early**: before the observation period is over, or while a reaction is still resolving
  or ongoing, discharge needs a reason.
- **A set entered twice**: a vitals set with the same numbers as one charted within
  `REPEAT_WINDOW` of it is most likely the same set typed again (a reload, a second nurse); it is
  questioned, and saved only when the nurse confirms it is a new set.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

SHORT_TOLERANCE_ML = Decimal("5")  # a pump's reading may differ from the bag by a few mL
REPEAT_WINDOW = timedelta(minutes=5)


def gettext_noop(text: str) -> str:
    """Marks a text for the tablet's catalogues (charting/locale/) without importing Django: the
    callers translate it where they show it."""
    return text


# Why an infusion ended short of its planned volume (stored on the session).
END_REASONS = {
    "reaction": gettext_noop("Reaction"),
    "patient_request": gettext_noop("Patient request"),
    "iv_access_lost": gettext_noop("IV access lost"),
    "other": gettext_noop("Other"),
}
UNRESOLVED_OUTCOMES = ("resolving", "ongoing")


def short_of_dose(volume_given_ml: Decimal, planned_volume_ml: Decimal | None) -> bool:
    """True when the volume given is short of the planned volume by more than the pump's tolerance."""
    if planned_volume_ml is None:
        return False
    return Decimal(volume_given_ml) < Decimal(planned_volume_ml) - SHORT_TOLERANCE_ML


def end_reason_problem(reason: str, note: str) -> str | None:
    """What is missing from the reason an infusion ended short (None when it is complete)."""
    if not reason:
        return gettext_noop("The infusion ends short of the planned volume: say why.")
    if reason not in END_REASONS:
        return gettext_noop("Choose reaction, patient request, IV access lost or other.")
    if reason == "other" and not note.strip():
        return gettext_noop("Say what the other reason is.")
    return None


@dataclass(frozen=True)
class EarlyDischarge:
    observation_ends_at: datetime
    before_observation_end: bool
    unresolved_reactions: tuple[str, ...]  # the kinds of reactions not yet resolved

    @property
    def needs_reason(self) -> bool:
        return self.before_observation_end or bool(self.unresolved_reactions)


def early_discharge(
    *,
    ended_at: datetime,
    at: datetime,
    observation_minutes: int,
    reactions: Iterable[tuple[str, str]],
) -> EarlyDischarge:
    """Whether a discharge at `at` comes before the observation is over or with a reaction
    (kind, outcome) still resolving or ongoing."""
    ends = ended_at + timedelta(minutes=observation_minutes)
    unresolved = tuple(kind for kind, outcome in reactions if outcome in UNRESOLVED_OUTCOMES)
    return EarlyDischarge(ends, at < ends, unresolved)


def repeated_set(
    values: Mapping[str, object],
    taken_at: datetime,
    earlier: Iterable[tuple[datetime, Mapping[str, object]]],
    *,
    fields: Iterable[str],
) -> datetime | None:
    """When a set with the same numbers was charted within `REPEAT_WINDOW` of `taken_at` (the first
    such), else None."""
    names = tuple(fields)
    for at, other in earlier:
        if abs(at - taken_at) <= REPEAT_WINDOW and all(_same(values.get(f), other.get(f)) for f in names):
            return at
    return None


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))

"""Who is a child: a person's age band on a given day, and whether the child dosing rules apply.

Standard library only (no Django), decided here once: the dose (`infusions.plan`), the vitals flags
(`infusions.vitals`), premedication (`infusions.premedication`) and every "age over 65" read it, and
none works out an age of its own.

- **Age** is counted in whole years (months and days for the youngest) from the date of birth to the
  day of the infusion or reading, in the clinic's local date: a child is 3 until the day of the fourth
  birthday. Someone born on 29 February has the birthday on 1 March in other years.
- **The child dosing rules** apply under 18 years on that day ("age"), or, as the second signal, below
  152.4 cm (60 inches, "height"): the Devine ideal-weight formula adults are dosed by is defined from
  60 inches up, and below it gives a toddler an adult's weight.
- **The age band** follows age alone (an adult under 152.4 cm is in the adult band), with the age
  groups of the American Heart Association's Pediatric Advanced Life Support provider manual (PALS,
  2020), whose vital-sign tables the clinic's limits by band come from:

  | band | age |
  |---|---|
  | infant | under 1 year (newborns included) |
  | toddler | 1-2 years |
  | preschool | 3-5 years |
  | school_age | 6-11 years |
  | adolescent | 12-17 years |
  | adult | 18 years and over |
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ADULT_AGE = 18
# Devine ideal body weight starts at 60 inches; below it the formula is not defined.
CHILD_HEIGHT_CM = Decimal("152.4")
NEONATE_DAYS = 28  # the first 28 days of life (labels dose and contraindicate some drugs by it)

# band -> (first year of age in it, name, ages); in age order, the last one runs on.
BANDS: tuple[tuple[str, int, str, str], ...] = (
    ("infant", 0, "infant", "under 1 y"),
    ("toddler", 1, "toddler", "1-2 y"),
    ("preschool", 3, "preschool", "3-5 y"),
    ("school_age", 6, "school age", "6-11 y"),
    ("adolescent", 12, "adolescent", "12-17 y"),
    ("adult", ADULT_AGE, "adult", "18 y and over"),
)
BAND_NAMES = tuple(band for band, _, _, _ in BANDS)
CHILD_BANDS = BAND_NAMES[:-1]
LABELS = {band: f"{name} ({ages})" for band, _, name, ages in BANDS}  # "toddler (1-2 y)"
# What a flag says of whose limits applied: "toddler limits, 1-2 y", "adult limits".
LIMITS_TEXT = {
    band: f"{name} limits" + (f", {ages}" if band != "adult" else "") for band, _, name, ages in BANDS
}


@dataclass(frozen=True)
class AgeBand:
    """A person on a day: age, band, and whether (and why) the child dosing rules apply."""

    band: str
    years: int
    months: int  # whole months of age (all of them, not past the last birthday)
    days: int
    child: bool
    rule: str | None  # "age" (under 18), "height" (under 152.4 cm) or None for an adult
    height_cm: Decimal | None = None

    @property
    def label(self) -> str:
        return LABELS[self.band]

    @property
    def is_neonate(self) -> bool:
        return self.days <= NEONATE_DAYS

    @property
    def age_text(self) -> str:
        """ "3 y", "7 months", "12 days": the age as a nurse says it."""
        if self.years >= 1:
            return f"{self.years} y"
        if self.months >= 1:
            return f"{self.months} month{'s' if self.months > 1 else ''}"
        return f"{self.days} day{'s' if self.days != 1 else ''}"

    @property
    def reason(self) -> str:
        """Why the child rules apply, for the plan's notes: "age 3 y" or "height 148 cm, under 152.4 cm"."""
        if self.rule == "age":
            return f"age {self.age_text}"
        if self.rule == "height" and self.height_cm is not None:
            return f"height {self.height_cm.normalize():f} cm, under {CHILD_HEIGHT_CM:f} cm"
        return ""


def _had_birthday(born: date, on: date) -> bool:
    # (2, 29) compares after (2, 28): a 29 February birthday falls on 1 March in other years.
    return (on.month, on.day) >= (born.month, born.day)


def age_years(*, date_of_birth: date, on: date) -> int:
    """Whole years of age on `on`. Raises ValueError when `on` is before the date of birth."""
    if on < date_of_birth:
        raise ValueError(f"{on.isoformat()} is before the date of birth {date_of_birth.isoformat()}.")
    return on.year - date_of_birth.year - (0 if _had_birthday(date_of_birth, on) else 1)


def _months(born: date, on: date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - 1 if on.day < born.day else months


def age_band(*, date_of_birth: date, on: date, height_cm: Decimal | None = None) -> AgeBand:
    """The person's band on `on` and whether the child dosing rules apply (under 18, else under 152.4 cm).

    Raises ValueError when `on` is before the date of birth, TypeError for a float height (a height must
    not depend on binary rounding).
    """
    if height_cm is not None and (isinstance(height_cm, bool) or not isinstance(height_cm, Decimal | int)):
        raise TypeError(f"height_cm must be a Decimal, not {type(height_cm).__name__}")
    years = age_years(date_of_birth=date_of_birth, on=on)
    band = next(band for band, first, _, _ in reversed(BANDS) if years >= first)
    if years < ADULT_AGE:
        rule = "age"
    elif height_cm is not None and Decimal(height_cm) < CHILD_HEIGHT_CM:
        rule = "height"
    else:
        rule = None
    return AgeBand(
        band=band,
        years=years,
        months=_months(date_of_birth, on),
        days=(on - date_of_birth).days,
        child=rule is not None,
        rule=rule,
        height_cm=None if height_cm is None else Decimal(height_cm),
    )

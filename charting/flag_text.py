"""A stored flag (`infusions.vitals.Flag`, kept in English with its reading) in the tablet's language.

Each of `infusions.vitals.FLAG_TEMPLATES` has its translation here, word for word the same English
(tests/charting/test_translations.py holds the two together); a flag stored before flags kept their
params, or of a kind unknown here, shows as it was stored.
"""

from django.utils.translation import gettext, gettext_noop

TEMPLATES = {
    "systolic_high": gettext_noop("Systolic %(value)s mmHg is over %(limit)s (%(whose)s)."),
    "systolic_low": gettext_noop("Systolic %(value)s mmHg is under %(limit)s (%(whose)s)."),
    "diastolic_high": gettext_noop("Diastolic %(value)s mmHg is over %(limit)s (%(whose)s)."),
    "heart_rate_high": gettext_noop("Heart rate %(value)s/min is over %(limit)s (%(whose)s)."),
    "heart_rate_low": gettext_noop("Heart rate %(value)s/min is under %(limit)s (%(whose)s)."),
    "temperature_high": gettext_noop("Temperature %(value)s C is %(limit)s or more."),
    "respiratory_rate_high": gettext_noop("Respiratory rate %(value)s/min is over %(limit)s (%(whose)s)."),
    "spo2_low": gettext_noop("SpO2 %(value)s%% is under %(limit)s%%."),
    "temperature_rise": gettext_noop("Temperature rose %(change)s C from the baseline %(baseline)s C."),
    "systolic_rise": gettext_noop("Systolic rose %(change)s mmHg from the baseline %(baseline)s."),
    "systolic_fall": gettext_noop("Systolic fell %(change)s mmHg from the baseline %(baseline)s."),
    "heart_rate_rise": gettext_noop("Heart rate rose %(change)s/min from the baseline %(baseline)s."),
}
# Whose limits judged the reading (`patients.childhood.LIMITS_TEXT`, by band).
LIMITS = {
    "infant": gettext_noop("infant limits, under 1 y"),
    "toddler": gettext_noop("toddler limits, 1-2 y"),
    "preschool": gettext_noop("preschool limits, 3-5 y"),
    "school_age": gettext_noop("school age limits, 6-11 y"),
    "adolescent": gettext_noop("adolescent limits, 12-17 y"),
    "adult": gettext_noop("adult limits"),
}


def flag_text(flag: dict) -> str:
    """The flag's message in the active language."""
    template = TEMPLATES.get(flag.get("template") or "")
    params = flag.get("params")
    if template is None or not isinstance(params, dict):
        return str(flag.get("message", ""))
    params = dict(params)
    if "whose" in params:
        params["whose"] = gettext(LIMITS.get(flag.get("band", ""), params["whose"]))
    try:
        return gettext(template) % params
    except (KeyError, ValueError, TypeError):
        return str(flag.get("message", ""))

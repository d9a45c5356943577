"""A password validator for this clinic: no common password, and no clinic word dressed up with digits.

Django's CommonPasswordValidator knows 20,000 common passwords but not the words everyone here would
try first ("Infusion2026!", "nurse12345678"). This one strips digits, spaces and punctuation from
the ends and refuses what is left if it is one of those words or a common password.
"""

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

CLINIC_WORDS = frozenset(
    {
        "infusion",
        "infusions",
        "infusionclinic",
        "clinic",
        "chairside",
        "nurse",
        "nursing",
        "ivig",
        "scheduler",
        "manager",
        "insurer",
        "admin",
        "password",
        "welcome",
        "hospital",
        "patient",
    }
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class ClinicWordsValidator:
    def __init__(self):
        self._common = CommonPasswordValidator()

    def validate(self, password, user=None):
        core = _EDGES.sub("", password.lower())
        if core in CLINIC_WORDS or core in self._common.passwords:
            raise ValidationError(
                "This password is a common word with digits or symbols around it; choose a phrase of "
                "several words instead.",
                code="password_clinic_word",
            )

    def get_help_text(self):
        return "Your password can't be a common word (such as the clinic's own) with digits or symbols added."

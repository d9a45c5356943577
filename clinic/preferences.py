"""Each staff member's own settings: for now the language of the tablet pages (charting/language.py).

Empty means "the browser's": the nurse's tablet asks for its own language (Accept-Language)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class StaffPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_preference"
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="The language of the tablet pages; empty: the browser's.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(language="") | Q(language__in=[code for code, _ in settings.LANGUAGES]),
                name="staff_preference_language_known",
            )
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


def staff_language(user) -> str:
    """The language the user chose for the tablet, or "" (the browser's). One query for a signed-in user."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return StaffPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""


def staff_language_set(*, user, language: str) -> StaffPreference:
    """Store the user's tablet language ("" for the browser's); raises ValueError for an unknown one."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language: {language!r}")
    preference, _ = StaffPreference.objects.update_or_create(user=user, defaults={"language": language})
    return preference

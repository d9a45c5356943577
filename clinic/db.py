"""Saving a model so that the database's constraints come back as friendly, field-named errors."""

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)

# constraint name -> (field, code, message); registered by each model module next to its constraints.
CONSTRAINT_ERRORS: dict[str, tuple[str, str, str]] = {}


def constraint_error(name: str, *, field: str, code: str, message: str) -> str:
    """Register the error a violated constraint turns into, and return the constraint name."""
    CONSTRAINT_ERRORS[name] = (field, code, message)
    return name


def validated_save(instance: M, **save_kwargs) -> M:
    """Validate `instance` (field validators and `clean()`), save it, and return it.

    Uniqueness and check constraints are left to PostgreSQL, which is right under concurrency; a
    violation is raised as a ValidationError on the field the constraint protects.

    Raises ValidationError.
    """
    instance.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if name not in CONSTRAINT_ERRORS:
            raise
        field, code, message = CONSTRAINT_ERRORS[name]
        raise ValidationError({field: ValidationError(message, code=code)}) from exc
    return instance

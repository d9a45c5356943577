"""The clinic's roles, as Django groups with model permissions.

A role's permissions are written once here, as patterns over `app_label.codename`, and synced into the
database after every migrate, so a fresh database, a test database and production all agree.
Later apps add their patterns to ROLE_PERMISSIONS; nothing else grants permissions.
"""

from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    MANAGER = "clinic_manager", "Clinic manager"
    SCHEDULER = "scheduler", "Scheduler"
    NURSE = "nurse", "Nurse"
    # Insurer users reach only the insurer API (insurance issue); they hold no staff permission.
    INSURER = "insurer", "Insurer"


# Roles that work in the Django admin.
ADMIN_ROLES = frozenset({Role.MANAGER, Role.SCHEDULER})

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.MANAGER: (
        "patients.*",
        "scheduling.*",
        "insurance.*",
        "infusions.*",
        "charting.*",
        # The links sent to patients (selfservice): read-only in the admin.
        "selfservice.view_*",
        "waitlist.view_*",
        "waitlist.add_waitlistentry",
        "waitlist.change_waitlistentry",
        "auditlog.view_logentry",
        # Login lockouts (django-axes): see them, and lift one early by deleting its failures.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "django_celery_beat.view_*",
        # The notification outbox: see it and resend failed messages (rows are written by the dispatcher).
        "clinic.view_notification",
        "clinic.change_notification",
        # Each nurse's tablet language (she sets it on the tablet too).
        "clinic.view_staffpreference",
        "clinic.add_staffpreference",
        "clinic.change_staffpreference",
        # Reports (utilisation, flow, safety, ...): read only, every site.
        "reports.view_report",
    ),
    Role.SCHEDULER: (
        "patients.view_*",
        "patients.add_*",
        "patients.change_*",
        # Schedulers book, move and cancel; sites, chairs and opening hours are the manager's.
        "scheduling.view_*",
        "scheduling.add_booking",
        "scheduling.change_booking",
        "scheduling.add_nurseshift",
        "scheduling.change_nurseshift",
        "insurance.view_*",
        # Schedulers chase authorizations: they write requests and record phone and fax decisions.
        "insurance.add_coverage",
        "insurance.change_coverage",
        "insurance.add_priorauthorization",
        "insurance.change_priorauthorization",
        "insurance.add_authorizationdocument",
        "infusions.view_*",
        "charting.view_*",
        "selfservice.view_*",
        "waitlist.view_*",
        "waitlist.add_waitlistentry",
        "waitlist.change_waitlistentry",
        "clinic.view_notification",
        "clinic.change_notification",
        "reports.view_report",
    ),
    Role.NURSE: (
        "patients.view_*",
        # Nurses weigh the patient and record labs at the chair.
        "patients.add_measurement",
        "patients.add_labresult",
        "scheduling.view_*",
        "infusions.view_*",
        "charting.view_*",
        # Nurses record each cycle's response measure (platelets, grip strength, ...) at the chair.
        "infusions.add_responserecord",
        # Nurses chart the infusion at the chair (the chairside pages and /api/v1/sessions/).
        "charting.add_infusionsession",
        "charting.add_checklist",
        "charting.add_premedication",
        "charting.add_vitalsreading",
        "charting.add_ratechange",
        "charting.add_reaction",
        "charting.add_lotrecord",
    ),
    Role.INSURER: (),
}


def permissions_for(role: str) -> list[Permission]:
    """Return the permissions a role's patterns match, among those in the database."""
    patterns = ROLE_PERMISSIONS[role]
    matched = []
    for permission in Permission.objects.select_related("content_type"):
        name = f"{permission.content_type.app_label}.{permission.codename}"
        if any(fnmatchcase(name, pattern) for pattern in patterns):
            matched.append(permission)
    return matched


def sync_roles() -> None:
    """Create the role groups and set each one's permissions to exactly what ROLE_PERMISSIONS says."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role))


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # post_migrate fires once per app with models, after that app's permissions exist; syncing each
    # time is cheap and leaves the groups complete after the last one.
    sync_roles()


def is_manager(user) -> bool:
    """A clinic manager (or a superuser): the one who may override a blocking check or book a cycle
    without an authorization. The one place this is asked."""
    return user is not None and (user.is_superuser or Role.MANAGER.value in user_roles(user))


def user_roles(user) -> set[str]:
    """Return the role names of a user (empty for anonymous users)."""
    if not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))

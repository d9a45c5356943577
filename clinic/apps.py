from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.db import models
        from django.db.models.signals import post_migrate
        from rest_framework.serializers import ModelSerializer

        from clinic import permissions_cache  # noqa: F401 - connects the invalidation receivers
        from clinic.fields import AwareDateTimeField, LocalTimeField
        from clinic.roles import sync_roles_after_migrate

        # Every database, including a fresh test database, gets the role groups and their permissions.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="clinic.sync_roles")
        # Every model serializer reads times with the one aware field: a naive time is a 400, never UTC.
        ModelSerializer.serializer_field_mapping[models.DateTimeField] = AwareDateTimeField
        ModelSerializer.serializer_field_mapping[models.TimeField] = LocalTimeField

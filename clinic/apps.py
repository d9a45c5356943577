from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from clinic import permissions_cache  # noqa: F401 - connects the invalidation receivers
        from clinic.roles import sync_roles_after_migrate

        # Every database, including a fresh test database, gets the role groups and their permissions.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="clinic.sync_roles")

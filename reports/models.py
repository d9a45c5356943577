"""Reports keep no rows of their own: they are computed from the other apps' tables when asked.

`Report` is an unmanaged model with no table. It exists so the admin index shows a *Reports* section and
so reading reports is a permission (`reports.view_report`) that roles grant like any other
(clinic/roles.py: managers and schedulers).
"""

from django.db import models


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = "report"
        verbose_name_plural = "reports"

    def __str__(self) -> str:
        return "Reports"

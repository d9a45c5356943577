"""Rendering a patient's page: every page gets the clinic's name (the base template's header)."""

from django.conf import settings
from django.shortcuts import render


def page(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, template, {"clinic_name": settings.CLINIC_NAME, **(context or {})}, status=status)

"""Celery tasks of the chair calendar. Thin: they take ids and call a service.

Both run on the worker queue `optimiser` (CELERY_TASK_ROUTES; its own worker, `celery -A config worker
-Q optimiser`), so a long solve never holds up reminders on the default queue nor runs in the web process.
"""

from celery import shared_task

from scheduling import proposals
from scheduling.booking_template import template_build
from scheduling.models import Site


@shared_task(name="scheduling.proposal_solve")
def proposal_solve_task(proposal_id: int) -> None:
    proposals.proposal_solve(proposal_id=proposal_id)


@shared_task(name="scheduling.template_build")
def template_build_task(site_id: int, weeks: int = 10) -> None:
    site = Site.objects.filter(pk=site_id).first()
    if site is not None:
        template_build(site=site, weeks=weeks)

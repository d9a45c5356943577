"""Celery tasks of the chair calendar. Thin: they take ids and call a service.

`proposal_solve_task` runs on the worker queue `optimiser` (its own worker, `celery -A config worker
-Q optimiser`), so a long solve never holds up reminders on the default queue nor runs in the web process.
"""

from celery import shared_task

from scheduling import proposals


@shared_task(name="scheduling.proposal_solve", queue=proposals.OPTIMISER_QUEUE)
def proposal_solve_task(proposal_id: int) -> None:
    proposals.proposal_solve(proposal_id=proposal_id)

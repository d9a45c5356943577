"""A proposal solved by a real Celery worker on the `optimiser` queue (tests/notifications/processes.py),
while the default worker, which sends reminders, leaves it alone."""

import pytest
from django.utils import timezone

from scheduling.models import Proposal, ProposalStatus
from tests.notifications.processes import Processes, wait_for
from tests.scheduling.conftest import TUESDAY
from tests.scheduling.test_proposals import peaked  # noqa: F401 - the peaked Tuesday

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path)
    procs.purge()
    with procs.client.connection_for_write() as conn:
        conn.default_channel.client.delete("optimiser")
    yield procs
    procs.stop_all()


def status_of(pk: int) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=pk)


@pytest.mark.usefixtures("peaked")
def test_the_optimiser_worker_solves_a_proposal_and_the_default_worker_leaves_it(processes, clinic):
    proposal = Proposal.objects.create(
        site=clinic, first_day=TUESDAY, days=1, time_limit_seconds=10, requested_at=timezone.now()
    )
    default = processes.worker(concurrency=1)
    processes.client.send_task("scheduling.proposal_solve", args=[proposal.pk], queue="optimiser")
    wait_for(lambda: "ready" in processes.log(default), timeout=60, what="the default worker to start")
    assert status_of(proposal.pk) == ProposalStatus.QUEUED

    processes.start("worker", "-Q", "optimiser", "--pool=prefork", "--concurrency=1", name="optimiser")
    wait_for(lambda: status_of(proposal.pk) == ProposalStatus.READY, timeout=90, what="the optimiser worker")
    proposal.refresh_from_db()
    assert (proposal.progress, proposal.phase) == (1.0, "done")
    assert proposal.result["after"]["peak_load"] < proposal.result["before"]["peak_load"]

"""The README's PAS quickstart runs as written against a live server seeded by `seed_demo`: it reads
the request due first as a PAS Bundle, approves it with an A1 ClaimResponse, and the retry replays."""

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from fhir.pas import codes
from insurance.models import PriorAuthorization
from tests.demo.test_quickstart import README, set_variable
from tests.infusions.calendar import NEW_YORK


def pas_quickstart_block() -> str:
    text = README.read_text()
    after = text[text.index("**PAS quickstart**") :]
    match = re.search(r"```sh\n(.*?)```", after, re.S)
    assert match, "the README's PAS quickstart has a sh block"
    return match.group(1)


def test_the_pas_block_leaves_the_reader_only_its_two_variables_to_set():
    assert re.findall(r'^([A-Z_]+)=[^$("]', pas_quickstart_block(), flags=re.M) == ["BASE", "CLIENT_SECRET"]


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("bash"), reason="needs curl and bash")
@pytest.mark.django_db(transaction=True)
def test_the_readme_pas_quickstart_runs_verbatim_and_approves_the_request_due_first(live_server, settings):
    settings.DEBUG = True
    printed = io.StringIO()
    with time_machine.travel(datetime(2027, 3, 3, 14, 30, tzinfo=NEW_YORK), tick=True):
        call_command("seed_demo", stdout=printed)
        secret = re.search(r"demo-acme-health / (\S+)", printed.getvalue()).group(1)
        due_first = (
            PriorAuthorization.objects.filter(payer__code="acme-health", status="submitted")
            .order_by("due_at")
            .first()
        )
        script = set_variable(
            set_variable(pas_quickstart_block(), "BASE", live_server.url), "CLIENT_SECRET", secret
        )
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PATH": path},
        )

    assert done.returncode == 0, done.stderr + done.stdout
    out = done.stdout
    assert f'"profile":["{codes.PROFILE_REQUEST_BUNDLE}"]' in out
    assert f'"request":{{"reference":"Claim/{due_first.pk}"}}' in out
    assert re.search(r"^HTTP/1\.1 200", out, re.M)
    assert re.search(r"^Idempotent-Replayed: true", out, re.M | re.I)
    due_first.refresh_from_db()
    assert (due_first.status, due_first.number) == ("approved", "PA-2027-7")
    assert due_first.events.filter(to_status="approved").count() == 1

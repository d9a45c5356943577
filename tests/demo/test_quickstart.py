"""The README's insurer quickstart runs as written against a live server seeded by `seed_demo`: only the
two variables it asks the reader to set (the base URL and the client secret `seed_demo` printed) change.
"""

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

from insurance.models import PriorAuthorization
from tests.infusions.calendar import NEW_YORK

README = Path(__file__).resolve().parents[2] / "README.md"


def quickstart_block() -> str:
    text = README.read_text()
    after = text[text.index("**Quickstart**") :]
    match = re.search(r"```sh\n(.*?)```", after, re.S)
    assert match, "the README's quickstart has a sh block"
    return match.group(1)


def set_variable(script: str, name: str, value: str) -> str:
    changed, count = re.subn(rf"^{name}=.*$", f"{name}={value}", script, flags=re.M)
    assert count == 1, f"the quickstart sets {name} once"
    return changed


def test_the_block_has_no_placeholder_left_for_the_reader_but_its_two_variables():
    script = quickstart_block()

    assert "<" not in script and "uuidgen" not in script
    assert re.findall(r'^([A-Z_]+)=[^$("]', script, flags=re.M) == ["BASE", "CLIENT_SECRET"]


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("bash"), reason="needs curl and bash")
@pytest.mark.django_db(transaction=True)
def test_the_readme_insurer_quickstart_runs_verbatim_and_approves_the_request_due_first(
    live_server, settings
):
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
            set_variable(quickstart_block(), "BASE", live_server.url), "CLIENT_SECRET", secret
        )
        # python3 as the reader has it: the interpreter running the tests is one.
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
    assert f'"id":{due_first.pk},' in out  # listed, summarised and decided
    assert '"status":"approved"' in out and '"number":"PA-2027-1"' in out
    # The changes feed has this decision.
    decided = (
        f'"authorization":{due_first.pk},"kind":"transition","from_status":"submitted","to_status":"approved"'
    )
    assert decided in out
    due_first.refresh_from_db()
    assert (due_first.status, due_first.number) == ("approved", "PA-2027-1")

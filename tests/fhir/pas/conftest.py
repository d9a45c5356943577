"""The Da Vinci PAS examples (`../shared/fixtures/fhir/davinci-pas/`, beside the repository, as CI lays
it out), and a payer with a submitted request for the PAS tests.

`CLINIC_SHARED_FIXTURES` points elsewhere (a git worktree's parent holds no `shared/`)."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHARED_FIXTURES = Path(os.environ.get("CLINIC_SHARED_FIXTURES") or ROOT.parent / "shared" / "fixtures")
PAS_EXAMPLES = SHARED_FIXTURES / "fhir" / "davinci-pas"


def pas_example(name: str) -> dict:
    path = PAS_EXAMPLES / name
    if not path.exists():
        pytest.fail(f"{path} is missing: set CLINIC_SHARED_FIXTURES to the shared fixtures folder")
    return json.loads(path.read_text(encoding="utf-8"))


def pas_examples(pattern: str) -> list[str]:
    return sorted(path.name for path in PAS_EXAMPLES.glob(pattern))

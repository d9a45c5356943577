"""FHIR tests: a staff client speaking application/fhir+json, the official examples, fhir.resources."""

import json
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class

ROOT = Path(__file__).resolve().parents[2]


def _examples_dir() -> Path:
    """The official FHIR R4 and Da Vinci PAS examples, copied unchanged into tests/fixtures/fhir/ (their
    README says from where)."""
    return ROOT / "tests" / "fixtures" / "fhir"


def example(name: str) -> dict:
    """An official R4 example (r4-examples/<name>.json) or a PAS one (davinci-pas/<name>.json)."""
    base = _examples_dir()
    for folder in ("r4-examples", "davinci-pas"):
        path = base / folder / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(name)


def validate(resource: dict):
    """Parse with fhir.resources (R4B models accept R4): raises on any structural error."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def shape(value):
    """The structure of a JSON value: keys of objects (recursively), one element of lists, type names."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture
def fhir_get(api):
    """GET a /fhir/R4/ path as the client is logged in; answers the response."""

    def get(path: str, **params):
        return api.get(f"/fhir/R4/{path}", params, HTTP_ACCEPT="application/fhir+json")

    return get


# The charting tests' booked session of the DOMAIN worked example (2 March 2027, 09:00 New York).
from tests.charting.conftest import chair, clock, nurse_api  # noqa: E402, F401


def conforms(ours, theirs, path: str = "") -> list[str]:
    """Where our JSON's shape differs from the official example's, on the elements both have:
    an object where they have an object, a list where a list, a string where a string..."""
    wrong = []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in ours.keys() & theirs.keys():
            wrong += conforms(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(ours, list) and isinstance(theirs, list):
        if ours and theirs:
            wrong += conforms(ours[0], theirs[0], f"{path}[0]")
    elif isinstance(ours, int | float) and isinstance(theirs, int | float):
        pass
    elif type(ours) is not type(theirs):
        wrong.append(f"{path}: {type(ours).__name__} where the example has {type(theirs).__name__}")
    return wrong

"""The patient texts' French and Spanish catalogues are complete, keep every placeholder, and the
committed .mo files say what the .po files say."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The patient-facing catalogues. The tablet's (charting/locale, with message contexts this reader does not
# parse) are held by tests/charting/test_translations.py, which reads them with babel.
CATALOGUES = sorted(p for p in ROOT.glob("*/locale/*/LC_MESSAGES/django.po") if p.parts[-5] != "charting")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def entries(po: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (the header left out), with each entry's flags checked."""
    found, key, field = {}, None, None
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text, f"{po} has fuzzy entries"
    for line in text.splitlines():
        if line.startswith("msgid "):
            key, field = "", "id"
            current = {"id": "", "str": ""}
            line = line[6:]
        elif line.startswith("msgstr "):
            field = "str"
            line = line[7:]
        elif not line.startswith('"'):
            if key is not None and field == "str" and current["id"]:
                found[current["id"]] = current["str"]
            key, field = None, None
            continue
        if field:
            current[field] += line[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()
    if key is not None and current["id"]:
        found[current["id"]] = current["str"]
    return found


def test_there_are_french_and_spanish_catalogues_for_the_patient_texts():
    names = {(p.parts[-5], p.parts[-3]) for p in CATALOGUES}
    assert {("selfservice", "fr"), ("selfservice", "es"), ("scheduling", "fr"), ("scheduling", "es")} <= names


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_every_text_is_translated_with_the_same_placeholders(po):
    found = entries(po)
    assert found
    untranslated = [k for k, v in found.items() if not v.strip()]
    assert untranslated == []
    wrong = [k for k, v in found.items() if sorted(PLACEHOLDER.findall(k)) != sorted(PLACEHOLDER.findall(v))]
    assert wrong == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_the_compiled_catalogue_matches_its_source(po):
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert {k: compiled.gettext(k) for k in entries(po)} == entries(po)

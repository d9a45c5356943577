"""The tablet's catalogues are complete: every text of its templates, scripts and the charting code it
shows is translated into French and Spanish, the compiled .mo files say what the .po files say, and no
template holds English outside a translation tag. No database: these read files.

When one fails: mark the text in the template ({% translate %}), run `manage.py makemessages -l fr -l es`
and `-d djangojs` in charting/, translate the new entries, then `manage.py compilemessages`."""

import gettext
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.template.base import Lexer, TokenType
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation.template import templatize
from django.views.i18n import JSONCatalog

from charting import flag_text
from infusions import vitals

CHARTING = Path(__file__).resolve().parents[2] / "charting"
PAGES = CHARTING / "templates" / "chairside"
TEMPLATES = [*sorted(PAGES.glob("*.html")), PAGES / "sw.js"]
SCRIPTS = sorted((CHARTING / "static" / "chairside").glob("*.js"))
PYTHON = [p for p in CHARTING.rglob("*.py") if "migrations" not in p.parts]
LANGUAGES = ("fr", "es")
KEYWORDS = DEFAULT_KEYWORDS | {
    "gettext_noop": None,
    "gettext_lazy": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
}
# What a tablet page may show in any language: units, abbreviations of routes and scales, symbols.
UNTRANSLATED = {"mL", "mL/h", "g", "g/kg", "kg", "mg", "min", "mmHg", "SpO2", "PO", "IV", "°C", "%"}
# The admin's wrapper of the summary holds only its style (the admin stays English).
NOT_TABLET = {"_summary_admin.html"}


def _messages(path: Path, method: str, source: str | None = None):
    text = source if source is not None else path.read_text(encoding="utf-8")
    for _lineno, message, _comments, context in extract(method, io.BytesIO(text.encode()), keywords=KEYWORDS):
        yield path.name, context, message


def _wanted():
    found = []
    for path in TEMPLATES:
        if path.name not in NOT_TABLET:
            found += _messages(path, "python", templatize(path.read_text(encoding="utf-8"), origin=str(path)))
    for path in PYTHON:
        found += _messages(path, "python")
    return found, [m for path in SCRIPTS for m in _messages(path, "javascript")]


def _catalogue(language: str, domain: str):
    folder = CHARTING / "locale" / language / "LC_MESSAGES"
    with open(folder / f"{domain}.po", "rb") as po, open(folder / f"{domain}.mo", "rb") as mo:
        return read_po(po), gettext.GNUTranslations(mo)


def _translated(catalogue, context, message) -> bool:
    entry = catalogue.get(message if isinstance(message, str) else message[0], context=context)
    if entry is None or entry.fuzzy:
        return False
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(s.strip() for s in strings)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_tablet_is_translated(language):
    pages, scripts = _wanted()
    assert len(pages) > 250 and len(scripts) > 25  # the extraction itself found the texts
    for domain, wanted in (("django", pages), ("djangojs", scripts)):
        po, _mo = _catalogue(language, domain)
        missing = sorted(
            {
                f"{where}: {message!r}"
                for where, context, message in wanted
                if not _translated(po, context, message)
            }
        )
        assert not missing, f"{language} {domain}.po lacks:\n" + "\n".join(missing)


def _compiled(mo: gettext.GNUTranslations, entry) -> str | tuple[str, ...]:
    if isinstance(entry.id, tuple):
        one, many = entry.id
        if entry.context:
            return tuple(mo.npgettext(entry.context, one, many, n) for n in (1, 2))
        return tuple(mo.ngettext(one, many, n) for n in (1, 2))
    return mo.pgettext(entry.context, entry.id) if entry.context else mo.gettext(entry.id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_say_what_the_po_files_say(language):
    for domain in ("django", "djangojs"):
        po, mo = _catalogue(language, domain)
        stale = [
            e.id
            for e in po
            if e.id and _compiled(mo, e) != (tuple(e.string) if isinstance(e.id, tuple) else e.string)
        ]
        assert not stale, f"run manage.py compilemessages: {language} {domain}.mo differs on {stale[:5]}"


def _expected(entry) -> tuple[str, ...]:
    return tuple(entry.string) if isinstance(entry.id, tuple) else (entry.string,)


def _at_runtime(entry) -> tuple[str, ...]:
    """What the running site answers for the entry: another app's catalogue must not win over ours."""
    if isinstance(entry.id, tuple):
        one, many = entry.id
        if entry.context:
            return tuple(translation.npgettext(entry.context, one, many, n) for n in (1, 2))
        return tuple(translation.ngettext(one, many, n) for n in (1, 2))
    return (
        translation.pgettext(entry.context, entry.id) if entry.context else translation.gettext(entry.id),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_site_answers_with_the_tablets_own_translations(language, settings):
    po, _mo = _catalogue(language, "django")
    with translation.override(language):
        wrong = [e.id for e in po if e.id and _at_runtime(e) != _expected(e)]
        catalogue = json_catalogue()
    assert not wrong, f"another catalogue answers for {wrong[:8]}"
    scripts, _mo = _catalogue(language, "djangojs")
    wrong = [
        e.id
        for e in scripts
        if e.id
        and catalogue.get(e.id if isinstance(e.id, str) else e.id[0]) not in (e.string, list(e.string))
    ]
    assert not wrong, f"the script catalogue answers otherwise for {wrong[:8]}"


def json_catalogue() -> dict:
    """The script strings the tablet's page gets (the same catalogue as /chairside/jsi18n/)."""
    response = JSONCatalog.as_view(packages=["charting"])(RequestFactory().get("/"))
    return json.loads(response.content)["catalog"]


def _visible_text(path: Path) -> list[str]:
    """Words a page shows that are outside every translation tag: between tags, and in the attributes a
    person reads (placeholder, aria-label, title, alt). Variables and tags are left out."""
    text, inside = [], 0
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0]
            if word in ("blocktranslate", "blocktrans"):
                inside += 1
            elif word in ("endblocktranslate", "endblocktrans"):
                inside -= 1
        elif token.token_type == TokenType.TEXT and not inside:
            text.append(token.contents)
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", " ".join(text), flags=re.S)
    attributes = re.findall(r'(?:placeholder|aria-label|title|alt)="([^"]*)"', page)
    between = re.sub(r"<[^>]*>", " ", page)
    english = []
    for chunk in [between, *attributes]:
        for word in re.findall(r"[^\s·,;:()…\u2013\u2014]+", chunk):
            if (
                re.search(r"[A-Za-z]", word)
                and word.strip(".") not in UNTRANSLATED
                and not word.startswith("&")
            ):
                english.append(word)
    return english


@pytest.mark.parametrize(
    "path", [p for p in TEMPLATES if p.suffix == ".html" and p.name not in NOT_TABLET], ids=lambda p: p.name
)
def test_no_tablet_template_shows_text_outside_a_translation_tag(path):
    assert _visible_text(path) == []


def test_the_finder_of_untranslated_text_finds_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% load i18n %}<p>{% translate "Vitals" %} due</p><input placeholder="Type it">')
    assert _visible_text(page) == ["due", "Type", "it"]


def test_each_flag_kind_has_its_translation_word_for_word():
    assert flag_text.TEMPLATES == vitals.FLAG_TEMPLATES

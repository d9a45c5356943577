"""The tablet in French (and Spanish), at both orientations in Debian's Chromium: the nurse's browser
asks for French, the pages, the running header, a flagged reading's prompt and the script's own
messages speak it; she switches to Spanish on the tablet and it stays. Screenshots of the French page go
under artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from clinic.preferences import StaffPreference
from tests.browser import test_chairside_session as chairside

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clocks, later, booked = chairside.clocks, chairside.later, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}
FLAGGED = chairside.VITALS | {"systolic": "186"}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_french_page(live_server, page, screenshot, nurse, running, later, size):
    page.set_viewport_size(SIZES[size])
    page.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})
    page.goto(f"{live_server.url}/chairside/")
    expect(page.locator("h1")).to_have_text("Se connecter pour documenter")
    chairside.log_in(page, live_server, nurse)
    expect(page.locator(".chair.status-running .status")).to_have_text("En perfusion")
    expect(page.locator(".chair.status-running .pick button")).to_have_text("Prendre ce fauteuil")
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator("#running-facts")).to_contain_text("Dose du jour · poche")
    expect(page.locator("#running-facts")).to_contain_text("Pompe actuellement")
    expect(page.locator("#live-next")).to_have_text("Passer à 70 mL/h à 09:30")
    expect(page.locator("#step-up")).to_have_text("Passer à 70 mL/h")
    expect(page.locator("#vitals-card h2")).to_have_text("Signes vitaux")
    screenshot(f"tablet-french-{size}")

    later(15)
    text = chairside.submit(page, "Signes vitaux", FLAGGED)
    assert text.startswith("Signes vitaux : enregistré à")
    assert "Alerte : Systolique 186 mmHg au-dessus de 180 (limites adulte)." in text
    prompt = page.locator("#flag-prompt")
    expect(prompt).to_be_visible()
    expect(prompt.locator("h2")).to_contain_text("Signes vitaux anormaux à")
    expect(prompt).to_contain_text("Envisagez de ralentir ou de mettre en pause la perfusion.")
    expect(prompt.locator("#answer-slow")).to_have_text("Ralentir la pompe")
    screenshot(f"tablet-french-flag-prompt-{size}")
    # The rate it offers reads "17,5" nowhere but on screen: the form sends 17.5.
    assert "Réponse : ralentie : enregistré à" in chairside.submit(page, "Réponse : ralentie")
    expect(page.locator("#current-rate")).to_have_text("17,5 mL/h")
    # What the server stores stays English; the French is how it is shown.
    assert (
        running.vitals.exclude(flags=[]).get().flags[0]["message"].startswith("Systolic 186 mmHg is over 180")
    )


def test_the_nurse_switches_the_tablet_to_spanish_and_it_stays(live_server, page, screenshot, nurse, running):
    page.set_viewport_size(SIZES["landscape"])
    chairside.log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    expect(page.locator("#vitals-card h2")).to_have_text("Vitals")
    page.select_option("#language", "es")
    with page.expect_navigation():
        page.click("#language-form button")
    assert page.url.endswith(f"/chairside/bookings/{running.booking_id}/")  # back where she was
    expect(page.locator("#vitals-card h2")).to_have_text("Signos vitales")
    expect(page.locator("#step-up")).to_have_text("Aumentar a 70 mL/h")
    assert StaffPreference.objects.get(user=nurse).language == "es"
    page.goto(f"{live_server.url}/chairside/")
    expect(page.locator("h1")).to_contain_text("horas")
    screenshot("tablet-spanish-board")

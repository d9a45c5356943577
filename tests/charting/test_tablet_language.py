"""The tablet in the nurse's language: her own choice (on the tablet or set by a manager in the admin),
else her browser's; the questions the server asks the tablet come in it too; what is stored stays
English, and the admin stays English."""

import pytest
from django.test import Client
from django.utils import translation

from charting import flag_text
from charting.models import VitalsReading
from clinic.preferences import StaffPreference
from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db

FLAGGED = VITALS_OK | {"systolic": 186}


def tablet_of(user, **headers):
    client = Client(headers=headers)
    client.force_login(user)
    return client


@pytest.fixture
def running(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    assert post(nurse_api, f"/api/v1/sessions/{session}/start/").status_code == 201
    return session


def test_a_nurse_who_chose_french_gets_the_board_in_french_whatever_her_browser_says(nurse, chair, clock):
    StaffPreference.objects.create(user=nurse, language="fr")
    page = tablet_of(nurse, accept_language="en-US,en;q=0.9").get("/chairside/")
    html = page.content.decode()
    assert page.headers["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Tableau du jour" in html
    assert "Attendu à 09:00" in html
    assert "Prendre ce fauteuil" in html
    assert "Today's board" not in html


def test_without_a_choice_the_browser_language_decides(nurse, chair, clock):
    assert (
        "Panel de hoy"
        in tablet_of(nurse, accept_language="es-ES,es;q=0.9").get("/chairside/").content.decode()
    )
    # A language the tablet does not speak: English.
    assert "Today's board" in tablet_of(nurse, accept_language="de-DE").get("/chairside/").content.decode()


def test_the_admin_stays_english_for_a_french_browser(manager):
    html = tablet_of(manager, accept_language="fr-FR,fr").get("/admin/").content.decode()
    assert 'lang="en"' in html
    assert "Déconnexion" not in html


def test_the_nurse_picks_her_language_on_the_tablet_and_goes_back_where_she_was(nurse, chair, clock):
    tablet = tablet_of(nurse, accept_language="en")
    back = f"/chairside/bookings/{chair.booking.pk}/"
    response = tablet.post("/chairside/language/", {"language": "es", "next": back})
    assert response.status_code == 302
    assert response.headers["Location"] == back
    assert StaffPreference.objects.get(user=nurse).language == "es"
    assert "Registrar la llegada" in tablet.get(back).content.decode()
    # Empty: the browser's again.
    tablet.post("/chairside/language/", {"language": "", "next": back})
    assert "Check in" in tablet.get(back).content.decode()


def test_a_language_the_tablet_does_not_speak_is_refused_and_changes_nothing(nurse, chair, clock):
    StaffPreference.objects.create(user=nurse, language="fr")
    response = tablet_of(nurse).post("/chairside/language/", {"language": "de"})
    assert response.status_code == 400
    assert StaffPreference.objects.get(user=nurse).language == "fr"


def test_the_language_form_does_not_send_the_nurse_to_another_site(nurse, chair, clock):
    response = tablet_of(nurse).post(
        "/chairside/language/", {"language": "fr", "next": "https://elsewhere.test/"}
    )
    assert response.headers["Location"] == "/chairside/"


def test_a_manager_sets_a_nurses_language_in_the_admin(manager, nurse, chair, clock):
    response = tablet_of(manager).post(
        "/admin/clinic/staffpreference/add/", {"user": nurse.pk, "language": "fr"}
    )
    assert response.status_code == 302
    assert "Tableau du jour" in tablet_of(nurse).get("/chairside/").content.decode()


def test_a_flagged_reading_is_stored_in_english_and_shown_in_french(nurse, nurse_api, chair, running, clock):
    StaffPreference.objects.create(user=nurse, language="fr")
    move_to(clock, "09:15")
    response = nurse_api.post(
        f"/api/v1/sessions/{running}/vitals/",
        {"client_id": "3f1c7a52-0a51-4c39-9d6e-2a4a5d1c0b11", "taken_at": local("09:15"), **FLAGGED},
        format="json",
        HTTP_X_CHAIRSIDE_LANGUAGE="fr",
    )
    assert response.status_code == 201
    assert response.json()["flags"][0] == {
        "code": "systolic_high",
        "band": "adult",
        "message": "Systolique 186 mmHg au-dessus de 180 (limites adulte).",
    }
    stored = VitalsReading.objects.get(pk=response.json()["id"]).flags[0]
    assert stored["message"] == "Systolic 186 mmHg is over 180 (adult limits)."
    html = tablet_of(nurse).get(f"/chairside/bookings/{chair.booking.pk}/").content.decode()
    assert "Signes vitaux anormaux à 09:15" in html
    assert "Systolique 186 mmHg au-dessus de 180 (limites adulte)." in html
    assert "Envisagez de ralentir ou de mettre en pause la perfusion." in html
    assert 'name="rate_ml_per_hour" inputmode="decimal" value="17.5"' in html  # a number the API reads
    assert '<option value="10">10 g</option>' in html  # a vial size, not "1E+1"
    # Another API client, in English, reads what is stored.
    other = nurse_api.get(f"/api/v1/sessions/{running}/vitals/{response.json()['id']}/")
    assert other.json()["flags"][0]["message"] == "Systolic 186 mmHg is over 180 (adult limits)."


def test_the_question_before_ending_short_comes_in_the_tablets_language(nurse_api, running, clock):
    move_to(clock, "12:10")
    url = f"/api/v1/sessions/{running}/end/"
    body = {
        "client_id": "0d6f2f8e-5b1b-4d55-8a3e-8a5b0c9e7a21",
        "volume_given_ml": "84",
        "at": local("12:10"),
    }
    french = nurse_api.post(url, body, format="json", HTTP_X_CHAIRSIDE_LANGUAGE="fr").json()
    assert french["code"] == "end_reason_required"
    assert (
        "84 mL administrés sur 700 mL. La perfusion s\u2019arrête avant le volume prévu" in french["detail"]
    )
    english = nurse_api.post(url, body, format="json").json()
    assert "84 of 700 mL given. The infusion ends short of the planned volume: say why." in english["detail"]


def test_the_tablet_script_strings_come_in_the_page_language(nurse):
    StaffPreference.objects.create(user=nurse, language="es")
    script = tablet_of(nurse).get("/chairside/jsi18n/").content.decode()
    assert "Guardando\\u2026" in script or "Guardando…" in script


def test_a_flag_stored_before_flags_kept_their_parts_shows_as_it_was_stored():
    with translation.override("fr"):
        assert flag_text.flag_text(
            {"code": "systolic_high", "message": "Systolic 186 mmHg is over 180."}
        ) == ("Systolic 186 mmHg is over 180.")

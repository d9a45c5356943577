"""Passwords: at least 12 characters, not a common one, not a clinic word with digits around it."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from demo.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("infusion", "password_too_short"),
        ("infusion", "password_clinic_word"),
        ("Infusion2026!", "password_clinic_word"),
        ("nurse12345678", "password_clinic_word"),
        ("password1234", "password_too_common"),
        ("elevenchars", "password_too_short"),
    ],
)
def test_a_weak_password_is_refused_with_a_reason(db, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert code in [error.code for error in refused.value.error_list]


@pytest.mark.parametrize("password", ["copper kettle morning", "lantern-orchid-47", DEFAULT_DEMO_PASSWORD])
def test_a_passphrase_and_the_demo_password_are_accepted(db, password):
    validate_password(password)


def test_the_admin_refuses_to_set_infusion_as_a_password(client, manager):
    client.force_login(manager)

    response = client.post(
        "/admin/password_change/",
        {"old_password": "pw-for-tests", "new_password1": "infusion", "new_password2": "infusion"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "at least 12 characters" in page
    manager.refresh_from_db()
    assert manager.check_password("pw-for-tests")

    response = client.post(
        "/admin/password_change/",
        {
            "old_password": "pw-for-tests",
            "new_password1": "copper kettle morning",
            "new_password2": "copper kettle morning",
        },
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("copper kettle morning")

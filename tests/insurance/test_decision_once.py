"""The insurer decision's Idempotency-Key protocol, in its service (`authorization_decision_once`)."""

import pytest
from django.core.exceptions import ValidationError

from clinic.errors import Conflict
from insurance import services
from insurance.models import AuthStatus, PriorAuthorization
from tests.insurance.factories import make_authorization

pytestmark = pytest.mark.django_db

APPROVE = {"outcome": "approved", "number": "PA-1"}


def _status(auth):
    return {"status": PriorAuthorization.objects.get(pk=auth.pk).status}


def _decide(acme, auth, key, body, **decision):
    return services.authorization_decision_once(
        authorization=auth,
        application=acme.app,
        idempotency_key=key,
        request_body=body,
        render=_status,
        via="insurer_api",
        **(decision or body),
    )


def test_a_retry_gets_the_first_answer_even_after_the_authorization_changed(acme):
    auth = make_authorization(acme.coverage)

    first, first_replayed = _decide(acme, auth, "k-1", APPROVE)
    services.authorization_cancel(authorization=auth, reason="Patient moved away.")
    again, replayed = _decide(acme, auth, "k-1", APPROVE)

    assert (first, first_replayed) == ({"status": "approved"}, False)
    assert (again, replayed) == ({"status": "approved"}, True)
    assert auth.events.filter(to_status="approved").count() == 1


def test_the_same_key_for_another_authorization_is_a_conflict_and_decides_nothing(acme):
    auth, other = make_authorization(acme.coverage), make_authorization(acme.coverage)
    _decide(acme, auth, "k-1", APPROVE)

    with pytest.raises(Conflict) as refused:
        _decide(acme, other, "k-1", APPROVE)

    assert refused.value.code == "idempotency_key_reused"
    assert PriorAuthorization.objects.get(pk=other.pk).status == AuthStatus.SUBMITTED


def test_a_refused_decision_keeps_the_key_free_for_the_corrected_request(acme):
    auth = make_authorization(acme.coverage, units=560)
    too_many = {**APPROVE, "outcome": "partially_approved", "units_approved": 900}

    with pytest.raises(ValidationError):
        _decide(acme, auth, "k-2", too_many)
    answer, replayed = _decide(acme, auth, "k-2", APPROVE)

    assert (answer, replayed) == ({"status": "approved"}, False)


def test_without_a_key_every_call_decides(acme):
    auth = make_authorization(acme.coverage)
    _decide(acme, auth, "", {"outcome": "pended", "information_requested": "INCAT score."})

    answer, replayed = _decide(acme, auth, "  ", APPROVE)

    assert (answer, replayed) == ({"status": "approved"}, False)

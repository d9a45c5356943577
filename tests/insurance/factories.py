"""Payers, coverages, authorizations and insurer API clients for tests."""

import secrets
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from insurance import services
from insurance.models import Coverage, Payer, PayerClient, PriorAuthorization
from tests.factories import PatientFactory

READ_DECIDE = "authorizations:read authorizations:decide"


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"payer-{n}")
    name = factory.LazyAttribute(lambda p: p.code.replace("-", " ").title())


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(PayerFactory)
    member_id = factory.Sequence(lambda n: f"M{n:07d}")
    plan_name = "PPO"
    valid_from = date(2026, 1, 1)


def make_authorization(coverage: Coverage, *, status: str = "submitted", units: int = 560, **fields):
    """An authorization request walked through the services to `status` (approved: in full)."""
    auth = services.authorization_create(
        coverage=coverage,
        hcpcs_code=fields.pop("hcpcs_code", "J1569"),
        icd10_code=fields.pop("icd10_code", "G61.81"),
        units_requested=units,
        requested_from=fields.pop("requested_from", date(2027, 3, 1)),
        requested_to=fields.pop("requested_to", date(2027, 8, 31)),
        urgency=fields.pop("urgency", "standard"),
        order_id=fields.pop("order_id", None),
    )
    if status == "draft":
        return auth
    services.authorization_submit(authorization=auth)
    if status in ("approved", "partially_approved"):
        services.authorization_decide(
            authorization=auth, outcome=status, via="fax", number=f"PA-{auth.pk}", **fields
        )
    elif status == "denied":
        services.authorization_decide(
            authorization=auth,
            outcome="denied",
            via="fax",
            denial_code="MN01",
            denial_reason="Not necessary.",
        )
    elif status == "pended":
        services.authorization_decide(
            authorization=auth, outcome="pended", via="fax", information_requested="Latest INCAT score."
        )
    return PriorAuthorization.objects.get(pk=auth.pk)


def make_client(payer: Payer, *, scopes: str = READ_DECIDE) -> Application:
    user = get_user_model().objects.create_user(username=f"api-{payer.code}")
    user.groups.add(Group.objects.get(name="insurer"))
    app = Application.objects.create(
        name=f"{payer.name} client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        user=user,
        client_secret="s3cret-for-tests",
    )
    PayerClient.objects.create(application=app, payer=payer, scopes=scopes)
    return app


def make_token(app: Application, *, scope: str = READ_DECIDE, expires_in: int = 3600) -> str:
    token = secrets.token_urlsafe(24)
    AccessToken.objects.create(
        application=app, token=token, scope=scope, expires=timezone.now() + timedelta(seconds=expires_in)
    )
    return token

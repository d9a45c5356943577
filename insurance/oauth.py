"""How an insurer's client application proves who it is, and what its token may reach.

Tokens come from django-oauth-toolkit's client-credentials grant (`/api/v1/oauth/token/`). A client
application belongs to exactly one payer (`PayerClient`), which also lists the scopes it may be
granted. The insurer endpoints accept these bearer tokens and nothing else (no session); staff
endpoints accept sessions and nothing else, so an insurer token reaches no staff data and a staff
login cannot decide for an insurer.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.scopes import SettingsScopes
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from insurance import tokens
from insurance.models import PayerClient

READ = "authorizations:read"
DECIDE = "authorizations:decide"


class PayerScopes(SettingsScopes):
    """A client may be granted only the scopes its PayerClient lists; a client no payer owns, none."""

    def _client_scopes(self, application) -> list[str]:
        if application is None:
            return []
        client = PayerClient.objects.filter(application=application).first()
        if client is None:
            return []
        known = SettingsScopes.get_available_scopes(self)
        return [s for s in client.scope_list if s in known]

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return self._client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        allowed = self._client_scopes(application)
        defaults = SettingsScopes.get_default_scopes(self)
        return [s for s in defaults if s in allowed]


class InsurerTokenAuthentication(OAuth2Authentication):
    """A bearer token of a payer's client. Sets `request.payer_client` (with its payer).

    No Authorization header: not authenticated (401 `not_authenticated`). A header with an unknown,
    revoked or expired token: 401 `invalid_token`.
    """

    www_authenticate_realm = "insurer-api"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        cached = tokens.lookup(header[7:].strip())
        if cached is not None:
            return self._authenticated(request, cached.client, cached.token)
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(
                "The access token is unknown, revoked or expired; get a new one.", code="invalid_token"
            )
        _, token = result
        client = (
            PayerClient.objects.select_related("payer", "application__user")
            .filter(application_id=token.application_id)
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed(
                "This client application belongs to no payer.", code="invalid_token"
            )
        tokens.store(token, client)
        return self._authenticated(request, client, token)

    @staticmethod
    def _authenticated(request, client, token):
        request.payer_client = client
        request.payer = client.payer
        # The application's service user names the client in the audit trail.
        return client.application.user or AnonymousUser(), token


class HasInsurerScope(BasePermission):
    """The token must carry the view's `required_scope` (per action: `view.scope_for(action)`)."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None or not hasattr(token, "allow_scopes"):
            raise exceptions.NotAuthenticated()
        required = view.scope_for(view.action)
        if not token.allow_scopes([required]):
            raise exceptions.PermissionDenied(
                f"This token does not carry the {required} scope.", code="insufficient_scope"
            )
        return True


class InsurerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI docs describe insurer authentication: OAuth2 client credentials."""

    target_class = InsurerTokenAuthentication
    name = "insurerClientCredentials"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "A payer's client application; tokens last one hour.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v1/oauth/token/",
                    "scopes": settings.OAUTH2_PROVIDER["SCOPES"],
                }
            },
        }

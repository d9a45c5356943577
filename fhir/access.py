"""Who may read what under /fhir/: the one check every FHIR view calls.

Staff come with their session and need the type's permission from their role (clinic/roles.py): a
nurse reads what her role lets her view, and the type's rows are then scoped to her sites. An insurer
comes with its bearer token (insurance/tokens.py) and reaches only what a type or operation opens to
insurers (the PAS bundles of its own members); anything else is a 403. No credentials: a 401.
"""

from fhir.errors import FhirError


def is_insurer(request) -> bool:
    return getattr(request, "payer_client", None) is not None


def check_access(request, permission: str, *, insurers: bool, what: str, scope: str | None = None) -> None:
    """Raise a FhirError (401 or 403) unless the caller may reach `what`.

    `insurers`: an insurer's token may (the caller then scopes rows to `request.payer`); `scope`: the
    OAuth scope its token must carry for it (e.g. authorizations:decide)."""
    if is_insurer(request):
        if not insurers:
            raise FhirError(
                403, "insurer_not_allowed", f"An insurer's token does not reach {what} under /fhir/."
            )
        if scope and not request.auth.allow_scopes([scope]):
            raise FhirError(403, "insufficient_scope", f"This token does not carry the {scope} scope.")
        return
    user = request.user
    if not user.is_authenticated:
        raise FhirError(401, "not_authenticated", "Log in as staff, or send an insurer's bearer token.")
    if not user.has_perm(permission):
        raise FhirError(403, "permission_denied", f"Your role does not let you read {what}.")

"""What staff keep on an authorization beside its decision: the clinic's own notes and the documents
sent to the payer (letters of medical necessity, nerve studies). Neither changes the authorization's
status, so neither is an event in the insurer's changes feed.

Raise `ValidationError` (400) with field names (a missing title or file).
"""

from django.utils import timezone

from clinic.db import validated_save
from insurance.models import AuthorizationDocument, PriorAuthorization


def authorization_notes_update(*, authorization: PriorAuthorization, notes: str) -> PriorAuthorization:
    """Replace the clinic's notes on an authorization; what was requested and decided stays as it is
    (only the notes are written, so a decision saved meanwhile is not overwritten). Returns it."""
    now = timezone.now()
    PriorAuthorization.objects.filter(pk=authorization.pk).update(notes=notes, updated_at=now)
    authorization.notes, authorization.updated_at = notes, now
    return authorization


def authorization_document_add(
    *, authorization: PriorAuthorization, title: str, file, by=None
) -> AuthorizationDocument:
    """Attach a document, saying who uploaded it; return it."""
    return validated_save(
        AuthorizationDocument(
            authorization=authorization, title=(title or "").strip(), file=file, uploaded_by=by
        )
    )


def authorization_document_update(
    *, document: AuthorizationDocument, title: str, file
) -> AuthorizationDocument:
    """Retitle a document or replace its file (who uploaded it first stays); return it."""
    document.title, document.file = (title or "").strip(), file
    return validated_save(document)


def authorization_document_remove(*, document: AuthorizationDocument) -> None:
    """Remove a document attached by mistake (the audit trail keeps that it was)."""
    document.delete()

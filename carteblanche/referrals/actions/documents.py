"""Writes of documents attached to a case file: checked by content, removed with their files."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carteblanche.accounts.models import User
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.referrals import permissions
from carteblanche.referrals.models import (
    CaseFile,
    Document,
)

Action = AuditEntry.Action


ALLOWED_DOCUMENTS = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in ALLOWED_DOCUMENTS.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


@transaction.atomic
def add_document(*, actor: User, case: CaseFile, kind: str, upload: Any) -> Document:
    """Attach a PDF, JPEG or PNG (checked by content, not by name), within the size limit."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut y joindre des pièces.")
    errors = {}
    if kind not in Document.Kind.values:
        errors["kind"] = "Choisissez le type de pièce."
    limit = settings.REFERRALS_DOCUMENT_MAX_BYTES
    if upload is None:
        errors["file"] = "Choisissez un fichier."
    elif upload.size == 0:
        errors["file"] = "Le fichier est vide."
    elif upload.size > limit:
        errors["file"] = f"Le fichier dépasse la taille maximale ({limit // (1024 * 1024)} Mo)."
    content_type = None
    if upload is not None and "file" not in errors:
        upload.seek(0)
        content_type = sniff_content_type(upload.read(16))
        upload.seek(0)
        if content_type is None:
            errors["file"] = "Format non accepté : envoyez un PDF, une photo JPEG ou une image PNG."
    if errors:
        raise ValidationError(errors)
    name = (getattr(upload, "name", "") or "piece").rsplit("/", 1)[-1][:200]
    document = Document(case=case, kind=kind, original_name=name, content_type=content_type, size=upload.size)
    document.uploaded_by = actor
    document.file.save(name, upload, save=False)
    # If the row cannot be written, do not leave an orphan file behind.
    stored_name = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    record_audit(actor=actor, action=Action.CREATE, obj=document, details={"case": str(case.pk), "kind": kind})
    return document


def _delete_files(documents) -> None:
    names = [document.file.name for document in documents]
    if not names:
        return
    storage = documents[0].file.storage

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


@transaction.atomic
def delete_document(*, actor: User, document: Document, reason: str = "pièce retirée") -> None:
    if not permissions.can_edit_case(actor, document.case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut retirer une pièce.")
    _delete_files([document])
    record_audit(
        actor=actor, action=Action.DELETE, obj=document, reason=reason, details={"case": str(document.case_id)}
    )
    document.delete()

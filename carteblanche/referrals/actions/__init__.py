"""Writes of the accompaniment: each one checks its input, runs in a transaction, audits, then notifies.

Errors are `django.core.exceptions.ValidationError` with a dict {field: message} (nothing is
changed), `InvalidTransition` for a refused state change, `ConcurrentModification` when someone
else changed the referral meanwhile, `PermissionDenied` when the actor may not do it.

The actor is an agent (a `User`), or for the writes a partner system may make through the API
(open a case, record a consent, refer, move a referral along, write a message) its key
(`actors.Actor`): the permission rules are the same, asked of the actor.

One module per entity (cases, consents, documents, referrals, follow_links, public); the writes are
imported from here.
"""

from carteblanche.referrals.actions.cases import (
    ANONYMOUS,
    CASE_FIELDS,
    CaseModifiedConcurrently,
    anonymise_case,
    close_case,
    create_case,
    erase_case,
    update_case,
)
from carteblanche.referrals.actions.consents import (
    record_consent,
    revoke_consent,
)
from carteblanche.referrals.actions.documents import (
    ALLOWED_DOCUMENTS,
    add_document,
    delete_document,
    sniff_content_type,
)
from carteblanche.referrals.actions.follow_links import (
    create_follow_link,
    record_satisfaction,
    resolve_follow_link,
)
from carteblanche.referrals.actions.public import (
    PUBLIC_ACTOR_LABEL,
    PUBLIC_SCOPE,
    check_public_contact,
    create_public_request,
)
from carteblanche.referrals.actions.referrals import (
    FINISHED,
    TRANSITION_FIELDS,
    ConcurrentModification,
    create_referral,
    post_message,
    transition_referral,
)

__all__ = [
    "ALLOWED_DOCUMENTS",
    "ANONYMOUS",
    "CASE_FIELDS",
    "FINISHED",
    "PUBLIC_ACTOR_LABEL",
    "PUBLIC_SCOPE",
    "TRANSITION_FIELDS",
    "CaseModifiedConcurrently",
    "ConcurrentModification",
    "add_document",
    "anonymise_case",
    "check_public_contact",
    "close_case",
    "create_case",
    "create_follow_link",
    "create_public_request",
    "create_referral",
    "delete_document",
    "erase_case",
    "post_message",
    "record_consent",
    "record_satisfaction",
    "resolve_follow_link",
    "revoke_consent",
    "sniff_content_type",
    "transition_referral",
    "update_case",
]

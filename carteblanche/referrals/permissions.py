"""Who may read or change which case file and referral. Every view, API call and write goes through these.

An agent (or manager) sees the case files of their structures, and those referred to their
structures once sent with a valid consent (only the parts the consent covers). A coordinator
sees aggregates only; a data steward handles RGPD requests (export, erase) and reads the journal.
"""

from typing import Any

from django.db.models import Q, QuerySet

from carteblanche.accounts.permissions import is_data_steward, is_manager_of
from carteblanche.referrals.actors import structure_ids  # an agent's structures, or an API key's one
from carteblanche.referrals.models import CaseFile, Consent, Referral
from carteblanche.referrals.workflow import Side, Status

ALL_SCOPES = frozenset(choice for choice, _ in Consent.Scope.choices)


def _shared_referrals(ids: set[int]) -> Q:
    return Q(to_structure_id__in=ids) & ~Q(status=Status.DRAFT) & Q(consent__revoked_at__isnull=True)


def visible_referrals(user: Any) -> QuerySet[Referral]:
    ids = structure_ids(user)
    if not ids:
        return Referral.objects.none()
    return Referral.objects.filter(Q(from_structure_id__in=ids) | _shared_referrals(ids))


def visible_cases(user: Any) -> QuerySet[CaseFile]:
    ids = structure_ids(user)
    if not ids:
        return CaseFile.objects.none()
    received = Referral.objects.filter(_shared_referrals(ids)).values("case_id")
    return CaseFile.objects.filter(Q(structure_id__in=ids) | Q(pk__in=received))


def owns_case(user: Any, case: CaseFile) -> bool:
    return case.structure_id in structure_ids(user)


def case_scopes(user: Any, case: CaseFile) -> frozenset[str]:
    """Parts of the case file the user may read: everything for the owner, the consented scope otherwise."""
    if owns_case(user, case):
        return ALL_SCOPES
    ids = structure_ids(user)
    if not ids:
        return frozenset()
    scopes: set[str] = set()
    for scope in Referral.objects.filter(_shared_referrals(ids), case=case).values_list("consent__scope", flat=True):
        scopes.update(scope or [])
    return frozenset(scopes)


def person_label(case: CaseFile, scopes: frozenset[str] | set[str] | list[str]) -> str:
    """How a page names the person: their name only where the identity is shared with the reader."""
    if "identity" in scopes:
        return case.display_name
    return f"Personne orientée (dossier {str(case.pk)[:8]})"


def referral_scopes(user_structure_ids: set[int], referral: Referral) -> frozenset[str]:
    """Parts of the referral's case file readable from these structures (the owner's, or the consented ones)."""
    if referral.case.structure_id in user_structure_ids or referral.from_structure_id in user_structure_ids:
        return ALL_SCOPES
    if referral.consent_id and referral.consent.revoked_at is None:
        return frozenset(referral.consent.scope or [])
    return frozenset()


def can_view_case(user: Any, case: CaseFile) -> bool:
    return bool(case_scopes(user, case))


def can_edit_case(user: Any, case: CaseFile) -> bool:
    """Change identity, needs, plan, consents and documents: the owning structure only."""
    return case.anonymised_at is None and owns_case(user, case)


def can_export_case(user: Any, case: CaseFile) -> bool:
    return owns_case(user, case) or is_data_steward(user)


def can_erase_case(user: Any, case: CaseFile) -> bool:
    return is_manager_of(user, case.structure_id) or is_data_steward(user)


def referral_sides(user: Any, referral: Referral) -> set[Side]:
    ids = structure_ids(user)
    sides = set()
    if referral.from_structure_id in ids:
        sides.add(Side.SENDER)
    if (
        referral.to_structure_id in ids
        and referral.status != Status.DRAFT
        and referral.consent_id
        and referral.consent.revoked_at is None
    ):
        sides.add(Side.RECEIVER)
    return sides


def can_view_referral(user: Any, referral: Referral) -> bool:
    return bool(referral_sides(user, referral))

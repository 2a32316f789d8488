from django.db.models import QuerySet

from carteblanche.mandates.models import Domain, Mandate
from carteblanche.referrals.models import CaseFile


def for_case(case: CaseFile) -> QuerySet[Mandate]:
    return Mandate.objects.filter(case=case).select_related("structure")


def usable_choices(case: CaseFile | None, structure_ids: set[int]) -> list[tuple[str, str]]:
    """("id:domain", label) for each domain of the case's active mandates given to these structures."""
    if case is None:
        return []
    labels = dict(Domain.choices)
    mandates = Mandate.objects.filter(case=case, status=Mandate.Status.ACTIVE, structure_id__in=structure_ids)
    return [
        (f"{m.pk}:{domain}", f"Mandat n° {m.pk} — {labels.get(domain, domain)}")
        for m in mandates.order_by("pk")
        for domain in m.domains
    ]

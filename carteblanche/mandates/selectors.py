from django.db.models import QuerySet

from carteblanche.mandates.models import Mandate
from carteblanche.referrals.models import CaseFile


def for_case(case: CaseFile) -> QuerySet[Mandate]:
    return Mandate.objects.filter(case=case).select_related("structure")

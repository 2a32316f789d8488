"""The label tables the sentences need, read from the database and the rights catalogue (cached per call)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from carteblanche.desk.sentences import Labels, contact_sentences, situation_sections


def labels_for(answers: Mapping[str, Any] | None) -> Labels:
    """Only the needs and communes the answers mention: two small queries."""
    from carteblanche.directory.models import Need
    from carteblanche.rights.openfisca_adapter import BENEFITS
    from carteblanche.territories.models import Commune

    answers = answers or {}
    slugs: Iterable[str] = (answers.get("orientation") or {}).get("needs") or []
    codes = {c for c in ((answers.get("profile") or {}).get("commune_code"),) if c}
    return Labels(
        needs=dict(Need.objects.filter(slug__in=list(slugs)).values_list("slug", "label")),
        communes=dict(Commune.objects.filter(code__in=codes).values_list("code", "name")),
        benefits={b.code: b.label for b in BENEFITS},
    )


def sections_for(answers: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return situation_sections(answers, labels_for(answers))


__all__ = ["contact_sentences", "labels_for", "sections_for"]

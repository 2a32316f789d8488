"""The data·inclusion v1 vocabularies (thematiques, publics, frais…), from the data-inclusion-schema package."""

from collections.abc import Iterable

from data_inclusion.schema import v1

THEMATIQUES = frozenset(item.value for item in v1.Thematique)
CATEGORIES = frozenset(item.value for item in v1.Categorie)
PUBLICS = frozenset(item.value for item in v1.Public)
FRAIS = frozenset(item.value for item in v1.Frais)
MODES_ACCUEIL = frozenset(item.value for item in v1.ModeAccueil)
MODES_MOBILISATION = frozenset(item.value for item in v1.ModeMobilisation)
MOBILISABLE_PAR = frozenset(item.value for item in v1.PersonneMobilisatrice)
TYPES_SERVICE = frozenset(item.value for item in v1.TypeService)
RESEAUX_PORTEURS = frozenset(item.value for item in v1.ReseauPorteur)


def unknown_thematiques(values: Iterable[str]) -> list[str]:
    """The values that are not v1 thematiques, sorted (empty when all are known)."""
    return sorted(set(values) - THEMATIQUES)


def thematique_label(value: str) -> str:
    try:
        return v1.Thematique(value).label
    except ValueError:
        return value

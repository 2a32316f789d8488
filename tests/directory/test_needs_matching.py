"""Free text -> needs of the catalogue."""

from dataclasses import dataclass, field

import pytest

from carteblanche.directory.models import Need
from carteblanche.directory.needs_matching import match_needs, normalize, tokens


@dataclass
class FakeNeed:
    slug: str
    label: str
    phrases: list[str] = field(default_factory=list)


def test_normalize_drops_accents_case_and_punctuation():
    assert normalize("Réversion, SVP ! Œuvre") == "reversion svp oeuvre"


def test_tokens_drop_stop_words_and_stem_in_french():
    assert tokens("Les factures de fioul") == tokens("facture fioul") == ["factur", "fioul"]
    assert tokens("RMI") == ["rsa"]  # old names are rewritten before stemming


def test_full_phrase_beats_shared_word_without_database():
    needs = [
        FakeNeed("permis", "Permis de conduire", ["passer le permis"]),
        FakeNeed("aide-permis", "Aide au permis", ["financer le permis"]),
    ]
    ranked = match_needs("je veux passer le permis", needs)
    assert ranked[0][0].slug == "permis"
    assert all(score < ranked[0][1] for need, score in ranked[1:])


def test_nothing_matches_gives_empty_list():
    assert match_needs("xyzzy", [FakeNeed("a", "Carte grise", ["carte grise"])]) == []
    assert match_needs("   ", [FakeNeed("a", "Carte grise", ["carte grise"])]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je dois faire la demande de réversion", "pension-reversion"),
        ("Je dois faire la demande de REVERSION", "pension-reversion"),
        ("passer le permis", "permis-de-conduire"),
        ("Les factures de fioul me font peur", "cheque-energie"),
        ("je veux m'inscrire au chômage", "inscription-demandeur-emploi"),
        ("renouveler ma carte d'identite", "carte-identite"),
        ("aide pour payer le loyer", "aide-logement"),
        ("je n'ai pas internet", "aide-numerique"),
        ("mon mari me frappe", "violences-conjugales"),
        ("complementaire sante solidaire", "complementaire-sante-solidaire"),
    ],
)
def test_shipped_catalogue_first_match(shipped_data, text, expected):
    ranked = match_needs(text)
    assert ranked, text
    assert ranked[0][0].slug == expected


def test_limit_is_honoured(shipped_data):
    assert len(match_needs("aide pour les papiers, la carte grise, le permis et le loyer", limit=2)) == 2


def test_catalogue_size_and_thematiques(shipped_data):
    from carteblanche.directory.vocabulary import THEMATIQUES

    needs = list(Need.objects.prefetch_related("operators"))
    assert len(needs) >= 45
    for need in needs:
        assert need.thematiques and set(need.thematiques) <= THEMATIQUES, need.slug
        assert need.phrases and all(p == p.lower() for p in need.phrases), need.slug
        assert need.source, need.slug
        assert need.operators.exists(), need.slug

"""The person's answers as French sentences: no raw key, no English, labels from the tables given."""

import re

from carteblanche.desk.sentences import Labels, contact_sentences, situation_sections, travel_sentence

MARTINE = {
    "profile": {"commune_code": "46070", "birth_date": "1948-03-02", "language": "fr"},
    "orientation": {
        "needs": ["pension-reversion"],
        "free_text": "",
        "travel": {
            "car": False,
            "does_not_drive": True,
            "driven": True,
            "driven_when": "mardi matin",
            "public_transport": False,
            "on_demand": False,
            "solidarity": False,
            "reduced_mobility": False,
        },
        "digital": "no_internet",
        "phone": True,
        "availability": "mardi 9-12",
        "urgency": False,
    },
    "household": {
        "steps": {"foyer": {"couple": "no"}},
        "commune_code": "46070",
        "persons": [
            {"relation": "demandeur", "birth_date": "1948-03-02", "activity": "retraite", "pension_gross": 820}
        ],
        "housing_status": "proprietaire",
        "rent": 0,
        "farm_scheme": True,
        "benefits_received": ["aspa"],
    },
}
LABELS = Labels(
    needs={"pension-reversion": "Demander une pension de réversion"},
    communes={"46070": "Cieurac"},
    benefits={"aspa": "Minimum vieillesse (Aspa)"},
)
RAW = re.compile(r"\b(travel|steps|first_name|preference|does_not_drive|car|True|False|None|driven_when)\b|[{}\[\]]")


def _all(sections):
    return [s for section in sections for s in section["sentences"]]


def test_travel_sentence_reads_like_the_person_said_it():
    text = travel_sentence(MARTINE["orientation"]["travel"])
    assert text.startswith("Ne conduit pas ; un proche peut la conduire : mardi matin")


def test_situation_sections_are_french_sentences_with_labels():
    sections = situation_sections(MARTINE, LABELS)
    assert [s["title"] for s in sections] == ["Profil", "Démarches et déplacements", "Foyer, revenus et logement"]
    sentences = _all(sections)
    assert "Habite à Cieurac (46070)." in sentences
    assert "Démarches demandées : Demander une pension de réversion." in sentences
    assert "N'a pas internet." in sentences
    assert "Disponible : mardi 9-12." in sentences
    assert "Vit seul(e)." in sentences
    assert (
        "La personne : née ou né le 02/03/1948 ; est à la retraite ; revenus : retraite ou pension 820 € brut par mois."
        in sentences
    )
    assert "Propriétaire de son logement." in sentences
    assert "Dépend de la MSA (régime agricole)." in sentences
    assert "Reçoit déjà : Minimum vieillesse (Aspa)." in sentences
    for sentence in sentences:
        assert not RAW.search(sentence), sentence


def test_unknown_codes_are_shown_as_given_not_dropped():
    sentences = _all(situation_sections(MARTINE))
    assert "Démarches demandées : pension-reversion." in sentences
    assert "Habite à commune INSEE 46070." in sentences


def test_couple_children_and_amounts():
    household = {
        "persons": [
            {"relation": "demandeur", "activity": "actif", "salary_net": 1234.5},
            {"relation": "conjoint", "activity": "chomeur", "unemployment_net": 900, "disability_rate": 0.8},
            {"relation": "enfant", "birth_date": "2015-01-31", "schooling": "college"},
            {"relation": "enfant", "birth_date": "2019-06-01"},
        ],
        "housing_status": "locataire_hlm",
        "rent": 420,
        "child_support": "yes",
        "child_support_amount": 150,
        "recently_isolated": True,
    }
    sentences = _all(situation_sections({"household": household}))
    assert sentences[0] == "Vit en couple avec 2 enfants à charge."
    assert "salaire net 1\u202f234,50 €" in sentences[1]
    assert "handicap reconnu (taux d'au moins 80 %)" in sentences[2]
    assert sentences[3] == "Un enfant née ou né le 31/01/2015, au collège."
    assert "Locataire d'un logement social (HLM), loyer 420 € par mois." in sentences
    assert "Reçoit une pension alimentaire de 150 € par mois." in sentences


def test_empty_or_missing_sections_give_nothing():
    assert situation_sections(None) == []
    assert situation_sections({"profile": {}, "orientation": {"needs": []}}) == []


def test_contact_sentences_have_no_field_names():
    sentences = contact_sentences(
        {"first_name": "Martine", "last_name": "Roques", "birth_date": "1948-03-02", "commune_code": "46070"},
        {"preference": "relative", "phone": "", "relative_name": "Mme Delpech", "availability": "mardi matin"},
    )
    assert sentences == [
        "Nom : Martine Roques.",
        "Date de naissance : 02/03/1948.",
        "Commune (code INSEE) : 46070.",
        "Souhaite être contacté(e) par l'intermédiaire d'un proche.",
        "Proche à contacter : Mme Delpech.",
        "Disponibilités : mardi matin.",
    ]

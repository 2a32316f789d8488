"""Turn a person's stored answers into labelled French sentences (pure: no Django, no database).

Case pages, referral pages and the RGPD printout show these sentences, never raw keys; the
machine-readable export keeps the documented keys (docs/situation.md, docs/desk.md).
Callers pass the label tables they have (need labels, commune names, benefit labels) so this
module stays pure and testable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

DIGITAL = {
    "autonomous": "Fait ses démarches en ligne seul(e)",
    "online_with_help": "Peut faire ses démarches en ligne si on l'aide",
    "no_internet": "N'a pas internet",
}
LANGUAGES = {
    "fr": "français",
    "en": "anglais",
    "es": "espagnol",
    "pt": "portugais",
    "ar": "arabe",
    "tr": "turc",
    "uk": "ukrainien",
    "ru": "russe",
}
ACTIVITY = {
    "actif": "travaille",
    "salarie": "travaille",
    "chomeur": "cherche un emploi",
    "etudiant": "fait des études",
    "retraite": "est à la retraite",
    "inactif": "est sans activité professionnelle",
}
RELATION = {"demandeur": "La personne", "conjoint": "Son conjoint ou sa conjointe", "enfant": "Un enfant"}
HOUSING = {
    "locataire_vide": "Locataire d'un logement vide (privé)",
    "locataire_meuble": "Locataire d'un logement meublé",
    "locataire_hlm": "Locataire d'un logement social (HLM)",
    "locataire_foyer": "Vit en foyer ou en résidence",
    "proprietaire": "Propriétaire de son logement",
    "primo_accedant": "Rembourse l'achat de son logement",
    "loge_gratuitement": "Hébergé(e) gratuitement",
    "sans_domicile": "Sans logement",
}
SCHOOLING = {
    "maternelle": "à l'école maternelle",
    "primaire": "à l'école élémentaire",
    "college": "au collège",
    "lycee": "au lycée",
    "enseignement_superieur": "en études supérieures",
}
CONTACT_PREFERENCE = {
    "phone": "par téléphone",
    "sms": "par SMS",
    "email": "par courriel",
    "letter": "par courrier",
    "relative": "par l'intermédiaire d'un proche",
}
SECTION_TITLES = {
    "profile": "Profil",
    "orientation": "Démarches et déplacements",
    "household": "Foyer, revenus et logement",
}


@dataclass(frozen=True)
class Labels:
    """Label tables the caller knows (slug → French label); unknown codes are shown as given."""

    needs: Mapping[str, str] | None = None
    communes: Mapping[str, str] | None = None
    benefits: Mapping[str, str] | None = None


def _euros(value: Any) -> str:
    amount = float(value or 0)
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + " €"


def _date(value: Any) -> str:
    if not value:
        return "date inconnue"
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _commune(code: str, labels: Labels) -> str:
    name = (labels.communes or {}).get(code)
    return f"{name} ({code})" if name else f"commune INSEE {code}"


def travel_sentence(travel: Mapping[str, Any]) -> str:
    """'Ne conduit pas ; un proche peut la conduire le mardi matin' style summary of the means of travel."""
    parts: list[str] = []
    if travel.get("car"):
        parts.append("A une voiture et le permis")
    elif travel.get("does_not_drive"):
        parts.append("Ne conduit pas")
    else:
        parts.append("N'a pas de voiture")
    if travel.get("driven"):
        when = (travel.get("driven_when") or "").strip()
        parts.append(f"un proche peut la conduire : {when}" if when else "un proche peut la conduire")
    means = [
        label
        for key, label in (
            ("public_transport", "le bus, le car ou le train"),
            ("on_demand", "le transport à la demande"),
            ("solidarity", "un chauffeur bénévole (mobilité solidaire)"),
        )
        if travel.get(key)
    ]
    if means:
        parts.append("peut prendre " + ", ".join(means))
    if travel.get("reduced_mobility"):
        parts.append("se déplace difficilement")
    return " ; ".join(parts)


def profile_sentences(profile: Mapping[str, Any], labels: Labels = Labels()) -> list[str]:
    out = []
    if profile.get("commune_code"):
        out.append(f"Habite à {_commune(profile['commune_code'], labels)}.")
    if profile.get("birth_date"):
        out.append(f"Née ou né le {_date(profile['birth_date'])}.")
    elif profile.get("age") is not None:
        out.append(f"A {profile['age']} ans.")
    language = profile.get("language")
    if language and language != "fr":
        out.append(f"Langue : {LANGUAGES.get(language, language)}.")
    return out


def orientation_sentences(orientation: Mapping[str, Any], labels: Labels = Labels()) -> list[str]:
    out = []
    needs = [(labels.needs or {}).get(slug, slug) for slug in orientation.get("needs") or []]
    if needs:
        out.append("Démarches demandées : " + ", ".join(needs) + ".")
    if orientation.get("free_text"):
        out.append(f"Dit avec ses mots : « {orientation['free_text']} ».")
    if orientation.get("travel"):
        out.append(travel_sentence(orientation["travel"]) + ".")
    if orientation.get("digital") in DIGITAL:
        out.append(DIGITAL[orientation["digital"]] + ".")
    if "phone" in orientation:
        out.append("A un téléphone." if orientation["phone"] else "N'a pas de téléphone.")
    if "availability" in orientation:
        out.append(
            f"Disponible : {orientation['availability']}."
            if orientation["availability"]
            else "Disponible tous les jours."
        )
    if orientation.get("urgency"):
        out.append("C'est urgent.")
    if orientation.get("other_commune"):
        out.append(f"Va souvent à {orientation['other_commune']}.")
    return out


def _person_sentence(person: Mapping[str, Any]) -> str:
    relation = person.get("relation", "")
    who = RELATION.get(relation, "Une personne du foyer")
    bits = []
    if person.get("birth_date"):
        bits.append(f"née ou né le {_date(person['birth_date'])}")
    if relation == "enfant":
        if person.get("schooling") in SCHOOLING:
            bits.append(SCHOOLING[person["schooling"]])
        return f"{who}{' ' + ', '.join(bits) if bits else ''}."
    if person.get("activity") in ACTIVITY:
        bits.append(ACTIVITY[person["activity"]])
    incomes = []
    if person.get("salary_net"):
        incomes.append(f"salaire net {_euros(person['salary_net'])} par mois")
    if person.get("unemployment_net"):
        incomes.append(f"allocation chômage {_euros(person['unemployment_net'])} par mois")
    if person.get("pension_gross"):
        incomes.append(f"retraite ou pension {_euros(person['pension_gross'])} brut par mois")
    bits.append("revenus : " + ", ".join(incomes) if incomes else "sans revenu déclaré")
    rate = person.get("disability_rate")
    if rate == "unknown":
        bits.append("ne sait pas si un handicap est reconnu")
    elif rate:
        bits.append(f"handicap reconnu (taux d'au moins {int(float(rate) * 100)} %)")
    return f"{who} : " + " ; ".join(bits) + "."


def household_sentences(household: Mapping[str, Any], labels: Labels = Labels()) -> list[str]:
    persons = household.get("persons") or []
    out = []
    if persons:
        couple = any(p.get("relation") == "conjoint" for p in persons)
        children = sum(1 for p in persons if p.get("relation") == "enfant")
        text = "Vit en couple" if couple else "Vit seul(e)"
        if children:
            text += f" avec {children} enfant{'s' if children > 1 else ''} à charge"
        out.append(text + ".")
        out.extend(_person_sentence(p) for p in persons)
    status = household.get("housing_status")
    if status in HOUSING:
        text = HOUSING[status]
        if household.get("rent"):
            text += f", loyer {_euros(household['rent'])} par mois"
        out.append(text + ".")
    if household.get("farm_scheme"):
        out.append("Dépend de la MSA (régime agricole).")
    if household.get("child_support") == "yes":
        amount = household.get("child_support_amount")
        out.append(f"Reçoit une pension alimentaire{' de ' + _euros(amount) + ' par mois' if amount else ''}.")
    if household.get("recently_isolated"):
        out.append("S'est séparé(e) ou est devenu(e) seul(e) récemment.")
    received = [(labels.benefits or {}).get(code, code) for code in household.get("benefits_received") or []]
    if received:
        out.append("Reçoit déjà : " + ", ".join(received) + ".")
    return out


def situation_sections(answers: Mapping[str, Any] | None, labels: Labels = Labels()) -> list[dict[str, Any]]:
    """The shared situation as titled groups of French sentences, in a stable order."""
    answers = answers or {}
    makers = {"profile": profile_sentences, "orientation": orientation_sentences, "household": household_sentences}
    sections = []
    for key, maker in makers.items():
        section = answers.get(key)
        if isinstance(section, Mapping) and section:
            sentences = maker(section, labels)
            if sentences:
                sections.append({"key": key, "title": SECTION_TITLES[key], "sentences": sentences})
    return sections


def contact_sentences(identity: Mapping[str, Any], contact: Mapping[str, Any]) -> list[str]:
    """Identity and contact of a case file (RGPD printout) as sentences, never raw keys."""
    out = []
    name = " ".join(v for v in (identity.get("first_name"), identity.get("last_name")) if v)
    if name:
        out.append(f"Nom : {name}.")
    if identity.get("birth_date"):
        out.append(f"Date de naissance : {_date(identity['birth_date'])}.")
    if identity.get("commune_code"):
        out.append(f"Commune (code INSEE) : {identity['commune_code']}.")
    preference = contact.get("preference")
    if preference:
        out.append(f"Souhaite être contacté(e) {CONTACT_PREFERENCE.get(preference, preference)}.")
    for key, label in (
        ("phone", "Téléphone"),
        ("email", "Courriel"),
        ("postal_address", "Adresse postale"),
        ("relative_name", "Proche à contacter"),
        ("relative_phone", "Téléphone du proche"),
        ("availability", "Disponibilités"),
    ):
        if contact.get(key):
            out.append(f"{label} : {contact[key]}.")
    return out

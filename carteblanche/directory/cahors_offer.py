"""The curated Cahors offer, written from /work/shared/territory-facts.md (each record names its source).

`manage.py build_cahors_offer` turns this, plus the Lot features of the France Services 2021
dataset, into `data/cahors_offer.json` (data·inclusion v1 + `extension_carteblanche`), which
`load_offer` loads. Rule: an address, phone number or opening hours appear only when a source
gives them; otherwise the field is empty (unknown) and the place sits at the commune's reference
point, flagged approximate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carteblanche.directory.importers.france_services import SOURCE as FRANCE_SERVICES_SOURCE

SOURCE = "carteblanche-cahors"
FRANCE_SERVICES_BUS_ID = "262"  # MATRICULE of the Grand Cahors bus in France Services 2021: curated here instead
VERIFIED_ON = "2026-11-25"  # when territory-facts.md was compiled from its sources
NEEDS = {need["slug"]: need for need in json.loads((Path(__file__).parent / "data/needs.json").read_text("utf-8"))}
FS_NEEDS = sorted(slug for slug, need in NEEDS.items() if "france-services" in need["operators"])
CALL_COST = "service gratuit + prix d'un appel"

MEDIALOT_BUS = "https://medialot.fr/?p=141610"
BUS_STOPS = {  # the 26 communes of monthly permanences (Oct 2023), with what the source says of the spot
    "46007": "",  # Arcambal
    "46156": "Cours",  # Bellefont-la-Rauze (Cours)
    "46032": "",  # Boissières
    "46040": "",  # Cabrerets
    "46042": "centre historique",  # Cahors
    "46044": "",  # Caillac
    "46046": "",  # Calamane
    "46070": "",  # Cieurac
    "46088": "",  # Douelle
    "46095": "",  # Espère
    "46109": "",  # Fontanes
    "46112": "",  # Francoulès
    "46119": "",  # Gigouzac
    "46136": "",  # Labastide-du-Vert
    "46137": "",  # Labastide-Marnhac
    "46149": "",  # Lamagdelaine
    "46134": "",  # Les Junies
    "46171": "",  # Lherm
    "46188": "",  # Maxou
    "46190": "",  # Mechmont
    "46191": "",  # Mercuès
    "46223": "",  # Pontcirq
    "46224": "",  # Pradines
    "46340": "",  # Saint-Pierre-Lafeuille
    "46320": "",  # Tour-de-Faure
    "46322": "",  # Trespoux-Rassiels
}


def _documents(needs: list[str]) -> list[str]:
    seen: list[str] = []
    for slug in needs:
        for document in NEEDS[slug]["documents"]:
            if document not in seen:
                seen.append(document)
    return seen[:8]


def _thematiques(needs: list[str]) -> list[str]:
    return sorted({theme for slug in needs for theme in NEEDS[slug]["thematiques"]})


def place(
    source_id: str,
    name: str,
    commune: str,
    *,
    address: str = "",
    complement: str = "",
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    hours: str = "",
    hours_note: str = "",
    source_url: str = "",
) -> dict[str, Any]:
    approximate = latitude is None
    return {
        "source_id": source_id,
        "commune": commune,
        "name": name,
        "address": address,
        "address_complement": complement,
        "postcode": postcode,
        "latitude": latitude,
        "longitude": longitude,
        "position_approximate": approximate,
        "opening_hours": hours,
        "hours_note": hours_note or ("Aucune de nos sources ne les publie." if not hours else ""),
        "wheelchair_accessible": None,
        "accessibility_note": "",
        "is_itinerant_stop": False,
        "source_url": source_url,
        "verified_on": VERIFIED_ON,
    }


def structure(
    source_id: str,
    name: str,
    *,
    operator: str | None,
    description: str,
    source_url: str,
    places: list[dict] = (),
    phone: str = "",
    website: str = "",
    networks: list[str] = (),
    replaces: list[tuple[str, str]] = (),
) -> dict[str, Any]:
    extension = {
        "operator": operator,
        "description": description,
        "verified_on": VERIFIED_ON,
        "places": list(places),
    }
    if replaces:
        extension["replaces"] = [{"source": source, "id": source_id} for source, source_id in replaces]
    return {
        "source": SOURCE,
        "id": source_id,
        "nom": name,
        "date_maj": VERIFIED_ON,
        "description": description,
        "lien_source": source_url,
        "telephone": phone or None,
        "site_web": website or None,
        "reseaux_porteurs": sorted(networks) or None,
        "extension_carteblanche": extension,
    }


def channel(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, **fields}


def service(
    source_id: str,
    structure_id: str,
    name: str,
    *,
    operator: str | None,
    description: str,
    needs: list[str],
    channels: list[dict],
    source_url: str,
    publics: list[str] = ("tous-publics",),
    kind: str = "accompagnement",
    age_min: int | None = None,
    age_max: int | None = None,
    zone: list[str] | None = None,
    thematiques: list[str] | None = None,
    conditions: str = "",
) -> dict[str, Any]:
    modes_accueil = sorted(
        {"en-presentiel" for c in channels if c["kind"] in ("counter", "itinerant", "home_visit")}
        | {"a-distance" for c in channels if c["kind"] in ("phone", "online", "callback", "video")}
    )
    mobilisation = sorted(
        {"se-presenter" for c in channels if c["kind"] in ("counter", "itinerant")}
        | {"telephoner" for c in channels if c["kind"] in ("phone", "callback")}
        | {"utiliser-lien-mobilisation" for c in channels if c["kind"] == "online"}
    )
    online = next((c["url"] for c in channels if c["kind"] == "online"), None)
    return {
        "source": SOURCE,
        "structure_id": structure_id,
        "id": source_id,
        "nom": name,
        "description": description,
        "lien_source": source_url,
        "date_maj": VERIFIED_ON,
        "type": kind,
        "thematiques": thematiques or _thematiques(needs),
        "frais": "gratuit",
        "publics": list(publics),
        "conditions_acces": conditions or None,
        "modes_accueil": modes_accueil or None,
        "zone_eligibilite": zone,
        "lien_mobilisation": online if "utiliser-lien-mobilisation" in mobilisation else None,
        "modes_mobilisation": mobilisation or None,
        "mobilisable_par": ["usagers"],
        "extension_carteblanche": {
            "operator": operator,
            "description": description,
            "verified_on": VERIFIED_ON,
            "age_min": age_min,
            "age_max": age_max,
            "languages": ["fr"],
            "documents": _documents(needs),
            "frais": ["gratuit"],
            "needs": sorted(needs),
            "channels": channels,
        },
    }


def curated(territory_communes: list[tuple[str, str]]) -> tuple[list[dict], list[dict]]:
    """Structures and services written by hand from the facts file; `territory_communes` = (code, name)."""
    s: list[dict] = []
    v: list[dict] = []

    # --- the itinerant France Services bus of the Grand Cahors --------------------------------
    s.append(
        structure(
            "bus-france-services-grand-cahors",
            "Bus France Services du Grand Cahors",
            operator="grand-cahors",
            networks=["france-service"],
            source_url=MEDIALOT_BUS,
            # The national France Services file carries this bus as one record at its base address.
            replaces=[(FRANCE_SERVICES_SOURCE, FRANCE_SERVICES_BUS_ID)],
            description=(
                "Héritier du « car des services publics » de l'expérimentation Carte Blanche (2018), le bus "
                "France Services du Grand Cahors, mené avec l'UDAF du Lot, tient une permanence mensuelle dans "
                "26 communes. Deux agents : une travailleuse sociale et un animateur polyvalent (2023)."
            ),
            places=[
                place(
                    "bus-france-services-grand-cahors-base",
                    "Bus France Services — adresse de rattachement (Hôtel Wilson)",
                    "46042",
                    address="72 rue du Président Wilson",
                    complement="Hôtel Wilson",
                    postcode="46000",
                    latitude=44.44622,
                    longitude=1.439927,
                    hours_note="Adresse de rattachement publiée (France Services 2021) ; ce n'est pas un guichet.",
                    source_url="https://www.data.gouv.fr",
                )
            ],
        )
    )
    v.append(
        service(
            "bus-france-services-grand-cahors-accompagnement",
            "bus-france-services-grand-cahors",
            "Bus France Services : aide aux démarches près de chez vous",
            operator="france-services",
            needs=FS_NEEDS,
            source_url=MEDIALOT_BUS,
            description=(
                "Le bus vient une fois par mois dans votre commune. Les agents vous aident pour vos démarches "
                "(CAF, retraite, santé, impôts, emploi, papiers) et vous mettent en relation avec les "
                "organismes, sans aller à Cahors. Dates des passages à confirmer auprès de votre mairie."
            ),
            channels=[
                channel(
                    "itinerant",
                    notes="Permanence mensuelle dans chaque commune ; dates à confirmer (non publiées).",
                    stops=[
                        {
                            "commune": code,
                            "location_label": label,
                            "schedule": "",
                            "schedule_note": "permanence mensuelle, dates à confirmer",
                        }
                        for code, label in BUS_STOPS.items()
                    ],
                )
            ],
        )
    )

    # --- State --------------------------------------------------------------------------------------
    prefecture_source = "https://medialot.fr/coronavirus-la-prefecture-du-lot-et-le-palais-de-justice-suspendent-provisoirement-laccueil-au-public"
    s.append(
        structure(
            "prefecture-du-lot",
            "Préfecture du Lot",
            operator="prefecture",
            phone="05 65 23 10 00",
            website="https://www.lot.gouv.fr",
            source_url=prefecture_source,
            description="Services de l'État dans le Lot. Standard : 05 65 23 10 00.",
            places=[
                place(
                    "prefecture-du-lot",
                    "Préfecture du Lot",
                    "46042",
                    address="place Chapou",
                    postcode="46000",
                    source_url="https://www.blogdesbourians.fr/lhistoire-de-la-prefecture/",
                )
            ],
        )
    )
    v.append(
        service(
            "prefecture-du-lot-accueil",
            "prefecture-du-lot",
            "Accueil de la préfecture du Lot (étrangers, titres)",
            operator="prefecture",
            needs=["titre-sejour"],
            source_url=prefecture_source,
            description=(
                "Accueil des services de l'État : séjour des étrangers et naturalisation. Les cartes d'identité, "
                "passeports, permis et cartes grises se demandent en ligne (ANTS) ou en mairie équipée."
            ),
            channels=[
                channel("counter", place="prefecture-du-lot"),
                channel("phone", phone="05 65 23 10 00", notes="Standard de la préfecture."),
                channel("online", url="https://administration-etrangers-en-france.interieur.gouv.fr"),
            ],
        )
    )
    s.append(
        structure(
            "ants",
            "Agence nationale des titres sécurisés (ANTS)",
            operator="ants",
            website="https://ants.gouv.fr",
            source_url="https://ants.gouv.fr",
            description="Demandes en ligne de carte d'identité, passeport, permis de conduire et carte grise.",
        )
    )
    v.append(
        service(
            "ants-titres-en-ligne",
            "ants",
            "Carte d'identité, passeport, permis, carte grise : démarches en ligne",
            operator="ants",
            kind="information",
            needs=["carte-identite", "passeport", "carte-grise", "permis-de-conduire"],
            source_url="https://ants.gouv.fr",
            description=(
                "Pré-demande de carte d'identité ou de passeport (puis rendez-vous dans une mairie équipée), "
                "demandes de permis de conduire et de carte grise, entièrement en ligne. Un agent France "
                "Services peut vous aider à les faire."
            ),
            channels=[
                channel("online", url="https://ants.gouv.fr"),
                channel("online", url="https://immatriculation.ants.gouv.fr", notes="Carte grise."),
                channel("online", url="https://permisdeconduire.ants.gouv.fr", notes="Permis de conduire."),
            ],
        )
    )

    # --- social security, employment, taxes ---------------------------------------------------------
    s.append(
        structure(
            "caf-du-lot",
            "CAF du Lot",
            operator="caf",
            networks=["caf"],
            website="https://www.caf.fr",
            source_url="https://docslib.org/doc/9131814/compte-rendu-du-temps-fort-avec-les-habitants",
            description="Caisse d'allocations familiales du Lot. Adresse d'accueil non trouvée dans nos sources.",
        )
    )
    caf_needs = [
        "allocations-familiales",
        "aide-logement",
        "rsa",
        "prime-activite",
        "allocation-rentree-scolaire",
        "pension-alimentaire",
        "connaitre-ses-droits",
    ]
    v.append(
        service(
            "caf-du-lot-prestations",
            "caf-du-lot",
            "CAF : allocations familiales, aide au logement, RSA, prime d'activité",
            operator="caf",
            kind="aide-financiere",
            needs=caf_needs,
            source_url="https://www.caf.fr",
            description=(
                "Demandes et suivi des prestations de la CAF : allocations familiales, allocation de soutien "
                "familial, aide au logement, RSA, prime d'activité, allocation de rentrée scolaire. Par "
                "téléphone (3230), en ligne sur caf.fr à toute heure, ou en rendez-vous téléphonique : un "
                "conseiller vous rappelle au créneau choisi."
            ),
            channels=[
                channel("phone", phone="3230", cost=CALL_COST),
                channel("online", url="https://www.caf.fr"),
                channel(
                    "callback",
                    phone="3230",
                    url="https://www.caf.fr",
                    booking="Rendez-vous téléphonique à prendre dans « Mon Compte » sur caf.fr ou au 3230.",
                    appointment_required=True,
                ),
            ],
        )
    )
    v.append(
        service(
            "caf-monenfant",
            "caf-du-lot",
            "Trouver un mode de garde (monenfant.fr)",
            operator="caf",
            kind="information",
            needs=["garde-enfants"],
            publics=["familles"],
            source_url="https://monenfant.fr",
            description=(
                "Le site de la CAF pour trouver une crèche, une assistante maternelle ou un accueil de loisirs."
            ),
            channels=[channel("online", url="https://monenfant.fr")],
        )
    )
    s.append(
        structure(
            "cpam-du-lot",
            "CPAM du Lot (Assurance maladie)",
            operator="cpam",
            networks=["cpam"],
            website="https://www.ameli.fr",
            source_url="https://blogdesbourians.fr/la-cpam-du-lot-obtient-de-la-cnam-la-gestion-des-dossiers-de-48-000-detenus",
            description="Caisse primaire d'assurance maladie du Lot, rue Hautesserre à Cahors (numéro non trouvé).",
            places=[
                place(
                    "cpam-du-lot-cahors",
                    "CPAM du Lot — Cahors",
                    "46042",
                    address="rue Hautesserre",
                    postcode="46000",
                    source_url="https://blogdesbourians.fr/la-cpam-du-lot-obtient-de-la-cnam-la-gestion-des-dossiers-de-48-000-detenus",
                )
            ],
        )
    )
    v.append(
        service(
            "cpam-du-lot-assurance-maladie",
            "cpam-du-lot",
            "Assurance maladie : carte Vitale, remboursements, complémentaire santé solidaire",
            operator="cpam",
            needs=[
                "complementaire-sante-solidaire",
                "carte-vitale",
                "assurance-maladie",
                "acces-soins",
                "pension-invalidite",
                "sante-mentale",
            ],
            source_url="https://www.ameli.fr",
            description=(
                "Carte Vitale, remboursements, arrêts de travail, complémentaire santé solidaire, invalidité. "
                "Par téléphone au 3646, en ligne sur ameli.fr, ou à l'accueil de Cahors (horaires non "
                "communiqués)."
            ),
            channels=[
                channel("counter", place="cpam-du-lot-cahors"),
                channel("phone", phone="3646", cost=CALL_COST),
                channel("online", url="https://www.ameli.fr"),
            ],
        )
    )
    s.append(
        structure(
            "msa-midi-pyrenees-nord",
            "MSA Midi-Pyrénées Nord",
            operator="msa",
            networks=["mutualite-sociale-agricole"],
            website="https://www.msa.fr",
            source_url="http://lavolontepaysanne.fr/fr/detail-vp/vp11042019_msa-midi-pyrenees-nord-derniere-assemblee_IDVP27922.php",
            description=(
                "Sécurité sociale agricole de l'Aveyron, du Lot, du Tarn et du Tarn-et-Garonne : santé, famille, "
                "retraite des exploitants et salariés agricoles. Adresse à Cahors non trouvée dans nos sources."
            ),
        )
    )
    v.append(
        service(
            "msa-retraite-sante-famille",
            "msa-midi-pyrenees-nord",
            "MSA : retraite agricole, pension de réversion, santé et famille",
            operator="msa",
            needs=[
                "retraite",
                "pension-reversion",
                "minimum-vieillesse-aspa",
                "complementaire-sante-solidaire",
                "allocations-familiales",
                "aide-logement",
                "prime-activite",
            ],
            publics=["tous-publics"],
            conditions=(
                "Pour les personnes affiliées au régime agricole (exploitants, salariés agricoles et leurs familles)."
            ),
            source_url="https://www.msa.fr",
            description=(
                "Pour les personnes du régime agricole : retraite et pension de réversion, minimum vieillesse, "
                "santé, prestations familiales et logement. Demande de réversion possible en ligne pour tous "
                "les régimes sur info-retraite.fr ; un agent France Services ou du bus peut vous aider."
            ),
            channels=[
                channel("online", url="https://www.msa.fr"),
                channel(
                    "online", url="https://www.info-retraite.fr", notes="Demande unique de retraite ou de réversion."
                ),
            ],
        )
    )
    s.append(
        structure(
            "assurance-retraite-carsat-midi-pyrenees",
            "Assurance retraite (Carsat Midi-Pyrénées)",
            operator="assurance-retraite",
            website="https://www.lassuranceretraite.fr",
            source_url="https://www.lassuranceretraite.fr",
            description=(
                "Retraite du régime général des salariés dans le Lot. Adresse d'accueil non trouvée dans nos sources."
            ),
        )
    )
    v.append(
        service(
            "assurance-retraite-retraite-reversion",
            "assurance-retraite-carsat-midi-pyrenees",
            "Assurance retraite : retraite, pension de réversion, minimum vieillesse (ASPA)",
            operator="assurance-retraite",
            needs=["retraite", "pension-reversion", "minimum-vieillesse-aspa", "deces-proche"],
            source_url="https://www.lassuranceretraite.fr",
            description=(
                "Demander sa retraite, une pension de réversion après le décès de son conjoint ou le minimum "
                "vieillesse (ASPA). Par téléphone au 3960, ou en ligne (lassuranceretraite.fr ; demande unique "
                "tous régimes sur info-retraite.fr)."
            ),
            channels=[
                channel("phone", phone="3960", cost=CALL_COST),
                channel("online", url="https://www.lassuranceretraite.fr"),
                channel(
                    "online", url="https://www.info-retraite.fr", notes="Demande unique de retraite ou de réversion."
                ),
            ],
        )
    )
    s.append(
        structure(
            "france-travail-cahors",
            "France Travail Cahors",
            operator="france-travail",
            networks=["france-travail"],
            website="https://www.francetravail.fr",
            source_url="https://mecanicvallee.com/lot-les-pme-accompagnees-pour-mieux-recruter",
            description="Agence France Travail (ex-Pôle emploi) de Cahors. Adresse non trouvée dans nos sources.",
            places=[place("france-travail-cahors", "France Travail Cahors", "46042")],
        )
    )
    v.append(
        service(
            "france-travail-cahors-emploi",
            "france-travail-cahors",
            "France Travail : inscription, allocations, recherche d'emploi, formation",
            operator="france-travail",
            needs=[
                "inscription-demandeur-emploi",
                "allocation-chomage",
                "formation",
                "aide-mobilite",
                "aide-permis-jeunes",
                "creer-entreprise",
                "contrat-engagement-jeune",
            ],
            source_url="https://www.francetravail.fr",
            description=(
                "S'inscrire comme demandeur d'emploi (en ligne, sans se déplacer), toucher ses allocations, "
                "chercher un emploi ou une formation, demander une aide à la mobilité ou au permis. "
                "Téléphone : 3949."
            ),
            channels=[
                channel("online", url="https://www.francetravail.fr"),
                channel("phone", phone="3949", cost=CALL_COST),
                channel("counter", place="france-travail-cahors"),
            ],
        )
    )
    s.append(
        structure(
            "dgfip-cahors",
            "Centre des finances publiques de Cahors",
            operator="dgfip",
            website="https://www.impots.gouv.fr",
            source_url="https://lacgt46.fr/2015-03-cahors-le-centre-des-finances-est-desormais-ferme-le-mercredi",
            description="Accueil des finances publiques à Cahors. Adresse non trouvée dans nos sources.",
            places=[
                place(
                    "dgfip-cahors",
                    "Centre des finances publiques de Cahors",
                    "46042",
                    hours_note=(
                        "En 2015, accueil réduit à 24 h par semaine et fermé le mercredi (source de 2015, à vérifier)."
                    ),
                )
            ],
        )
    )
    v.append(
        service(
            "dgfip-impots",
            "dgfip-cahors",
            "Impôts : déclaration de revenus, paiement, questions",
            operator="dgfip",
            needs=["impots-declaration"],
            source_url="https://www.impots.gouv.fr",
            description=(
                "Déclarer ses revenus, payer ou poser une question sur ses impôts : en ligne sur impots.gouv.fr "
                "(messagerie de l'espace particulier), par téléphone, ou à l'accueil."
            ),
            channels=[
                channel("online", url="https://www.impots.gouv.fr"),
                channel("phone", phone="0 809 401 401", cost="appel non surtaxé"),
                channel("counter", place="dgfip-cahors"),
            ],
        )
    )

    # --- Département, CCAS, mission locale ----------------------------------------------------------
    territory_codes = [code for code, _ in territory_communes]
    s.append(
        structure(
            "departement-du-lot",
            "Département du Lot — action sociale",
            operator="departement",
            networks=["departements"],
            website="https://lot.fr",
            source_url="https://lot.fr/solidarite?page=1",
            description=(
                "L'action sociale du Département se fait dans les maisons des solidarités départementales, les "
                "espaces personnes âgées ou à domicile. Hôtel du Département à Regourd, Cahors."
            ),
            places=[
                place(
                    "msd-cahors",
                    "Maison des solidarités départementales de Cahors",
                    "46042",
                    source_url="https://blogdesbourians.fr/solidarite-departementale-ce-qui-change-pour-lusager",
                    hours_note=(
                        "Adresse et horaires non trouvés dans nos sources : se renseigner auprès de France Services."
                    ),
                ),
                place(
                    "hotel-du-departement",
                    "Hôtel du Département",
                    "46042",
                    complement="Regourd",
                    source_url="https://lot.fr/solidarite?page=1",
                ),
            ],
        )
    )
    v.append(
        service(
            "msd-cahors-accueil-social",
            "departement-du-lot",
            "Accueil social du Département (assistants sociaux)",
            operator="departement",
            needs=[
                "rsa",
                "aide-financiere-urgence",
                "impayes-loyer",
                "surendettement",
                "violences-conjugales",
                "hebergement-urgence",
                "aidants",
                "lien-social",
                "accompagnement-demarches",
            ],
            source_url="https://lot.fr/solidarite?page=1",
            description=(
                "Les travailleurs sociaux du Département reçoivent en maison des solidarités ou viennent à "
                "domicile : difficultés d'argent ou de logement, RSA, protection de l'enfance, violences, "
                "isolement."
            ),
            channels=[
                channel("counter", place="msd-cahors"),
                channel(
                    "home_visit",
                    area_communes=territory_codes,
                    notes="Visite à domicile possible, sur rendez-vous (modalités non communiquées).",
                ),
            ],
        )
    )
    v.append(
        service(
            "departement-apa",
            "departement-du-lot",
            "Aide à domicile des personnes âgées (APA) et soutien aux aidants",
            operator="departement",
            kind="aide-financiere",
            publics=["seniors"],
            age_min=60,
            needs=["apa-aide-domicile", "aidants", "protection-juridique-majeur"],
            source_url="https://lot.fr/solidarite?page=1",
            description=(
                "L'allocation personnalisée d'autonomie (APA) aide à payer l'aide à domicile des personnes de 60 "
                "ans et plus qui perdent leur autonomie. Une équipe du Département évalue les besoins à domicile."
            ),
            channels=[
                channel("online", url="https://www.pour-les-personnes-agees.gouv.fr"),
                channel("home_visit", area_communes=territory_codes, notes="Évaluation des besoins à domicile."),
            ],
        )
    )
    s.append(
        structure(
            "ccas-cahors",
            "CCAS de Cahors",
            operator="ccas",
            networks=["ccas-cias"],
            source_url="http://doczz.fr/doc/2393817/cahors-mag-n%C2%B068",
            description="Centre communal d'action sociale de Cahors, rue Joffre (numéro non trouvé).",
            places=[
                place(
                    "ccas-cahors",
                    "CCAS de Cahors",
                    "46042",
                    address="rue Joffre",
                    postcode="46000",
                    source_url="http://doczz.fr/doc/2393817/cahors-mag-n%C2%B068",
                )
            ],
        )
    )
    v.append(
        service(
            "ccas-cahors-aide-sociale",
            "ccas-cahors",
            "CCAS de Cahors : aide sociale, aide alimentaire, accompagnement",
            operator="ccas",
            needs=["aide-alimentaire", "aide-financiere-urgence", "lien-social", "accompagnement-demarches"],
            zone=["46042"],
            conditions="Pour les habitants de Cahors.",
            source_url="http://doczz.fr/doc/2393817/cahors-mag-n%C2%B068",
            description="Aides facultatives, aide alimentaire, accompagnement des personnes isolées ou en difficulté.",
            channels=[channel("counter", place="ccas-cahors")],
        )
    )
    s.append(
        structure(
            "mission-locale-du-lot",
            "Mission locale du Lot",
            operator="mission-locale",
            networks=["mission-locale"],
            source_url="https://www.blogdesbourians.fr/la-mission-locale-recoit-tous-les-jeunes-de-16-25-ans/",
            description=(
                "Accueille tous les jeunes de 16 à 25 ans : emploi, formation, logement, santé, mobilité ; "
                "11 lieux de permanence (2017). Adresses et téléphone non trouvés dans nos sources."
            ),
        )
    )
    v.append(
        service(
            "mission-locale-accompagnement-jeunes",
            "mission-locale-du-lot",
            "Mission locale : emploi, formation, permis et contrat d'engagement jeune (16-25 ans)",
            operator="mission-locale",
            publics=["jeunes"],
            age_min=16,
            age_max=25,
            needs=[
                "mission-locale-jeunes",
                "contrat-engagement-jeune",
                "aide-permis-jeunes",
                "formation",
                "aide-mobilite",
            ],
            source_url="https://www.blogdesbourians.fr/la-mission-locale-recoit-tous-les-jeunes-de-16-25-ans/",
            description=(
                "Un conseiller suit chaque jeune de 16 à 25 ans : trouver un emploi, une formation, un "
                "logement, financer le permis, entrer dans le contrat d'engagement jeune (avec une allocation). "
                "Demande en ligne sur 1jeune1solution.gouv.fr : la mission locale vous recontacte."
            ),
            channels=[channel("online", url="https://www.1jeune1solution.gouv.fr/contrat-engagement-jeune")],
        )
    )

    # --- town halls ---------------------------------------------------------------------------------
    for code, name in territory_communes:
        s.append(
            structure(
                f"mairie-{code}",
                f"Mairie de {name}",
                operator="commune",
                networks=["communes"],
                source_url="https://www.service-public.fr",
                description=f"Mairie de {name}. Adresse, téléphone et horaires non communiqués dans nos sources.",
                places=[place(f"mairie-{code}", f"Mairie de {name}", code)],
            )
        )
        v.append(
            service(
                f"mairie-{code}-accueil",
                f"mairie-{code}",
                f"Accueil de la mairie de {name}",
                operator="commune",
                kind="information",
                needs=["etat-civil", "inscription-listes-electorales", "deces-proche"],
                source_url="https://www.service-public.fr",
                description="État civil, listes électorales, informations sur la commune et orientation.",
                channels=[channel("counter", place=f"mairie-{code}")],
            )
        )

    # --- solidarity mobility ------------------------------------------------------------------------
    s.append(
        structure(
            "lotocar",
            "Lot'Ô car",
            operator="lotocar",
            phone="05 31 60 09 03",
            website="https://www.lotocar.fr",
            source_url="http://blogdesbourians.fr/covoiturage-citoyen-et-solidaire",
            description=(
                "Covoiturage solidaire et gratuit lancé en 2019 avec un opérateur humain qui met en relation "
                "conducteurs et passagers (7 lignes vers Cahors en 2019). Devenu CoMobi : statut actuel à vérifier."
            ),
        )
    )
    v.append(
        service(
            "lotocar-covoiturage-solidaire",
            "lotocar",
            "Lot'Ô car : covoiturage solidaire gratuit",
            operator="lotocar",
            needs=["mobilite-solidaire"],
            source_url="http://blogdesbourians.fr/covoiturage-citoyen-et-solidaire",
            description=(
                "Un opérateur au téléphone vous met en relation avec un conducteur qui fait votre trajet. "
                "Gratuit, le conducteur n'est pas payé. Lignes vers Cahors depuis Arcambal, Crayssac, Espère, "
                "L'Hospitalet, Gourdon, Mercuès et Montcuq (2019)."
            ),
            channels=[
                channel("phone", phone="05 31 60 09 03", notes="Opérateur humain (2019 ; service à confirmer)."),
                channel("online", url="https://www.lotocar.fr"),
            ],
        )
    )
    s.append(
        structure(
            "atchoum",
            "Atchoum (courvoiturage du Pays de Lalbenque-Limogne)",
            operator="atchoum",
            phone="0 806 110 444",
            website="https://www.atchoum.eu",
            source_url="https://www.blogdesbourians.fr/le-courvoiturage-nouveau-service-pour-des-deplacements-sur-des-petits-trajets/",
            description="Covoiturage de courte distance dans les 23 communes de la CC du Pays de Lalbenque-Limogne.",
        )
    )
    v.append(
        service(
            "atchoum-courvoiturage",
            "atchoum",
            "Atchoum : courvoiturage pour les petits trajets",
            operator="atchoum",
            needs=["mobilite-solidaire"],
            zone=["244600532"],
            source_url="https://www.blogdesbourians.fr/le-courvoiturage-nouveau-service-pour-des-deplacements-sur-des-petits-trajets/",
            description=(
                "Trouver un conducteur pour un petit trajet dans le Pays de Lalbenque-Limogne. Appel gratuit "
                "au 0 806 110 444. Renseignements aussi à la maison de services de Lalbenque."
            ),
            channels=[
                channel("phone", phone="0 806 110 444", cost="appel gratuit"),
                channel("online", url="https://www.atchoum.eu"),
            ],
        )
    )

    # --- national remote channels -------------------------------------------------------------------
    national = [
        (
            "service-public",
            "Service-Public.fr",
            "service-public",
            "https://www.service-public.fr",
            [
                (
                    "service-public-demarches",
                    (
                        "Démarches en ligne sur service-public.fr (actes d'état "
                        "civil, changement d'adresse, listes électorales)"
                    ),
                    ["etat-civil", "changement-adresse", "inscription-listes-electorales", "deces-proche"],
                    [channel("online", url="https://www.service-public.fr")],
                    "Le site officiel de l'administration : fiches pratiques et démarches en ligne.",
                )
            ],
        ),
        (
            "mes-droits-sociaux",
            "Mes droits sociaux",
            None,
            "https://www.mesdroitssociaux.gouv.fr",
            [
                (
                    "mes-droits-sociaux-simulateur",
                    "Simuler ses droits sociaux (mesdroitssociaux.gouv.fr)",
                    ["connaitre-ses-droits"],
                    [channel("online", url="https://www.mesdroitssociaux.gouv.fr")],
                    "Le simulateur officiel pour savoir à quelles aides sociales on peut avoir droit.",
                )
            ],
        ),
        (
            "cheque-energie",
            "Chèque énergie",
            None,
            "https://chequeenergie.gouv.fr",
            [
                (
                    "cheque-energie-en-ligne",
                    "Chèque énergie : vérifier son droit, utiliser son chèque (fioul, électricité, gaz, bois)",
                    ["cheque-energie"],
                    [channel("online", url="https://chequeenergie.gouv.fr")],
                    "Le chèque énergie est envoyé automatiquement selon la déclaration de revenus ; il paie aussi "
                    "le fioul. Le site permet de vérifier son éligibilité et de l'utiliser.",
                )
            ],
        ),
        (
            "france-renov",
            "France Rénov'",
            "france-renov",
            "https://france-renov.gouv.fr",
            [
                (
                    "france-renov-conseil",
                    "France Rénov' : conseils et aides pour isoler ou changer son chauffage",
                    ["renovation-energetique"],
                    [
                        channel("online", url="https://france-renov.gouv.fr"),
                        channel("phone", phone="0 808 800 700", cost="appel non surtaxé"),
                    ],
                    "Conseils gratuits et aides (MaPrimeRénov') pour rénover son logement.",
                )
            ],
        ),
        (
            "banque-de-france",
            "Banque de France — surendettement",
            "banque-de-france",
            "https://particuliers.banque-france.fr",
            [
                (
                    "banque-de-france-surendettement",
                    "Dossier de surendettement (Banque de France)",
                    ["surendettement"],
                    [
                        channel("online", url="https://particuliers.banque-france.fr"),
                        channel("phone", phone="34 14", cost=CALL_COST),
                    ],
                    "Déposer un dossier de surendettement en ligne ou se renseigner par téléphone.",
                )
            ],
        ),
        (
            "violences-femmes-info",
            "Violences Femmes Info (3919)",
            "justice",
            "https://arretonslesviolences.gouv.fr",
            [
                (
                    "violences-femmes-info-3919",
                    "3919 : écoute et orientation des victimes de violences",
                    ["violences-conjugales"],
                    [
                        channel(
                            "phone", phone="3919", cost="appel gratuit et anonyme", opening_hours="24/7", hours_note=""
                        ),
                        channel("online", url="https://arretonslesviolences.gouv.fr"),
                    ],
                    "Numéro national gratuit et anonyme, 24 h/24 et 7 j/7. En cas de danger immédiat : 17.",
                )
            ],
        ),
        (
            "samu-social-115",
            "115 — hébergement d'urgence",
            "siao",
            "https://www.service-public.fr",
            [
                (
                    "samu-social-115-appel",
                    "115 : trouver un hébergement d'urgence",
                    ["hebergement-urgence"],
                    [channel("phone", phone="115", cost="appel gratuit", opening_hours="24/7")],
                    "Numéro d'urgence gratuit pour les personnes sans abri, 24 h/24.",
                )
            ],
        ),
        (
            "justice-fr",
            "Justice.fr",
            "justice",
            "https://www.justice.fr",
            [
                (
                    "justice-fr-acces-au-droit",
                    "Accès au droit et démarches de justice (justice.fr)",
                    ["conseil-juridique", "protection-juridique-majeur", "pension-alimentaire"],
                    [channel("online", url="https://www.justice.fr")],
                    "Informations et démarches en ligne : aide juridictionnelle, points-justice, tutelle.",
                ),
                (
                    "casier-judiciaire-en-ligne",
                    "Extrait de casier judiciaire en ligne",
                    ["casier-judiciaire"],
                    [channel("online", url="https://casier-judiciaire.justice.gouv.fr")],
                    "Demande gratuite d'extrait de casier judiciaire (bulletin n°3).",
                ),
            ],
        ),
        (
            "mon-parcours-handicap",
            "Mon parcours handicap",
            "mdph",
            "https://www.monparcourshandicap.gouv.fr",
            [
                (
                    "mon-parcours-handicap-info",
                    "Handicap : droits, AAH, demande à la MDPH (monparcourshandicap.gouv.fr)",
                    ["handicap-mdph"],
                    [channel("online", url="https://www.monparcourshandicap.gouv.fr")],
                    "Informations officielles et démarches liées au handicap.",
                )
            ],
        ),
        (
            "mon-compte-formation",
            "Mon compte formation",
            None,
            "https://www.moncompteformation.gouv.fr",
            [
                (
                    "mon-compte-formation-cpf",
                    "Trouver et financer une formation (CPF)",
                    ["formation"],
                    [channel("online", url="https://www.moncompteformation.gouv.fr")],
                    "Consulter ses droits à la formation et s'inscrire.",
                )
            ],
        ),
        (
            "messervices-etudiant",
            "Mes services étudiant (Crous)",
            "crous",
            "https://www.messervices.etudiant.gouv.fr",
            [
                (
                    "messervices-etudiant-dse",
                    "Bourse et logement étudiant (dossier social étudiant)",
                    ["bourse-etudiant"],
                    [channel("online", url="https://www.messervices.etudiant.gouv.fr")],
                    "Demande de bourse sur critères sociaux et de logement Crous.",
                )
            ],
        ),
        (
            "education-nationale",
            "Éducation nationale — bourses de collège et de lycée",
            "education-nationale",
            "https://www.education.gouv.fr",
            [
                (
                    "education-bourses",
                    "Bourse de collège ou de lycée",
                    ["bourses-scolaires"],
                    [channel("online", url="https://www.education.gouv.fr")],
                    "Demande en ligne ou auprès de l'établissement scolaire de l'enfant.",
                )
            ],
        ),
    ]
    for structure_id, name, operator, url, services in national:
        s.append(structure(structure_id, name, operator=operator, website=url, source_url=url, description=name))
        for service_id, service_name, needs, channels, description in services:
            v.append(
                service(
                    service_id,
                    structure_id,
                    service_name,
                    operator=operator,
                    kind="information",
                    needs=needs,
                    channels=channels,
                    source_url=url,
                    description=description,
                )
            )
    return s, v

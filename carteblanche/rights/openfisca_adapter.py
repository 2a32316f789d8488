"""OpenFisca-France adapter: one tax-benefit system per process, households in, benefit amounts out.

No Django import (the system is kept by `core.process_cache`, openfisca-core patched by
`core.runtime`, both usable without Django configured). Every amount of a national benefit comes
from OpenFisca-France; this module only translates answers into OpenFisca inputs and reads the results back.

Design (see docs/rights.md):
- `get_tax_benefit_system()` builds the system once per process (≈ 2–3 s, 130 MB), kept by the
  registry of process caches;
- `build_simulation()` builds ONE vectorised simulation for N households from numpy arrays
  (entities joined by integer ids: text ids with row numbers silently mix households);
- `iter_results()` computes benefit groups in order (cheapest first) and yields after each group,
  so a caller can show the first benefits before the last ones are computed.
"""

from __future__ import annotations

import functools
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata

import numpy as np

from carteblanche.core import process_cache, runtime
from carteblanche.rights import payroll

# --- the benefits -----------------------------------------------------------------------------

ACTIVITIES = ("actif", "chomeur", "etudiant", "retraite", "inactif")
SCHOOLING = ("inconnue", "maternelle", "primaire", "college", "lycee", "enseignement_superieur")
HOUSING_STATUSES = (
    "locataire_vide",
    "locataire_meuble",
    "locataire_hlm",
    "locataire_foyer",
    "proprietaire",
    "primo_accedant",
    "loge_gratuitement",
    "sans_domicile",
)
RENTING_STATUSES = ("locataire_vide", "locataire_meuble", "locataire_hlm", "locataire_foyer", "primo_accedant")
RELATIONS = ("demandeur", "conjoint", "enfant", "autre")


@dataclass(frozen=True)
class Benefit:
    """A national benefit computed by OpenFisca, with who pays it and how to claim it."""

    code: str
    variable: str
    label: str
    entity: str  # famille, individu, menage
    period: str  # "month" or "year": the OpenFisca period it is computed for
    periodicity: str  # mensuelle, annuelle, ponctuelle: how the amount is expressed to the person
    operator: str  # paying operator code (directory Operator.code)
    link: str  # official information page
    teleservice: str = ""  # online procedure
    msa_operator: str = ""  # paying operator when the household depends on the farm scheme (MSA)
    kind: str = "amount"  # "amount" (euros), "boolean" (free CSS), "cost" (paid CSS participation)
    group: int = 0  # computation order: cheaper groups first (progressive display)
    documents: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # directory Need slugs that cover claiming it
    note: str = ""  # what the amount means or what it takes, shown with the amount


# Links and online procedures: betagouv/aides-jeunes data/benefits/openfisca/*.yml (service-public.fr,
# caf.fr, ameli.fr, lassuranceretraite.fr, chequeenergie.gouv.fr, pass.culture.fr), read November 2026.
CAF_RSA = "https://wwwd.caf.fr/redirect/s/Redirect?page=demandeRsa"
CAF_PPA = "https://wwwd.caf.fr/wps/portal/caffr/aidesetservices/lesservicesenligne/faireunedemandedeprestation/demanderlaprimedactivite/"
CAF_AL = "https://wwwd.caf.fr/wps/portal/caffr/aidesetservices/lesservicesenligne/faireunedemandedeprestation/demanderlaideaulogement/"
CAF_AF = "https://wwwd.caf.fr/wps/portal/caffr/aidesetservices/lesservicesenligne/faireunedemandedeprestation/allocationsfamilialesouchangementdesituation"
CAF_ASF = "https://wwwd.caf.fr/wps/portal/caffr/aidesetservices/lesservicesenligne/faireunedemandedeprestation/allocationdesoutienfamilial/"
ID_DOCS = ("pièce d'identité", "RIB")
INCOME_DOCS = ("bulletins de salaire ou justificatifs de revenus des derniers mois",)

BENEFITS: tuple[Benefit, ...] = (
    Benefit(
        "af", "af", "Allocations familiales", "famille", "month", "mensuelle", "caf",
        "https://www.service-public.fr/particuliers/vosdroits/F13213", CAF_AF, "msa", group=0,
        documents=(*ID_DOCS, "livret de famille"), needs=("allocations-familiales",),
    ),
    Benefit(
        "cf", "cf", "Complément familial", "famille", "month", "mensuelle", "caf",
        "https://www.service-public.fr/particuliers/vosdroits/F13214", CAF_AF, "msa", group=0,
        documents=(*ID_DOCS, "livret de famille", "avis d'imposition"), needs=("allocations-familiales",),
    ),
    Benefit(
        "asf", "asf", "Allocation de soutien familial (ASF)", "famille", "month", "mensuelle", "caf",
        "https://www.caf.fr/aides-et-services/s-informer-sur-les-aides/solidarite-et-insertion/l-allocation-de-soutien-familial-asf-0",
        CAF_ASF, "msa", group=0, documents=(*ID_DOCS, "livret de famille", "jugement fixant la pension s'il existe"),
        needs=("pension-alimentaire",),
    ),
    Benefit(
        "pass_culture", "pass_culture", "Pass Culture", "individu", "month", "ponctuelle", "etat",
        "https://pass.culture.fr/", "https://pass.culture.fr/nosapplications/", group=0,
        documents=("pièce d'identité",),
    ),
    Benefit(
        "aah", "aah", "Allocation aux adultes handicapés (AAH)", "individu", "month", "mensuelle", "caf",
        "https://www.service-public.fr/particuliers/vosdroits/F12242", "", "msa", group=1,
        documents=(*ID_DOCS, "certificat médical", "formulaire de demande à la MDPH"), needs=("handicap-mdph",),
    ),
    Benefit(
        "ass", "ass", "Allocation de solidarité spécifique (ASS)", "individu", "month", "mensuelle", "france-travail",
        "https://www.service-public.fr/particuliers/vosdroits/F12484", "", group=1,
        documents=(*ID_DOCS, "attestations employeurs"), needs=("allocation-chomage",),
    ),
    Benefit(
        "aide_logement", "aide_logement", "Aide au logement (APL, ALS ou ALF)", "famille", "month", "mensuelle",
        "caf", "https://www.caf.fr/allocataires/aides-et-demarches/droits-et-prestations/logement/les-aides-personnelles-au-logement",
        CAF_AL, "msa", group=2, documents=(*ID_DOCS, "bail ou quittance de loyer", *INCOME_DOCS),
        needs=("aide-logement",),
    ),
    Benefit(
        "ppa", "ppa", "Prime d'activité", "famille", "month", "mensuelle", "caf",
        "https://www.service-public.fr/particuliers/vosdroits/F2882", CAF_PPA, "msa", group=3,
        documents=(*ID_DOCS, *INCOME_DOCS), needs=("prime-activite",),
    ),
    Benefit(
        "rsa", "rsa", "Revenu de solidarité active (RSA)", "famille", "month", "mensuelle", "caf",
        "https://www.service-public.fr/particuliers/vosdroits/N19775", CAF_RSA, "msa", group=3,
        documents=(*ID_DOCS, *INCOME_DOCS), needs=("rsa",),
    ),
    Benefit(
        "aspa", "aspa", "Allocation de solidarité aux personnes âgées (ASPA, minimum vieillesse)", "famille",
        "month", "mensuelle", "assurance-retraite", "https://www.service-public.fr/particuliers/vosdroits/F16871",
        "https://www.lassuranceretraite.fr/portail-info/files/live/sites/pub/files/PDF/demande-aspa.pdf", "msa",
        group=4, documents=(*ID_DOCS, "justificatifs de ressources des 3 derniers mois", "avis d'imposition"),
        needs=("minimum-vieillesse-aspa",),
    ),
    Benefit(
        "css_gratuite", "cmu_c", "Complémentaire santé solidaire gratuite", "famille", "month", "mensuelle", "cpam",
        "https://www.service-public.fr/particuliers/vosdroits/F10027",
        "https://www.complementaire-sante-solidaire.gouv.fr/mes-demarches", "msa", kind="boolean", group=5,
        documents=(*ID_DOCS, "justificatifs de ressources des 12 derniers mois"),
        needs=("complementaire-sante-solidaire",),
    ),
    Benefit(
        "css_participation", "css_participation_forfaitaire", "Complémentaire santé solidaire avec participation",
        "famille", "month", "mensuelle", "cpam", "https://www.service-public.fr/particuliers/vosdroits/F10027",
        "https://www.complementaire-sante-solidaire.gouv.fr/mes-demarches", "msa", kind="cost", group=5,
        documents=(*ID_DOCS, "justificatifs de ressources des 12 derniers mois"),
        needs=("complementaire-sante-solidaire",),
    ),
    Benefit(
        "ars", "ars", "Allocation de rentrée scolaire (ARS)", "famille", "year", "annuelle", "caf",
        "https://www.service-public.fr/particuliers/vosdroits/F1878", "", "msa", group=6,
        documents=("certificat de scolarité pour les enfants de 16 à 18 ans",), needs=("allocation-rentree-scolaire",),
    ),
    Benefit(
        "cheque_energie", "cheque_energie", "Chèque énergie", "menage", "year", "annuelle", "etat",
        "https://www.chequeenergie.gouv.fr/beneficiaire/informations",
        "https://www.chequeenergie.gouv.fr/beneficiaire/cheque/paiement-en-ligne", group=6,
        documents=("déclaration de revenus faite chaque année",), needs=("cheque-energie",),
    ),
    Benefit(
        "bourse_college", "bourse_college", "Bourse de collège", "famille", "month", "annuelle", "education-nationale",
        "https://www.service-public.fr/particuliers/vosdroits/F984", "", group=6,
        documents=("avis d'imposition",), needs=("bourses-scolaires",),
    ),
    Benefit(
        "bourse_lycee", "bourse_lycee", "Bourse de lycée", "famille", "month", "annuelle", "education-nationale",
        "https://www.service-public.fr/particuliers/vosdroits/F616", "", group=6,
        documents=("avis d'imposition",), needs=("bourses-scolaires",),
    ),
    # Computed after RSA and PPA: the CEJ allowance reads them over the 3 previous months.
    Benefit(
        "cej", "contrat_engagement_jeune", "Allocation du contrat d'engagement jeune (CEJ)", "individu", "month",
        "mensuelle", "mission-locale", "https://www.service-public.fr/particuliers/vosdroits/F32700",
        "https://www.1jeune1solution.gouv.fr/contrat-engagement-jeune", group=7,
        documents=("pièce d'identité", "RIB"), needs=("contrat-engagement-jeune", "mission-locale-jeunes"),
        note="Versée chaque mois si vous signez un contrat d'engagement jeune avec la mission locale ou France "
        "Travail (15 à 20 heures d'activités par semaine). Montant calculé comme si vous faisiez votre propre "
        "déclaration de revenus : il est plus bas si vous êtes rattaché(e) à celle de parents imposables.",
    ),
    Benefit(
        "aide_permis_demandeur_emploi", "aide_permis_demandeur_emploi", "Aide au permis de conduire (France Travail)",
        "individu", "month", "ponctuelle", "france-travail",
        "https://www.service-public.fr/particuliers/vosdroits/F1719", "", group=7,
        documents=("pièce d'identité", "devis de l'auto-école"),
        needs=("aide-permis-jeunes", "inscription-demandeur-emploi"),
        note="Jusqu'à ce montant, versé à l'auto-école, une seule fois. Pour les demandeurs d'emploi de 18 ans ou "
        "plus, inscrits depuis 6 mois (sauf promesse d'embauche), sans permis B, quand l'absence de permis freine "
        "l'embauche : votre conseiller France Travail décide, avant l'inscription à l'auto-école.",
    ),
)  # fmt: skip
BENEFITS_BY_CODE = {b.code: b for b in BENEFITS}
LICENCE_AIDS = frozenset({"aide_permis_demandeur_emploi"})
GROUPS: tuple[tuple[Benefit, ...], ...] = tuple(
    tuple(b for b in BENEFITS if b.group == g) for g in sorted({b.group for b in BENEFITS})
)
# Where each benefit comes in the results, as computed and shown (group after group).
RESULT_RANK = {benefit.code: rank for rank, benefit in enumerate(b for group in GROUPS for b in group)}


# --- the household ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    """One person of the household; amounts are monthly euros."""

    relation: str  # demandeur, conjoint, enfant, autre (another adult living there, own family)
    birth_date: date
    activity: str = "inactif"
    salary_net: float = 0.0  # usual monthly net pay ("same every month")
    salary_taxable: float | None = None  # monthly taxable pay; by default OpenFisca's, from the net (payroll.py)
    recent_salary_net: tuple[float, float, float] | None = None  # the last 3 months (oldest first)
    unemployment_net: float = 0.0  # ARE as paid: entered as chomage_net and chomage_imposable
    pension_gross: float = 0.0
    disability_rate: float = 0.0  # a fraction: 0.8 for 80 %
    schooling: str = "inconnue"
    child_support_received: float = 0.0  # maintenance received each month (on the claimant)
    rsdae: bool = False  # CDAPH's "restriction substantielle et durable d'accès à l'emploi" (AAH at 50-79 %)
    ass_work_history: bool = False  # 5 years of work in the 10 before the last contract ended (ASS)
    driving_licence: bool = False  # holds a car licence (B): no licence aid then


@dataclass(frozen=True)
class HouseholdInput:
    """A household: one ménage (and one family, one tax household, plus families of other adults)."""

    persons: tuple[PersonInput, ...]
    depcom: str
    housing_status: str = "loge_gratuitement"
    rent: float = 0.0
    farm_scheme: bool = False  # benefits paid by the MSA instead of CAF/Carsat
    recently_isolated: bool = False  # became a single parent recently (RSA majoré)
    widowed: bool = False  # the claimant's spouse died (pension de réversion, a data-described right)


@dataclass
class BenefitResult:
    code: str
    amount: float  # in the benefit's periodicity (monthly, or yearly for annual ones)
    eligible: bool
    operator: str


@dataclass
class SimulationContext:
    """The period computed and the openfisca-france version (stored with each simulation)."""

    month: str
    year: str
    openfisca_france_version: str = field(default_factory=lambda: openfisca_france_version())


@functools.cache  # importlib.metadata reads the disk: 2.5 ms per call, once per request otherwise
def openfisca_france_version() -> str:
    try:
        return metadata.version("openfisca-france")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


# --- the tax-benefit system ------------------------------------------------------------------


def _build_system():
    from openfisca_france import CountryTaxBenefitSystem

    runtime.patch_openfisca()  # memoised period arithmetic: same results, less CPU
    return CountryTaxBenefitSystem()


# Built once per process (~5 s, thread-safe): the registry of process caches keeps it.
_SYSTEM = process_cache.register("rights system", _build_system, per_offer=False)


def get_tax_benefit_system():
    """The OpenFisca-France system, built once per process, with openfisca-core patched
    (`core.runtime.patch_openfisca`)."""
    return _SYSTEM.get()


def is_warm() -> bool:
    return _SYSTEM.peek() is not None


# The household the warm-up simulates: any will do (OpenFisca loads formulas and builds its
# parameters, the payroll tables are computed, for the months of a simulation).
WARM_UP_HOUSEHOLD = HouseholdInput(
    persons=(PersonInput(relation="demandeur", birth_date=date(1990, 1, 1), activity="actif", salary_net=1000),),
    depcom="46042",
    housing_status="locataire_vide",
    rent=400,
)


def warm_up() -> float:
    """Build the system and run one small simulation in this thread; returns seconds (scripts,
    benchmarks; servers warm up through the micro-batcher: `rights.actions.warm_up`)."""
    started = time.perf_counter()
    get_tax_benefit_system()
    for _ in iter_results([WARM_UP_HOUSEHOLD], month=current_month()):
        pass
    settle_after_warm_up()
    return time.perf_counter() - started


def settle_after_warm_up() -> None:
    """The system's ~700,000 long-lived objects would make every later full collection cost 0.5 s:
    move them out of the collector's sight once warm."""
    gc.collect()
    runtime.freeze()


def current_month(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


# --- building one vectorised simulation ------------------------------------------------------


@dataclass
class _Index:
    """Where each household's persons and families sit in the simulation arrays."""

    person_household: np.ndarray  # person row -> household row
    person_in_main_family: np.ndarray  # bool per person
    person_licence: np.ndarray  # bool per person: holds a driving licence
    main_family: np.ndarray  # household row -> famille row of its claimant
    n_households: int


def _months(first_year: int, last_month: str) -> list[str]:
    last_year = max(int(last_month[:4]), first_year)
    return [f"{y:04d}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]


def build_simulation(households: Sequence[HouseholdInput], *, month: str):
    """One OpenFisca simulation for all households, inputs set as numpy arrays."""
    from openfisca_core.simulation_builder import SimulationBuilder

    tbs = get_tax_benefit_system()
    persons: list[tuple[int, int, PersonInput]] = []  # (household row, famille row, person)
    fam_roles: list[str] = []
    foy_roles: list[str] = []
    men_roles: list[str] = []
    main_family = np.zeros(len(households), dtype=np.int64)
    family_count = 0
    for h_index, household in enumerate(households):
        main = family_count
        main_family[h_index] = main
        family_count += 1
        has_reference = False
        for person in household.persons:
            if person.relation == "autre":
                fam = family_count
                family_count += 1
                fam_roles.append("demandeur")
                foy_roles.append("declarant_principal")
                men_roles.append("autre")
            else:
                fam = main
                fam_roles.append(person.relation)
                foy_roles.append(
                    {"demandeur": "declarant_principal", "conjoint": "conjoint"}.get(
                        person.relation, "personne_a_charge"
                    )
                )
                role = person.relation if person.relation != "demandeur" else "personne_de_reference"
                if role == "personne_de_reference":
                    has_reference = True
                men_roles.append(role)
            persons.append((h_index, fam, person))
        if not has_reference:  # pragma: no cover - validated upstream
            raise ValueError("each household needs a claimant (relation 'demandeur')")

    n_persons = len(persons)
    person_household = np.array([p[0] for p in persons], dtype=np.int64)
    person_family = np.array([p[1] for p in persons], dtype=np.int64)

    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", np.arange(n_persons))
    familles = builder.declare_entity("famille", np.arange(family_count))
    foyers = builder.declare_entity("foyer_fiscal", np.arange(family_count))
    menages = builder.declare_entity("menage", np.arange(len(households)))
    # Integer ids on both sides (see the trap in /work/shared/openfisca-notes.md).
    builder.join_with_persons(familles, person_family, fam_roles)
    builder.join_with_persons(foyers, person_family, foy_roles)
    builder.join_with_persons(menages, person_household, men_roles)
    simulation = builder.build(tbs)

    year = int(month[:4])
    months = _months(year - 2, month)
    people = [p[2] for p in persons]

    def col(getter, dtype=np.float32) -> np.ndarray:
        return np.array([getter(p) for p in people], dtype=dtype)

    birth = np.array([p.birth_date.isoformat() for p in people], dtype="datetime64[D]")
    simulation.set_input("date_naissance", "ETERNITY", birth)
    salary = col(lambda p: p.salary_net, np.float64)
    explicit_taxable = np.array([p.salary_taxable is not None for p in people])
    taxable_given = col(lambda p: p.salary_taxable or 0.0, np.float64)
    unemployment = col(lambda p: p.unemployment_net)
    pension = col(lambda p: p.pension_gross)
    support = col(lambda p: p.child_support_received)
    rate = col(lambda p: p.disability_rate)
    handicap = rate >= 0.5
    rsdae = col(lambda p: p.rsdae, bool)
    ass_history = col(lambda p: p.ass_work_history, bool)
    activity = np.array([p.activity for p in people])
    schooling = np.array([p.schooling for p in people])
    recent = [p.recent_salary_net for p in people]
    recent_months = months[months.index(month) - 3 : months.index(month)] if month in months else []

    depcom = np.array([h.depcom for h in households])
    rent = np.array([h.rent for h in households], dtype=np.float32)
    status = np.array([h.housing_status for h in households])
    isolated = np.zeros(family_count, dtype=bool)
    isolated[main_family] = [h.recently_isolated for h in households]

    payroll.prepare(tbs, months)
    for m in months:
        net = salary
        if any(r is not None for r in recent) and m in recent_months:
            k = recent_months.index(m)
            net = np.array([p.salary_net if r is None else r[k] for p, r in zip(people, recent, strict=True)])
        # Pay as OpenFisca's payroll has it: the gross that gives this net, and its taxable pay.
        gross, taxable = payroll.from_net(net, m)
        taxable = np.where(explicit_taxable & (net == salary), taxable_given, taxable)
        simulation.set_input("salaire_de_base", m, gross.astype(np.float32))
        simulation.set_input("salaire_net", m, net.astype(np.float32))
        simulation.set_input("salaire_imposable", m, taxable.astype(np.float32))
        # ARE: OpenFisca's housing aid and tax income read the taxable amount (0 if unset).
        simulation.set_input("chomage_net", m, unemployment)
        simulation.set_input("chomage_imposable", m, unemployment)
        simulation.set_input("retraite_brute", m, pension)
        simulation.set_input("pensions_alimentaires_percues", m, support)
        simulation.set_input("taux_incapacite", m, rate)
        simulation.set_input("handicap", m, handicap)
        simulation.set_input("aah_restriction_substantielle_durable_acces_emploi", m, rsdae)
        simulation.set_input("ass_precondition_remplie", m, ass_history)
        simulation.set_input("activite", m, activity)
        simulation.set_input("scolarite", m, schooling)
        simulation.set_input("depcom", m, depcom)
        simulation.set_input("loyer", m, rent)
        simulation.set_input("statut_occupation_logement", m, status)
        simulation.set_input("rsa_isolement_recent", m, isolated)

    index = _Index(
        person_household=person_household,
        person_in_main_family=person_family == main_family[person_household],
        person_licence=np.array([p.driving_licence for p in people], dtype=bool),
        main_family=main_family,
        n_households=len(households),
    )
    return simulation, index


def _household_values(simulation, index: _Index, benefit: Benefit, *, month: str) -> np.ndarray:
    period = month if benefit.period == "month" else month[:4]
    values = np.asarray(simulation.calculate(benefit.variable, period), dtype=np.float64)
    if benefit.entity == "famille":
        return values[index.main_family]
    if benefit.entity == "menage":
        return values
    # individu: the sum over the members of the claimant's family
    weights = np.where(index.person_in_main_family, values, 0.0)
    if benefit.code in LICENCE_AIDS:  # no licence aid for someone who already holds a licence
        weights = np.where(index.person_licence, 0.0, weights)
    return np.bincount(index.person_household, weights=weights, minlength=index.n_households)


def iter_results(
    households: Sequence[HouseholdInput], *, month: str, benefits: Sequence[str] | None = None
) -> Iterator[dict[str, list[BenefitResult]]]:
    """Yield, group after group (cheapest first), {benefit code: one result per household}.

    The simulation's arrays are released at the end (OpenFisca's reference cycles would otherwise
    keep them until a full garbage collection); callers run `gc.collect()` when idle.
    """
    wanted = set(benefits) if benefits is not None else None
    simulation, index = build_simulation(households, month=month)
    try:
        for group in GROUPS:
            chunk: dict[str, list[BenefitResult]] = {}
            for benefit in group:
                if wanted is not None and benefit.code not in wanted:
                    continue
                values = _household_values(simulation, index, benefit, month=month)
                results = []
                for h_index, household in enumerate(households):
                    value = float(values[h_index])
                    operator = (
                        benefit.msa_operator if household.farm_scheme and benefit.msa_operator else benefit.operator
                    )
                    if benefit.kind == "boolean":
                        results.append(BenefitResult(benefit.code, 0.0, bool(value), operator))
                    else:
                        amount = round(value, 2)
                        results.append(BenefitResult(benefit.code, amount, amount > 0, operator))
                chunk[benefit.code] = results
            if chunk:
                yield chunk
    finally:
        release(simulation)
        del simulation


def release(simulation) -> None:
    """Free a simulation's arrays now: its holders sit in reference cycles that only a full GC frees."""
    for population in simulation.populations.values():
        for holder in population._holders.values():
            holder.delete_arrays()
        population._holders.clear()


def simulate(
    households: Sequence[HouseholdInput], *, month: str, benefits: Sequence[str] | None = None
) -> list[dict[str, BenefitResult]]:
    """All results at once: one dict {benefit code: result} per household."""
    out: list[dict[str, BenefitResult]] = [{} for _ in households]
    for chunk in iter_results(households, month=month, benefits=benefits):
        for code, results in chunk.items():
            for h_index, result in enumerate(results):
                out[h_index][code] = result
    return out

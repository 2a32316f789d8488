"""The project's amounts equal direct OpenFisca-France computations of the same households.

The test side builds the households independently, as OpenFisca JSON through
`SimulationBuilder.build_from_entities`, all in one simulation, and reads the same variables.
It enters incomes the way OpenFisca-France defines them, without the project's code:
- pay: `salaire_de_base` (gross) found here by secant steps on OpenFisca's own `salaire_net`, month
  by month, so that the net pay equals the answer; OpenFisca then computes the net and taxable pay
  itself (the project instead interpolates a payroll table and sets them as inputs);
- ARE: `chomage_net` and `chomage_imposable`; pensions: `retraite_brute`;
- rent: `loyer` without charges; RSDAE and the ASS work history: their own OpenFisca variables.
The period is frozen (MONTH, and the answers are read on 2026-10-01).
"""

import numpy as np
import pytest

from tests.rights.households import HOUSEHOLDS, MONTH

YEAR = int(MONTH[:4])
MONTHS = [f"{y}-{m:02d}" for y in range(YEAR - 2, YEAR + 1) for m in range(1, 13)]
# benefit code in the project -> (OpenFisca variable, entity, period).
# The ORDER matters and is the project's documented order (docs/rights.md): OpenFisca-France
# resolves the housing aid <-> RSA/PPA cycle by spiral detection, so computing `rsa` before
# `aide_logement` in the same simulation gives a different housing aid (measured: 251 vs 290 €).
VARIABLES = {
    "af": ("af", "famille", MONTH),
    "cf": ("cf", "famille", MONTH),
    "asf": ("asf", "famille", MONTH),
    "pass_culture": ("pass_culture", "individu", MONTH),
    "aah": ("aah", "individu", MONTH),
    "ass": ("ass", "individu", MONTH),
    "aide_logement": ("aide_logement", "famille", MONTH),
    "ppa": ("ppa", "famille", MONTH),
    "rsa": ("rsa", "famille", MONTH),
    "aspa": ("aspa", "famille", MONTH),
    "css_gratuite": ("cmu_c", "famille", MONTH),
    "css_participation": ("css_participation_forfaitaire", "famille", MONTH),
    "ars": ("ars", "famille", str(YEAR)),
    "cheque_energie": ("cheque_energie", "menage", str(YEAR)),
    "bourse_college": ("bourse_college", "famille", MONTH),
    "bourse_lycee": ("bourse_lycee", "famille", MONTH),
    "cej": ("contrat_engagement_jeune", "individu", MONTH),
    "aide_permis_demandeur_emploi": ("aide_permis_demandeur_emploi", "individu", MONTH),
}
# The project's one rule on top of OpenFisca: no licence aid for someone who holds a licence.
LICENCE_AIDS = {"aide_permis_demandeur_emploi"}


def _each_month(value):
    return dict.fromkeys(MONTHS, value)


def _net_by_month(p) -> dict[str, float]:
    """The net pay of each month as the person told it: the usual one, or the last three months'."""
    nets = _each_month(float(p.get("salary_net") or 0))
    recent = p.get("recent_salary_net")
    if recent:
        last = MONTHS.index(MONTH)
        for k, value in enumerate(recent):
            nets[MONTHS[last - 3 + k]] = float(value)
    return nets


def gross_pay(tax_benefit_system, wanted: list[dict[str, float]]) -> list[dict[str, float]]:
    """For each person's {month: net pay}, the {month: salaire_de_base} whose OpenFisca net is that pay.

    Secant steps on OpenFisca's `salaire_net` (a piecewise linear function of the gross pay), every
    person and month in one simulation per step, until each net is within half a cent."""
    from openfisca_core.simulation_builder import SimulationBuilder

    n = len(wanted)
    target = np.array([[w[m] for m in MONTHS] for w in wanted])  # persons x months
    if n == 0:
        return []

    def net_of(gross):
        simulation = SimulationBuilder().build_default_simulation(tax_benefit_system, n)
        out = np.zeros_like(gross)
        for j, month in enumerate(MONTHS):
            simulation.set_input("salaire_de_base", month, gross[:, j])
            out[:, j] = simulation.calculate("salaire_net", month)
        return out

    g0, g1 = target / 0.75, target / 0.80
    f0, f1 = net_of(g0) - target, net_of(g1) - target
    for _ in range(8):
        if np.all(np.abs(f1) < 0.005):
            break
        slope = np.where(np.abs(g1 - g0) > 1e-9, (f1 - f0) / np.where(g1 == g0, 1, g1 - g0), 0.79)
        slope = np.where(np.abs(slope) < 1e-6, 0.79, slope)
        g0, f0 = g1, f1
        g1 = np.where(np.abs(f1) < 0.005, g1, g1 - f1 / slope)
        f1 = net_of(g1) - target
    assert np.all(np.abs(f1) < 0.005), "the gross pay was not found"
    return [dict(zip(MONTHS, np.where(target[i] > 0, g1[i], 0.0).tolist(), strict=True)) for i in range(n)]


def _yes(value) -> bool:
    return value is True or value == "yes"


def openfisca_situation(households=None, tax_benefit_system=None):
    """All test households as one OpenFisca JSON situation (written without the project's code)."""
    households = HOUSEHOLDS if households is None else households
    if tax_benefit_system is None:
        from carteblanche.rights.openfisca_adapter import get_tax_benefit_system

        tax_benefit_system = get_tax_benefit_system()
    salaried = [
        (name, i, _net_by_month(p))
        for name, answers in households.items()
        for i, p in enumerate(answers["persons"])
        if p.get("salary_net") or p.get("recent_salary_net")
    ]
    grosses = gross_pay(tax_benefit_system, [nets for _, _, nets in salaried])
    gross_of = {(name, i): g for (name, i, _), g in zip(salaried, grosses, strict=True)}
    individus, familles, foyers, menages = {}, {}, {}, {}
    family_members, licence_holders = {}, set()
    for name, answers in households.items():
        menage = {"personne_de_reference": [], "conjoint": [], "enfants": [], "autres": []}
        family = {"parents": [], "enfants": [], "rsa_isolement_recent": _each_month(False)}
        foyer = {"declarants": [], "personnes_a_charge": []}
        extra = []
        for i, p in enumerate(answers["persons"]):
            pid = f"{name}-{i}"
            support = (
                answers["child_support_amount"]
                if answers["child_support"] == "yes" and p["relation"] == "demandeur"
                else 0
            )
            schooling = p.get("schooling") or "inconnue"
            individus[pid] = {
                "date_naissance": {"ETERNITY": p["birth_date"]},
                "salaire_de_base": gross_of.get((name, i), _each_month(0)),
                "chomage_net": _each_month(p.get("unemployment_net") or 0),
                "chomage_imposable": _each_month(p.get("unemployment_net") or 0),
                "retraite_brute": _each_month(p.get("pension_gross") or 0),
                "pensions_alimentaires_percues": _each_month(support),
                "taux_incapacite": _each_month(p.get("disability_rate") or 0),
                "handicap": _each_month((p.get("disability_rate") or 0) >= 0.5),
                "aah_restriction_substantielle_durable_acces_emploi": _each_month(_yes(p.get("rsdae"))),
                "ass_precondition_remplie": _each_month(_yes(p.get("ass_work_history"))),
                "activite": _each_month(p.get("activity") or "inactif"),
                "scolarite": _each_month("inconnue" if schooling == "non_scolarise" else schooling),
            }
            if _yes(p.get("driving_licence")):
                licence_holders.add(pid)
            relation = p["relation"]
            if relation == "demandeur":
                family["parents"].insert(0, pid)
                foyer["declarants"].insert(0, pid)
                menage["personne_de_reference"].append(pid)
            elif relation == "conjoint":
                family["parents"].append(pid)
                foyer["declarants"].append(pid)
                menage["conjoint"].append(pid)
            elif relation == "enfant":
                family["enfants"].append(pid)
                foyer["personnes_a_charge"].append(pid)
                menage["enfants"].append(pid)
            else:
                extra.append(pid)
                menage["autres"].append(pid)
        familles[name] = family
        foyers[name] = foyer
        for pid in extra:
            familles[f"{pid}-f"] = {"parents": [pid], "rsa_isolement_recent": _each_month(False)}
            foyers[f"{pid}-f"] = {"declarants": [pid]}
        rent = answers["rent"]
        if answers.get("rent_charges") == "included" and answers.get("charges"):
            rent -= answers["charges"]  # OpenFisca's loyer excludes charges
        menages[name] = {
            **{k: v for k, v in menage.items() if v},
            "depcom": _each_month(answers["commune_code"]),
            "loyer": _each_month(rent),
            "statut_occupation_logement": _each_month(answers["housing_status"]),
        }
        family_members[name] = family["parents"] + family["enfants"]
    situation = {"individus": individus, "familles": familles, "foyers_fiscaux": foyers, "menages": menages}
    return situation, family_members, licence_holders


@pytest.fixture(scope="module")
def direct_results(tax_benefit_system):
    return compute_directly(tax_benefit_system)


def compute_directly(tax_benefit_system, households=None, situation=None) -> dict[str, dict[str, float]]:
    """Every test household through OpenFisca's own entry point (build_from_entities), per variable."""
    from openfisca_core.simulation_builder import SimulationBuilder

    households = HOUSEHOLDS if households is None else households
    built, family_members, licence_holders = openfisca_situation(households, tax_benefit_system)
    simulation = SimulationBuilder().build_from_entities(tax_benefit_system, situation or built)
    # Read positions from the simulation itself: its entity order need not be the JSON's.
    family_ids = list(simulation.populations["famille"].ids)
    menage_ids = list(simulation.populations["menage"].ids)
    person_ids = list(simulation.populations["individu"].ids)
    out = {name: {} for name in households}
    for code, (variable, entity, period) in VARIABLES.items():
        values = simulation.calculate(variable, period)
        for name in households:
            if entity == "famille":
                value = values[family_ids.index(name)]
            elif entity == "menage":
                value = values[menage_ids.index(name)]
            else:
                members = family_members[name]
                if code in LICENCE_AIDS:
                    members = [pid for pid in members if pid not in licence_holders]
                value = sum(values[person_ids.index(pid)] for pid in members)
            out[name][code] = float(value)
    return out


def test_enough_varied_households():
    assert len(HOUSEHOLDS) >= 40
    assert {"sarah", "martine", "kevin"} <= set(HOUSEHOLDS)
    persons = [p for h in HOUSEHOLDS.values() for p in h["persons"]]
    assert sum(1 for p in persons if p.get("unemployment_net")) >= 4  # job seekers on ARE
    assert sum(1 for p in persons if p.get("rsdae") in ("yes", "unknown")) >= 3
    assert sum(1 for p in persons if p.get("ass_work_history") in ("yes", "unknown")) >= 3
    assert any(h.get("rent_charges") == "included" for h in HOUSEHOLDS.values())
    assert any(h.get("widowed") == "yes" for h in HOUSEHOLDS.values())
    assert any(p.get("driving_licence") == "yes" for p in persons)


@pytest.mark.parametrize("name", sorted(HOUSEHOLDS))
def test_project_equals_direct_openfisca(name, project_results, direct_results):
    ours = project_results[name]
    theirs = direct_results[name]
    assert set(ours) == set(VARIABLES) == set(theirs)
    for code, expected in theirs.items():
        result = ours[code]
        if code == "css_gratuite":
            assert result.eligible == bool(expected), code
        else:
            assert result.amount == pytest.approx(expected, abs=0.01), f"{name} {code}"


def test_results_are_not_all_zero(project_results):
    """Guard against an equality of two empty worlds: the personas get their known rights."""
    sarah = project_results["sarah"]
    assert sarah["aide_logement"].amount > 0
    assert sarah["ppa"].amount > 0
    assert sarah["af"].amount > 0
    assert sarah["asf"].amount > 0
    martine = project_results["martine"]
    assert martine["aspa"].amount > 0
    assert martine["aspa"].operator == "msa"  # farm scheme
    assert martine["cheque_energie"].amount > 0
    assert martine["css_gratuite"].eligible or martine["css_participation"].amount > 0
    assert project_results["aah_80"]["aah"].amount > 0
    assert project_results["age24_no_income"]["rsa"].amount == 0  # under 25, no child
    assert project_results["age25_no_income"]["rsa"].amount > 0
    assert project_results["age18_pass_culture"]["pass_culture"].amount > 0  # 150 € at 18 (OpenFisca-France 176)
    assert project_results["age25_no_income"]["pass_culture"].amount == 0
    # What the new questions decide.
    assert project_results["rsdae_yes_60"]["aah"].amount > 0
    assert project_results["rsdae_no_60"]["aah"].amount == 0
    assert project_results["ass_history_yes"]["ass"].amount > 0
    assert project_results["ass_history_unknown"]["ass"].amount == 0
    assert project_results["kevin_alone"]["cej"].amount > 0
    assert project_results["kevin_alone"]["aide_permis_demandeur_emploi"].amount > 0
    assert project_results["young_22_with_licence"]["aide_permis_demandeur_emploi"].amount == 0
    assert project_results["young_student_21"]["cej"].amount == 0  # students are not eligible
    included = project_results["rent_charges_included"]["aide_logement"].amount
    assert included < project_results["rent_charges_unknown"]["aide_logement"].amount


def test_the_comparison_detects_the_old_income_mistakes(tax_benefit_system, project_results):
    """The equality above can fail: the same households with the incomes entered the old way
    (taxable pay = net pay; ARE without `chomage_imposable`) give amounts that differ from ours."""
    from openfisca_core.simulation_builder import SimulationBuilder

    names = ["are_900_single", "salary_1000_rent_250", "salary_1300_rent_300"]
    households = {name: HOUSEHOLDS[name] for name in names}
    situation, _members, _licences = openfisca_situation(households, tax_benefit_system)
    for pid, person in situation["individus"].items():
        answers = households[pid.rsplit("-", 1)[0]]["persons"][int(pid.rsplit("-", 1)[1])]
        del person["chomage_imposable"]
        del person["salaire_de_base"]
        person["salaire_net"] = _each_month(answers["salary_net"])
        person["salaire_imposable"] = _each_month(answers["salary_net"])
    simulation = SimulationBuilder().build_from_entities(tax_benefit_system, situation)
    old_way = simulation.calculate("aide_logement", MONTH)
    family_ids = list(simulation.populations["famille"].ids)
    for name in names:
        ours = project_results[name]["aide_logement"].amount
        assert abs(float(old_way[family_ids.index(name)]) - ours) >= 1, name
    assert project_results["are_900_single"]["aide_logement"].amount == pytest.approx(149, abs=1)

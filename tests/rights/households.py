"""Test households (the personas, edge ages, incomes around thresholds), as questionnaire answers.

Answers use the API/questionnaire format; tests/rights/test_openfisca_equality.py builds the same
households independently as OpenFisca JSON to compare.
"""

MONTH = "2026-10"
# Ages on 2026-10-01: born 2008-10-15 is 17, 2008-09-15 is 18, etc.


def person(
    relation, birth, activity="inactif", salary=0, unemployment=0, pension=0, disability=0.0, schooling="inconnue"
):
    return {
        "relation": relation,
        "birth_date": birth,
        "activity": activity,
        "salary_net": salary,
        "unemployment_net": unemployment,
        "pension_gross": pension,
        "disability_rate": disability,
        "schooling": schooling,
    }


def household(commune, persons, status="locataire_vide", rent=0, child_support="no", support_amount=0, farm=False):
    return {
        "commune_code": commune,
        "persons": persons,
        "housing_status": status,
        "rent": rent,
        "child_support": child_support,
        "child_support_amount": support_amount,
        "farm_scheme": farm,
    }


SARAH = household(
    "46224",
    [
        person("demandeur", "1992-05-10", "actif", salary=900),
        person("enfant", "2022-03-02", schooling="maternelle"),
        person("enfant", "2017-06-20", schooling="primaire"),
    ],
    rent=520,
)
MARTINE = household(
    "46070", [person("demandeur", "1948-02-14", "retraite", pension=820)], status="proprietaire", farm=True
)
KEVIN = household(
    "46064",
    [person("demandeur", "2003-04-01", "chomeur"), person("autre", "1975-01-01", "actif", salary=1500)],
    status="locataire_vide",
    rent=600,
)

HOUSEHOLDS = {
    "sarah": SARAH,
    "martine": MARTINE,
    "kevin": KEVIN,
    "age17_alone": household(
        "46042", [person("demandeur", "2008-10-15", "etudiant", schooling="lycee")], status="loge_gratuitement"
    ),
    "age18_pass_culture": household(
        "46042",
        [person("demandeur", "2008-09-15", "etudiant", salary=200, schooling="lycee")],
        status="locataire_meuble",
        rent=350,
    ),
    "age24_no_income": household("46042", [person("demandeur", "2002-09-01", "chomeur")], rent=400),
    "age25_no_income": household("46042", [person("demandeur", "2001-09-01", "chomeur")], rent=400),
    "age62_low_pension": household(
        "46102", [person("demandeur", "1964-09-01", "retraite", pension=700)], status="locataire_hlm", rent=380
    ),
    "age65_low_pension": household(
        "46102", [person("demandeur", "1961-09-01", "retraite", pension=700)], status="locataire_hlm", rent=380
    ),
    "age67_couple": household(
        "46191",
        [
            person("demandeur", "1959-09-01", "retraite", pension=900),
            person("conjoint", "1960-01-01", "retraite", pension=300),
        ],
        status="proprietaire",
    ),
    "aah_80": household(
        "46148", [person("demandeur", "2004-01-01", "inactif", disability=0.8)], status="loge_gratuitement"
    ),
    "aah_50_worker": household(
        "46042", [person("demandeur", "1985-01-01", "actif", salary=600, disability=0.5)], rent=450
    ),
    "rsa_single_zero": household("46042", [person("demandeur", "1980-01-01", "inactif")], rent=450),
    "rsa_threshold_500": household("46042", [person("demandeur", "1980-01-01", "actif", salary=500)], rent=450),
    "ppa_near_cutoff_1800": household("46042", [person("demandeur", "1980-01-01", "actif", salary=1800)], rent=450),
    "ppa_smic": household("46042", [person("demandeur", "1990-01-01", "actif", salary=1430)], rent=500),
    "couple_3_children": household(
        "46042",
        [
            person("demandeur", "1985-01-01", "actif", salary=1600),
            person("conjoint", "1987-01-01", "inactif"),
            person("enfant", "2012-01-01", schooling="college"),
            person("enfant", "2009-05-01", schooling="lycee"),
            person("enfant", "2019-01-01", schooling="primaire"),
        ],
        status="locataire_hlm",
        rent=600,
    ),
    "single_parent_support_received": household(
        "46042",
        [person("demandeur", "1990-01-01", "actif", salary=1200), person("enfant", "2015-01-01", schooling="primaire")],
        rent=500,
        child_support="yes",
        support_amount=150,
    ),
    "ass_unemployed": household("46042", [person("demandeur", "1970-01-01", "chomeur", unemployment=0)], rent=400),
    "unemployment_benefit": household(
        "46042", [person("demandeur", "1978-01-01", "chomeur", unemployment=1100)], rent=450
    ),
    "owner_family_high_income": household(
        "46042",
        [
            person("demandeur", "1980-01-01", "actif", salary=3500),
            person("conjoint", "1981-01-01", "actif", salary=3000),
            person("enfant", "2014-01-01", schooling="college"),
            person("enfant", "2016-01-01", schooling="primaire"),
        ],
        status="proprietaire",
    ),
    "student_20_rent": household(
        "46042",
        [person("demandeur", "2006-01-01", "etudiant", salary=300, schooling="enseignement_superieur")],
        status="locataire_meuble",
        rent=420,
    ),
    "aspa_ceiling_1000": household(
        "46070", [person("demandeur", "1955-01-01", "retraite", pension=1000)], status="proprietaire"
    ),
    "css_free_threshold": household(
        "46042", [person("demandeur", "1975-01-01", "actif", salary=800)], status="loge_gratuitement"
    ),
}

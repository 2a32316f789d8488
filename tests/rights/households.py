"""Test households (the personas, edge ages, incomes around thresholds), as questionnaire answers.

Answers use the API/questionnaire format; tests/rights/test_openfisca_equality.py builds the same
households independently as OpenFisca JSON to compare.
"""

MONTH = "2026-10"
# Ages on 2026-10-01: born 2008-10-15 is 17, 2008-09-15 is 18, etc.


def person(
    relation,
    birth,
    activity="inactif",
    salary=0,
    unemployment=0,
    pension=0,
    disability=0.0,
    schooling="inconnue",
    *,
    rsdae="no",
    ass="no",
    licence="no",
    recent=None,
):
    return {
        "relation": relation,
        "birth_date": birth,
        "activity": activity,
        "salary_net": salary,
        "recent_salary_net": recent,
        "unemployment_net": unemployment,
        "pension_gross": pension,
        "disability_rate": disability,
        "schooling": schooling,
        "rsdae": rsdae,
        "ass_work_history": ass,
        "driving_licence": licence,
    }


def household(
    commune,
    persons,
    status="locataire_vide",
    rent=0,
    child_support="no",
    support_amount=0,
    farm=False,
    *,
    rent_charges="excluded",
    charges=0,
    widowed="no",
):
    return {
        "commune_code": commune,
        "persons": persons,
        "housing_status": status,
        "rent": rent,
        "rent_charges": rent_charges,
        "charges": charges,
        "child_support": child_support,
        "child_support_amount": support_amount,
        "farm_scheme": farm,
        "widowed": widowed,
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
    "46070",
    [person("demandeur", "1948-02-14", "retraite", pension=820)],
    status="proprietaire",
    farm=True,
    widowed="yes",
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
    # Job seekers on ARE (entered as net and taxable): housing aid, chèque énergie, CSS read it.
    "are_900_single": household("46042", [person("demandeur", "1980-01-01", "chomeur", unemployment=900)], rent=400),
    "are_600_single_parent": household(
        "46224",
        [
            person("demandeur", "1988-03-01", "chomeur", unemployment=600),
            person("enfant", "2016-05-01", schooling="primaire"),
        ],
        rent=480,
    ),
    "are_1500_couple": household(
        "46102",
        [
            person("demandeur", "1975-01-01", "chomeur", unemployment=1500),
            person("conjoint", "1977-01-01", "actif", salary=1100),
            person("enfant", "2013-02-01", schooling="college"),
        ],
        status="locataire_hlm",
        rent=520,
    ),
    "are_1200_young": household(
        "46064", [person("demandeur", "2002-01-01", "chomeur", unemployment=1200)], status="locataire_meuble", rent=380
    ),
    # Salaried households below the rent ceiling (housing aid reads the taxable pay).
    "salary_1000_rent_250": household("46042", [person("demandeur", "1986-01-01", "actif", salary=1000)], rent=250),
    "salary_1300_rent_300": household("46148", [person("demandeur", "1979-06-01", "actif", salary=1300)], rent=300),
    "salary_700_rent_200_parent": household(
        "46042",
        [
            person("demandeur", "1991-01-01", "actif", salary=700),
            person("enfant", "2019-01-01", schooling="maternelle"),
        ],
        rent=200,
    ),
    "salary_couple_rent_350": household(
        "46191",
        [
            person("demandeur", "1984-01-01", "actif", salary=1250),
            person("conjoint", "1986-01-01", "actif", salary=600),
            person("enfant", "2015-01-01", schooling="primaire"),
            person("enfant", "2010-01-01", schooling="college"),
        ],
        rent=350,
    ),
    "salary_high_5000": household("46042", [person("demandeur", "1970-01-01", "actif", salary=5000)], rent=900),
    "salary_varies": household(
        "46042",
        [person("demandeur", "1990-01-01", "actif", salary=1100, recent=[600, 900, 1400])],
        rent=420,
    ),
    # Rent with charges included: OpenFisca's `loyer` is the rent without them.
    "rent_charges_included": household(
        "46042",
        [person("demandeur", "1985-01-01", "actif", salary=900)],
        rent=300,
        rent_charges="included",
        charges=60,
    ),
    "rent_charges_unknown": household(
        "46042", [person("demandeur", "1985-01-01", "actif", salary=900)], rent=300, rent_charges="unknown"
    ),
    # RSDAE: AAH at a 50-79 % rate only with it.
    "rsdae_yes_60": household(
        "46042", [person("demandeur", "1980-01-01", "inactif", disability=0.5, rsdae="yes")], rent=380
    ),
    "rsdae_no_60": household("46042", [person("demandeur", "1980-01-01", "inactif", disability=0.5)], rent=380),
    "rsdae_unknown_worker": household(
        "46042",
        [person("demandeur", "1983-01-01", "actif", salary=500, disability=0.5, rsdae="unknown")],
        rent=380,
    ),
    "rsdae_partner": household(
        "46102",
        [
            person("demandeur", "1975-01-01", "actif", salary=1400),
            person("conjoint", "1976-01-01", "inactif", disability=0.5, rsdae="yes"),
        ],
        status="proprietaire",
    ),
    # ASS: a job seeker whose ARE has ended, with 5 years of work in the last 10.
    "ass_history_yes": household("46042", [person("demandeur", "1968-01-01", "chomeur", ass="yes")], rent=400),
    "ass_history_couple": household(
        "46064",
        [
            person("demandeur", "1970-01-01", "chomeur", ass="yes"),
            person("conjoint", "1972-01-01", "actif", salary=900),
        ],
        status="proprietaire",
    ),
    "ass_history_unknown": household("46042", [person("demandeur", "1968-01-01", "chomeur", ass="unknown")], rent=400),
    # Young people: CEJ allowance and licence aids.
    "young_19_no_licence": household(
        "46064", [person("demandeur", "2007-05-01", "chomeur")], status="loge_gratuitement"
    ),
    "young_22_with_licence": household(
        "46064", [person("demandeur", "2004-02-01", "chomeur", licence="yes")], status="loge_gratuitement"
    ),
    "young_24_small_salary": household(
        "46042", [person("demandeur", "2002-03-01", "actif", salary=450)], status="locataire_meuble", rent=330
    ),
    "young_17_inactive": household(
        "46042", [person("demandeur", "2009-06-01", "inactif", schooling="non_scolarise")], status="loge_gratuitement"
    ),
    "young_student_21": household(
        "46042",
        [person("demandeur", "2005-01-01", "etudiant", schooling="enseignement_superieur")],
        status="locataire_meuble",
        rent=350,
    ),
    "kevin_alone": household("46064", [person("demandeur", "2003-04-01", "chomeur")], status="loge_gratuitement"),
    # Widowhood (the réversion is data; OpenFisca amounts must not change) and pensions.
    "widow_carsat_aspa": household(
        "46042",
        [person("demandeur", "1950-01-01", "retraite", pension=700)],
        status="locataire_hlm",
        rent=350,
        widowed="yes",
    ),
    "widow_young_worker": household(
        "46042",
        [person("demandeur", "1972-01-01", "actif", salary=1600), person("enfant", "2011-01-01", schooling="inconnue")],
        status="proprietaire",
        widowed="yes",
    ),
}

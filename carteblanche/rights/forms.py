"""The rights questionnaire, one short form per step (input validation only)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from carteblanche.rights.answers import birth_problem
from carteblanche.rights.openfisca_adapter import BENEFITS

YES_NO_UNKNOWN = [("no", "Non"), ("yes", "Oui"), ("unknown", "Je ne sais pas")]
ACTIVITY_CHOICES = [
    ("actif", "Je travaille (salarié, intérim, apprentissage…)"),
    ("chomeur", "Je cherche un emploi"),
    ("etudiant", "Je fais des études"),
    ("retraite", "Je suis à la retraite"),
    ("inactif", "Autre situation (sans activité, au foyer…)"),
]
PARTNER_ACTIVITY_CHOICES = [
    (
        k,
        v.replace("Je travaille", "Travaille")
        .replace("Je cherche", "Cherche")
        .replace("Je fais", "Fait")
        .replace("Je suis", "Est"),
    )
    for k, v in ACTIVITY_CHOICES
]
DISABILITY_CHOICES = [
    ("0", "Non, pas de handicap reconnu"),
    ("0.5", "Oui, taux d'incapacité de 50 à 79 %"),
    ("0.8", "Oui, taux d'incapacité de 80 % ou plus"),
    ("unknown", "Je ne sais pas"),
]
SCHOOLING_CHOICES = [
    ("non_scolarise", "Pas scolarisé"),
    ("inconnue", "Je ne sais pas"),
    ("maternelle", "École maternelle"),
    ("primaire", "École élémentaire"),
    ("college", "Collège"),
    ("lycee", "Lycée"),
    ("enseignement_superieur", "Études supérieures"),
]
HOUSING_CHOICES = [
    ("locataire_vide", "Locataire d'un logement vide (privé)"),
    ("locataire_meuble", "Locataire d'un logement meublé"),
    ("locataire_hlm", "Locataire d'un logement social (HLM)"),
    ("locataire_foyer", "En foyer ou résidence"),
    ("proprietaire", "Propriétaire"),
    ("primo_accedant", "Je rembourse l'achat de mon logement"),
    ("loge_gratuitement", "Hébergé gratuitement (famille, amis…)"),
    ("sans_domicile", "Sans logement"),
    ("unknown", "Je ne sais pas"),
]
SAME_CHOICES = [
    ("yes", "Oui, à peu près pareil chaque mois"),
    ("no", "Non, cela change"),
    ("unknown", "Je ne sais pas"),
]
MAX_CHILDREN = 8


class RightsForm(DsfrBaseForm):
    """DSFR form marking optional fields (DSFR's current advice), without django-dsfr's transition warnings."""

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", True)
        return context


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        max_value=100000,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        error_messages={"min_value": "Un montant ne peut pas être négatif."},
    )


class BirthDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _date_widget())
        kwargs.setdefault("help_text", "Format : jj/mm/aaaa")
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError("La date de naissance est dans le futur.")
        if value and value < date(1900, 1, 1):
            raise forms.ValidationError("Date trop ancienne : vérifiez l'année.")


class HouseholdStepForm(RightsForm):
    commune = forms.CharField(
        label="Votre commune", help_text="Nom ou code postal, par exemple « Pradines » ou « 46090 ».", max_length=100
    )
    birth_date = BirthDateField(label="Votre date de naissance")
    couple = forms.ChoiceField(
        label="Vivez-vous en couple ?",
        choices=[("no", "Non, je vis seul(e)"), ("yes", "Oui, en couple")],
        widget=forms.RadioSelect,
        initial="no",
    )
    children = forms.IntegerField(
        label="Combien d'enfants vivent avec vous et sont à votre charge ?",
        min_value=0,
        max_value=MAX_CHILDREN,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and (problem := birth_problem("demandeur", value, claimant_birth=None, today=timezone.localdate())):
            raise forms.ValidationError(problem)
        return value


class PeopleStepForm(RightsForm):
    """Birth dates of the partner and children (fields depend on the first step)."""

    def __init__(self, *args, couple: bool, children: int, claimant_birth: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claimant_birth = claimant_birth
        self.children = children
        if couple:
            self.fields["partner_birth_date"] = BirthDateField(label="Date de naissance de votre conjoint(e)")
        for i in range(1, children + 1):
            self.fields[f"child_{i}_birth_date"] = BirthDateField(label=f"Date de naissance de l'enfant {i}")
            self.fields[f"child_{i}_schooling"] = forms.ChoiceField(
                label=f"Scolarité de l'enfant {i}", choices=SCHOOLING_CHOICES, required=False
            )
        for visible in self.visible_fields():
            from dsfr.utils import dsfr_input_class_attr

            dsfr_input_class_attr(visible)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for i in range(1, self.children + 1):
            birth = data.get(f"child_{i}_birth_date")
            if birth and (problem := birth_problem("enfant", birth, claimant_birth=self.claimant_birth, today=today)):
                self.add_error(f"child_{i}_birth_date", problem)
        return data


class ResourcesStepForm(RightsForm):
    """Activity and monthly incomes for "you" (prefix me) or the partner (prefix partner)."""

    activity = forms.ChoiceField(label="Votre situation", choices=ACTIVITY_CHOICES, widget=forms.RadioSelect)
    salary_net = _amount_field("Salaire net par mois (en euros)", "Le montant versé sur votre compte. 0 si aucun.")
    same_every_month = forms.ChoiceField(
        label="Ce salaire est-il le même chaque mois ?",
        choices=SAME_CHOICES,
        initial="yes",
        widget=forms.RadioSelect,
        required=False,
    )
    salary_m3 = _amount_field("Si cela change : salaire net il y a 3 mois")
    salary_m2 = _amount_field("Salaire net il y a 2 mois")
    salary_m1 = _amount_field("Salaire net le mois dernier")
    unemployment_net = _amount_field("Allocation chômage par mois (en euros)", "0 si aucune.")
    pension_gross = _amount_field("Retraite ou pension par mois, montant brut (en euros)", "0 si aucune.")
    disability = forms.ChoiceField(
        label="Avez-vous un handicap reconnu par la MDPH ?",
        choices=DISABILITY_CHOICES,
        initial="0",
        widget=forms.RadioSelect,
    )
    studies = forms.BooleanField(label="Je suis des études en ce moment", required=False)

    def __init__(self, *args, partner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if partner:
            self.fields["activity"].label = "Situation de votre conjoint(e)"
            self.fields["activity"].choices = PARTNER_ACTIVITY_CHOICES
            self.fields["disability"].label = "Votre conjoint(e) a-t-il ou elle un handicap reconnu par la MDPH ?"
            self.fields["studies"].label = "Il ou elle suit des études en ce moment"


class HousingStepForm(RightsForm):
    housing_status = forms.ChoiceField(label="Votre logement", choices=HOUSING_CHOICES, widget=forms.RadioSelect)
    rent = _amount_field("Loyer par mois (en euros)", "Laissez vide si vous ne payez pas de loyer.")
    rent_charges = forms.ChoiceField(
        label="Ce loyer comprend-il des charges ?",
        help_text="Eau, chauffage collectif, entretien de l'immeuble… Sur la quittance, elles sont à part. "
        "L'aide au logement se calcule sur le loyer sans les charges.",
        choices=[
            ("excluded", "Non, c'est le loyer seul (hors charges)"),
            ("included", "Oui, charges comprises"),
            ("unknown", "Je ne sais pas : l'aide au logement peut alors être estimée un peu trop haut"),
        ],
        initial="excluded",
        widget=forms.RadioSelect,
        required=False,
    )
    charges = _amount_field("Si charges comprises : montant des charges par mois (en euros)")
    farm_scheme = forms.ChoiceField(
        label="Dépendez-vous de la MSA (régime agricole) ?",
        choices=YES_NO_UNKNOWN,
        initial="no",
        widget=forms.RadioSelect,
    )
    child_support = forms.ChoiceField(
        label="Recevez-vous une pension alimentaire pour vos enfants ?",
        choices=YES_NO_UNKNOWN,
        initial="no",
        widget=forms.RadioSelect,
        required=False,
        help_text="Si l'autre parent ne paie pas, répondez « Non ».",
    )
    child_support_amount = _amount_field("Montant de la pension reçue par mois (en euros)")
    recently_isolated = forms.BooleanField(
        label="Je me suis séparé(e) ou suis devenu(e) seul(e) récemment", required=False
    )

    def __init__(self, *args, children: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if not children:
            del self.fields["child_support"]
            del self.fields["child_support_amount"]

    def clean(self):
        data = super().clean()
        status = data.get("housing_status")
        rent = data.get("rent") or 0
        if rent and status in ("proprietaire", "loge_gratuitement", "sans_domicile", "unknown"):
            self.add_error(
                "rent", "Vous indiquez un loyer : choisissez un statut de locataire (ou laissez le loyer vide)."
            )
        charges = data.get("charges") or 0
        if charges and rent and charges >= rent:
            self.add_error("charges", "Les charges doivent être inférieures au loyer indiqué.")
        if data.get("child_support") == "yes" and not data.get("child_support_amount"):
            self.add_error("child_support_amount", "Indiquez le montant de la pension reçue chaque mois.")
        return data


class BenefitsStepForm(RightsForm):
    received = forms.MultipleChoiceField(
        label="Quelles aides recevez-vous déjà ?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(b.code, b.label) for b in BENEFITS],
        help_text="Cochez celles que vous touchez déjà. Aucune : ne cochez rien.",
    )


def _unknown_choices(unknown_label: str) -> list[tuple[str, str]]:
    return [("yes", "Oui"), ("no", "Non"), ("unknown", unknown_label)]


class DetailsStepForm(RightsForm):
    """Questions that decide a right, each present only when the earlier answers make it matter."""

    def __init__(self, *args, questions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        radio = forms.RadioSelect
        for name in questions:
            target = "votre conjoint(e)" if name.endswith("_partner") else "vous"
            key = name.removesuffix("_partner").removesuffix("_me")
            if key == "rsdae":
                self.fields[name] = forms.ChoiceField(
                    label=(
                        "La MDPH a-t-elle reconnu une « restriction substantielle et durable d'accès à l'emploi » "
                        f"pour {target} ?"
                    ),
                    help_text="C'est écrit sur la décision de la MDPH (CDAPH). Avec un taux de 50 à 79 %, "
                    "l'allocation aux adultes handicapés (AAH) n'est versée qu'avec cette reconnaissance.",
                    choices=_unknown_choices("Je ne sais pas : l'AAH n'est alors pas calculée"),
                    widget=radio,
                )
            elif key == "ass_work_history":
                self.fields[name] = forms.ChoiceField(
                    label=(
                        f"Avant la fin de son dernier contrat, {target} a-t-il ou elle travaillé au moins 5 ans "
                        "en tout pendant les 10 années précédentes ?"
                        if target != "vous"
                        else "Avant la fin de votre dernier contrat, avez-vous travaillé au moins 5 ans en tout "
                        "pendant les 10 années précédentes ?"
                    ),
                    help_text="Quand l'allocation chômage s'arrête, France Travail peut verser l'allocation de "
                    "solidarité spécifique (ASS) à qui a assez travaillé.",
                    choices=_unknown_choices("Je ne sais pas : l'ASS n'est alors pas calculée"),
                    widget=radio,
                )
            elif key == "driving_licence":
                self.fields[name] = forms.ChoiceField(
                    label="Avez-vous le permis de conduire (permis B) ?",
                    help_text="Des aides existent pour le passer.",
                    choices=[("no", "Non"), ("yes", "Oui")],
                    widget=radio,
                )
            elif key == "widowed":
                self.fields[name] = forms.ChoiceField(
                    label="Votre mari ou votre femme est-il ou elle décédé(e) ?",
                    help_text="Aussi si vous étiez divorcé(e). Une partie de sa retraite peut vous être versée "
                    "(pension de réversion).",
                    choices=[
                        ("yes", "Oui"),
                        ("no", "Non"),
                        ("unknown", "Je préfère ne pas répondre : la pension de réversion n'est alors pas proposée"),
                    ],
                    widget=radio,
                )

"""The short orientation form (input validation only; the rules live in selectors)."""

from django import forms
from dsfr.forms import DsfrBaseForm

from carteblanche.core.forms import DsfrForm
from carteblanche.orientation.scoring import Digital
from carteblanche.orientation.selectors import InputProblem, OrientationRequest, needs_catalogue

LANGUAGES = [
    ("fr", "Français"),
    ("en", "Anglais"),
    ("es", "Espagnol"),
    ("pt", "Portugais"),
    ("ar", "Arabe"),
    ("tr", "Turc"),
    ("uk", "Ukrainien"),
    ("ru", "Russe"),
]
DIGITAL_CHOICES = [
    (Digital.AUTONOMOUS.value, "Je fais mes démarches en ligne seul(e)"),
    (Digital.WITH_HELP.value, "Je peux les faire en ligne si on m'aide"),
    (Digital.NO_INTERNET.value, "Je n'ai pas internet"),
]
YES_NO = [("oui", "Oui"), ("non", "Non")]
# Form field that shows each engine problem (selectors use the request's field names).
FIELD_FOR_PROBLEM = {"besoins": "besoin", "ne_conduit_pas": "voiture"}


class OrientationForm(DsfrBaseForm):
    commune = forms.CharField(label="Votre commune", help_text="Nom ou code postal, par exemple « Cieurac ».")
    besoin = forms.ChoiceField(label="Ce que vous voulez faire", required=False)
    besoin_2 = forms.ChoiceField(label="Une autre démarche (facultatif)", required=False)
    besoin_libre = forms.CharField(
        label="Ou dites-le avec vos mots",
        required=False,
        help_text="Par exemple « pension de réversion » ou « trouver un emploi ».",
    )
    voiture = forms.BooleanField(label="J'ai une voiture et le permis", required=False)
    ne_conduit_pas = forms.BooleanField(label="Je ne conduis pas", required=False)
    conduit_par_proche = forms.BooleanField(label="Quelqu'un peut me conduire", required=False)
    conduit_quand = forms.CharField(
        label="Quand cette personne peut-elle vous conduire ?",
        required=False,
        help_text="Par exemple « mardi 9-12 ». Vide : quand vous êtes libre.",
    )
    transport_en_commun = forms.BooleanField(label="Je peux prendre le bus, le car ou le train", required=False)
    transport_a_la_demande = forms.BooleanField(label="Je peux réserver un transport à la demande", required=False)
    mobilite_solidaire = forms.BooleanField(
        label="Je peux être conduit par un chauffeur bénévole (mobilité solidaire)", required=False
    )
    mobilite_reduite = forms.BooleanField(label="Je me déplace difficilement", required=False)
    numerique = forms.ChoiceField(label="Internet", choices=DIGITAL_CHOICES, widget=forms.RadioSelect)
    telephone = forms.ChoiceField(label="Avez-vous un téléphone ?", choices=YES_NO, widget=forms.RadioSelect)
    disponibilites = forms.CharField(
        label="Quand êtes-vous libre ?",
        required=False,
        help_text="Par exemple « mardi 9-12 », « samedi matin » ou « sauf semaine 8-18 ». Vide : tous les jours.",
    )
    langue = forms.ChoiceField(label="Votre langue", choices=LANGUAGES, required=False)
    urgent = forms.BooleanField(label="C'est urgent", required=False)
    age = forms.IntegerField(label="Votre âge (facultatif)", required=False, min_value=0, max_value=120)
    autre_commune = forms.CharField(
        label="Une autre commune où vous allez souvent (facultatif)",
        required=False,
        help_text="Par exemple la commune où vous travaillez.",
    )

    # Filled by the "Utiliser ma position" button (static/js/orientation.js); never stored.
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— Choisir —")] + [(n.slug, n.label) for n in needs_catalogue()]
        self.fields["besoin"].choices = choices
        self.fields["besoin_2"].choices = choices

    def to_request(self) -> OrientationRequest:
        data = self.cleaned_data
        return OrientationRequest(
            commune=data["commune"],
            besoins=[s for s in (data.get("besoin"), data.get("besoin_2")) if s],
            besoin_libre=data.get("besoin_libre") or "",
            voiture=data.get("voiture", False),
            ne_conduit_pas=data.get("ne_conduit_pas", False),
            conduit_par_proche=data.get("conduit_par_proche", False),
            conduit_quand=data.get("conduit_quand") or "",
            transport_en_commun=data.get("transport_en_commun", False),
            transport_a_la_demande=data.get("transport_a_la_demande", False),
            mobilite_solidaire=data.get("mobilite_solidaire", False),
            mobilite_reduite=data.get("mobilite_reduite", False),
            numerique=data["numerique"],
            telephone=data["telephone"] == "oui",
            disponibilites=data.get("disponibilites") or "",
            langue=data.get("langue") or "fr",
            urgent=data.get("urgent", False),
            age=data.get("age"),
            autre_commune=data.get("autre_commune") or "",
            position=(
                (data["latitude"], data["longitude"])
                if data.get("latitude") is not None and data.get("longitude") is not None
                else None
            ),
        )

    def add_problems(self, problems: list[InputProblem]) -> None:
        for problem in problems:
            name = FIELD_FOR_PROBLEM.get(problem.field, problem.field)
            self.add_error(name if name in self.fields else None, problem.message)


def initial_from_situation(profile: dict, orientation: dict, commune_name: str = "") -> dict:
    """Prefill the form with answers already given (the person never types them twice)."""
    travel = orientation.get("travel") or {}
    needs = orientation.get("needs") or []
    initial = {
        "commune": commune_name,
        "besoin": needs[0] if needs else "",
        "besoin_2": needs[1] if len(needs) > 1 else "",
        "besoin_libre": "",
        "voiture": travel.get("car", False),
        "ne_conduit_pas": travel.get("does_not_drive", False),
        "conduit_par_proche": travel.get("driven", False),
        "conduit_quand": travel.get("driven_when", ""),
        "transport_en_commun": travel.get("public_transport", True),
        "transport_a_la_demande": travel.get("on_demand", True),
        "mobilite_solidaire": travel.get("solidarity", True),
        "mobilite_reduite": travel.get("reduced_mobility", False),
        "numerique": orientation.get("digital", Digital.AUTONOMOUS.value),
        "telephone": "non" if orientation.get("phone") is False else "oui",
        "disponibilites": orientation.get("availability", ""),
        "langue": profile.get("language", "fr"),
        "urgent": orientation.get("urgency", False),
        "age": profile.get("age"),
        "autre_commune": orientation.get("other_commune", ""),
    }
    return initial


CONSENT_LABEL = "J'accepte de recevoir mon plan et son lien. {where} sert à cet envoi, puis n'est pas gardé."


class SendByEmailForm(DsfrForm):
    """Send the plan by e-mail: the address and the person's explicit consent (checked in actions)."""

    prefix = "courriel"
    email = forms.CharField(
        label="Votre adresse e-mail",
        help_text="Par exemple prenom.nom@exemple.fr.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    accord = forms.BooleanField(label=CONSENT_LABEL.format(where="L'adresse"), required=False)


class SendBySmsForm(DsfrForm):
    """Send the plan by SMS (at most three messages) to a French mobile, with consent."""

    prefix = "sms"
    telephone = forms.CharField(
        label="Votre numéro de portable",
        help_text="Par exemple 06 12 34 56 78. Le plan tient en 3 SMS au plus.",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    accord = forms.BooleanField(label=CONSENT_LABEL.format(where="Le numéro"), required=False)

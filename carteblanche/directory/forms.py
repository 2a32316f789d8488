"""Input validation for the public directory pages: search (the API checks the same filters), reports."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from carteblanche.core.forms import DsfrForm
from carteblanche.directory.models import Channel, Correction
from carteblanche.directory.selectors import needs_by_life_event

# Languages most asked for on the territory; the field accepts only these.
LANGUAGES = [
    ("", "Peu importe"),
    ("fr", "français"),
    ("en", "anglais"),
    ("es", "espagnol"),
    ("pt", "portugais"),
    ("ar", "arabe"),
    ("de", "allemand"),
    ("it", "italien"),
    ("nl", "néerlandais"),
    ("ru", "russe"),
    ("uk", "ukrainien"),
    ("fa", "persan"),
    ("ps", "pachto"),
    ("lsf", "langue des signes française"),
]
LANGUAGE_CODES = {code for code, _label in LANGUAGES if code}
CHANNEL_CHOICES = [(kind.value, kind.label) for kind in Channel.Kind]


def open_on_problem(day: date | None, today: date | None = None) -> str:
    """Why a day cannot be used for "open on" (hours are known for the coming year at best), or ''."""
    if day is None:
        return ""
    today = today or timezone.localdate()
    if day < today:
        return "Cette date est passée : choisissez aujourd'hui ou un jour à venir."
    if day > today + timedelta(days=366):
        return "Choisissez une date dans les 12 prochains mois."
    return ""


def need_choices() -> list:
    groups = [(event, [(need.slug, need.label) for need in needs]) for event, needs in needs_by_life_event()]
    return [("", "Choisir dans la liste"), *groups]


class SearchForm(DsfrBaseForm):
    commune = forms.CharField(
        label="Votre commune",
        help_text="Son nom ou son code postal, par exemple « Cahors » ou « 46000 ».",
        max_length=100,
        error_messages={"required": "Indiquez votre commune, par exemple « Cahors » ou « 46000 »."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "communes-suggestions", "spellcheck": "false"}),
    )
    besoin = forms.ChoiceField(
        label="Votre besoin",
        required=False,
        error_messages={"invalid_choice": "Ce besoin n'est pas dans la liste : choisissez-en un dans la liste."},
    )
    texte = forms.CharField(
        label="Ou dites-le avec vos mots",
        help_text="Par exemple « pension de réversion » ou « refaire ma carte d'identité ».",
        max_length=200,
        required=False,
    )
    canal = forms.MultipleChoiceField(
        label="Comment voulez-vous être reçu ou contacté ?",
        choices=CHANNEL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "« %(value)s » n'est pas une façon d'être reçu connue."},
    )
    ouvert_le = forms.DateField(
        label="Ouvert le",
        help_text="Une date, par exemple 14/03/2026.",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date non reconnue : écrivez-la sous la forme 14/03/2026."},
    )
    accessible = forms.BooleanField(label="Lieu accessible en fauteuil roulant", required=False)
    langue = forms.ChoiceField(
        label="Langue parlée",
        choices=LANGUAGES,
        required=False,
        error_messages={"invalid_choice": "Cette langue n'est pas dans la liste."},
    )
    age = forms.IntegerField(
        label="Votre âge (facultatif)",
        help_text="Pour ne montrer que les services ouverts à votre âge.",
        min_value=0,
        max_value=120,
        required=False,
        error_messages={
            "invalid": "L'âge doit être un nombre entier, par exemple 34.",
            "min_value": "L'âge ne peut pas être négatif.",
            "max_value": "L'âge doit être inférieur ou égal à 120.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["besoin"].choices = need_choices()

    def clean_ouvert_le(self):
        day = self.cleaned_data.get("ouvert_le")
        problem = open_on_problem(day)
        if problem:
            raise forms.ValidationError(problem)
        return day

    @property
    def has_filters(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("canal") or data.get("ouvert_le") or data.get("accessible") or data.get("langue"))


class CorrectionForm(DsfrForm):
    """'Signaler une information inexacte' on a service, place or structure page."""

    topic = forms.ChoiceField(
        label="Qu'est-ce qui est inexact ?", choices=Correction.Topic.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label="Qu'avez-vous constaté ?",
        help_text="Par exemple « fermé le mercredi depuis septembre » ou « a déménagé 3 rue de la Poste ».",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reporter = forms.ChoiceField(
        label="Vous êtes (facultatif)",
        choices=[("", "Je préfère ne pas le dire"), *Correction.Reporter.choices],
        required=False,
    )
    contact = forms.CharField(
        label="Un courriel ou un téléphone pour vous poser une question (facultatif)",
        help_text="Seule l'équipe qui tient l'annuaire le verra ; il est effacé une fois le signalement traité.",
        max_length=200,
        required=False,
    )

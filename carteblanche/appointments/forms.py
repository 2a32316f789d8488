"""Input of the booking pages (the rules live in actions)."""

from django import forms

from carteblanche.appointments.models import Booking, Slot
from carteblanche.core.forms import DsfrForm

DATETIME = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}), "input_formats": ["%Y-%m-%dT%H:%M"]}


class SlotForm(DsfrForm):
    structure = forms.TypedChoiceField(label="Structure", coerce=int)
    kind = forms.ChoiceField(label="Type", choices=Slot.Kind.choices)
    start = forms.DateTimeField(label="Début", **DATETIME)
    minutes = forms.IntegerField(label="Durée (minutes)", min_value=10, max_value=240, initial=30)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [(s.pk, s.name) for s in structures]


class HoursForm(DsfrForm):
    structure = forms.TypedChoiceField(label="Structure", coerce=int)
    kind = forms.ChoiceField(label="Type", choices=Slot.Kind.choices)
    rule = forms.CharField(
        label="Horaires (syntaxe OpenStreetMap)",
        max_length=2000,
        help_text="Par exemple : Tu 09:00-12:00; Th 14:00-17:00. Prérempli avec les horaires d'un de vos lieux.",
    )
    minutes = forms.IntegerField(label="Durée d'un créneau (minutes)", min_value=10, max_value=240, initial=30)
    days = forms.IntegerField(label="Sur combien de jours", min_value=1, max_value=60, initial=14)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [(s.pk, s.name) for s in structures]


class BookForm(DsfrForm):
    slot = forms.TypedChoiceField(label="Créneau", coerce=int, widget=forms.RadioSelect)
    notify = forms.ChoiceField(
        label="Prévenir la personne (confirmation, puis rappel 48 h avant)",
        choices=Booking.Notify.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Seulement si elle est d'accord.",
    )
    note = forms.CharField(label="Motif (sans détail de santé)", max_length=300, required=False)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.pk, s.label) for s in slots]

"""Forms of the structure's page (one per record, built from `fields.FIELDS`) and of the steward's pages.
Input validation only: the values are checked by `fields.check` inside the actions."""

from __future__ import annotations

from django import forms

from carteblanche.core.forms import DsfrForm
from carteblanche.directory.models import Structure
from carteblanche.stewardship import conf
from carteblanche.stewardship.selectors import RecordView


def record_form(view: RecordView, data=None, errors: dict[str, str] | None = None) -> DsfrForm:
    """The record's editable fields, prefilled with what the directory shows; errors from the action."""
    attrs = {}
    for spec, value in view.fields:
        widget = forms.Textarea(attrs={"rows": 3}) if spec.multiline else forms.TextInput()
        attrs[spec.name] = forms.CharField(
            label=spec.label, required=False, strip=False, help_text=spec.help_text, widget=widget, initial=value
        )
    form_class = type("RecordForm", (DsfrForm,), attrs)
    form = form_class(data=data, prefix=view.key)
    if errors and data is not None:
        form.is_valid()
        for name, message in errors.items():
            form.add_error(None if name == "__all__" else name, message)
    return form


class StructureChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Structure) -> str:
        return obj.name if obj.email else f"{obj.name} — sans courriel"


class CampaignForm(DsfrForm):
    label = forms.CharField(
        label="Nom de la campagne",
        max_length=200,
        help_text="Les structures le voient dans le courriel. Ex. « Vérification de printemps 2027 ».",
    )
    scope = forms.ChoiceField(
        label="Structures concernées",
        choices=[("all", "Toutes les structures"), ("some", "Seulement celles cochées ci-dessous")],
        widget=forms.RadioSelect,
        initial="all",
    )
    structures = StructureChoices(
        label="Structures choisies",
        help_text="Les structures sans courriel recevront leur lien par vous (il s'affiche après le lancement).",
        queryset=Structure.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(
        label="Durée de validité des liens (jours)", min_value=1, max_value=90, initial=conf.link_days
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "some" and not data.get("structures"):
            self.add_error("structures", "Cochez au moins une structure, ou choisissez « Toutes les structures ».")
        return data


class RejectForm(DsfrForm):
    note = forms.CharField(label="Motif du refus", max_length=500, help_text="La structure pourra le lire.")

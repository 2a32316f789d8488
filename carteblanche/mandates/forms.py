from django import forms

from carteblanche.core.forms import DsfrForm
from carteblanche.mandates.models import Domain, Duration, Mandate


class MandateForm(DsfrForm):
    domains = forms.MultipleChoiceField(
        label="Démarches que la personne confie", choices=Domain.choices, widget=forms.CheckboxSelectMultiple
    )
    duration = forms.ChoiceField(label="Pour combien de temps", choices=Duration.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(
        label="Comment le mandat est donné", choices=Mandate.Method.choices, widget=forms.RadioSelect
    )
    document = forms.TypedChoiceField(
        label="Mandat numérisé (pièce du dossier)", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", "— Aucune —"), *[(d.pk, d.original_name) for d in documents]]


class ActForm(DsfrForm):
    domain = forms.ChoiceField(label="Domaine", choices=Domain.choices)
    what = forms.CharField(
        label="Démarche faite", max_length=300, help_text="Par exemple : inscription à France Travail."
    )

    def __init__(self, *args, mandate, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Domain.choices)
        self.fields["domain"].choices = [(d, labels.get(d, d)) for d in mandate.domains]

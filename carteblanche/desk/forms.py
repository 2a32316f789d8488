"""The visitor form: the orientation form and the rights steps on one page (asked once, no JavaScript).

No new question: each part is the existing form of its app, with a prefix. The rights "commune" is
dropped (the orientation commune is the one asked). Partner and children questions appear once the
household says there is a partner or children (a second submit without JavaScript).
"""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from dsfr.forms import DsfrBaseForm

from carteblanche.orientation.forms import OrientationForm
from carteblanche.rights import forms as rights_forms
from carteblanche.rights.forms import MAX_CHILDREN

SECTIONS = [
    ("foyer", "Foyer"),
    ("personnes", "Conjoint(e) et enfants"),
    ("ressources", "Activité et revenus"),
    ("ressources-conjoint", "Activité et revenus du conjoint ou de la conjointe"),
    ("logement", "Logement"),
    ("aides", "Aides déjà reçues"),
]


def _household_shape(data: Any, steps: dict[str, dict]) -> tuple[bool, int]:
    """Couple and number of children, from the submitted form or else from the answers already given."""
    foyer = steps.get("foyer", {})
    couple = foyer.get("couple") == "yes"
    children = int(foyer.get("children") or 0)
    if data is not None and "foyer-couple" in data:
        couple = data.get("foyer-couple") == "yes"
        try:
            children = max(0, min(MAX_CHILDREN, int(data.get("foyer-children") or 0)))
        except ValueError:
            children = 0
    return couple, children


class VisitorForms:
    """All the parts of the visitor form, bound or not, validated together."""

    def __init__(self, data: Any = None, *, orientation_initial: dict, steps: dict[str, dict]) -> None:
        couple, children = _household_shape(data, steps)
        self.couple, self.children = couple, children
        self.orientation = OrientationForm(data, initial=orientation_initial, prefix="o")
        foyer = rights_forms.HouseholdStepForm(data, initial=steps.get("foyer", {}), prefix="foyer")
        del foyer.fields["commune"]
        self.rights: list[tuple[str, str, DsfrBaseForm]] = [("foyer", "Foyer", foyer)]
        if couple or children:
            self.rights.append(
                (
                    "personnes",
                    "Conjoint(e) et enfants",
                    rights_forms.PeopleStepForm(
                        data, initial=steps.get("personnes", {}), couple=couple, children=children, prefix="personnes"
                    ),
                )
            )
        self.rights.append(
            (
                "ressources",
                "Activité et revenus",
                rights_forms.ResourcesStepForm(data, initial=steps.get("ressources", {}), prefix="ressources"),
            )
        )
        if couple:
            self.rights.append(
                (
                    "ressources-conjoint",
                    "Activité et revenus du conjoint ou de la conjointe",
                    rights_forms.ResourcesStepForm(
                        data, initial=steps.get("ressources-conjoint", {}), partner=True, prefix="conjoint"
                    ),
                )
            )
        self.rights.append(
            (
                "logement",
                "Logement",
                rights_forms.HousingStepForm(
                    data, initial=steps.get("logement", {}), children=children, prefix="logement"
                ),
            )
        )
        self.rights.append(
            (
                "aides",
                "Aides déjà reçues",
                rights_forms.BenefitsStepForm(data, initial=steps.get("aides", {}), prefix="aides"),
            )
        )
        # Fields that appeared with this submit (partner, children) cannot have been filled yet.
        self.new_questions = data is not None and (
            (couple or children) and not any(k.startswith("personnes-") for k in data)
        )

    def is_valid(self) -> bool:
        valid = self.orientation.is_valid()
        for _step, _label, form in self.rights:
            valid = form.is_valid() and valid
        return valid and not self.new_questions

    def steps(self, jsonable) -> dict[str, dict]:
        """The rights steps as the questionnaire stores them (household.steps)."""
        return {step: jsonable(form.cleaned_data) for step, _label, form in self.rights}


class ProcedureForm(DsfrBaseForm):
    """'Démarche faite avec l'agent': what, for which body (counted per structure, theme and month)."""

    besoin = djforms.ChoiceField(label="Thème de la démarche")
    organisme = djforms.CharField(
        label="Pour quel organisme", max_length=200, help_text="Par exemple « CAF », « MSA »."
    )
    quoi = djforms.CharField(
        label="Ce qui a été fait", max_length=300, help_text="Par exemple « Demande de prime d'activité déposée »."
    )
    structure = djforms.TypedChoiceField(label="Votre structure", coerce=int)

    def __init__(self, *args, needs: list[tuple[str, str]], structures: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["besoin"].choices = [("", "— Choisir —"), *needs]
        self.fields["structure"].choices = structures
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0][0]

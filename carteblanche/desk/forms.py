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
from carteblanche.rights.steps import KNOWN_DETAILS, detail_questions, jsonable


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
        # The "précisions" that can change a result (widowed: réversion; licence; ASS), as the questionnaire
        # asks them: the ones shown are posted back (precisions-asked), the ones the answers now call for are
        # checked in is_valid (a second submit without JavaScript, like the partner and children questions).
        if data is not None:
            self.asked = [q for q in data.getlist("precisions-asked") if q in KNOWN_DETAILS]
        else:
            self.asked = detail_questions(steps) if steps else []
        self._data = data
        self._precisions_initial = steps.get("precisions", {})
        if self.asked:
            self.rights.append(self._details(data, self.asked))
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

    def _details(self, data: Any, questions: list[str]) -> tuple[str, str, DsfrBaseForm]:
        form = rights_forms.DetailsStepForm(
            data, initial=self._precisions_initial, questions=questions, prefix="precisions"
        )
        return ("precisions", "Quelques précisions", form)

    def _ask_details_needed(self) -> bool:
        """After a valid submit: replace the précisions by those the answers call for; True if any is new."""
        steps = {step: form.cleaned_data for step, _label, form in self.rights}
        needed = detail_questions(steps)
        if set(needed) <= set(self.asked):
            self.asked = [q for q in self.asked if q in needed]
            return False
        self._precisions_initial = {
            q: self._data.get(f"precisions-{q}") for q in needed if self._data.get(f"precisions-{q}")
        } or self._precisions_initial
        self.rights = [r for r in self.rights if r[0] != "precisions"]
        self.rights.insert(len(self.rights) - 1, self._details(None, needed))
        self.asked = needed
        return True

    def is_valid(self) -> bool:
        valid = self.orientation.is_valid()
        for _step, _label, form in self.rights:
            valid = form.is_valid() and valid
        if valid and not self.new_questions and self._ask_details_needed():
            self.new_questions = True
        return valid and not self.new_questions

    def steps(self) -> dict[str, dict]:
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
    mandat = djforms.ChoiceField(
        label="Faite pour la personne, sous son mandat",
        required=False,
        error_messages={"invalid_choice": "Ce mandat n'est plus valable (révoqué ou expiré) : choisissez « Non »."},
        help_text="Choisissez le mandat et le domaine : la démarche est inscrite au journal du mandat.",
    )

    def __init__(
        self,
        *args,
        needs: list[tuple[str, str]],
        structures: list[tuple[int, str]],
        mandates: list[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["besoin"].choices = [("", "— Choisir —"), *needs]
        self.fields["structure"].choices = structures
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0][0]
        # A mandate posted but no longer usable (revoked, expired meanwhile) is an error, not silently dropped.
        if mandates or self.data.get(self.add_prefix("mandat")):
            self.fields["mandat"].choices = [("", "— Non, faite avec la personne —"), *mandates]
        else:
            del self.fields["mandat"]

    def mandate_choice(self) -> tuple[int | None, str]:
        """(mandate id, domain) from the "id:domain" value, or (None, "")."""
        raw = self.cleaned_data.get("mandat") or ""
        pk, _, domain = raw.partition(":")
        return (int(pk), domain) if pk.isdigit() else (None, "")


class SendSummaryForm(DsfrBaseForm):
    """Send the summary to the person: e-mail or SMS, only with her consent (checked in actions)."""

    canal = djforms.ChoiceField(
        label="Envoyer par", choices=[("sms", "SMS"), ("email", "e-mail")], widget=djforms.RadioSelect
    )
    adresse = djforms.CharField(
        label="Numéro de portable ou adresse e-mail de la personne",
        max_length=254,
        help_text="Par exemple 06 12 34 56 78 ou prenom.nom@exemple.fr. Sert à cet envoi, puis n'est pas gardé.",
    )
    accord = djforms.BooleanField(label="La personne accepte de recevoir sa synthèse par ce moyen", required=False)

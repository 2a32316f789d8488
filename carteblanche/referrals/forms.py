"""Input validation for the agent and follow-up pages (the rules themselves live in actions)."""

from django import forms
from django.utils import timezone

from carteblanche.core.forms import DsfrForm
from carteblanche.referrals.models import CaseFile, Channel, Consent, ContactPreference, Document, Outcome
from carteblanche.referrals.models import SatisfactionResponse as Satisfaction


def structure_choices(exclude: set[int] | None = None):
    from carteblanche.directory.models import Structure

    rows = Structure.objects.exclude(pk__in=exclude or set()).order_by("name").values_list("pk", "name")
    return [("", "— Choisir —"), *rows]


class CaseForm(DsfrForm):
    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    birth_date = forms.DateField(
        label="Date de naissance", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    commune_code = forms.CharField(
        label="Commune",
        required=False,
        max_length=100,
        help_text="Nom, code postal ou code INSEE, par exemple « Cieurac », « 46230 » ou « 46070 ».",
    )
    contact_preference = forms.ChoiceField(label="Comment la contacter", choices=ContactPreference.choices)
    phone = forms.CharField(label="Téléphone", required=False, max_length=30)
    email = forms.EmailField(label="E-mail", required=False)
    postal_address = forms.CharField(label="Adresse postale", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    relative_name = forms.CharField(label="Nom du proche à contacter", required=False, max_length=150)
    relative_phone = forms.CharField(label="Téléphone du proche", required=False, max_length=30)
    availability = forms.CharField(
        label="Disponibilités",
        required=False,
        max_length=300,
        help_text="Quand la joindre : par exemple « après 18 h » ou « le samedi matin ».",
    )
    needs_note = forms.CharField(
        label="Besoins exprimés", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Avec ses mots."
    )
    plan = forms.CharField(label="Plan d'accompagnement", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_commune_code(self) -> str:
        """The INSEE code of the commune typed, read as every page reads a commune."""
        typed = self.cleaned_data["commune_code"].strip()
        if not typed:
            return ""
        from carteblanche.territories.selectors import resolve_commune

        answer = resolve_commune(typed)
        if answer.commune is None:
            raise forms.ValidationError(answer.message())
        return answer.commune.code

    @classmethod
    def initial_from(cls, case: CaseFile) -> dict:
        return {name: getattr(case, name) for name in cls.base_fields}


class AttachSituationForm(forms.Form):
    attach_situation = forms.BooleanField(
        label="Reprendre les réponses déjà données (orientation, droits)", required=False, initial=True
    )


class RectifyForm(CaseForm):
    reason = forms.CharField(
        label="Motif de la modification", max_length=300, help_text="Par exemple : demande de rectification."
    )
    # The version the form was built from: a stale form is refused ("modifié entre-temps").
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    @classmethod
    def initial_from(cls, case: CaseFile) -> dict:
        return {**CaseForm.initial_from(case), "version": case.version}


class ConsentForm(DsfrForm):
    recipient = forms.TypedChoiceField(label="Partenaire qui recevra les informations", coerce=int)
    scope = forms.MultipleChoiceField(
        label="Informations partagées", choices=Consent.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(
        label="Pour quoi faire (finalité)",
        max_length=300,
        help_text="Par exemple : étudier la demande de pension de réversion.",
    )
    method = forms.ChoiceField(
        label="Comment la personne a donné son accord", choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    witness = forms.TypedChoiceField(label="Agent témoin (accord oral)", required=False, coerce=int, empty_value=None)
    given_at = forms.DateTimeField(
        label="Date et heure de l'accord",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )

    def __init__(self, *args, own_structure_id: int, witnesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = structure_choices(exclude={own_structure_id})
        self.fields["witness"].choices = [
            ("", "— Aucun —"),
            *[(u.pk, u.get_full_name() or u.username) for u in witnesses],
        ]
        self.fields["given_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class DocumentForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de pièce", choices=Document.Kind.choices)
    file = forms.FileField(label="Fichier", help_text="PDF, JPEG ou PNG, 10 Mo au plus.")


class ReferralForm(DsfrForm):
    to_structure = forms.TypedChoiceField(label="Partenaire", coerce=int)
    need = forms.ChoiceField(
        label="Besoin (catalogue)", required=False, help_text="Sert aussi à appliquer les délais promis pour ce besoin."
    )
    need_label = forms.CharField(
        label="Besoin, en clair", max_length=200, required=False, help_text="Par exemple : pension de réversion."
    )
    message = forms.CharField(
        label="Message au partenaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que le partenaire doit savoir pour bien répondre.",
    )

    def __init__(self, *args, own_structure_id: int, partner_groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner_groups is None or self.is_bound:  # a posted choice is checked against every partner
            self.fields["to_structure"].choices = structure_choices(exclude={own_structure_id})
        else:  # grouped (optgroups), nearest first: referrals.selectors.referral_partners
            self.fields["to_structure"].choices = [
                ("", "— Choisir —"),
                *[(g.label, [(o.structure_id, o.label) for o in g.options]) for g in partner_groups if g.options],
            ]
        from carteblanche.directory.models import Need

        self.fields["need"].choices = [("", "— Aucun —"), *Need.objects.order_by("label").values_list("slug", "label")]

    def clean(self):
        data = super().clean()
        if not data.get("need_label"):
            if data.get("need"):
                data["need_label"] = dict(self.fields["need"].choices)[data["need"]]
            else:
                self.add_error("need_label", "Indiquez le besoin pour lequel la personne est orientée.")
        return data


class TransitionForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    refusal_reason = forms.CharField(label="Motif du refus", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    redirect_structure = forms.TypedChoiceField(
        label="Partenaire mieux placé", required=False, coerce=int, empty_value=None
    )
    appointment_at = forms.DateTimeField(
        label="Date et heure du rendez-vous",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    appointment_channel = forms.ChoiceField(
        label="Type de rendez-vous", required=False, choices=[("", "— Choisir —"), *Channel.choices]
    )
    appointment_note = forms.CharField(label="Précisions (lieu, numéro à rappeler…)", required=False, max_length=300)
    outcome = forms.ChoiceField(label="Résultat", required=False, choices=[("", "— Choisir —"), *Outcome.choices])
    outcome_note = forms.CharField(label="Précisions sur le résultat", required=False)

    FIELDS_BY_TARGET = {
        "refused": ["refusal_reason"],
        "redirected": ["redirect_structure"],
        "appointment_set": ["appointment_at", "appointment_channel", "appointment_note"],
        "closed": ["outcome", "outcome_note"],
    }

    def __init__(self, *args, exclude_structures: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redirect_structure"].choices = structure_choices(exclude=exclude_structures)


class MessageForm(DsfrForm):
    body = forms.CharField(label="Votre message", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class EraseForm(DsfrForm):
    reason = forms.CharField(
        label="Demande à l'origine de l'effacement", max_length=300, help_text="Par exemple : courrier du 3 mars 2027."
    )


class SurveyForm(DsfrForm):
    got_answer = forms.ChoiceField(
        label="Avez-vous eu une réponse ?", choices=Satisfaction.YesNo.choices, widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label="Êtes-vous satisfait(e) ?", choices=Satisfaction.Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Un commentaire ? (facultatif)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PublicRequestForm(DsfrForm):
    """The person's own request to be accompanied (no account): minimal identity, one way to reach them."""

    droit = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    simulation = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    need = forms.CharField(
        label="Pour quoi souhaitez-vous être aidé(e) ?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Avec vos mots. Par exemple : « remplir ma demande de retraite » ou « payer mes factures ».",
    )
    first_name = forms.CharField(
        label="Votre prénom ou vos initiales",
        max_length=50,
        help_text="Votre nom de famille n'est pas demandé.",
        error_messages={"required": "Indiquez votre prénom ou vos initiales."},
    )
    contact_preference = forms.ChoiceField(
        label="Comment voulez-vous être contacté(e) ?",
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez comment être contacté(e).",
            "invalid_choice": "Choisissez dans la liste.",
        },
    )
    contact_value = forms.CharField(
        label="Votre numéro, adresse e-mail ou adresse postale",
        max_length=300,
        help_text="Selon votre choix : téléphone (ou celui de votre proche), e-mail ou adresse pour un courrier.",
        error_messages={"required": "Indiquez comment vous joindre (numéro, e-mail ou adresse)."},
    )
    commune = forms.CharField(
        label="Votre commune",
        max_length=100,
        help_text="Le nom ou le code postal, par exemple Cahors ou 46000.",
        error_messages={"required": "Indiquez votre commune."},
    )

    def __init__(self, *args, benefit_label: str = "", **kwargs):
        self.benefit_label = benefit_label
        super().__init__(*args, **kwargs)
        if benefit_label:
            self.fields["need"].label = "Autre chose à préciser ? (facultatif)"
            self.fields["need"].help_text = f"Votre demande porte sur : {benefit_label}."

    def clean(self) -> dict:
        from carteblanche.referrals.actions import check_public_contact
        from carteblanche.referrals.selectors import nearest_france_services
        from carteblanche.territories.selectors import resolve_commune

        data = super().clean()
        if not self.benefit_label and not (data.get("need") or "").strip() and "need" not in self.errors:
            self.add_error("need", "Indiquez pour quoi vous souhaitez être aidé(e).")
        if "first_name" in data and "contact_preference" in data and "contact_value" in data:
            for field, message in check_public_contact(
                first_name=data["first_name"],
                contact_preference=data["contact_preference"],
                contact_value=data["contact_value"],
            ).items():
                self.add_error(field, message)
        if data.get("commune"):
            answer = resolve_commune(data["commune"])
            commune = answer.commune
            if commune is None:
                self.add_error("commune", answer.message())
            else:
                data["commune_obj"] = commune
                nearest = nearest_france_services(commune)
                if nearest is None:
                    self.add_error("commune", "Aucun espace France Services connu près de cette commune.")
                else:
                    data["france_services"] = nearest
        return data

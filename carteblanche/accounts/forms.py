"""DSFR forms without django-dsfr 3.6's transitional warnings (they are errors under our test settings)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    """DsfrBaseForm whose rendering does not warn about DSFR_MARK_OPTIONAL_FIELDS (required fields unmarked)."""

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", False)
        return context


class LoginForm(DsfrForm, AuthenticationForm):
    """Django's login form, rendered with DSFR classes."""


class OTPCodeForm(DsfrForm):
    code = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Affiché par votre application d'authentification (par exemple FreeOTP ou Authenticator).",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

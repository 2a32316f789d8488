"""Login and second-factor forms, rendered with DSFR classes."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from carteblanche.core.forms import DsfrForm


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


class AgentPasswordChangeForm(DsfrForm, PasswordChangeForm):
    """Django's password change (old password, then the new one twice, checked by every validator)."""

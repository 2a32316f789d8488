"""Login in two steps when the agent enrolled a TOTP device; TOTP enrolment; OIDC entry point."""

import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from carteblanche.accounts import permissions as roles
from carteblanche.accounts.forms import AgentPasswordChangeForm, LoginForm, OTPCodeForm
from carteblanche.accounts.oidc import oidc_enabled

PENDING_KEY = "pending_2fa"
PENDING_SECONDS = 300


def _confirmed_device(user) -> TOTPDevice | None:
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice):
            return device
    return None


class LoginView(auth_views.LoginView):
    """Password first; when a TOTP device is confirmed, the code is asked on a second page."""

    template_name = "accounts/login.html"
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "oidc_enabled": oidc_enabled(), "title": "Espace agents"}

    def get_default_redirect_url(self) -> str:
        """The territory coordinator (without a structure) lands on the observatory, agents on their desk."""
        user = getattr(self, "_arriving", None) or self.request.user
        if roles.is_coordinator(user) and not roles.is_agent(user):
            return reverse("observatory:home")
        return super().get_default_redirect_url()

    def form_valid(self, form):
        user = form.get_user()
        self._arriving = user
        if _confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return redirect("accounts:otp_verify")


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, "Votre connexion a expiré : saisissez de nouveau votre identifiant et mot de passe.")
        return redirect("accounts:login")
    user = get_user_model().objects.get(pk=pending["user"])
    device = _confirmed_device(user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device is not None and device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return HttpResponseRedirect(target)
        form.add_error("code", "Code incorrect ou expiré : saisissez le code affiché maintenant.")
    return render(request, "accounts/otp_verify.html", {"form": form, "title": "Code de vérification"})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol (or remove) an authenticator app; the device counts only once a code is confirmed."""
    confirmed = _confirmed_device(request.user)
    form = OTPCodeForm(request.POST or None)
    if confirmed is not None:
        if request.method == "POST" and form.is_valid():
            if confirmed.verify_token(form.cleaned_data["code"]):
                confirmed.delete()
                messages.success(request, "La double authentification est désactivée.")
                return redirect("accounts:otp_setup")
            form.add_error("code", "Code incorrect : saisissez le code affiché maintenant.")
        return render(
            request, "accounts/otp_setup.html", {"form": form, "confirmed": True, "title": "Double authentification"}
        )
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Application d'authentification", confirmed=False)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "La double authentification est activée : le code sera demandé à la connexion.")
            return redirect("accounts:otp_setup")
        form.add_error("code", "Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché.")
    from base64 import b32encode

    context = {
        "form": form,
        "confirmed": False,
        "qr_svg": _qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "title": "Double authentification",
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    from carteblanche.accounts.models import Membership

    memberships = Membership.objects.filter(user=request.user, is_active=True).select_related("structure")
    context = {
        "memberships": memberships,
        "has_otp": _confirmed_device(request.user) is not None,
        "title": "Mon compte",
        "setup_url": reverse("accounts:otp_setup"),
    }
    return render(request, "accounts/profile.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """An agent changes their own password (the old one first); journaled, the session stays open."""

    template_name = "accounts/password_change.html"
    form_class = AgentPasswordChangeForm
    success_url = "/compte/"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": "Changer mon mot de passe"}

    def form_valid(self, form):
        from carteblanche.core.audit import record_audit

        response = super().form_valid(form)
        record_audit(
            actor=self.request.user, action="update", obj=self.request.user, reason="changement de mot de passe"
        )
        messages.success(self.request, "Votre mot de passe a été changé.")
        return response

"""The Django admin behind the project's one login path, with its second factor.

`/admin/login/` only redirects to `/compte/connexion/` (password, then the TOTP code when the
account has a confirmed device); the admin itself refuses a session whose user has a device but
did not verify a code in it (django-otp's `is_verified`), whatever way the session was opened.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device


def second_factor_satisfied(user) -> bool:
    """True when the user has no confirmed device, or verified a code in this session."""
    if not user_has_device(user, confirmed=True):
        return True
    return bool(getattr(user, "is_verified", lambda: False)())


class AgentAdminSite(admin.AdminSite):
    site_header = "Carte Blanche — administration"
    site_title = "Carte Blanche"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and second_factor_satisfied(request.user)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
        """No second login form: the project's login, which asks for the code."""
        target = request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class AgentAdminConfig(AdminConfig):
    default_site = "carteblanche.accounts.admin_site.AgentAdminSite"

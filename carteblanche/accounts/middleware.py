"""Agents' sessions end after a while without activity (a shared counter computer stays safe)."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

LAST_SEEN_KEY = "last_seen"


class IdleSessionTimeoutMiddleware:
    """Log out a signed-in user idle for more than AGENT_IDLE_TIMEOUT_MINUTES; the next page asks to log in.

    Every request of a signed-in user refreshes the time (stored in the session); the person's own
    pages (no account) are not concerned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and settings.AGENT_IDLE_TIMEOUT_MINUTES > 0:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - float(last_seen) > settings.AGENT_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, "Votre session a expiré après une période d'inactivité : reconnectez-vous.")
                login = reverse("accounts:login")
                return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

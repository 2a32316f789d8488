from django.contrib import admin
from django.urls import include, path

from carteblanche.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("compte/", include("carteblanche.accounts.urls")),
    path("orientation/", include("carteblanche.orientation.urls")),
    path("droits/", include("carteblanche.rights.urls")),
    path("accompagnement/", include("carteblanche.referrals.urls")),
    path("observatoire/", include("carteblanche.observatory.urls")),
    path("", include("carteblanche.stewardship.urls")),
    path("rendez-vous/", include("carteblanche.appointments.urls")),
    path("mandats/", include("carteblanche.mandates.urls")),
    path("guichet/", include("carteblanche.desk.urls")),
    path("", include("carteblanche.core.urls")),
    path("", include("carteblanche.directory.urls")),
]

from django.urls import path

from carteblanche.core import views

app_name = "core"
urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("sources/", views.sources, name="sources"),
    path("sante/", views.health, name="health"),
]

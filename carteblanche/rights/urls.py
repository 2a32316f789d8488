from django.urls import path

from carteblanche.rights import views

app_name = "rights"
urlpatterns = [
    path("", views.start, name="start"),
    path("agent/", views.agent_start, name="agent_start"),
    path("questions/<slug:step>/", views.step, name="step"),
    path("recapitulatif/", views.recap, name="recap"),
    path("resultats/", views.results, name="results"),
    path("simulation/<uuid:simulation_id>/", views.stored, name="stored"),
]

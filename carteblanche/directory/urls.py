from django.urls import path

from carteblanche.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", views.results, name="results"),
    path("demarches/", views.needs, name="needs"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("lieux/<int:pk>/", views.place_detail, name="place"),
    path("structures/<int:pk>/", views.structure_detail, name="structure"),
    path("signaler/<str:subject>/<int:pk>/", views.correction, name="correction"),
    path("donnees/couverture/", views.coverage, name="coverage"),
]

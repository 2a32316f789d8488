from django.urls import path

from carteblanche.observatory import views

app_name = "observatory"
urlpatterns = [
    path("", views.home, name="home"),
    path("graphique-acces.svg", views.summary_chart, name="summary_chart"),
    path("acces/", views.access, name="access"),
    path("capacite/", views.capacity, name="capacity"),
    path("acces.csv", views.access_csv, name="access_csv"),
    path("acces.svg", views.access_svg, name="access_svg"),
    path("promesses/<slug:slug>/", views.promise_detail, name="promise"),
    path("promesses/<slug:slug>/evolution.svg", views.promise_chart, name="promise_chart"),
    path("suivi/", views.follow_through, name="follow_through"),
    path("non-recours/", views.non_take_up, name="non_take_up"),
    path("rapport.pdf", views.report_pdf, name="report_pdf"),
    path("donnees/<slug:slug>.csv", views.open_data_csv, name="open_data_csv"),
]

from django.urls import path

from carteblanche.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.visitor, name="visitor"),
    path("visite/<uuid:plan_id>/", views.visit_result, name="result"),
    path("visite/<uuid:plan_id>/imprimer/", views.visit_print, name="print"),
    path("visite/<uuid:plan_id>/demarche/", views.procedure_create, name="procedure"),
    path("visite/<uuid:plan_id>/envoyer/", views.summary_send, name="send"),
]

from django.urls import path

from carteblanche.mandates import views

app_name = "mandates"
urlpatterns = [
    path("dossiers/<uuid:case_id>/nouveau/", views.create, name="create"),
    path("<int:mandate_id>/", views.detail, name="detail"),
    path("<int:mandate_id>/revoquer/", views.revoke, name="revoke"),
    path("suivi/<str:token>/<int:mandate_id>/revoquer/", views.follow_revoke, name="follow_revoke"),
]

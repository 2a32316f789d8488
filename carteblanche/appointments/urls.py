from django.urls import path

from carteblanche.appointments import views

app_name = "appointments"
urlpatterns = [
    path("creneaux/", views.slots, name="slots"),
    path("creneaux/<int:slot_id>/retirer/", views.withdraw, name="withdraw"),
    path("reservations/<int:booking_id>/resultat/", views.outcome, name="outcome"),
    path("reservations/<int:booking_id>/annuler/", views.cancel, name="cancel"),
    path("dossiers/<uuid:case_id>/reserver/", views.book, name="book"),
    path("suivi/<str:token>/annuler/<int:booking_id>/", views.follow_cancel, name="follow_cancel"),
]

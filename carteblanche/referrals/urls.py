from django.urls import path

from carteblanche.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dossiers/nouveau/", views.case_create, name="case_create"),
    path("dossiers/<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("dossiers/<uuid:case_id>/modifier/", views.case_edit, name="case_edit"),
    path("dossiers/<uuid:case_id>/consentement/", views.consent_create, name="consent_create"),
    path("dossiers/<uuid:case_id>/pieces/", views.document_upload, name="document_upload"),
    path("dossiers/<uuid:case_id>/orienter/", views.referral_create, name="referral_create"),
    path("dossiers/<uuid:case_id>/export/", views.case_export, name="case_export"),
    path("dossiers/<uuid:case_id>/effacer/", views.case_erase, name="case_erase"),
    path("dossiers/<uuid:case_id>/clore/", views.case_close, name="case_close"),
    path("dossiers/<uuid:case_id>/lien-de-suivi/", views.follow_link_create, name="follow_link_create"),
    path("consentements/<int:consent_id>/retirer/", views.consent_revoke, name="consent_revoke"),
    path("pieces/<int:document_id>/", views.document_download, name="document_download"),
    path("pieces/<int:document_id>/supprimer/", views.document_delete, name="document_delete"),
    path("orientations/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("orientations/<uuid:referral_id>/etape/", views.referral_transition, name="referral_transition"),
    path("orientations/<uuid:referral_id>/messages/", views.referral_message, name="referral_message"),
    path("en-retard/", views.stuck_list, name="stuck"),
    path("notifications/lues/", views.notifications_read, name="notifications_read"),
    path("journal/", views.journal, name="journal"),
    path("demande/", views.public_request, name="public_request"),
    path("suivi/<str:token>/", views.follow, name="follow"),
    path("suivi/<str:token>/avis/<uuid:referral_id>/", views.follow_survey, name="follow_survey"),
]

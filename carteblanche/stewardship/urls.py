from django.urls import path

from carteblanche.stewardship import views

app_name = "stewardship"
urlpatterns = [
    path("mise-a-jour/<str:token>/", views.link_page, name="link"),
    path("gestion-offre/", views.dashboard, name="dashboard"),
    path("gestion-offre/campagnes/nouvelle/", views.campaign_new, name="campaign_new"),
    path("gestion-offre/campagnes/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("gestion-offre/campagnes/<int:pk>/clore/", views.campaign_close, name="campaign_close"),
    path("gestion-offre/propositions/", views.proposals, name="proposals"),
    path("gestion-offre/propositions/<int:pk>/", views.proposal_review, name="proposal_review"),
    path("gestion-offre/a-verifier/", views.priorities, name="priorities"),
]

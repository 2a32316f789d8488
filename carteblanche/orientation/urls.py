from django.urls import path

from carteblanche.orientation import views

app_name = "orientation"
urlpatterns = [
    path("", views.orientation_form, name="form"),
    path("agent/", views.agent_form, name="agent_form"),
    path("plan/<uuid:pk>/", views.plan_detail, name="plan"),
    path("agent/plan/<uuid:pk>/", views.agent_plan, name="agent_plan"),
    path("plan/<uuid:pk>/imprimer/", views.plan_print, name="plan_print"),
    path("plan/<uuid:pk>/sms.txt", views.plan_sms, name="plan_sms"),
    path("plan/<uuid:pk>/mon-plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("plan/<uuid:pk>/envoyer/", views.plan_send, name="plan_send"),
    path("lien/<str:token>/", views.plan_link, name="plan_link"),
]

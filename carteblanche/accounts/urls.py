from django.contrib.auth import views as auth_views
from django.urls import path

from carteblanche.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", views.otp_verify, name="otp_verify"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("double-authentification/", views.otp_setup, name="otp_setup"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("proconnect/", oidc.OIDCStartView.as_view(), name="oidc_start"),
    path("proconnect/retour/", oidc.OIDCCallbackView.as_view(), name="oidc_callback"),
]

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carteblanche.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        def audit_login(sender, request, user, **kwargs) -> None:
            from carteblanche.core.audit import record_audit

            method = "proconnect" if "oidc" in getattr(user, "backend", "") else "mot de passe"
            record_audit(actor=user, action="login", obj=user, details={"method": method})

        user_logged_in.connect(audit_login, dispatch_uid="accounts_audit_login", weak=False)

"""Admin for the referrals app: tokens and response targets; personal data is not browsable here."""

from django.contrib import admin

from carteblanche.referrals.models import ApiToken, ResponseTarget


@admin.register(ResponseTarget)
class ResponseTargetAdmin(admin.ModelAdmin):
    list_display = ["structure", "need", "acknowledge_days", "answer_days"]
    raw_id_fields = ["structure", "need"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "structure", "prefix", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    raw_id_fields = ["structure", "created_by"]

    def has_add_permission(self, request):
        return False  # tokens are created with `manage.py create_api_token` so the raw key is shown once

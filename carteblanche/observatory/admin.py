from django.contrib import admin

from carteblanche.observatory.models import ComputationRun, KnownClaimants


@admin.register(KnownClaimants)
class KnownClaimantsAdmin(admin.ModelAdmin):
    list_display = ("territory_slug", "commune", "benefit", "period", "households", "source")
    list_filter = ("territory_slug", "benefit", "period")
    raw_id_fields = ("commune",)


@admin.register(ComputationRun)
class ComputationRunAdmin(admin.ModelAdmin):
    list_display = (
        "territory_slug",
        "period",
        "state",
        "step",
        "done_steps",
        "total_steps",
        "started_at",
        "finished_at",
    )
    readonly_fields = [f.name for f in ComputationRun._meta.fields]

    def has_add_permission(self, request):
        return False

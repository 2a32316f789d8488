from django import forms
from django.contrib import admin

from carteblanche.rights.models import EligibilityEstimate, LocalAid, Simulation
from carteblanche.rights.rules import validate_rule


class LocalAidForm(forms.ModelForm):
    claim_url = forms.URLField(assume_scheme="https", required=False, max_length=500)
    source_url = forms.URLField(assume_scheme="https", required=False, max_length=500)

    class Meta:
        model = LocalAid
        fields = [
            "slug", "name", "level", "territory_codes", "description", "conditions", "conditions_text", "amount",
            "amount_text", "periodicity", "operator", "operator_name", "how_to_claim", "claim_url", "needs", "active",
            "source", "source_id", "source_url", "verified_on",
        ]  # fmt: skip

    def clean_conditions(self):
        conditions = self.cleaned_data.get("conditions") or {}
        errors = validate_rule(conditions)
        if errors:
            raise forms.ValidationError(errors)
        return conditions


@admin.register(LocalAid)
class LocalAidAdmin(admin.ModelAdmin):
    form = LocalAidForm
    list_display = ["name", "level", "operator_name", "amount", "amount_text", "active", "verified_on"]
    list_filter = ["level", "active"]
    search_fields = ["name", "slug", "operator_name"]


@admin.register(Simulation)
class SimulationAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "mode", "month", "duration_ms", "openfisca_france_version"]
    list_filter = ["mode", "month"]
    # Personal answers: not listed, not searchable; opening one is a read of personal data.
    readonly_fields = [f.name for f in Simulation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EligibilityEstimate)
class EligibilityEstimateAdmin(admin.ModelAdmin):
    list_display = ["commune", "benefit", "month", "eligible_households", "households", "eligible_share"]
    list_filter = ["benefit", "month", "territory_slug"]

"""Admin: campaigns and links read-only, proposals reviewable in bulk, history append-only."""

from django.contrib import admin, messages

from carteblanche.stewardship import actions
from carteblanche.stewardship.models import Campaign, CampaignLink, Proposal, RecordChange, ShownCount


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "started_by", "created_at", "closed_at"]
    list_filter = ["kind"]


@admin.register(CampaignLink)
class CampaignLinkAdmin(ReadOnlyAdmin):
    list_display = ["structure", "campaign", "emailed_to", "expires_at", "first_opened_at", "revoked_at"]
    exclude = ["token_hash"]
    search_fields = ["structure__name"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["link", "record_type", "record_id", "field", "old_value", "new_value", "status", "created_at"]
    list_filter = ["status", "record_type"]
    actions = ["apply_selected"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(actions.PERMISSION)

    @admin.action(description="Appliquer les propositions choisies")
    def apply_selected(self, request, queryset):
        done = 0
        for proposal in queryset.filter(status=Proposal.Status.PENDING):
            try:
                actions.apply_proposal(actor=request.user, proposal=proposal)
                done += 1
            except actions.StewardshipError as exc:
                self.message_user(request, f"Proposition {proposal.pk} : {exc}", messages.ERROR)
        self.message_user(request, f"{done} proposition(s) appliquée(s).")


@admin.register(RecordChange)
class RecordChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "record_type", "record_id", "field", "old_value", "new_value", "applied_by", "source"]
    list_filter = ["kind", "record_type"]


@admin.register(ShownCount)
class ShownCountAdmin(ReadOnlyAdmin):
    list_display = ["service", "day", "surface", "count"]
    list_filter = ["surface"]

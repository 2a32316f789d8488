from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from carteblanche.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["structure"]


@admin.register(User)
class CarteBlancheUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "structure", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__email", "structure__name"]
    raw_id_fields = ["user", "structure"]

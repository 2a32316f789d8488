"""Admin for data stewards: search, filters, inline channels and stops, validated opening hours."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from carteblanche.core import freshness
from carteblanche.directory import hours
from carteblanche.directory.actions import handle_correction
from carteblanche.directory.models import (
    Channel,
    Correction,
    ItinerantStop,
    Need,
    Operator,
    Place,
    Service,
    Structure,
)
from carteblanche.directory.vocabulary import THEMATIQUES, unknown_thematiques

URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def _clean_rule(value: str) -> str:
    """Raise a readable form error when the opening_hours rule does not parse."""
    value = (value or "").strip()
    try:
        hours.validate(value)
    except hours.OpeningHoursError as exc:
        raise forms.ValidationError(
            f"{exc}. Exemple valide : « Mo-Fr 09:00-12:00,14:00-17:00; Sa[1] 09:00-12:00; PH off ». "
            "Laissez vide si les horaires sont inconnus."
        ) from exc
    return value


class PlaceForm(forms.ModelForm):
    def clean_opening_hours(self) -> str:
        return _clean_rule(self.cleaned_data.get("opening_hours", ""))


class ChannelForm(forms.ModelForm):
    def clean_opening_hours(self) -> str:
        return _clean_rule(self.cleaned_data.get("opening_hours", ""))


class StopForm(forms.ModelForm):
    def clean_schedule(self) -> str:
        return _clean_rule(self.cleaned_data.get("schedule", ""))


class ThematiquesMixin:
    def clean_thematiques(self):
        values = self.cleaned_data.get("thematiques") or []
        if unknown := unknown_thematiques(values):
            raise forms.ValidationError(f"Thématique data·inclusion inconnue : {', '.join(unknown)}")
        return values


class ServiceForm(ThematiquesMixin, forms.ModelForm):
    """Fields come from the admin (modelform_factory)."""


class NeedForm(ThematiquesMixin, forms.ModelForm):
    """Fields come from the admin (modelform_factory)."""


class HoursUnknownFilter(admin.SimpleListFilter):
    title = "horaires"
    parameter_name = "horaires"

    def lookups(self, request, model_admin):
        return [("inconnus", "inconnus"), ("connus", "connus")]

    def queryset(self, request, queryset):
        if self.value() == "inconnus":
            return queryset.filter(opening_hours="")
        if self.value() == "connus":
            return queryset.exclude(opening_hours="")
        return queryset


class FreshnessFilter(admin.SimpleListFilter):
    """What to check again first: records last verified over a year ago, or never (pages warn readers)."""

    title = "vérification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("a-revoir", "plus d'un an ou jamais"), ("recente", "moins d'un an")]

    def queryset(self, request, queryset):
        limit = freshness.stale_before()
        if self.value() == "a-revoir":
            return queryset.filter(Q(verified_on__lt=limit) | Q(verified_on__isnull=True))
        if self.value() == "recente":
            return queryset.filter(verified_on__gte=limit)
        return queryset


class ThematiqueFilter(admin.SimpleListFilter):
    title = "thématique"
    parameter_name = "thematique"

    def lookups(self, request, model_admin):
        return [(value, value.split("--")[-1].replace("-", " ")) for value in sorted(THEMATIQUES)]

    def queryset(self, request, queryset):
        if self.value():
            # JSON containment is not portable to SQLite: filter on the serialised text.
            return queryset.filter(thematiques__icontains=f'"{self.value()}"')
        return queryset


class ChannelInline(admin.StackedInline):
    formfield_overrides = URL_HTTPS
    model = Channel
    form = ChannelForm
    extra = 0
    autocomplete_fields = ["place"]
    raw_id_fields = ["area_communes"]
    show_change_link = True


class StopInline(admin.TabularInline):
    formfield_overrides = URL_HTTPS
    model = ItinerantStop
    form = StopForm
    extra = 0
    raw_id_fields = ["commune"]


class PlaceInline(admin.TabularInline):
    formfield_overrides = URL_HTTPS
    model = Place
    form = PlaceForm
    extra = 0
    fields = ["name", "commune", "address", "opening_hours", "position_approximate"]
    raw_id_fields = ["commune"]
    show_change_link = True


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["code", "short_name", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["name", "operator", "source", "verified_on"]
    list_filter = [FreshnessFilter, "operator", "source"]
    search_fields = ["name", "source_id", "description"]
    inlines = [PlaceInline]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    form = PlaceForm
    list_display = ["name", "commune", "address", "hours_unknown", "position_approximate", "source", "verified_on"]
    list_filter = [
        HoursUnknownFilter,
        FreshnessFilter,
        "position_approximate",
        "structure__operator",
        "source",
        "commune__department",
    ]
    search_fields = ["name", "address", "commune__name", "source_id"]
    autocomplete_fields = ["structure"]
    raw_id_fields = ["commune"]

    @admin.display(boolean=True, description="horaires inconnus")
    def hours_unknown(self, obj: Place) -> bool:
        return obj.hours_unknown


class CommuneFilter(admin.SimpleListFilter):
    """Services with a counter in, a stop in, or a visit area covering the commune (code typed in the URL)."""

    title = "commune (département du Lot)"
    parameter_name = "commune"

    def lookups(self, request, model_admin):
        from carteblanche.territories.models import Commune

        return list(Commune.objects.filter(department_id="46").values_list("code", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        code = self.value()
        return queryset.filter(
            Q(channels__place__commune_id=code)
            | Q(channels__stops__commune_id=code)
            | Q(channels__area_communes__code=code)
        ).distinct()


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    form = ServiceForm
    list_display = ["name", "structure", "operator", "status", "source", "verified_on"]
    list_filter = ["status", "operator", ThematiqueFilter, CommuneFilter, FreshnessFilter, "source"]
    search_fields = ["name", "description", "structure__name", "source_id"]
    autocomplete_fields = ["structure", "needs"]
    inlines = [ChannelInline]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    form = ChannelForm
    list_display = ["service", "kind", "place", "phone", "url"]
    list_filter = ["kind"]
    search_fields = ["service__name", "phone", "url"]
    autocomplete_fields = ["service", "place"]
    raw_id_fields = ["area_communes"]
    inlines = [StopInline]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    form = NeedForm
    list_display = ["label", "slug", "life_event"]
    list_filter = ["life_event", "operators"]
    search_fields = ["label", "slug", "phrases"]
    filter_horizontal = ["operators"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """Readers' reports: open the record from here, fix it, then mark the report handled."""

    list_display = ["created_at", "topic", "record_link", "reporter", "status"]
    list_filter = ["status", "topic", "reporter"]
    search_fields = ["message", "service__name", "place__name", "structure__name"]
    readonly_fields = [
        "record_link",
        "topic",
        "message",
        "reporter",
        "contact",
        "created_at",
        "status",
        "handled_at",
        "handled_by",
    ]
    fields = [*readonly_fields, "resolution"]
    actions = ["mark_fixed", "mark_dismissed"]

    def has_add_permission(self, request) -> bool:
        return False  # reports come from the public pages

    @admin.display(description="fiche concernée")
    def record_link(self, correction: Correction) -> str:
        record = correction.record
        url = reverse(f"admin:directory_{record._meta.model_name}_change", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, record)

    def _handle(self, request, queryset, status: str) -> None:
        for correction in queryset.filter(status=Correction.Status.NEW):
            handle_correction(correction, status=status, by=request.user)
        self.message_user(request, "Signalements traités ; les contacts laissés ont été effacés.")

    @admin.action(description="Marquer comme corrigé (efface le contact)")
    def mark_fixed(self, request, queryset) -> None:
        self._handle(request, queryset, Correction.Status.FIXED)

    @admin.action(description="Marquer comme non retenu (efface le contact)")
    def mark_dismissed(self, request, queryset) -> None:
        self._handle(request, queryset, Correction.Status.DISMISSED)

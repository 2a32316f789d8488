"""DSFR forms without django-dsfr 3.6's transitional warnings (they are errors under our test settings)."""

from django import forms
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    """DsfrBaseForm whose rendering does not warn about DSFR_MARK_OPTIONAL_FIELDS (required fields unmarked)."""

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", False)
        return context

"""Template filters that show a person's answers as French sentences (carteblanche.desk.sentences)."""

from django import template

from carteblanche.desk.labels import sections_for
from carteblanche.desk.sentences import contact_sentences

register = template.Library()


@register.filter
def situation_sections(answers):
    """{{ case.situation.answers|situation_sections }} → [{title, sentences}]."""
    return sections_for(answers)


@register.filter
def case_contact_sentences(case_data):
    """The export's case dict (identity + contact) → sentences."""
    return contact_sentences(case_data.get("identity") or {}, case_data.get("contact") or {})

"""Warm a server process's orientation before its first plan: mobility context, candidate offers, engine.

Why: the first plan after a restart loaded the timetables and on-demand zones and built the engine's
offers on the request. Computes one plan and stores nothing (the page's counters and saved plan are
the view's, not called here).
"""

from __future__ import annotations

from django.template.loader import get_template

from carteblanche.directory.warm_up import sample_query
from carteblanche.orientation.selectors import OrientationRequest, compute_plan
from carteblanche.territories.selectors import commune_label

TEMPLATES = ("orientation/form.html", "orientation/plan.html")


def warm_up() -> None:
    query = sample_query()
    if query is not None:
        commune, need = query
        compute_plan(OrientationRequest(commune=commune_label(commune), besoins=[need.slug]))
    for name in TEMPLATES:
        get_template(name)

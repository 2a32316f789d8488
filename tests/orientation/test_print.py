"""The printed plan fits one A4 page: counted on WeasyPrint's PDF for five-option plans."""

import pytest
from django.template.loader import render_to_string
from weasyprint import HTML

from carteblanche.core.models import Situation
from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.render import print_height, printable, public_plan
from carteblanche.orientation.views import _context, pdf_document
from tests.orientation.situations import computed_plans


def _pages(saved: SavedPlan, size: int | None = None) -> int:
    context = _context(saved, pdf=True)
    if size is not None:
        context["printed"] = {**context["printed"], "size": size}
    return len(HTML(string=render_to_string("orientation/print.html", context)).render().pages)


def _longest_five_option_plans(count: int) -> list[dict]:
    five = [data for _plan, data in computed_plans() if len(data["options"]) == 5]
    assert len(five) >= 40  # most plans of the set have five options
    five.sort(key=lambda data: -print_height(public_plan(data), printable(public_plan(data)), 11))
    return five[:count]


@pytest.mark.django_db
def test_the_longest_five_option_plans_print_on_one_page_at_the_size_chosen(shipped_data):
    """The size is chosen before any layout (the browser prints the same page): it must already fit."""
    situation = Situation.objects.create()
    sizes = []
    for data in _longest_five_option_plans(6):
        saved = SavedPlan.objects.create(
            situation=situation, plan={**data, "origin": "Trajets calculés depuis le centre de la commune."}
        )
        size = printable(public_plan(saved.plan))["size"]
        sizes.append(size)
        assert _pages(saved, size) == 1, (size, [o["title"] for o in data["options"]])
    # Legibility: the type shrinks only for long plans; most five-option plans keep 10 pt or more.
    every = [printable(public_plan(data))["size"] for _plan, data in computed_plans() if len(data["options"]) == 5]
    assert sum(size >= 10 for size in every) >= len(every) / 2, sorted(every)


@pytest.mark.django_db
def test_a_crowded_plan_still_gives_a_one_page_pdf(shipped_data):
    """Every option flagged, warned and long: the PDF steps down a size until it fits."""
    data = _longest_five_option_plans(1)[0]
    crowded = {
        **data,
        "options": [
            {
                **option,
                "stale": True,
                "stale_text": "À vérifier : cette information date du 1 janvier 2021. Appelez avant.",
                "warnings": [
                    *option["warnings"],
                    "Adresse précise non connue : le lieu est placé au centre de la commune.",
                ],
            }
            for option in data["options"]
        ],
    }
    saved = SavedPlan.objects.create(situation=Situation.objects.create(), plan=crowded)
    assert len(pdf_document(saved, "http://testserver/").pages) == 1


@pytest.mark.django_db
def test_the_pdf_view_sends_one_page(client, shipped_data):
    from tests.orientation.test_pages import MARTINE

    response = client.post("/orientation/", MARTINE)
    pk = response["Location"].rstrip("/").split("/")[-1]
    printed = client.get(f"/orientation/plan/{pk}/imprimer/").content.decode()
    assert "Points" not in printed and "sur 100" not in printed
    pdf = client.get(f"/orientation/plan/{pk}/mon-plan.pdf").content
    saved = SavedPlan.objects.get(pk=pk)
    assert len(saved.plan["options"]) == 5
    assert _pages(saved) == 1 and pdf.startswith(b"%PDF")


@pytest.mark.django_db
def test_an_urgent_plan_prints_its_lines_and_five_options_on_one_page(shipped_data):
    from tests.orientation.test_sms_plan import SAFETY

    data = {**_longest_five_option_plans(1)[0], "safety": SAFETY}
    saved = SavedPlan.objects.create(situation=Situation.objects.create(), plan=data)
    size = printable(public_plan(saved.plan))["size"]
    context = _context(saved, pdf=True)
    html = render_to_string("orientation/print.html", context)
    assert "Police ou gendarmerie" in html
    assert _pages(saved, size) == 1

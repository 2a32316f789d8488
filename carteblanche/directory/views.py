"""Public pages of the directory: search a service near a commune, service/place/structure details.

Thin: parse input with a form, call one selector or action, render. No JavaScript needed.
"""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from carteblanche.core import process_cache
from carteblanche.core.http import count_for_hourly_limit, over_hourly_limit
from carteblanche.directory import actions, selectors
from carteblanche.directory.forms import CorrectionForm, SearchForm
from carteblanche.directory.models import Need, Place, Service, Structure
from carteblanche.observatory import counters
from carteblanche.stewardship.counters import SEARCH, count_shown
from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import commune_display, commune_label


def _search_page(request: HttpRequest, form: SearchForm, *, status: int = 200, **context) -> HttpResponse:
    return render(
        request,
        "directory/search.html",
        {"title": "Trouver un service", "form": form, **context},
        status=status,
    )


def home(request: HttpRequest) -> HttpResponse:
    """'Trouver un service': the search form."""
    initial = {"besoin": request.GET.get("besoin", "")}
    return _search_page(request, SearchForm(initial=initial))


@process_cache.one_token_read()  # commune, need and search read the offer's token once
def results(request: HttpRequest) -> HttpResponse:
    """Results for a commune and a need; bad input re-shows the form with what to fix."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _search_page(request, form, status=400)
    data = form.cleaned_data
    answer = selectors.resolve_search_commune(data["commune"])
    commune = answer.commune
    if commune is None:
        links = [
            (commune_display(found), f"?{_query_with(request, commune=commune_label(found))}")
            for found in answer.choices
        ]
        if answer.ambiguous:  # a postcode or a name several communes share: the person chooses
            title = (
                f"Plusieurs communes ont le code postal {answer.text}"
                if answer.reason == "postcode"
                else f"Plusieurs communes correspondent à « {answer.text} »"
            )
            return _search_page(request, form, commune_choices=links, commune_question=title)
        form.add_error("commune", f"Nous ne trouvons pas de commune « {data['commune']} ».")
        return _search_page(request, form, status=404, suggestions=links)
    found = selectors.search_services(
        commune=commune,
        need=data["besoin"] or None,
        text=data["texte"],
        channel_kinds=data["canal"],
        open_on=data["ouvert_le"],
        accessible=data["accessible"] or None,
        language=data["langue"] or None,
        age=data["age"],
    )
    if found.need is not None:
        empty = "aucune" if not (found.nearby or found.remote) else ""
        counters.record_answers(surface="recherche", commune_code=commune.code, outcomes={found.need.slug: empty})
    count_shown(SEARCH, (result.service.pk for result in found.results))  # stewards check the most seen first
    other_needs = [
        (need, f"?{_query_with(request, besoin=need.slug, texte='')}")
        for need, _score in found.matched_needs
        if need != found.need
    ]
    return render(
        request,
        "directory/results.html",
        {
            "title": _results_title(found),
            "form": form,
            "found": found,
            "commune": commune,
            "other_needs": other_needs,
            "without_filters": "?" + urlencode({key: data[key] for key in ("commune", "besoin", "texte")}),
            "detail_query": urlencode({"commune": commune.code}),
            "highlights": selectors.search_highlights(found),
            "orientation_query": urlencode(
                {"commune": commune_label(commune)} | ({"besoin": found.need.slug} if found.need else {})
            ),
        },
    )


def _results_title(found: selectors.SearchResult) -> str:
    subject = found.need.label if found.need else "Services"
    return f"{subject} près de {found.commune.name}"


def _query_with(request: HttpRequest, **changes: str) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def _commune_from_query(request: HttpRequest) -> Commune | None:
    code = request.GET.get("commune", "")
    return Commune.objects.filter(code=code).first() if code else None


def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        detail = selectors.get_service_detail(pk, commune=_commune_from_query(request))
    except Service.DoesNotExist:
        raise Http404("Ce service n'existe pas ou plus.") from None
    return render(request, "directory/service_detail.html", {"title": detail.service.name, "detail": detail})


def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        detail = selectors.get_place_detail(pk)
    except Place.DoesNotExist:
        raise Http404("Ce lieu n'existe pas ou plus.") from None
    return render(request, "directory/place_detail.html", {"title": detail.place.name, "detail": detail})


def structure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        detail = selectors.get_structure_detail(pk)
    except Structure.DoesNotExist:
        raise Http404("Cette structure n'existe pas ou plus.") from None
    return render(request, "directory/structure_detail.html", {"title": detail.structure.name, "detail": detail})


def needs(request: HttpRequest) -> HttpResponse:
    """The needs catalogue, by life event: each need links to a search."""
    return render(
        request,
        "directory/needs.html",
        {"title": "Les démarches", "groups": selectors.needs_by_life_event(), "count": Need.objects.count()},
    )


# What a report can be about: the URL's word, the model, the detail page's URL name.
CORRECTION_SUBJECTS = {
    "service": (Service, "directory:service"),
    "lieu": (Place, "directory:place"),
    "structure": (Structure, "directory:structure"),
}
CORRECTION_SCOPE = "directory:correction"


@require_http_methods(["GET", "POST"])
def correction(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """'Signaler une information inexacte': a reader's report goes to the data stewards (admin)."""
    if subject not in CORRECTION_SUBJECTS:
        raise Http404("Rien à signaler ici.")
    model, detail_url = CORRECTION_SUBJECTS[subject]
    record = get_object_or_404(model, pk=pk)
    context = {"title": "Signaler une information inexacte", "record": record, "back": reverse(detail_url, args=[pk])}
    if request.method == "GET":
        return render(request, "directory/correction.html", {**context, "form": CorrectionForm()})
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return render(request, "directory/correction.html", {**context, "form": form}, status=400)
    if over_hourly_limit(request, CORRECTION_SCOPE, settings.DIRECTORY_CORRECTIONS_PER_HOUR):
        context["notice"] = "Trop de signalements envoyés depuis cette connexion. Réessayez dans une heure."
        return render(request, "directory/correction.html", {**context, "form": form}, status=429)
    actions.report_correction(record, **form.cleaned_data)
    count_for_hourly_limit(request, CORRECTION_SCOPE)
    return render(request, "directory/correction.html", {**context, "done": True})


@staff_member_required
def coverage(request: HttpRequest) -> HttpResponse:
    """For data stewards: how complete, fresh and reachable the offer is, per need family."""
    return render(
        request,
        "directory/coverage.html",
        {"title": "Couverture de l'offre", "report": selectors.coverage_report()},
    )

"""Observatory pages: stored indicators as tables, SVG maps and charts, with CSV/SVG exports. Thin."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from carteblanche.accounts import permissions as roles
from carteblanche.observatory import charts, maps, opendata, reach, selectors
from carteblanche.observatory.actions import CATCHMENT_PROFILES
from carteblanche.observatory.api import Problem, resolve
from carteblanche.observatory.suppression import MIN_CELL, share_or_none
from carteblanche.territories.models import Territory
from carteblanche.territories.selectors import default_territory


def _territory(request: HttpRequest) -> Territory:
    slug = request.GET.get("territoire", "")
    territory = Territory.objects.filter(slug=slug).first() if slug else default_territory()
    if territory is None:
        raise Http404("Territoire inconnu.")
    return territory


def _context(request: HttpRequest, territory: Territory, **extra: Any) -> dict[str, Any]:
    period = selectors.latest_period(territory.slug)
    return {
        "territory": territory,
        "period": period,
        "run": selectors.last_run(territory.slug),
        "definition": selectors.definitions()["acces"],
        **extra,
    }


def home(request: HttpRequest) -> HttpResponse:
    """The coordinator's landing page: promises, reach without a car, freshness, stuck referrals."""
    territory = _territory(request)
    context = _context(request, territory, title="Observatoire")
    period = context["period"]
    context["promises"] = selectors.promises(territory.slug, today=timezone.localdate())
    context["unmet"] = selectors.unmet_this_week(territory.slug, today=timezone.localdate())
    if period:
        context["summary"] = selectors.reach_summary(territory.slug, period, threshold=20)
        context["freshness"] = selectors.freshness_table(territory.slug, period)
    if roles.is_coordinator(request.user):
        from carteblanche.referrals.selectors import stuck_referrals

        context["stuck"] = stuck_referrals()
        context["is_coordinator"] = True
    return render(request, "observatory/home.html", context)


def summary_chart(request: HttpRequest) -> HttpResponse:
    """The home page's bar chart as an SVG image (charts are images: no inline style under the CSP)."""
    territory = _territory(request)
    period = selectors.latest_period(territory.slug)
    if period is None:
        raise Http404("Aucun indicateur calculé pour ce territoire.")
    summary = selectors.reach_summary(territory.slug, period, threshold=20)
    svg = charts.bars(
        "Part des habitants qui rencontrent quelqu'un en 20 minutes",
        [row["label"] for row in summary],
        {reach.PROFILE_LABELS[p]: [row.get(p.value.replace("-", "_")) for row in summary] for p in reach.Profile},
    )
    return HttpResponse(svg, content_type="image/svg+xml")


def promise_chart(request: HttpRequest, slug: str) -> HttpResponse:
    territory = _territory(request)
    states = {s.slug: s for s in selectors.promises(territory.slug, today=timezone.localdate())}
    if slug not in states or not states[slug].trend:
        raise Http404("Promesse inconnue ou pas encore mesurée.")
    return HttpResponse(charts.trend("Évolution", states[slug].trend), content_type="image/svg+xml")


def _reach_params(request: HttpRequest, territory: Territory, period: date) -> dict[str, Any]:
    families = selectors.families(territory.slug, period)
    family = request.GET.get("famille") or (families[0][0] if families else "")
    if families and family not in dict(families):
        raise Http404("Famille de besoins inconnue.")
    profile = request.GET.get("profil") or reach.Profile.NO_CAR.value
    if profile not in {p.value for p in reach.Profile}:
        raise Http404("Profil de déplacement inconnu.")
    try:
        threshold = int(request.GET.get("seuil") or 20)
    except ValueError:
        raise Http404("Seuil inconnu.") from None
    if threshold not in reach.THRESHOLDS_MINUTES:
        raise Http404("Seuil inconnu.")
    return {"family": family, "profile": profile, "threshold": threshold, "families": families}


def access(request: HttpRequest) -> HttpResponse:
    """Reach of competent services: map, shares per area, communes left out, full table."""
    territory = _territory(request)
    context = _context(request, territory, title="Accès aux services")
    period = context["period"]
    if period is None:
        return render(request, "observatory/access.html", context)
    params = _reach_params(request, territory, period)
    view = selectors.reach_view(
        territory.slug, family=params["family"], profile=params["profile"], threshold=params["threshold"], period=period
    )
    family_label = dict(params["families"]).get(params["family"], params["family"])
    caption = (
        f"{family_label} — habitants {reach.PROFILE_LABELS[reach.Profile(params['profile'])]}, "
        f"{params['threshold']} minutes au plus"
    )
    context.update(
        params,
        view=view,
        caption=caption,
        map_svg=view.map_svg(f"Carte : {caption}"),
        classes=[(c, maps.legend_svg(c)) for c in selectors.WAY_CLASSES],
        profiles=[(p.value, reach.PROFILE_LABELS[p]) for p in reach.Profile],
        thresholds=reach.THRESHOLDS_MINUTES,
        query=request.GET.urlencode(),
    )
    return render(request, "observatory/access.html", context)


def capacity(request: HttpRequest) -> HttpResponse:
    """2SFCA: opening hours of generalist counters per 1,000 inhabitants within 20 minutes."""
    territory = _territory(request)
    context = _context(request, territory, title="Heures d'accueil à portée")
    profile = request.GET.get("profil") or reach.Profile.NO_CAR.value
    if profile not in {p.value for p in CATCHMENT_PROFILES}:
        raise Http404("Profil de déplacement inconnu.")
    context.update(
        profile=profile,
        profiles=[(p.value, reach.PROFILE_LABELS[p]) for p in CATCHMENT_PROFILES],
        classes=[(c, maps.legend_svg(c)) for c in selectors.CAPACITY_CLASSES],
        capacity_definition=selectors.definitions()["capacite"],
    )
    if context["period"]:
        context.update(selectors.capacity_view(territory.slug, profile=profile, period=context["period"]))
    return render(request, "observatory/capacity.html", context)


def access_csv(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    period = selectors.latest_period(territory.slug)
    if period is None:
        raise Http404("Aucun indicateur calculé pour ce territoire.")
    params = _reach_params(request, territory, period)
    view = selectors.reach_view(
        territory.slug, family=params["family"], profile=params["profile"], threshold=params["threshold"], period=period
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"acces-{territory.slug}-{params['family']}-{params['profile']}-{params['threshold']}min-{period:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["code_insee", "commune", "population", "acces", "trajet_le_plus_court_min", "mois"])
    for row in view.rows:
        minutes = "" if row.minutes is None else round(row.minutes)
        writer.writerow([row.code, row.name, row.population, row.way_label, minutes, f"{period:%Y-%m}"])
    return response


def access_svg(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    period = selectors.latest_period(territory.slug)
    if period is None:
        raise Http404("Aucun indicateur calculé pour ce territoire.")
    params = _reach_params(request, territory, period)
    view = selectors.reach_view(
        territory.slug, family=params["family"], profile=params["profile"], threshold=params["threshold"], period=period
    )
    svg = view.map_svg(f"Accès {params['family']} {params['profile']} {params['threshold']} min {period:%m/%Y}")
    if not svg:
        raise Http404("Aucun contour de commune pour ce territoire.")
    return HttpResponse(svg, content_type="image/svg+xml")


def report_pdf(request: HttpRequest) -> HttpResponse:
    """A printable report of the territory (WeasyPrint, simple stylesheet; no personal data)."""
    from weasyprint import HTML

    territory = _territory(request)
    context = _context(request, territory, promises=selectors.promises(territory.slug, today=timezone.localdate()))
    period = context["period"]
    if period is None:
        raise Http404("Aucun indicateur calculé pour ce territoire.")
    context["summary"] = selectors.reach_summary(territory.slug, period, threshold=20)
    context["freshness"] = selectors.freshness_table(territory.slug, period)
    family = request.GET.get("famille") or "retraite"
    if family in dict(selectors.families(territory.slug, period)):
        view = selectors.reach_view(
            territory.slug, family=family, profile=reach.Profile.NO_CAR_NO_INTERNET.value, threshold=20, period=period
        )
        context.update(
            view=view,
            caption=f"{family} — habitants sans voiture et sans internet, 20 minutes au plus",
            map_svg=view.map_svg("Carte de l'accès sans voiture ni internet en 20 minutes"),
            classes=[(c, maps.legend_svg(c)) for c in selectors.WAY_CLASSES],
        )
    capacity = selectors.capacity_view(territory.slug, profile=reach.Profile.NO_CAR.value, period=period)
    context["capacity_total"] = capacity["total"]
    html = render_to_string("observatory/report.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="observatoire-{territory.slug}-{period:%Y-%m}.pdf"'
    return response


def open_data_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One indicator's stored values as CSV (the same rows as the JSON open-data endpoint)."""
    found = resolve(slug, request.GET.get("territoire", ""), request.GET.get("mois", ""))
    if isinstance(found, Problem):
        return HttpResponse(found.message, status=found.status, content_type="text/plain; charset=utf-8")
    territory, period = found
    rows = opendata.rows(slug, territory.slug, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{territory.slug}-{period:%Y-%m}.csv"'
    columns: list[str] = []
    for row in rows:
        columns += [name for name in row if name not in columns]
    writer = csv.DictWriter(response, fieldnames=columns, restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: "secret" if value is None and name in opendata.SUPPRESSIBLE else value
                for name, value in row.items()
            }
        )
    return response


def promise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    territory = _territory(request)
    states = {s.slug: s for s in selectors.promises(territory.slug, today=timezone.localdate())}
    if slug not in states:
        raise Http404("Promesse inconnue.")
    promise = states[slug]
    context = _context(request, territory, title=promise.text[:60], promise=promise)
    return render(request, "observatory/promise.html", context)


@login_required
def follow_through(request: HttpRequest) -> HttpResponse:
    """Referrals and satisfaction: for partner agents and the coordinator (counts only, no names)."""
    if not (roles.is_agent(request.user) or roles.is_coordinator(request.user)):
        raise PermissionDenied("Réservé aux agents des structures partenaires et au coordinateur.")
    territory = _territory(request)
    context = _context(request, territory, title="Suivi des orientations et satisfaction")
    period = context["period"]
    if period:
        context["referrals"] = selectors.breakdown_table(territory.slug, "suivi-orientations", period)
        context["referral_trend"] = selectors.series(territory.slug, "suivi-orientations", {"par": "tous"})[-12:]
        context["procedures"] = [
            v
            for v in selectors.breakdown_table(territory.slug, "demarches-guichet", period)
            if v.dims.get("par") != "structure"
        ]
        satisfaction = []
        for value in selectors.breakdown_table(territory.slug, "satisfaction", period):
            answers = int(value.extra.get("reponses", 0))
            satisfaction.append(
                {
                    "value": value,
                    "answers": answers,
                    "satisfied": share_or_none(value.extra.get("satisfaits", 0), answers),
                    "got_answer": share_or_none(value.extra.get("reponse_obtenue", 0), answers),
                }
            )
        context["satisfaction"] = satisfaction
        context["min_cell"] = MIN_CELL
    return render(request, "observatory/follow_through.html", context)


def non_take_up(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    national = selectors.national_non_take_up()
    context = _context(
        request,
        territory,
        title="Droits probablement non demandés",
        definition=selectors.definitions()["non-recours"],
        national=list(national.values()),
    )
    if context["period"]:
        from carteblanche.rights.openfisca_adapter import BENEFITS_BY_CODE

        context["rows"] = [
            {
                "v": value,
                "label": BENEFITS_BY_CODE[value.dims["prestation"]].label
                if value.dims["prestation"] in BENEFITS_BY_CODE
                else value.dims["prestation"],
                "national": national.get(value.dims["prestation"]),
            }
            for value in selectors.non_take_up_table(territory.slug, context["period"])
        ]
    return render(request, "observatory/non_take_up.html", context)

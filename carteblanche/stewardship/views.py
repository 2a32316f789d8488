"""Pages of the freshness campaigns: the structure's private page (no account) and the stewards'
pages. Thin: parse, call one action or selector, render. French, DSFR, no JavaScript needed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from carteblanche.core.http import count_for_hourly_limit, over_hourly_limit
from carteblanche.stewardship import actions, conf, counters, selectors
from carteblanche.stewardship.fields import FIELDS
from carteblanche.stewardship.forms import CampaignForm, RejectForm, record_form
from carteblanche.stewardship.models import Campaign, Proposal

PROBLEMS = {
    "unknown": (
        404,
        "Ce lien n'est pas valide",
        "Il est peut-être incomplet ou a été modifié. Copiez-le en entier depuis le courriel reçu, "
        "ou demandez un nouveau lien à l'équipe Carte Blanche.",
    ),
    "expired": (
        410,
        "Ce lien a expiré",
        "Les liens de mise à jour ne fonctionnent qu'un temps, pour protéger vos informations. "
        "Demandez un nouveau lien à l'équipe Carte Blanche.",
    ),
    "revoked": (
        410,
        "Ce lien ne fonctionne plus",
        "Un lien plus récent a été envoyé à votre structure, ou la campagne de mise à jour est terminée. "
        "Utilisez le dernier courriel reçu, ou demandez un nouveau lien à l'équipe Carte Blanche.",
    ),
    "limit": (
        429,
        "Trop de tentatives",
        "Trop de demandes sont venues de votre connexion en une heure. Réessayez dans une heure.",
    ),
}


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer to another site
    response["X-Robots-Tag"] = "noindex"
    return response


def _problem_page(request: HttpRequest, problem: str, link=None) -> HttpResponse:
    status, heading, text = PROBLEMS[problem]
    context = {"title": heading, "heading": heading, "text": text, "problem": problem, "link": link}
    return _private(render(request, "stewardship/link_invalid.html", context, status=status))


@require_http_methods(["GET", "POST"])
def link_page(request: HttpRequest, token: str) -> HttpResponse:
    """The structure's records, to confirm ('Tout est exact') or to correct field by field."""
    if over_hourly_limit(request, "stewardship-bad-link", conf.bad_links_per_hour()) or over_hourly_limit(
        request, "stewardship-link", conf.link_requests_per_hour()
    ):
        return _problem_page(request, "limit")
    count_for_hourly_limit(request, "stewardship-link")
    resolution = actions.resolve_link(token)
    if resolution.problem:
        count_for_hourly_limit(request, "stewardship-bad-link")
        return _problem_page(request, resolution.problem, resolution.link)
    link = resolution.link
    here = reverse("stewardship:link", args=[token])
    errors: dict[str, str] = {}
    failed_key = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        record_type = request.POST.get("record_type", "")
        record_id = request.POST.get("record_id", "")
        failed_key = f"{record_type}-{record_id}"
        try:
            if action == "confirm-all":
                failed_key = ""
                records = [
                    (v.record_type, v.record.pk) for v in selectors.structure_records(link.structure) if v.confirmable
                ]
                count = actions.confirm_records(link=link, records=records)
                messages.success(request, f"Merci ! Les {count} fiches sont confirmées à la date d'aujourd'hui.")
                return redirect(here)
            if action == "confirm":
                actions.confirm_records(link=link, records=[(record_type, record_id)])
                messages.success(request, "Merci ! Cette fiche est confirmée à la date d'aujourd'hui.")
                return redirect(f"{here}#{failed_key}")
            if action == "propose" and record_type in FIELDS:
                values = {
                    spec.name: request.POST[f"{failed_key}-{spec.name}"]
                    for spec in FIELDS[record_type]
                    if f"{failed_key}-{spec.name}" in request.POST
                }
                proposals = actions.propose_changes(
                    link=link, record_type=record_type, record_id=record_id, values=values
                )
                messages.success(
                    request,
                    f"Merci ! {len(proposals)} modification(s) transmise(s) : l'équipe Carte Blanche les vérifie "
                    "avant de les publier.",
                )
                return redirect(f"{here}#{failed_key}")
            errors = {"__all__": "Demande non reconnue : rechargez la page et recommencez."}
            failed_key = ""
        except actions.ProposalError as exc:
            errors = exc.errors
        status = 400
    else:
        actions.open_link(link=link)
    records = selectors.structure_records(link.structure, link)
    page_error = errors.get("__all__") if errors and not any(v.key == failed_key for v in _all(records)) else ""
    for view in _all(records):
        mine = view.key == failed_key
        view.form = record_form(view, request.POST if mine else None, errors if mine else None)
    context = {
        "title": f"Vos informations — {link.structure.name}",
        "link": link,
        "records": records,
        "ended": selectors.ended_services(link.structure),
        "page_error": page_error,
        "has_errors": bool(errors),
    }
    return _private(render(request, "stewardship/link_page.html", context, status=status))


def _all(records):
    for view in records:
        yield view
        yield from view.channels


# --- stewards -------------------------------------------------------------------------------

steward_required = permission_required(actions.PERMISSION, raise_exception=True)


@login_required
@steward_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Mise à jour de l'offre par les structures",
        "campaigns": selectors.campaigns()[:50],
        "pending": Proposal.objects.filter(status=Proposal.Status.PENDING).count(),
    }
    return render(request, "stewardship/dashboard.html", context)


@login_required
@steward_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ids = None if data["scope"] == "all" else [s.pk for s in data["structures"]]
        try:
            result = actions.start_campaign(
                actor=request.user, label=data["label"], structure_ids=ids, days=data["days"]
            )
        except actions.StewardshipError as exc:
            form.add_error(None, str(exc))
        else:
            context = {"title": "Campagne lancée", "result": result}
            return _private(render(request, "stewardship/campaign_started.html", context))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "stewardship/campaign_new.html", {"title": "Lancer une campagne", "form": form}, status=status
    )


@login_required
@steward_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    context = {"title": campaign.label, "campaign": campaign, "rows": selectors.campaign_rows(campaign)}
    return render(request, "stewardship/campaign_detail.html", context)


@login_required
@steward_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    actions.close_campaign(actor=request.user, campaign=campaign)
    messages.success(request, "Campagne close : ses liens ne fonctionnent plus.")
    return redirect("stewardship:campaign_detail", pk=pk)


@login_required
@steward_required
def proposals(request: HttpRequest) -> HttpResponse:
    rows = [selectors.describe_proposal(p) for p in selectors.pending_proposals()]
    for row in rows:
        row["reject_form"] = RejectForm(prefix=f"p{row['proposal'].pk}")
    context = {
        "title": "Propositions des structures",
        "rows": rows,
        "history": selectors.history(),
    }
    return render(request, "stewardship/proposals.html", context)


@login_required
@steward_required
@require_POST
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        if request.POST.get("action") == "apply":
            actions.apply_proposal(actor=request.user, proposal=proposal)
            messages.success(
                request, "Modification appliquée : la fiche est à jour et datée du jour de la proposition."
            )
        elif request.POST.get("action") == "reject":
            actions.reject_proposal(actor=request.user, proposal=proposal, note=request.POST.get(f"p{pk}-note", ""))
            messages.success(request, "Proposition refusée.")
        else:
            messages.error(request, "Choisissez « Appliquer » ou « Refuser ».")
    except actions.StewardshipError as exc:
        messages.error(request, str(exc))
    return redirect("stewardship:proposals")


@login_required
@steward_required
def priorities(request: HttpRequest) -> HttpResponse:
    counters.flush()  # this process's latest counts
    show_all = request.GET.get("tout") == "1"
    due = selectors.structures_due()
    context = {
        "title": "Fiches à vérifier en premier",
        "rows": selectors.priorities(only_due=not show_all),
        "show_all": show_all,
        "without_email": [d for d in due if not d.structure.email],
        "remind_days": conf.remind_days_before(),
    }
    return render(request, "stewardship/priorities.html", context)

"""Orientation pages: the short form, the plan, "Mon plan" (print, SMS, PDF) and the agent mode."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from carteblanche.core.audit import record_audit
from carteblanche.core.http import count_for_hourly_limit, over_hourly_limit
from carteblanche.core.models import Situation
from carteblanche.core.situations import current_situation, get_or_start_situation
from carteblanche.observatory import counters
from carteblanche.orientation.actions import EMAIL, RETRY, SMS, SendError, save_plan, send_plan
from carteblanche.orientation.forms import OrientationForm, SendByEmailForm, SendBySmsForm, initial_from_situation
from carteblanche.orientation.links import plan_from_token, plan_token
from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.render import PRINT_SIZES, plan_to_sms, printable, public_plan
from carteblanche.orientation.selectors import OrientationInputError, compute_plan, origin_text
from carteblanche.stewardship.counters import PLAN, count_shown
from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import commune_typed

DEFAULT_INITIAL = {
    "numerique": "autonomous",
    "telephone": "oui",
    "transport_en_commun": True,
    "transport_a_la_demande": True,
    "mobilite_solidaire": True,
    "langue": "fr",
}


def _initial(request: HttpRequest) -> dict:
    situation = current_situation(request)
    if situation is None or not situation.section("orientation"):
        return dict(DEFAULT_INITIAL)
    profile = situation.section("profile")
    commune = Commune.objects.filter(code=profile.get("commune_code", "")).first()
    return initial_from_situation(profile, situation.section("orientation"), commune_typed(commune) if commune else "")


def _handle_form(request: HttpRequest, *, agent: bool) -> HttpResponse:
    template = "orientation/form.html"
    title = "Préparer ma démarche" if not agent else "Orientation — mode agent"
    if request.method == "POST":
        form = OrientationForm(request.POST)
        if form.is_valid():
            orientation_request = form.to_request()
            try:
                plan, person = compute_plan(orientation_request)
            except OrientationInputError as exc:
                form.add_problems(exc.problems)
            else:
                counters.record_answers(
                    surface="plan", commune_code=person.commune_code, outcomes=counters.plan_outcomes(plan)
                )
                count_shown(PLAN, (sid for option in plan.options for sid in option.service_ids))
                situation = Situation.objects.create() if agent else get_or_start_situation(request)
                saved = save_plan(
                    situation=situation,
                    request=orientation_request,
                    plan=plan,
                    commune_code=person.commune_code,
                    agent=agent,
                    origin=origin_text(person, from_position=orientation_request.position is not None),
                )
                if agent:
                    record_audit(actor=request.user, action="create", obj=saved, reason="orientation en mode agent")
                    return redirect("orientation:agent_plan", pk=saved.pk)
                return redirect("orientation:plan", pk=saved.pk)
        status = 400
    else:
        initial = _initial(request) if not agent else dict(DEFAULT_INITIAL)
        # From a directory search ("Préparer ma démarche pas à pas"): its commune and need.
        initial |= {key: request.GET[key][:200] for key in ("commune", "besoin") if request.GET.get(key)}
        form = OrientationForm(initial=initial)
        status = 200
    return render(request, template, {"form": form, "title": title, "agent": agent}, status=status)


@require_http_methods(["GET", "POST"])
def orientation_form(request: HttpRequest) -> HttpResponse:
    return _handle_form(request, agent=False)


@login_required
@require_http_methods(["GET", "POST"])
def agent_form(request: HttpRequest) -> HttpResponse:
    return _handle_form(request, agent=True)


def _owned_plan(request: HttpRequest, pk) -> SavedPlan:
    """The plan of this browser's situation, or any plan for a signed-in agent; otherwise 404."""
    saved = get_object_or_404(SavedPlan.objects.select_related("situation"), pk=pk)
    if request.user.is_authenticated:
        return saved
    situation = current_situation(request)
    if situation is None or situation.pk != saved.situation_id:
        raise Http404("Plan introuvable.")
    return saved


def _context(saved: SavedPlan, *, agent: bool = False, **extra) -> dict:
    """The plan as the page shows it: reasons in words for the public, the scoring for agents."""
    plan = saved.plan if agent else public_plan(saved.plan)
    needs = ", ".join(n["label"] for n in plan["needs"])
    return {
        "saved": saved,
        "plan": plan,
        "printed": printable(plan),
        "sms": plan_to_sms(plan),
        "needs_text": needs,
        "title": "Mon plan",
        "agent": agent,
        **extra,
    }


SEND_SCOPE = "orientation-send"
# Needs for which a message left on a shared phone or mailbox can put the person in danger:
# the send forms say so first.
DISCREET_NEEDS = frozenset({"violences-conjugales"})


def _plan_page(request: HttpRequest, saved: SavedPlan, *, status: int = 200, **forms) -> HttpResponse:
    context = _context(saved, agent=False, can_send=True)
    context["discreet"] = any(need.get("slug") in DISCREET_NEEDS for need in saved.plan.get("needs") or [])
    context["email_form"] = forms.get("email_form") or SendByEmailForm()
    context["sms_form"] = forms.get("sms_form") or SendBySmsForm()
    return render(request, "orientation/plan.html", context, status=status)


def plan_detail(request: HttpRequest, pk) -> HttpResponse:
    return _plan_page(request, _owned_plan(request, pk))


@require_POST
def plan_send(request: HttpRequest, pk) -> HttpResponse:
    """Send the plan and its private link by e-mail or SMS: the person checks the consent box each time."""
    saved = _owned_plan(request, pk)
    channel = EMAIL if request.POST.get("canal") == EMAIL else SMS
    form = SendByEmailForm(request.POST) if channel == EMAIL else SendBySmsForm(request.POST)
    if form.is_valid():
        if over_hourly_limit(request, SEND_SCOPE, settings.ORIENTATION_SENDS_PER_HOUR):
            form.add_error(None, f"Trop d'envois depuis cet appareil en une heure. {RETRY}")
        else:
            count_for_hourly_limit(request, SEND_SCOPE)  # every attempt counts: a refused send may cost too
            link = request.build_absolute_uri(reverse("orientation:plan_link", args=[plan_token(saved)]))
            address = form.cleaned_data["email" if channel == EMAIL else "telephone"]
            try:
                count = send_plan(
                    saved=saved,
                    channel=channel,
                    address=address,
                    consent=form.cleaned_data["accord"],
                    link=link,
                    actor=request.user,
                )
            except SendError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                sent = "par e-mail" if channel == EMAIL else f"en {count} SMS"
                messages.success(request, f"Votre plan est parti {sent}.")
                return redirect(reverse("orientation:plan", args=[saved.pk]) + "#envoyer")
    forms = {"email_form": form} if channel == EMAIL else {"sms_form": form}
    return _plan_page(request, saved, status=400, **forms)


def plan_link(request: HttpRequest, token: str) -> HttpResponse:
    """The plan opened from the link sent by e-mail or SMS, on any device (read-only, journaled)."""
    saved = plan_from_token(token)
    if saved is None:
        return render(request, "orientation/link_invalid.html", {"title": "Lien du plan"}, status=404)
    record_audit(actor_label="lien privé du plan", action="read", obj=saved, reason="plan ouvert par son lien privé")
    if request.GET.get("imprimer") is not None:
        return render(request, "orientation/print.html", _context(saved, pdf=False, token=token))
    if request.GET.get("pdf") is not None:
        return _pdf_response(saved, request)
    return render(request, "orientation/plan.html", _context(saved, token=token))


@login_required
def agent_plan(request: HttpRequest, pk) -> HttpResponse:
    saved = _owned_plan(request, pk)
    record_audit(actor=request.user, action="read", obj=saved, reason="plan d'orientation (mode agent)")
    return render(request, "orientation/plan.html", _context(saved, agent=True, title="Plan — détail des points"))


def plan_print(request: HttpRequest, pk) -> HttpResponse:
    """One A4 page, large type, black on white: the dedicated print template (also used for the PDF)."""
    saved = _owned_plan(request, pk)
    return render(request, "orientation/print.html", _context(saved, pdf=False))


def plan_sms(request: HttpRequest, pk) -> HttpResponse:
    saved = _owned_plan(request, pk)
    return HttpResponse("\n\n".join(plan_to_sms(saved.plan)), content_type="text/plain; charset=utf-8")


def pdf_document(saved: SavedPlan, base_url: str):
    """The one-page PDF (a WeasyPrint document): at the size the print estimate chose, one size
    smaller while WeasyPrint still needs two pages."""
    from weasyprint import HTML

    context = _context(saved, pdf=True)
    printed = context["printed"]
    for size in [s for s in PRINT_SIZES if s <= printed["size"]]:
        context["printed"] = {**printed, "size": size}
        document = HTML(string=render_to_string("orientation/print.html", context), base_url=base_url).render()
        if len(document.pages) == 1:
            break
    return document


def plan_pdf(request: HttpRequest, pk) -> HttpResponse:
    """PDF made by WeasyPrint from the simple print template (never the full DSFR stylesheet)."""
    return _pdf_response(_owned_plan(request, pk), request)


def _pdf_response(saved: SavedPlan, request: HttpRequest) -> HttpResponse:
    pdf = pdf_document(saved, request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mon-plan-{str(saved.pk)[:8]}.pdf"'
    return response

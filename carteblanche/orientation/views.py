"""Orientation pages: the short form, the plan, "Mon plan" (print, SMS, PDF) and the agent mode."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from carteblanche.core.audit import record_audit
from carteblanche.core.models import Situation
from carteblanche.core.situations import current_situation, get_or_start_situation
from carteblanche.observatory import counters
from carteblanche.orientation.actions import save_plan
from carteblanche.orientation.forms import OrientationForm, initial_from_situation
from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.selectors import OrientationInputError, compute_plan, origin_text
from carteblanche.territories.models import Commune

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
    return initial_from_situation(profile, situation.section("orientation"), commune.name if commune else "")


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


def _context(saved: SavedPlan, **extra) -> dict:
    plan = saved.plan
    needs = ", ".join(n["label"] for n in plan["needs"])
    return {"saved": saved, "plan": plan, "needs_text": needs, "title": "Mon plan", **extra}


def plan_detail(request: HttpRequest, pk) -> HttpResponse:
    saved = _owned_plan(request, pk)
    return render(request, "orientation/plan.html", _context(saved, agent=False))


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
    return HttpResponse("\n\n".join(saved.plan.get("sms", [])), content_type="text/plain; charset=utf-8")


def plan_pdf(request: HttpRequest, pk) -> HttpResponse:
    """PDF made by WeasyPrint from the simple print template (never the full DSFR stylesheet)."""
    from weasyprint import HTML

    saved = _owned_plan(request, pk)
    html = render_to_string("orientation/print.html", _context(saved, pdf=True), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mon-plan-{str(saved.pk)[:8]}.pdf"'
    return response

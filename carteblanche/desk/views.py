"""The visitor page (agents only): situation asked once, then plan, rights, local aids and documents side by side."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carteblanche.accounts import permissions as roles
from carteblanche.appointments import selectors as appointment_selectors
from carteblanche.core.audit import record_audit
from carteblanche.core.models import Situation
from carteblanche.core.situations import SESSION_KEY, save_situation_section
from carteblanche.desk import actions
from carteblanche.desk.forms import ProcedureForm, SendSummaryForm, VisitorForms
from carteblanche.desk.labels import sections_for
from carteblanche.directory.models import Structure
from carteblanche.mandates import selectors as mandate_selectors
from carteblanche.observatory import counters
from carteblanche.orientation.actions import SendError, save_plan
from carteblanche.orientation.forms import initial_from_situation
from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.selectors import OrientationInputError, compute_plan, needs_catalogue, origin_text
from carteblanche.orientation.views import DEFAULT_INITIAL
from carteblanche.referrals import permissions as case_permissions
from carteblanche.referrals.models import CaseFile
from carteblanche.referrals.views import agent_required
from carteblanche.rights.actions import record_simulation_read, run_simulation
from carteblanche.rights.answers import AnswerErrors, parse_household
from carteblanche.rights.models import Simulation
from carteblanche.rights.selectors import commune_exists, summary_context
from carteblanche.rights.steps import answers_from_steps
from carteblanche.territories.models import Commune

VISITS_KEY = "desk_visits"


def _uuid_or_404(raw, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise Http404(message) from exc


def _case(request: HttpRequest, case_id) -> CaseFile | None:
    """The case file the visit starts from: only one the agent may read the situation of (else 404)."""
    if not case_id:
        return None
    case_uuid = _uuid_or_404(case_id, "Dossier introuvable.")
    case = CaseFile.objects.select_related("situation").filter(pk=case_uuid).first()
    if case is None or "situation" not in case_permissions.case_scopes(request.user, case):
        raise Http404("Dossier introuvable.")
    record_audit(actor=request.user, action="read", obj=case, reason="accueil au guichet (situation)")
    return case


def _prefill(situation: Situation | None) -> tuple[dict, dict[str, dict], list[str]]:
    """Orientation initial, rights steps and the sections already answered (shown as such)."""
    if situation is None:
        return dict(DEFAULT_INITIAL), {}, []
    profile, orientation = situation.section("profile"), situation.section("orientation")
    steps = dict(situation.section("household").get("steps") or {})
    given = [
        title
        for key, title in (("orientation", "démarches et déplacements"), ("household", "foyer et revenus"))
        if situation.section(key)
    ]
    if orientation:
        commune = Commune.objects.filter(code=profile.get("commune_code", "")).first()
        initial = initial_from_situation(profile, orientation, commune.name if commune else "")
    else:
        initial = dict(DEFAULT_INITIAL)
        commune_name = (steps.get("foyer") or {}).get("commune_name")
        if commune_name:
            initial["commune"] = commune_name
    return initial, steps, given


def _needs_choices() -> list[tuple[str, str]]:
    return [(n.slug, n.label) for n in needs_catalogue()]


def _structures(user) -> list[tuple[int, str]]:
    ids = roles.structure_ids(user)
    return list(Structure.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


@agent_required
@require_http_methods(["GET", "POST"])
def visitor(request: HttpRequest) -> HttpResponse:
    case = _case(request, request.GET.get("dossier") or request.POST.get("dossier"))
    # "Modifier les réponses": the visit being corrected (its situation is reused, answers kept).
    previous = _saved_plan(request, request.GET.get("visite") or request.POST.get("visite"))
    situation = case.situation if case and case.situation_id else None
    if situation is None and previous is not None:
        situation = previous.situation
    initial, steps, given = _prefill(situation)
    if previous is not None:
        given = []  # given at this desk, not online
        record_audit(actor=request.user, action="read", obj=previous, reason="guichet : réponses reprises")
    visit = VisitorForms(request.POST if request.method == "POST" else None, orientation_initial=initial, steps=steps)
    context = {"title": "Recevoir une personne", "visit": visit, "case": case, "given": given, "previous": previous}
    if request.method != "POST":
        return render(request, "desk/visitor.html", context)
    if not visit.is_valid():
        return render(request, "desk/visitor.html", context, status=200 if visit.new_questions else 400)
    orientation_request = visit.orientation.to_request()
    try:
        plan, person = compute_plan(orientation_request)
    except OrientationInputError as exc:
        visit.orientation.add_problems(exc.problems)
        return render(request, "desk/visitor.html", context, status=400)
    new_steps = visit.steps()
    commune = Commune.objects.get(code=person.commune_code)
    new_steps["foyer"] |= {"commune": commune.name, "commune_code": commune.code, "commune_name": commune.name}
    try:
        parsed = parse_household(
            answers_from_steps(new_steps), today=timezone.localdate(), commune_exists=commune_exists
        )
    except AnswerErrors as exc:
        context["rights_errors"] = exc.errors
        return render(request, "desk/visitor.html", context, status=400)
    if situation is None:
        situation = Situation.objects.create()
        if case is not None and case_permissions.can_edit_case(request.user, case):
            case.situation = situation
            case.save(update_fields=["situation", "updated_at"])
    counters.record_answers(surface="plan", commune_code=person.commune_code, outcomes=counters.plan_outcomes(plan))
    saved = save_plan(
        situation=situation,
        request=orientation_request,
        plan=plan,
        commune_code=person.commune_code,
        agent=True,
        origin=origin_text(person, from_position=orientation_request.position is not None),
    )
    save_situation_section(
        situation=situation, section="household", data={"steps": new_steps, **answers_from_steps(new_steps)}
    )
    save_situation_section(
        situation=situation, section="profile", data={"birth_date": new_steps["foyer"].get("birth_date")}
    )
    simulation = run_simulation(parsed=parsed, situation=situation, user=request.user, mode=Simulation.Mode.AGENT)
    record_audit(actor=request.user, action="create", obj=saved, reason="accueil au guichet")
    # "Ouvrir un dossier" (referrals) prefills from the session's situation: point it at this visit.
    request.session[SESSION_KEY] = str(situation.pk)
    request.session[VISITS_KEY] = [*request.session.get(VISITS_KEY, [])[-49:], str(saved.pk)]
    return redirect(_result_url(saved, simulation, case))


def _saved_plan(request: HttpRequest, plan_id) -> SavedPlan | None:
    """A desk visit: for the agent who received the person (her session) or an agent who may read
    the situation of a case file holding it; otherwise 404 (its existence is not revealed)."""
    if not plan_id:
        return None
    plan_uuid = _uuid_or_404(plan_id, "Accueil introuvable.")
    saved = get_object_or_404(SavedPlan.objects.select_related("situation"), pk=plan_uuid, created_by_agent=True)
    if str(saved.pk) not in request.session.get(VISITS_KEY, []) and not any(
        "situation" in case_permissions.case_scopes(request.user, c)
        for c in CaseFile.objects.filter(situation_id=saved.situation_id)
    ):
        raise Http404("Accueil introuvable.")
    return saved


def _visit(request: HttpRequest, plan_id) -> tuple[SavedPlan, Simulation | None, CaseFile | None]:
    """A visit's result, its simulation and the case file it is attached to (given, or else the one
    the agent's structure follows that holds this situation: a case opened from the visit)."""
    saved = _saved_plan(request, plan_id)
    simulation = None
    raw = request.GET.get("simulation") or request.POST.get("simulation")
    if raw:
        try:
            simulation = Simulation.objects.filter(pk=uuid.UUID(raw), situation_id=saved.situation_id).first()
        except ValueError:
            simulation = None
    case_id = request.GET.get("dossier") or request.POST.get("dossier")
    if not case_id:
        own = roles.structure_ids(request.user)
        case_id = (
            CaseFile.objects.filter(situation_id=saved.situation_id, structure_id__in=own)
            .order_by("-created_at")
            .values_list("pk", flat=True)
            .first()
        )
    case = _case(request, case_id)
    if case is not None and case.situation_id != saved.situation_id:
        case = None
    record_audit(actor=request.user, action="read", obj=saved, reason="guichet : résultat de l'accueil")
    if simulation is not None:
        record_simulation_read(simulation=simulation, user=request.user, reason="guichet : résultat de l'accueil")
    return saved, simulation, case


def _result_context(request: HttpRequest, saved: SavedPlan, simulation: Simulation | None, case) -> dict:
    plan = saved.plan
    commune_code = saved.situation.section("profile").get("commune_code", "")
    rights = summary_context(simulation, commune_code) if simulation and not simulation.error else None
    documents: list[str] = []
    for option in plan.get("options", []):
        documents += [d for d in option.get("documents") or [] if d not in documents]
    for benefit in (rights or {}).get("likely", []):
        documents += [d for d in getattr(benefit["plan"], "documents", ()) if d not in documents]
    household = saved.situation.section("household")
    pension_paid = any((p.get("pension_gross") or 0) > 0 for p in household.get("persons") or [])
    owner = case is not None and case_permissions.owns_case(request.user, case)
    return {
        "owner": owner,
        "can_send": owner or str(saved.pk) in request.session.get(VISITS_KEY, []),
        "bookings": appointment_selectors.for_case(case) if owner else [],
        "mandates": mandate_selectors.for_case(case) if owner else [],
        "result_path": _result_url(saved, simulation, None),
        "need_claims": _need_claims(
            [n["slug"] for n in plan["needs"]], farm=bool(household.get("farm_scheme")) and pension_paid
        ),
        "saved": saved,
        "plan": plan,
        "needs_text": ", ".join(n["label"] for n in plan["needs"]),
        "rights": rights,
        "simulation": simulation,
        "documents": documents,
        "case": case,
        "sections": sections_for(saved.situation.answers),
    }


def _result_url(saved: SavedPlan, simulation: Simulation | None, case: CaseFile | None) -> str:
    url = f"/guichet/visite/{saved.pk}/?simulation={simulation.pk if simulation else ''}"
    return url + (f"&dossier={case.pk}" if case is not None else "")


def _need_claims(slugs: list[str], *, farm: bool) -> list[dict]:
    """For each need: the bodies that handle it (the needs catalogue) and the official online procedure.

    When the person says her pension is paid under the farm scheme, the MSA is named first as her body.
    """
    from carteblanche.directory.models import Need

    claims = []
    for need in Need.objects.filter(slug__in=slugs).prefetch_related("operators"):
        operators = sorted(need.operators.all(), key=lambda o: (not (farm and o.code == "msa"), o.name))
        claims.append(
            {
                "label": need.label,
                "bodies": [o.short_name or o.name for o in operators],
                "own_body": "MSA" if farm and any(o.code == "msa" for o in operators) else "",
                "online": need.online_procedure_url,
                "documents": need.documents,
            }
        )
    return claims


@agent_required
def visit_result(request: HttpRequest, plan_id) -> HttpResponse:
    saved, simulation, case = _visit(request, plan_id)
    context = _result_context(request, saved, simulation, case)
    context |= {
        "title": "Accueil : plan et droits",
        "procedure_form": _procedure_form(request, saved, case),
        "send_form": _send_form(case, context["owner"]),
    }
    return render(request, "desk/result.html", context)


def _procedure_form(request: HttpRequest, saved: SavedPlan, case: CaseFile | None) -> ProcedureForm:
    first_need = (saved.plan.get("needs") or [{}])[0].get("slug", "")
    return ProcedureForm(
        initial={"besoin": first_need},
        needs=_needs_choices(),
        structures=_structures(request.user),
        mandates=mandate_selectors.usable_choices(case, roles.structure_ids(request.user)),
    )


@agent_required
def visit_print(request: HttpRequest, plan_id) -> HttpResponse:
    """One page for the person: plan, rights and where to claim, documents (print CSS, no DSFR chrome)."""
    saved, simulation, case = _visit(request, plan_id)
    return render(
        request, "desk/print.html", _result_context(request, saved, simulation, case) | {"today": timezone.localdate()}
    )


def _send_form(case: CaseFile | None, owner: bool) -> SendSummaryForm:
    """Prefilled from the case file the agent's structure follows: its mobile first, else its e-mail."""
    initial = {"canal": "sms"}
    if case is not None and owner:
        if case.phone:
            initial["adresse"] = case.phone
        elif case.email:
            initial |= {"canal": "email", "adresse": case.email}
    return SendSummaryForm(initial=initial, prefix="envoi")


@agent_required
@require_POST
def summary_send(request: HttpRequest, plan_id) -> HttpResponse:
    """Send the summary by SMS or e-mail with the person's consent (journaled, the address not kept)."""
    saved, simulation, case = _visit(request, plan_id)
    context = _result_context(request, saved, simulation, case)
    if not context["can_send"]:
        raise PermissionDenied("Seul l'agent qui a reçu la personne, ou la structure qui la suit, envoie sa synthèse.")
    form = SendSummaryForm(request.POST, prefix="envoi")
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = actions.send_summary(
                actor=request.user,
                saved=saved,
                context=context,
                channel=data["canal"],
                address=data["adresse"],
                consent=data["accord"],
            )
        except SendError as error:
            field = {"email": "adresse", "telephone": "adresse"}.get(error.field, error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, f"Synthèse envoyée ({count} message{'s' if count > 1 else ''}).")
            return redirect(_result_url(saved, simulation, case))
    context |= {
        "title": "Accueil : plan et droits",
        "procedure_form": _procedure_form(request, saved, case),
        "send_form": form,
    }
    return render(request, "desk/result.html", context, status=400)


@agent_required
@require_POST
def procedure_create(request: HttpRequest, plan_id) -> HttpResponse:
    saved, simulation, case = _visit(request, plan_id)
    form = ProcedureForm(
        request.POST,
        needs=_needs_choices(),
        structures=_structures(request.user),
        mandates=mandate_selectors.usable_choices(case, roles.structure_ids(request.user)),
    )
    if form.is_valid():
        data = form.cleaned_data
        mandate_id, mandate_domain = form.mandate_choice()
        try:
            actions.record_procedure(
                actor=request.user,
                structure_id=data["structure"],
                need_slug=data["besoin"],
                body=data["organisme"],
                what=data["quoi"],
                done_on=timezone.localdate(),
                case=case,
                mandate_id=mandate_id,
                mandate_domain=mandate_domain,
            )
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        done = "Démarche enregistrée, et inscrite au journal du mandat." if mandate_id else "Démarche enregistrée."
        messages.success(request, done)
        return redirect(_result_url(saved, simulation, case))
    context = _result_context(request, saved, simulation, case)
    context |= {
        "title": "Accueil : plan et droits",
        "procedure_form": form,
        "send_form": _send_form(case, context["owner"]),
    }
    return render(request, "desk/result.html", context, status=400)

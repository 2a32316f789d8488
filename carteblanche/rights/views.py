"""Pages of the rights questionnaire and results. Thin: parse, call one action or selector, render."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.core.situations import SESSION_KEY, current_situation, get_or_start_situation, save_situation_section
from carteblanche.rights import forms, prefill
from carteblanche.rights.actions import record_simulation_read, result_page_events
from carteblanche.rights.answers import AnswerErrors, parse_household
from carteblanche.rights.apps import start_warm_up
from carteblanche.rights.models import Simulation
from carteblanche.rights.selectors import (
    claiming_rules,
    commune_exists,
    known_answers,
    simulation_visible_to,
    summary_context,
)
from carteblanche.rights.steps import answers_from_steps, detail_questions, jsonable

MODE_KEY = "rights_mode"
CASE_KEY = "rights_case_file"  # the case file an agent is simulating for (its answers prefill the steps)
STEPS = [
    ("foyer", "Votre foyer"),
    ("personnes", "Les personnes du foyer"),
    ("ressources", "Votre activité et vos revenus"),
    ("ressources-conjoint", "Activité et revenus de votre conjoint(e)"),
    ("logement", "Votre logement"),
    ("precisions", "Quelques précisions"),
    ("aides", "Les aides que vous recevez déjà"),
]
STEP_LABELS = dict(STEPS)


def _steps(situation) -> dict[str, dict]:
    return dict(situation.section("household").get("steps") or {}) if situation else {}


def _active_steps(steps: dict[str, dict]) -> list[str]:
    foyer = steps.get("foyer", {})
    names = []
    for name, _label in STEPS:
        if name == "personnes" and foyer.get("couple") != "yes" and not foyer.get("children"):
            continue
        if name == "ressources-conjoint" and foyer.get("couple") != "yes":
            continue
        if name == "precisions" and not detail_questions(steps):
            continue
        names.append(name)
    return names


def _form_for(step: str, steps: dict[str, dict], data=None, known: prefill.Steps | None = None):
    foyer = steps.get("foyer", {})
    initial, shown = prefill.initial_for(step, steps.get(step, {}), known or {})
    form = _bare_form_for(step, steps, foyer, initial, data)
    for name, item in shown.items():
        field = form.fields.get(name)
        if field is not None:  # said plainly under the field; the answer stays changeable
            field.help_text = f"{item.label[:1].upper()}{item.label[1:]} : vous pouvez le modifier."
            form[name].help_text = field.help_text  # the bound field keeps its own copy
    age = shown.pop(prefill.AGE_HINT, None)
    if age is not None and "birth_date" in form.fields and "birth_date" not in shown:
        form.fields["birth_date"].help_text = form["birth_date"].help_text = (
            f"Vous avez indiqué avoir {age.value} ans ({age.label}) : "
            "il nous faut ici votre date de naissance (jj/mm/aaaa)."
        )
    form.prefilled = shown
    return form


def _bare_form_for(step: str, steps: dict[str, dict], foyer: dict, initial: dict, data=None):
    if step == "foyer":
        return forms.HouseholdStepForm(data, initial=initial)
    if step == "personnes":
        claimant_birth = foyer.get("birth_date")
        return forms.PeopleStepForm(
            data,
            initial=initial,
            couple=foyer.get("couple") == "yes",
            children=int(foyer.get("children") or 0),
            claimant_birth=date.fromisoformat(claimant_birth) if claimant_birth else None,
        )
    if step == "ressources":
        return forms.ResourcesStepForm(data, initial=initial)
    if step == "ressources-conjoint":
        return forms.ResourcesStepForm(data, initial=initial, partner=True)
    if step == "logement":
        return forms.HousingStepForm(data, initial=initial, children=int(foyer.get("children") or 0))
    if step == "precisions":
        return forms.DetailsStepForm(data, initial=initial, questions=detail_questions(steps))
    if step == "aides":
        return forms.BenefitsStepForm(data, initial=initial)
    raise Http404


def start(request: HttpRequest) -> HttpResponse:
    """Landing page of the rights questionnaire; warms OpenFisca in the background meanwhile."""
    start_warm_up()
    if request.GET.get("mode") == "public":
        request.session[MODE_KEY] = "public"
    situation = current_situation(request)
    steps = _steps(situation)
    return render(
        request,
        "rights/start.html",
        {"title": "Découvrir mes droits", "resume": bool(steps), "mode": request.session.get(MODE_KEY, "public")},
    )


@login_required
def agent_start(request: HttpRequest) -> HttpResponse:
    """Agent-assisted mode: a fresh situation for the person in front of the agent, or, from a case
    file (`?dossier=ID`), the case file's own situation, so that nothing already said is asked again."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(CASE_KEY, None)
    request.session[MODE_KEY] = "agent"
    case = _readable_case(request, request.GET.get("dossier"))
    if case is not None:
        request.session[CASE_KEY] = str(case.pk)
        record_audit(actor=request.user, action="read", obj=case, reason="simulation de droits : réponses déjà données")
        if case.situation_id:
            request.session[SESSION_KEY] = str(case.situation_id)
    get_or_start_situation(request)
    start_warm_up()
    return redirect("rights:step", step="foyer")


def _readable_case(request: HttpRequest, raw: str | None):
    """The case file the agent may read (its situation included), or None (never an error: no prefill)."""
    if not raw:
        return None
    from carteblanche.referrals.models import CaseFile
    from carteblanche.referrals.permissions import case_scopes

    try:
        case_id = uuid.UUID(str(raw)[:40])
    except ValueError:
        return None
    case = CaseFile.objects.select_related("situation").filter(pk=case_id, anonymised_at__isnull=True).first()
    if case is None or not {"identity", "situation"} <= case_scopes(request.user, case):
        return None  # its birth date is identity, its answers are the situation: both must be readable
    return case


def _known(request: HttpRequest, situation) -> prefill.Steps:
    case = None
    if request.session.get(MODE_KEY) == "agent" and request.user.is_authenticated:
        case = _readable_case(request, request.session.get(CASE_KEY))
    return known_answers(situation, case=case)


def step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_LABELS:
        raise Http404
    situation = get_or_start_situation(request)
    steps = _steps(situation)
    active = _active_steps(steps)
    if step not in active:
        return redirect("rights:step", step=active[0] if not steps.get("foyer") else "foyer")
    form = _form_for(step, steps, request.POST if request.method == "POST" else None, known=_known(request, situation))
    if request.method == "POST" and form.is_valid():
        data = jsonable(form.cleaned_data)
        profile: dict[str, Any] = {}
        if step == "foyer":
            from carteblanche.territories.selectors import commune_label, resolve_commune

            answer = resolve_commune(data["commune"])
            commune = answer.commune
            if commune is None:
                form.add_error("commune", answer.message())
            else:
                data["commune"] = commune_label(commune)  # read back to this commune if the step is edited
                data["commune_code"] = commune.code
                data["commune_name"] = commune.name
                profile = {"commune_code": commune.code, "birth_date": data["birth_date"]}
        if not form.errors:
            steps[step] = data
            save_situation_section(
                situation=situation, section="household", data={"steps": steps, **answers_from_steps(steps)}
            )
            if profile:
                save_situation_section(situation=situation, section="profile", data=profile)
            active = _active_steps(steps)
            if request.POST.get("return") == "recap":
                return redirect("rights:recap")
            position = active.index(step)
            if position + 1 < len(active):
                return redirect("rights:step", step=active[position + 1])
            return redirect("rights:recap")
    position = active.index(step)
    return render(
        request,
        "rights/step.html",
        {
            "title": STEP_LABELS[step],
            "form": form,
            "step": step,
            "step_number": position + 1,
            "step_count": len(active) + 1,
            "next_label": STEP_LABELS[active[position + 1]] if position + 1 < len(active) else "Récapitulatif",
            "previous": active[position - 1] if position else None,
            "from_recap": request.GET.get("retour") == "recap",
        },
    )


def recap(request: HttpRequest) -> HttpResponse:
    situation = current_situation(request)
    steps = _steps(situation)
    if not steps.get("foyer"):
        return redirect("rights:step", step="foyer")
    active = _active_steps(steps)
    missing = [s for s in active if s not in steps]
    sections = []
    for name in active:
        form = _form_for(name, steps)
        rows = []
        for field_name, field in form.fields.items():
            value = steps.get(name, {}).get(field_name)
            if isinstance(getattr(field, "choices", None), list | tuple) and not isinstance(value, list):
                value = dict(field.choices).get(value, value)
            elif isinstance(value, list):
                value = ", ".join(dict(field.choices).get(v, v) for v in value) or "aucune"
            if field_name == "commune":
                value = steps[name].get("commune_name", value)
            if value in (None, ""):
                continue
            if value is True:
                value = "oui"
            if value is False:
                continue
            rows.append((field.label, value))
        sections.append({"step": name, "label": STEP_LABELS[name], "rows": rows, "done": name in steps})
    return render(
        request,
        "rights/recap.html",
        {
            "title": "Récapitulatif de vos réponses",
            "sections": sections,
            "missing": missing,
            "step_count": len(active) + 1,
        },
    )


def _parse_current(request: HttpRequest):
    situation = current_situation(request)
    answers = answers_from_steps(_steps(situation))
    return situation, parse_household(answers, today=timezone.localdate(), commune_exists=commune_exists)


def results(request: HttpRequest) -> HttpResponse:
    """Stream the result page: each benefit appears as soon as its group is computed (no JS needed)."""
    situation = current_situation(request)
    if situation is None or not _steps(situation).get("foyer"):
        return redirect("rights:step", step="foyer")
    try:
        situation, parsed = _parse_current(request)
    except AnswerErrors as exc:
        return render(
            request, "rights/recap_errors.html", {"title": "Réponses à corriger", "errors": exc.errors}, status=422
        )
    mode = (
        Simulation.Mode.AGENT
        if request.session.get(MODE_KEY) == "agent" and request.user.is_authenticated
        else Simulation.Mode.PUBLIC
    )
    # Queued before the head is rendered: the batch window and the first group overlap the rendering.
    events = result_page_events(parsed=parsed, situation=situation, user=request.user, mode=mode)
    page = render_to_string(
        "rights/results.html",
        {"title": "Vos droits probables", "streaming": True, "assumptions": parsed.assumptions},
        request=request,
    )
    head, rest = page.split("<!--BENEFITS-->", 1)
    middle, tail = rest.split("<!--SUMMARY-->", 1)

    automatic_codes = claiming_rules()

    def stream() -> Iterator[str]:
        yield head
        shown = 0
        for kind, payload in events:
            if kind == "benefits":
                for benefit in payload:
                    if benefit["eligible"]:
                        shown += 1
                        automatic = benefit["code"] in automatic_codes
                        yield render_to_string(
                            "rights/_benefit.html", {"b": benefit, "streaming": True, "automatic": automatic}
                        )
            elif kind == "error":
                yield render_to_string("rights/_error.html", {"message": payload.error})
            elif kind == "done":
                yield middle
                yield render_to_string(
                    "rights/_summary.html", summary_context(payload, parsed.household.depcom), request=request
                )
        if shown == 0:
            yield ""
        yield tail

    response = StreamingHttpResponse(stream(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def stored(request: HttpRequest, simulation_id: uuid.UUID) -> HttpResponse:
    """A stored simulation, printable: for its own session, or an agent (the read is journaled)."""
    simulation = Simulation.objects.filter(pk=simulation_id).first()
    if simulation is None or not simulation_visible_to(
        simulation, user=request.user, session_situation_id=request.session.get(SESSION_KEY)
    ):
        raise Http404
    record_simulation_read(simulation=simulation, user=request.user, reason="page de résultat")
    commune_code = simulation.inputs.get("household", {}).get("depcom", "")
    context = summary_context(simulation, commune_code)
    return render(request, "rights/stored.html", {"title": "Vos droits probables", **context})

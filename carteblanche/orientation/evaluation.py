"""The judged evaluation set: situations of the Cahors living area with what a social worker expects.

`orientation/data/evaluation/situations.json` holds each situation (the answers, as the form takes
them, and the date) and its expectations, written from the rules (who decides the need, what the
person can carry out), not from the engine's output. `evaluate()` makes each plan through the same
`compute_plan` as the pages and returns per-situation verdicts; `manage.py evaluate_answers` prints
them as JSON with the share that pass.

Besides each situation's own expectations, every plan is checked against the person's constraints
(`constraint_failures`): no car trip without a car, nothing online without internet, nothing that
needs a call without a phone, a driven trip only in the driver's windows, slots only when the person
is free, no place with unknown hours for someone free only evenings or weekends, nothing at home for
someone leaving a violent home.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from carteblanche.directory.models import Service
from carteblanche.mobility.travel import Mode
from carteblanche.orientation.engine import HoursStatus, Option, PersonSituation, Plan, free_in_office_hours
from carteblanche.orientation.explain import LISTED_PLACES_FALLBACK
from carteblanche.orientation.render import plan_to_text
from carteblanche.orientation.scoring import PHYSICAL_KINDS, Digital, OptionKind
from carteblanche.orientation.selectors import OrientationInputError, OrientationRequest, compute_plan
from carteblanche.territories.geo import PARIS

SITUATIONS_FILE = Path(__file__).resolve().parent / "data" / "evaluation" / "situations.json"
EXPECTATION_KEYS = frozenset(
    {
        "commune_code",
        "input_error",
        "safety_numbers",
        "no_safety",
        "first_two_operators",
        "first_option_operators",
        "present_operators",
        "forbidden_operators",
        "forbidden_kinds",
        "forbidden_modes",
        "forbidden_text",
        "required_text",
        "application_listed",
        "min_options",
        "needs",
    }
)
SITUATION_KEYS = frozenset({"id", "group", "why", "request", "now", "expect", "depends_on"})


class EvaluationDataError(ValueError):
    """The situations file is wrong: names the situation and the field."""


@dataclass
class Verdict:
    id: str
    group: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    top: list[str] = field(default_factory=list)  # the first options, "rank. title (operator)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "group": self.group,
            "passed": self.passed,
            "failures": self.failures,
            "depends_on": self.depends_on,
            "top": self.top,
        }


def load_situations(path: Path = SITUATIONS_FILE) -> tuple[datetime, list[dict]]:
    """The default date and the situations, validated (unknown keys, duplicate ids, bad requests)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    default_now = datetime.fromisoformat(data["now"])
    seen: set[str] = set()
    request_fields = set(OrientationRequest.__slots__)
    for position, situation in enumerate(data["situations"], start=1):
        where = f"situation n°{position} ({situation.get('id', '?')})"
        if bad := sorted(set(situation) - SITUATION_KEYS):
            raise EvaluationDataError(f"{where} : champ inconnu {', '.join(bad)}")
        if not situation.get("id") or situation["id"] in seen:
            raise EvaluationDataError(f"{where} : champ « id » manquant ou en double")
        seen.add(situation["id"])
        if bad := sorted(set(situation.get("request", {})) - request_fields):
            raise EvaluationDataError(f"{where} : champ « request » : réponse inconnue {', '.join(bad)}")
        if bad := sorted(set(situation.get("expect", {})) - EXPECTATION_KEYS):
            raise EvaluationDataError(f"{where} : champ « expect » : attente inconnue {', '.join(bad)}")
    return default_now, data["situations"]


def _operators(plan: Plan) -> dict[str, str]:
    """Service id -> operator code, for the services of the plan's options."""
    ids = {int(sid) for option in plan.options for sid in option.service_ids if sid.isdigit()}
    rows = Service.objects.filter(pk__in=ids).select_related("operator", "structure__operator")
    found = {}
    for service in rows:
        operator = service.operator or service.structure.operator
        found[str(service.pk)] = operator.code if operator else ""
    return found


def _option_operators(option: Option, operators: dict[str, str]) -> set[str]:
    return {operators.get(sid, "") for sid in option.service_ids} - {""}


def _within(slot_start: datetime, slot_end: datetime, windows) -> bool:
    return any(w.start <= slot_start and slot_end <= w.end for w in windows)


def constraint_failures(request: OrientationRequest, person: PersonSituation, plan: Plan) -> list[str]:
    """What a social worker would refuse whatever the need: options the person cannot carry out."""
    failures = []
    driver_windows = person.means.driver_windows
    office = free_in_office_hours(person)
    safety = plan.safety
    for option in plan.options:
        label = f"option {option.rank} ({option.title})"
        modes = set()
        if option.travel is not None:
            modes.add(option.travel.mode)
        if Mode.CAR in modes and not person.means.has_car:
            failures.append(f"{label} : trajet en voiture sans voiture")
        if person.digital == Digital.NO_INTERNET and option.kind in (OptionKind.ONLINE, OptionKind.VIDEO):
            failures.append(f"{label} : en ligne sans internet")
        if not person.has_phone:
            if option.kind in (OptionKind.PHONE, OptionKind.CALLBACK, OptionKind.HOME_VISIT):
                failures.append(f"{label} : demande un appel sans téléphone")
            if modes & {Mode.ON_DEMAND, Mode.SOLIDARITY}:
                failures.append(f"{label} : trajet à réserver par téléphone sans téléphone")
        if Mode.DRIVEN in modes:
            for slot in option.slots:
                if not _within(slot.start, slot.end, driver_windows):
                    failures.append(f"{label} : conduit(e) par un proche hors de ses disponibilités")
                    break
        if option.hours_status == HoursStatus.OPEN:
            for slot in option.slots:
                if not _within(slot.start, slot.end, person.availability):
                    failures.append(f"{label} : créneau hors des disponibilités")
                    break
        if not office and option.kind in PHYSICAL_KINDS and option.hours_status == HoursStatus.TO_CONFIRM:
            failures.append(f"{label} : horaires inconnus pour une personne libre seulement le soir ou le week-end")
        if safety is not None and safety.no_home and option.kind in (OptionKind.HOME_VISIT, OptionKind.VIDEO):
            failures.append(f"{label} : proposé au domicile d'une personne qui fuit des violences")
    return failures


def _check(expect: dict, plan: Plan, person: PersonSituation, operators: dict[str, str]) -> list[str]:
    failures = []
    options = list(plan.options)
    text = plan_to_text(plan)
    if (code := expect.get("commune_code")) and person.commune_code != code:
        failures.append(f"commune {person.commune_code} au lieu de {code}")
    if needs := expect.get("needs"):
        got = [n.slug for n in plan.needs]
        if missing := [n for n in needs if n not in got]:
            failures.append(f"besoin non compris : {', '.join(missing)} (compris : {', '.join(got) or 'aucun'})")
    if numbers := expect.get("safety_numbers"):
        shown = [line.number for line in plan.safety.lines] if plan.safety else []
        if shown[: len(numbers)] != numbers:
            failures.append(f"numéros d'urgence {shown[: len(numbers)]} au lieu de {numbers} en premier")
        first_line = text.splitlines()[0] if text else ""
        if plan.safety is None or first_line != plan.safety.headline:
            failures.append("la première ligne du plan ne dit pas d'appeler les numéros d'urgence")
    if expect.get("no_safety") and plan.safety is not None:
        failures.append("numéros d'urgence affichés pour un besoin qui n'est pas urgent")
    wanted = expect.get("first_two_operators")
    if wanted and not any(_option_operators(o, operators) & set(wanted) for o in options[:2]):
        failures.append(f"aucun de {wanted} dans les deux premières options")
    wanted = expect.get("first_option_operators")
    if wanted and (not options or not _option_operators(options[0], operators) & set(wanted)):
        failures.append(f"la première option n'est pas de {wanted}")
    for code in expect.get("present_operators", []):
        if not any(code in _option_operators(o, operators) for o in options):
            failures.append(f"{code} absent du plan")
    for code in expect.get("forbidden_operators", []):
        if bad := [o.rank for o in options if code in _option_operators(o, operators)]:
            failures.append(f"{code} proposé (options {bad})")
    for kind in expect.get("forbidden_kinds", []):
        if bad := [o.rank for o in options if o.kind.value == kind]:
            failures.append(f"option de type {kind} proposée (options {bad})")
    for mode in expect.get("forbidden_modes", []):
        if bad := [o.rank for o in options if o.travel is not None and o.travel.mode.value == mode]:
            failures.append(f"trajet {mode} proposé (options {bad})")
    lowered = text.casefold()
    for snippet in expect.get("forbidden_text", []):
        if snippet.casefold() in lowered:
            failures.append(f"le plan dit « {snippet} »")
    for snippet in expect.get("required_text", []):
        if snippet.casefold() not in lowered:
            failures.append(f"le plan ne dit pas « {snippet} »")
    if slug := expect.get("application_listed"):
        linked = set(Service.objects.filter(needs__slug=slug).values_list("pk", flat=True))
        for option in options:
            if slug not in option.needs or option.kind not in PHYSICAL_KINDS or slug in option.competent_for:
                continue
            if not any("ne prend pas la demande" in w for w in option.warnings):
                failures.append(f"option {option.rank} ({option.title}) présentée comme lieu de dépôt")
            if "commune" in _option_operators(option, operators) and not any(
                int(sid) in linked for sid in option.service_ids if sid.isdigit()
            ):
                failures.append(f"option {option.rank} : mairie non équipée")
        if not any(slug in o.competent_for for o in options[:2]):
            failures.append("ni l'organisme qui décide ni un lieu qui prend la demande dans les deux premières options")
        named = any(
            "ne prend pas la demande" in w and LISTED_PLACES_FALLBACK not in w for o in options for w in o.warnings
        )
        if not named and not any(slug in o.competent_for and o.kind in PHYSICAL_KINDS for o in options):
            failures.append("le plan ne nomme aucun lieu qui prend la demande")
    if len(options) < expect.get("min_options", 1):
        failures.append(f"{len(options)} option(s), au moins {expect.get('min_options', 1)} attendue(s)")
    return failures


def evaluate_situation(situation: dict, default_now: datetime) -> Verdict:
    expect = situation.get("expect", {})
    verdict = Verdict(
        id=situation["id"],
        group=situation.get("group", ""),
        passed=False,
        depends_on=list(situation.get("depends_on", [])),
    )
    now = datetime.fromisoformat(situation["now"]) if situation.get("now") else default_now
    request = OrientationRequest(**situation["request"])
    try:
        plan, person = compute_plan(request, now=now.astimezone(PARIS))
    except OrientationInputError as exc:
        fields = [p.field for p in exc.problems]
        if expect.get("input_error") in fields:
            verdict.passed = True
        else:
            refused = "; ".join(f"{p.field} : {p.message}" for p in exc.problems)
            verdict.failures.append(f"réponses refusées : {refused}")
        return verdict
    if expect.get("input_error"):
        verdict.failures.append(f"réponses acceptées alors que « {expect['input_error']} » devait être demandé")
    operators = _operators(plan)
    verdict.top = [
        f"{o.rank}. {o.title} ({', '.join(sorted(_option_operators(o, operators))) or '?'})" for o in plan.options
    ]
    verdict.failures += constraint_failures(request, person, plan)
    verdict.failures += _check(expect, plan, person, operators)
    verdict.passed = not verdict.failures
    return verdict


def evaluate(path: Path = SITUATIONS_FILE, *, only: set[str] | None = None) -> dict[str, Any]:
    """Every situation's verdict and the share that pass (JSON-ready)."""
    default_now, situations = load_situations(path)
    verdicts = [evaluate_situation(s, default_now) for s in situations if only is None or s["id"] in only]
    passed = sum(v.passed for v in verdicts)
    groups: dict[str, list[int]] = {}
    for v in verdicts:
        groups.setdefault(v.group, [0, 0])
        groups[v.group][0] += v.passed
        groups[v.group][1] += 1
    return {
        "total": len(verdicts),
        "passed": passed,
        "share": round(passed / len(verdicts), 3) if verdicts else 0.0,
        "by_group": {g: {"passed": p, "total": t} for g, (p, t) in sorted(groups.items())},
        "failed": [v.id for v in verdicts if not v.passed],
        "situations": [v.as_dict() for v in verdicts],
    }

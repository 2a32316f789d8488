"""Writes of the observatory: compute every indicator of a territory for a month and store it.

Run by the scheduled `compute_indicators` command (daily); pages only read stored values. A run
replaces the values of its own month (history of earlier months is kept) in one transaction, so a
page never sees half a month.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.text import slugify

from carteblanche.core import freshness
from carteblanche.directory import hours
from carteblanche.directory.models import Need, Place
from carteblanche.mobility.travel import MobilityContext, Point, TimeWindow
from carteblanche.observatory import catchment, reach
from carteblanche.observatory.models import AreaKind, ComputationRun, IndicatorValue
from carteblanche.observatory.selectors import dims_key
from carteblanche.orientation.engine import NeedRequest, ServiceOffer
from carteblanche.territories.geo import PARIS
from carteblanche.territories.models import Commune, Territory

REFERENCE_WEEKDAY = 1  # Tuesday: a working day when most counters are open
REFERENCE_HOURS = (time(9, 0), time(12, 0))


def month_start(day: date) -> date:
    return day.replace(day=1)


def reference_window(period: date) -> TimeWindow:
    """The slot every reach trip must fit: the first Tuesday after the period starts, 9 h–12 h (Paris)."""
    day = period + timedelta(days=(REFERENCE_WEEKDAY - period.weekday()) % 7)
    start = datetime.combine(day, REFERENCE_HOURS[0], tzinfo=PARIS)
    return TimeWindow(start, datetime.combine(day, REFERENCE_HOURS[1], tzinfo=PARIS))


@dataclass(frozen=True, slots=True)
class Family:
    slug: str
    label: str
    needs: tuple[NeedRequest, ...]


def need_families() -> list[Family]:
    """Families of needs as the catalogue groups them (its life events)."""
    from carteblanche.orientation.selectors import need_request

    groups: dict[str, list[Need]] = defaultdict(list)
    for need in Need.objects.order_by("slug"):
        groups[need.life_event or "autres"].append(need)
    return [
        Family(slugify(label), label, tuple(need_request(need) for need in needs))
        for label, needs in sorted(groups.items())
    ]


def territory_areas(territory: Territory) -> list[reach.Area]:
    communes = territory.communes.exclude(latitude__isnull=True).select_related("epci").order_by("code")
    return [
        reach.Area(c.code, c.name, Point(c.latitude, c.longitude), c.population or 0, c.epci_id or "") for c in communes
    ]


def _rows_for_reach(
    territory: Territory,
    period: date,
    areas: list[reach.Area],
    family: Family,
    profile: reach.Profile,
    accesses: list[reach.Access],
    epci_names: dict[str, str],
) -> list[IndicatorValue]:
    rows = []
    base = {"famille": family.slug, "profil": profile.value}
    for area, access in zip(areas, accesses, strict=True):
        ways = {str(t): access.way(t).value for t in reach.THRESHOLDS_MINUTES}
        rows.append(
            _value(
                "acces",
                territory,
                period,
                AreaKind.COMMUNE,
                area.code,
                area.name,
                base,
                access.minutes,
                extra={"ways": ways, "population": area.population, "epci": area.epci_code},
            )
        )
    groups = [(AreaKind.TERRITORY, territory.slug, territory.name, list(range(len(areas))))]
    by_epci: dict[str, list[int]] = defaultdict(list)
    for index, area in enumerate(areas):
        if area.epci_code:
            by_epci[area.epci_code].append(index)
    groups += [(AreaKind.EPCI, code, epci_names.get(code, code), idx) for code, idx in sorted(by_epci.items())]
    for kind, code, name, indexes in groups:
        sub_areas = [areas[i] for i in indexes]
        sub_access = [accesses[i] for i in indexes]
        for threshold in reach.THRESHOLDS_MINUTES:
            for measure, in_person in (("sur-place", True), ("total", False)):
                share = reach.population_share(sub_areas, sub_access, threshold, in_person=in_person)
                dims = {**base, "seuil": threshold, "mesure": measure}
                rows.append(
                    _value(
                        "acces",
                        territory,
                        period,
                        kind,
                        code,
                        name,
                        dims,
                        share.ratio,
                        numerator=share.reached,
                        denominator=share.population,
                    )
                )
    return rows


def _value(
    indicator: str,
    territory: Territory,
    period: date,
    kind: str,
    code: str,
    name: str,
    dims: dict,
    value: float | None,
    *,
    numerator: float | None = None,
    denominator: float | None = None,
    extra: dict | None = None,
) -> IndicatorValue:
    return IndicatorValue(
        indicator=indicator,
        territory_slug=territory.slug,
        area_kind=kind,
        area_code=code,
        area_name=name,
        key=dims_key(dims),
        dims=dims,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        extra=extra or {},
    )


def reach_values(
    territory: Territory,
    period: date,
    *,
    offers: list[ServiceOffer],
    context: MobilityContext,
    families: list[Family],
    progress: Callable[[str], None] = lambda _step: None,
) -> list[IndicatorValue]:
    areas = territory_areas(territory)
    window = reference_window(period)
    epci_names = dict(Commune.objects.filter(code__in=[a.code for a in areas]).values_list("epci_id", "epci__name"))
    rows: list[IndicatorValue] = []
    reachables = [reach.reachable(reach.competent_offers(offers, family.needs)) for family in families]
    progress("Accès aux services")
    matrices = reach.access_matrices(areas, reachables, list(reach.Profile), context, window)
    for profile, matrix in matrices.items():
        for family, accesses in zip(families, matrix, strict=True):
            rows += _rows_for_reach(territory, period, areas, family, profile, accesses, epci_names)
    return rows


CATCHMENT_MINUTES = 20
CATCHMENT_PROFILES = (reach.Profile.CAR, reach.Profile.NO_CAR)


def weekly_hours(rule: str, period: date) -> float | None:
    """Opening hours in the first full week (Monday to Sunday) of the period; None when unknown."""
    monday = period + timedelta(days=(7 - period.weekday()) % 7)
    slots = hours.open_slots(rule, datetime.combine(monday, time(0), tzinfo=PARIS), days=7)
    if slots is None:
        return None
    return sum((slot.end - slot.start).total_seconds() for slot in slots) / 3600


def capacity_values(
    territory: Territory, period: date, *, offers: list[ServiceOffer], context: MobilityContext
) -> list[IndicatorValue]:
    """2SFCA per commune for the generalist counters (France Services, digital-inclusion advisers)
    with known hours, their weekly hours as capacity, trips of the reach indicator, 20 minutes."""
    counters: dict[str, tuple[Point, str, float]] = {}
    for offer in offers:
        if not offer.is_accompaniment:
            continue
        for channel in offer.channels:
            if channel.kind != "counter" or channel.location is None:
                continue
            weekly = weekly_hours(channel.hours or channel.location.hours, period)
            if weekly:  # unknown or closed all week: no capacity to share
                location = channel.location
                known = counters.get(location.key)
                counters[location.key] = (location.point, location.commune_code, max(weekly, known[2] if known else 0))
    areas = territory_areas(territory)
    window = reference_window(period)
    populations = [area.population for area in areas]
    capacities = [weekly for _point, _commune, weekly in counters.values()]
    total_population = sum(populations)
    rows = []
    for profile in CATCHMENT_PROFILES:
        minutes = []
        for area in areas:
            planner = context.planner(origin=area.point, origin_commune=area.code, means=reach.PROFILE_MEANS[profile])
            minutes.append(
                [
                    reach.quickest_minutes(planner, area.point, (point, commune), window)
                    for point, commune, _ in counters.values()
                ]
            )
        scores = catchment.two_step_fca(populations, capacities, minutes, CATCHMENT_MINUTES)
        dims = {"profil": profile.value, "seuil": CATCHMENT_MINUTES}
        for area, score in zip(areas, scores, strict=True):
            rows.append(
                _value(
                    "capacite",
                    territory,
                    period,
                    AreaKind.COMMUNE,
                    area.code,
                    area.name,
                    dims,
                    score,
                    extra={"population": area.population},
                )
            )
        mean = (
            sum(s * p for s, p in zip(scores, populations, strict=True)) / total_population
            if total_population
            else None
        )
        rows.append(
            _value(
                "capacite",
                territory,
                period,
                AreaKind.TERRITORY,
                territory.slug,
                territory.name,
                dims,
                mean,
                extra={"counters": len(counters), "weekly_hours": round(sum(capacities), 1)},
            )
        )
    return rows


def follow_through_values(territory: Territory, period: date) -> list[IndicatorValue]:
    """Referrals sent in the month by structures of the territory, by partner, by need and in all."""
    from carteblanche.referrals.models import Referral

    start = datetime.combine(period, time(0), tzinfo=PARIS)
    end = datetime.combine(_next_month(period), time(0), tzinfo=PARIS)
    ids = _territory_structures(territory)
    codes = list(territory.communes.values_list("code", flat=True))
    referrals = list(
        Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .filter(Q(from_structure_id__in=ids) | Q(to_structure_id__in=ids) | Q(case__commune_code__in=codes))
        .select_related("to_structure")
        .distinct()
    )
    now = timezone.now()
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for referral in referrals:
        groups[("tous", "", "")].append(referral)
        groups[("partenaire", str(referral.to_structure_id), referral.to_structure.name)].append(referral)
        groups[("besoin", referral.need_id or "", referral.need_label)].append(referral)
    rows = []
    for (by, code, name), members in sorted(groups.items()):
        stats = _follow_stats(members, now)
        dims = {"par": by, "code": code} if by != "tous" else {"par": by}
        rows.append(
            _value(
                "suivi-orientations",
                territory,
                period,
                AreaKind.TERRITORY,
                territory.slug,
                name or territory.name,
                dims,
                stats["sent"],
                extra=stats,
            )
        )
    return rows


def procedure_values(territory: Territory, period: date) -> list[IndicatorValue]:
    """Procedures done at the desk in the month by structures of the territory: per structure and theme,
    per structure, and in all (read through desk.selectors.procedures_per_month, counts only)."""
    from carteblanche.desk.selectors import procedures_per_month

    counts = procedures_per_month(
        structure_ids=_territory_structures(territory), since=period, until=_next_month(period)
    )
    groups: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for row in counts:
        structure = str(row["structure_id"])
        groups[("tous", "", "", territory.name)] += row["count"]
        groups[("structure", structure, "", row["structure"])] += row["count"]
        groups[("structure-theme", structure, row["theme"], row["structure"])] += row["count"]
    rows = []
    for (by, structure, theme, name), count in sorted(groups.items()):
        dims = {"par": by} | ({"structure": structure} if structure else {}) | ({"theme": theme} if theme else {})
        rows.append(
            _value("demarches-guichet", territory, period, AreaKind.TERRITORY, territory.slug, name, dims, count)
        )
    return rows


def _follow_stats(members: list, now: datetime) -> dict:
    from carteblanche.referrals.selectors import deadlines
    from carteblanche.referrals.workflow import Status

    sent = len(members)
    ack_in_time = answered_in_time = expired = 0
    ack_days: list[float] = []
    answer_days: list[float] = []
    counts = {"acceptees": 0, "refusees": 0, "reorientees": 0, "cloturees": 0}
    accepted_states = {Status.ACCEPTED, Status.APPOINTMENT_SET, Status.DONE}
    for referral in members:
        limits = deadlines(referral)
        if referral.acknowledged_at:
            ack_days.append((referral.acknowledged_at - referral.sent_at).total_seconds() / 86400)
            ack_in_time += referral.acknowledged_at <= limits["acknowledge_by"]
        if referral.answered_at:
            answer_days.append((referral.answered_at - referral.sent_at).total_seconds() / 86400)
            answered_in_time += referral.answered_at <= limits["answer_by"]
        elif limits["answer_by"] <= now:
            expired += 1
        status = Status(referral.status)
        if status in accepted_states or (
            status is Status.CLOSED and referral.answered_at and not referral.refusal_reason
        ):
            counts["acceptees"] += 1
        if status is Status.REFUSED or referral.refusal_reason:
            counts["refusees"] += 1
        if status is Status.REDIRECTED or referral.redirect_structure_id:
            counts["reorientees"] += 1
        if status is Status.CLOSED:
            counts["cloturees"] += 1
    return {
        "sent": sent,
        "accuse_dans_le_delai": ack_in_time,
        "reponse_dans_le_delai": answered_in_time,
        "expirees": expired,
        **counts,
        "delai_median_accuse_jours": round(statistics.median(ack_days), 1) if ack_days else None,
        "delai_median_reponse_jours": round(statistics.median(answer_days), 1) if answer_days else None,
    }


def satisfaction_values(territory: Territory, period: date) -> list[IndicatorValue]:
    """Survey answers of the month, by receiving partner and by appointment channel (counts kept raw
    here; pages and exports apply the small-cell rule)."""
    from carteblanche.referrals.models import SatisfactionResponse

    start = datetime.combine(period, time(0), tzinfo=PARIS)
    end = datetime.combine(_next_month(period), time(0), tzinfo=PARIS)
    ids = _territory_structures(territory)
    answers = list(
        SatisfactionResponse.objects.filter(at__gte=start, at__lt=end)
        .filter(Q(to_structure_id__in=ids) | Q(from_structure_id__in=ids))
        .select_related("to_structure", "referral")
    )
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for answer in answers:
        groups[("tous", "", "")].append(answer)
        if answer.to_structure_id:
            groups[("partenaire", str(answer.to_structure_id), answer.to_structure.name)].append(answer)
        channel = answer.referral.appointment_channel if answer.referral_id else ""
        groups[("canal", channel or "inconnu", channel or "canal inconnu")].append(answer)
    rows = []
    for (by, code, name), members in sorted(groups.items()):
        satisfied = sum(a.satisfaction in ("very", "rather") for a in members)
        got_answer = sum(a.got_answer == "yes" for a in members)
        dims = {"par": by, "code": code} if by != "tous" else {"par": by}
        rows.append(
            _value(
                "satisfaction",
                territory,
                period,
                AreaKind.TERRITORY,
                territory.slug,
                name or territory.name,
                dims,
                satisfied / len(members),
                numerator=satisfied,
                denominator=len(members),
                extra={"reponses": len(members), "satisfaits": satisfied, "reponse_obtenue": got_answer},
            )
        )
    return rows


def freshness_values(territory: Territory, period: date, families: list[Family], offers: list[ServiceOffer]) -> list:
    """Share of the services answering each family whose source is younger than 12 months."""
    today = min(timezone.localdate(), _next_month(period) - timedelta(days=1))
    rows = []
    for family in [Family("toutes", "toutes familles", ()), *families]:
        members = offers if not family.needs else reach.competent_offers(offers, family.needs)
        fresh = sum(
            1
            for offer in members
            if offer.verified_on and not freshness.is_stale(date.fromisoformat(offer.verified_on), today)
        )
        total = len(members)
        rows.append(
            _value(
                "fraicheur",
                territory,
                period,
                AreaKind.TERRITORY,
                territory.slug,
                territory.name,
                {"famille": family.slug},
                None if total == 0 else fresh / total,
                numerator=fresh,
                denominator=total,
                extra={"label": family.label},
            )
        )
    return rows


def unmet_values(territory: Territory, period: date) -> list[IndicatorValue]:
    """Plans and searches of the month per commune, need and surface, and how many found nothing
    usable (no option, or only options with unknown hours)."""
    from carteblanche.observatory.models import AnswerCount

    names = dict(territory.communes.values_list("code", "name"))
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    month = AnswerCount.objects.filter(day__gte=period, day__lt=_next_month(period), commune_code__in=list(names))
    for row in month.values("commune_code", "need_slug", "surface", "outcome").annotate(n=Sum("count")):
        counts[(row["commune_code"], row["need_slug"], row["surface"])][row["outcome"]] = row["n"]
    rows = []
    for (code, need, surface), outcomes in sorted(counts.items()):
        total = outcomes.get("total", 0)
        unmet = outcomes.get("aucune", 0) + outcomes.get("a-confirmer", 0)
        rows.append(
            _value(
                "besoins-non-couverts",
                territory,
                period,
                AreaKind.COMMUNE,
                code,
                names[code],
                {"besoin": need, "surface": surface},
                unmet / total if total else None,
                numerator=unmet,
                denominator=total,
                extra={"aucune": outcomes.get("aucune", 0), "a_confirmer": outcomes.get("a-confirmer", 0)},
            )
        )
    return rows


def non_take_up_values(territory: Territory, period: date) -> list[IndicatorValue]:
    """The latest batch estimates of likely-eligible households (rights app), per commune and benefit."""
    from carteblanche.observatory.models import KnownClaimants
    from carteblanche.rights.models import EligibilityEstimate

    known = {
        (row.commune_id, row.benefit): row
        for row in KnownClaimants.objects.filter(territory_slug=territory.slug, period__lte=period).order_by("period")
    }  # the latest count at or before the period wins
    latest = (
        EligibilityEstimate.objects.filter(territory_slug=territory.slug)
        .order_by("-month")
        .values_list("month", flat=True)
    ).first()
    if latest is None:
        return []
    rows = []
    estimates = EligibilityEstimate.objects.filter(territory_slug=territory.slug, month=latest).select_related(
        "commune"
    )
    for estimate in estimates.order_by("commune_id", "benefit"):
        rows.append(
            _value(
                "non-recours",
                territory,
                period,
                AreaKind.COMMUNE,
                estimate.commune_id,
                estimate.commune.name,
                {"prestation": estimate.benefit},
                estimate.eligible_households,
                numerator=estimate.eligible_households,
                denominator=estimate.households,
                extra={
                    "mois_simule": estimate.month,
                    "part_eligible": estimate.eligible_share,
                    "menages_simules": estimate.simulated_households,
                    "montant_moyen": estimate.mean_amount,
                    "openfisca_france": estimate.openfisca_france_version,
                    **_known(known.get((estimate.commune_id, estimate.benefit))),
                },
            )
        )
    return rows


def _known(row) -> dict:
    if row is None:
        return {}
    return {
        "beneficiaires_connus": row.households,
        "source_beneficiaires": row.source,
        "mois_beneficiaires": f"{row.period:%Y-%m}",
    }


def _territory_structures(territory: Territory) -> set[int]:
    """Structures with a place in the territory (partners without a local place count through the other side)."""
    return set(
        Place.objects.filter(commune__in=territory.communes.all()).values_list("structure_id", flat=True).distinct()
    )


def _next_month(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)


def compute_indicators(
    *,
    territory: Territory,
    period: date | None = None,
    offers: list[ServiceOffer] | None = None,
    context: MobilityContext | None = None,
    progress: Callable[[ComputationRun], None] | None = None,
) -> ComputationRun:
    """Compute and store every indicator of the territory for the period's month; the run says how far it is."""
    from carteblanche.orientation.selectors import all_service_offers, get_mobility

    period = month_start(period or timezone.localdate())
    offers = all_service_offers() if offers is None else offers
    context = get_mobility() if context is None else context
    families = need_families()
    run = ComputationRun.objects.create(territory_slug=territory.slug, period=period, total_steps=6)

    def step(label: str) -> None:
        run.step = label
        run.done_steps += 1
        ComputationRun.objects.filter(pk=run.pk).update(step=label, done_steps=run.done_steps)
        if progress:
            progress(run)

    try:
        rows = reach_values(territory, period, offers=offers, context=context, families=families, progress=step)
        step("Accessibilité pondérée par les horaires (2SFCA)")
        rows += capacity_values(territory, period, offers=offers, context=context)
        step("Suivi des orientations")
        rows += follow_through_values(territory, period)
        rows += procedure_values(territory, period)
        step("Satisfaction")
        rows += satisfaction_values(territory, period)
        step("Fraîcheur des informations")
        rows += freshness_values(territory, period, families, offers)
        step("Non-recours et besoins non couverts")
        rows += non_take_up_values(territory, period)
        rows += unmet_values(territory, period)
        with transaction.atomic():
            IndicatorValue.objects.filter(territory_slug=territory.slug, period=period).delete()
            IndicatorValue.objects.bulk_create(rows, batch_size=500)
    except Exception as error:
        ComputationRun.objects.filter(pk=run.pk).update(
            state=ComputationRun.State.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    ComputationRun.objects.filter(pk=run.pk).update(
        state=ComputationRun.State.DONE, finished_at=timezone.now(), values_written=len(rows), step=""
    )
    run.refresh_from_db()
    return run

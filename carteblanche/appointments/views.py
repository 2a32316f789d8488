"""Booking pages: the receiving structure's slots, the sending agent's booking, the person's cancel. Thin."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carteblanche.accounts.permissions import structure_ids
from carteblanche.appointments import actions, forms, selectors
from carteblanche.directory.models import Place, Structure
from carteblanche.referrals import selectors as referral_selectors
from carteblanche.referrals.views import _add_errors, _case_for_edit, act_on_follow_link, agent_required


def _own_structures(user: Any):
    return Structure.objects.filter(pk__in=structure_ids(user)).order_by("name")


@agent_required
@require_http_methods(["GET", "POST"])
def slots(request: HttpRequest) -> HttpResponse:
    """The receiving structure publishes slots (one by one or from hours) and records no-shows."""
    structures = _own_structures(request.user)
    for prefix in ("one", "hours"):
        posted = request.POST.get(f"{prefix}-structure")
        if posted is not None and posted not in {str(s.pk) for s in structures}:
            raise PermissionDenied("Seule la structure qui reçoit gère ses créneaux.")
    rules = list(
        Place.objects.filter(structure__in=structures).exclude(opening_hours="").values_list("opening_hours", flat=True)
    )
    slot_form = forms.SlotForm(request.POST if "add" in request.POST else None, structures=structures, prefix="one")
    hours_form = forms.HoursForm(
        request.POST if "hours" in request.POST else None,
        structures=structures,
        prefix="hours",
        initial={"rule": rules[0] if rules else ""},
    )
    try:
        if "add" in request.POST and slot_form.is_valid():
            data = slot_form.cleaned_data
            start = timezone.make_aware(data["start"]) if timezone.is_naive(data["start"]) else data["start"]
            actions.add_slot(
                actor=request.user,
                structure_id=data["structure"],
                kind=data["kind"],
                start=start,
                end=start + timezone.timedelta(minutes=data["minutes"]),
            )
            messages.success(request, "Créneau ajouté.")
            return redirect("appointments:slots")
        if "hours" in request.POST and hours_form.is_valid():
            data = hours_form.cleaned_data
            created = actions.publish_from_hours(
                actor=request.user,
                structure_id=data["structure"],
                rule=data["rule"],
                kind=data["kind"],
                start=timezone.now(),
                days=data["days"],
                minutes=data["minutes"],
            )
            messages.success(request, f"{created} créneau(x) publié(s) à partir des horaires.")
            return redirect("appointments:slots")
    except ValidationError as error:
        _add_errors(slot_form if "add" in request.POST else hours_form, error)
    context = {
        "rows": selectors.structure_board(request.user, timezone.now()),
        "slot_form": slot_form,
        "hours_form": hours_form,
        "title": "Créneaux de rendez-vous et de rappel",
    }
    return render(request, "appointments/slots.html", context)


@agent_required
@require_POST
def outcome(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        actions.record_outcome(actor=request.user, booking_id=booking_id, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Résultat du rendez-vous enregistré.")
    return redirect("appointments:slots")


@agent_required
@require_POST
def withdraw(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        actions.withdraw_slot(actor=request.user, slot_id=slot_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Créneau retiré : il n'est plus proposé.")
    return redirect("appointments:slots")


@agent_required
@require_POST
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        actions.cancel_by_structure(actor=request.user, booking_id=booking_id, reason=request.POST.get("motif", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Rendez-vous annulé : la personne est prévenue, le créneau est de nouveau libre.")
    return redirect("appointments:slots")


@agent_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, case_id) -> HttpResponse:
    """The sending agent books, for the person, a slot of a structure she consented to share with."""
    case = _case_for_edit(request, case_id)
    referral_selectors.audited_case(actor=request.user, case=case, reason="réservation d'un créneau")
    consents = list(selectors.bookable_consents(case))
    chosen = next((c for c in consents if str(c.recipient_id) == request.GET.get("structure", "")), None)
    slots, filtered = selectors.slots_for_person(case, chosen.recipient_id, timezone.now()) if chosen else ([], False)
    form = forms.BookForm(request.POST or None, slots=slots) if chosen else None
    if chosen and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = actions.book(
                actor=request.user,
                case=case,
                slot_id=data["slot"],
                consent_id=chosen.pk,
                notify=data.get("notify") or "",
                note=data.get("note") or "",
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Réservé : {booking.slot.label} avec {booking.slot.structure.name}.")
            return redirect("referrals:case_detail", case.pk)
    context = {
        "case": case,
        "consents": consents,
        "chosen": chosen,
        "filtered": filtered,
        "form": form,
        "bookings": selectors.for_case(case),
        "title": f"Réserver un créneau pour {case.display_name}",
    }
    return render(request, "appointments/book.html", context)


@require_POST
def follow_cancel(request: HttpRequest, token: str, booking_id: int) -> HttpResponse:
    return act_on_follow_link(
        request,
        token,
        lambda link: actions.cancel_by_person(link=link, booking_id=booking_id),
        "Votre rendez-vous est annulé. La structure en est informée sur sa page.",
    )

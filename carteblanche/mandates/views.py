"""Mandate pages: record, print (one page), act under, revoke (structure or person). Thin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from carteblanche.accounts.permissions import structure_ids
from carteblanche.mandates import actions, forms
from carteblanche.mandates.models import Mandate
from carteblanche.referrals import selectors as referral_selectors
from carteblanche.referrals.views import _add_errors, _case_for_edit, act_on_follow_link, agent_required


def _own_mandate(request: HttpRequest, mandate_id: int) -> Mandate:
    mandate = Mandate.objects.select_related("case", "structure", "agent").filter(pk=mandate_id).first()
    if mandate is None or mandate.structure_id not in structure_ids(request.user):
        raise Http404("Mandat introuvable.")
    return mandate


@agent_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, case_id) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    referral_selectors.audited_case(actor=request.user, case=case, reason="mandat : formulaire")  # shows the name
    form = forms.MandateForm(request.POST or None, documents=case.documents.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mandate = actions.create_mandate(
                actor=request.user,
                case=case,
                domains=data["domains"],
                duration=data["duration"],
                method=data["method"],
                document_id=data.get("document"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Mandat enregistré. Imprimez-le pour la personne.")
            return redirect("mandates:detail", mandate.pk)
    return render(
        request, "mandates/form.html", {"case": case, "form": form, "title": f"Mandat de {case.display_name}"}
    )


@agent_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """The one-page mandate (printable) and, while active, the form to record a procedure done under it."""
    mandate = _own_mandate(request, mandate_id)
    referral_selectors.audited_case(actor=request.user, case=mandate.case, reason=f"mandat n° {mandate.pk}")
    form = forms.ActForm(request.POST or None, mandate=mandate)
    if request.method == "POST" and form.is_valid():
        try:
            actions.act_under_mandate(
                actor=request.user,
                mandate_id=mandate.pk,
                domain=form.cleaned_data["domain"],
                what=form.cleaned_data["what"],
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Démarche enregistrée au journal, avec ce mandat.")
            return redirect("mandates:detail", mandate.pk)
        mandate.refresh_from_db()
    return render(
        request, "mandates/detail.html", {"mandate": mandate, "form": form, "title": f"Mandat n° {mandate.pk}"}
    )


@agent_required
@require_POST
def revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    mandate = _own_mandate(request, mandate_id)
    actions.revoke_by_structure(actor=request.user, mandate_id=mandate.pk)
    messages.success(request, "Mandat révoqué.")
    return redirect("mandates:detail", mandate.pk)


@require_POST
def follow_revoke(request: HttpRequest, token: str, mandate_id: int) -> HttpResponse:
    return act_on_follow_link(
        request,
        token,
        lambda link: actions.revoke_by_person(link=link, mandate_id=mandate_id),
        "Le mandat est révoqué : plus personne ne peut agir pour vous avec lui.",
    )

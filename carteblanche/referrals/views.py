"""Agent pages of the accompaniment and the person's private follow-up page. Thin: forms, one action, render."""

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carteblanche.accounts import permissions as roles
from carteblanche.core.audit import record_audit, record_reads
from carteblanche.core.http import count_for_hourly_limit, over_hourly_limit
from carteblanche.core.models import AuditEntry
from carteblanche.core.situations import current_situation
from carteblanche.referrals import actions, forms, permissions, selectors, sharing
from carteblanche.referrals.models import CaseFile, Consent, ContactPreference, Document, Notification, Referral
from carteblanche.referrals.workflow import LABELS, InvalidTransition, Side, Status, allowed_targets

Action = AuditEntry.Action


def agent_required(view):
    """Logged in and working in a structure (agent or manager)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.is_agent(request.user):
            raise PermissionDenied("Réservé aux agents des structures partenaires.")
        return view(request, *args, **kwargs)

    return wrapper


_DESK_VISIT = re.compile(r"/guichet/visite/[0-9a-f-]{36}/(\?simulation=[0-9a-f-]{0,36})?")


def desk_follow_on(raw: str) -> str:
    """Where "Ouvrir un dossier" from the desk returns: only the path of a desk visit (no open redirect)."""
    return raw if _DESK_VISIT.fullmatch(raw) else ""


def _case_for_read(request: HttpRequest, case_id: Any) -> tuple[CaseFile, frozenset[str]]:
    case = CaseFile.objects.select_related("structure", "situation").filter(pk=case_id).first()
    if case is None:
        raise Http404("Dossier introuvable.")
    scopes = permissions.case_scopes(request.user, case)
    if not scopes:
        raise Http404("Dossier introuvable.")  # do not reveal that it exists
    return case, scopes


def _case_for_edit(request: HttpRequest, case_id: Any) -> CaseFile:
    case, _ = _case_for_read(request, case_id)
    if not permissions.can_edit_case(request.user, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut le modifier.")
    return case


def _add_errors(form, error: ValidationError | InvalidTransition) -> None:
    errors = error.errors if isinstance(error, InvalidTransition) else error.message_dict
    for field, message in errors.items():
        messages_list = message if isinstance(message, list) else [message]
        for text in messages_list:
            form.add_error(field if field in form.fields else None, text)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"title": "Accompagnement", "roles": roles.roles_of(user)}
    if roles.is_agent(user):
        context.update(selectors.referral_board(user))
        context["cases"] = list(
            CaseFile.objects.filter(structure_id__in=roles.structure_ids(user), anonymised_at__isnull=True)
            .select_related("structure")
            .order_by("-updated_at")[:50]
        )
        context["notifications"] = list(Notification.objects.filter(recipient=user, read_at__isnull=True)[:20])
        # The names listed are reads of those files: journaled (those shown without identity are not).
        shown = context["cases"] + [
            referral.case
            for referral in context["incoming"] + context["outgoing"]
            if referral.person_label == referral.case.display_name
        ]
        record_reads(actor=user, objects=shown, reason="tableau de bord (liste des dossiers)")
    if roles.is_coordinator(user):
        context["aggregates"] = selectors.aggregates()
        context["all_stuck"] = selectors.stuck_referrals()
    return render(request, "referrals/dashboard.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    structures = roles.structure_ids(request.user)
    situation = current_situation(request)
    follow_on = desk_follow_on(request.GET.get("suite") or request.POST.get("suite") or "")
    form = forms.CaseForm(request.POST or None)
    attach = forms.AttachSituationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and attach.is_valid():
        data = form.cleaned_data
        profile = situation.section("profile") if situation else {}
        if not data.get("commune_code") and profile.get("commune_code"):
            data["commune_code"] = profile["commune_code"]
        try:
            case = actions.create_case(
                actor=request.user,
                structure_id=min(structures),
                data=data,
                situation=situation if attach.cleaned_data["attach_situation"] else None,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Dossier créé. Étape suivante : recueillir le consentement avant d'orienter.")
            return redirect(follow_on or reverse("referrals:case_detail", args=[case.pk]))
    context = {"form": form, "situation": situation, "title": "Nouveau dossier", "follow_on": follow_on}
    return render(request, "referrals/case_form.html", context)


def _shared_answers(request: HttpRequest, case: CaseFile, scopes, referrals) -> dict[str, Any] | None:
    """The answers a reader sees: all for the structure that follows the person; for a receiving
    partner, only those relevant to the needs of the referrals it received (referrals.sharing)."""
    if not case.situation_id or "situation" not in scopes:
        return None
    if permissions.owns_case(request.user, case):
        return case.situation.answers
    return sharing.answers_for_needs(case.situation.answers, [r.need_id for r in referrals])


@agent_required
def case_detail(request: HttpRequest, case_id) -> HttpResponse:
    case, scopes = _case_for_read(request, case_id)
    selectors.audited_case(actor=request.user, case=case, reason=request.GET.get("motif") or "consultation du dossier")
    owner = permissions.owns_case(request.user, case)
    referrals = case.referrals.select_related("to_structure", "from_structure")
    if not owner:
        referrals = referrals.filter(to_structure_id__in=roles.structure_ids(request.user))
    label = permissions.person_label(case, scopes)
    context = {
        "case": case,
        "scopes": scopes,
        "person_label": label,
        "owner": owner,
        "can_erase": permissions.can_erase_case(request.user, case),
        "consents": case.consents.select_related("recipient", "witness") if owner else [],
        "documents": case.documents.all() if "documents" in scopes else [],
        "referrals": referrals,
        "situation": _shared_answers(request, case, scopes, referrals),
        "document_form": forms.DocumentForm(),
        "title": f"Dossier de {label}",
    }
    return render(request, "referrals/case_detail.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    selectors.audited_case(actor=request.user, case=case, reason="formulaire de rectification")
    form = forms.RectifyForm(request.POST or None, initial=forms.RectifyForm.initial_from(case))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        version = data.pop("version")
        try:
            actions.update_case(actor=request.user, case=case, data=data, reason=reason, expected_version=version)
        except ValidationError as error:
            _add_errors(form, error)
        except actions.CaseModifiedConcurrently as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Dossier modifié.")
            return redirect("referrals:case_detail", case.pk)
    return render(request, "referrals/case_edit.html", {"form": form, "case": case, "title": "Modifier le dossier"})


def _witnesses(case: CaseFile, user):
    from carteblanche.referrals.notifications import structure_members

    return structure_members(case.structure_id).exclude(pk=user.pk)


@agent_required
@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, case_id) -> HttpResponse:
    """Record consent; when it was asked for a draft referral, that referral is sent right after."""
    case = _case_for_edit(request, case_id)
    selectors.audited_case(actor=request.user, case=case, reason="formulaire de consentement")
    pending = None
    if request.GET.get("orientation"):
        pending = Referral.objects.filter(pk=request.GET["orientation"], case=case, status=Status.DRAFT).first()
    initial = {"scope": ["identity", "situation", "needs"]}
    if pending:
        initial.update(recipient=pending.to_structure_id, purpose=f"Étudier la demande : {pending.need_label}")
    form = forms.ConsentForm(
        request.POST or None,
        initial=initial,
        own_structure_id=case.structure_id,
        witnesses=_witnesses(case, request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        witness = None
        if data.get("witness"):
            witness = _witnesses(case, request.user).filter(pk=data["witness"]).first()
        try:
            with transaction.atomic():
                consent = actions.record_consent(
                    actor=request.user,
                    case=case,
                    recipient_id=data["recipient"],
                    scope=data["scope"],
                    purpose=data["purpose"],
                    method=data["method"],
                    given_at=data["given_at"],
                    witness=witness,
                )
                if pending and pending.to_structure_id == consent.recipient_id:
                    actions.transition_referral(
                        actor=request.user,
                        referral_id=pending.pk,
                        expected_version=pending.version,
                        target=Status.SENT,
                        data={"consent": consent.pk},
                    )
                    messages.success(request, f"Consentement enregistré et orientation envoyée à {consent.recipient}.")
                    return redirect("referrals:referral_detail", pending.pk)
        except (ValidationError, InvalidTransition) as error:
            _add_errors(form, error)
        except actions.ConcurrentModification as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Consentement enregistré.")
            return redirect("referrals:case_detail", case.pk)
    context = {"form": form, "case": case, "pending": pending, "title": "Consentement"}
    return render(request, "referrals/consent_form.html", context)


@agent_required
@require_POST
def consent_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = get_object_or_404(Consent.objects.select_related("case"), pk=consent_id)
    _case_for_edit(request, consent.case_id)
    try:
        actions.revoke_consent(actor=request.user, consent=consent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Consentement retiré : le partenaire n'a plus accès au dossier.")
    return redirect("referrals:case_detail", consent.case_id)


@agent_required
@require_POST
def document_upload(request: HttpRequest, case_id) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_document(
                actor=request.user, case=case, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Pièce ajoutée.")
    else:
        messages.error(request, "Choisissez le type de pièce et un fichier.")
    return redirect("referrals:case_detail", case.pk)


@agent_required
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=document_id)
    case, scopes = _case_for_read(request, document.case_id)
    if "documents" not in scopes:
        raise Http404("Pièce introuvable.")
    record_audit(actor=request.user, action=Action.READ, obj=document, details={"case": str(case.pk)})
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@agent_required
@require_POST
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=document_id)
    _case_for_edit(request, document.case_id)
    actions.delete_document(actor=request.user, document=document)
    messages.success(request, "Pièce retirée.")
    return redirect("referrals:case_detail", document.case_id)


@login_required
def case_export(request: HttpRequest, case_id) -> HttpResponse:
    """RGPD right of access: the owning structure or the data steward."""
    case = CaseFile.objects.select_related("structure", "situation").filter(pk=case_id).first()
    if case is None or not permissions.can_export_case(request.user, case):
        raise Http404("Dossier introuvable.")
    record_audit(actor=request.user, action=Action.EXPORT, obj=case, reason="droit d'accès (RGPD)")
    data = selectors.export_case(case)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="dossier-{case.pk}.json"'
        return response
    return render(request, "referrals/case_export.html", {"data": data, "case": case, "title": "Export du dossier"})


@login_required
@require_http_methods(["GET", "POST"])
def case_erase(request: HttpRequest, case_id) -> HttpResponse:
    case = CaseFile.objects.select_related("structure").filter(pk=case_id).first()
    if case is None or not permissions.can_erase_case(request.user, case):
        raise Http404("Dossier introuvable.")
    form = forms.EraseForm(request.POST or None)
    if request.method == "GET":
        selectors.audited_case(actor=request.user, case=case, reason="page d'effacement")
    if request.method == "POST" and form.is_valid():
        actions.erase_case(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        messages.success(request, "Le dossier et ses pièces ont été effacés.")
        return redirect("referrals:dashboard")
    return render(request, "referrals/case_erase.html", {"form": form, "case": case, "title": "Effacer le dossier"})


@agent_required
@require_POST
def case_close(request: HttpRequest, case_id) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    try:
        actions.close_case(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Dossier clos.")
    return redirect("referrals:case_detail", case.pk)


@agent_required
@require_POST
def follow_link_create(request: HttpRequest, case_id) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    link, raw = actions.create_follow_link(actor=request.user, case=case)
    selectors.audited_case(actor=request.user, case=case, reason="lien de suivi créé (page)")
    url = request.build_absolute_uri(f"/accompagnement/suivi/{raw}/")
    context = {"case": case, "link": link, "url": url, "title": "Lien de suivi"}
    return render(request, "referrals/follow_link_created.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, case_id) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    selectors.audited_case(actor=request.user, case=case, reason="formulaire d'orientation")
    need_slug, query = request.GET.get("besoin", "")[:80], request.GET.get("q", "")[:100]
    commune_code = case.commune_code or (
        case.situation.section("profile").get("commune_code", "") if case.situation_id else ""
    )
    groups = selectors.referral_partners(
        need_slug=need_slug, commune_code=commune_code, query=query, exclude={case.structure_id}
    )
    form = forms.ReferralForm(
        request.POST or None,
        own_structure_id=case.structure_id,
        partner_groups=groups,
        initial={"need": need_slug},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consent = (
            case.consents.filter(recipient_id=data["to_structure"], revoked_at__isnull=True)
            .order_by("-given_at")
            .first()
        )
        try:
            with transaction.atomic():
                referral = actions.create_referral(
                    actor=request.user,
                    case=case,
                    to_structure_id=data["to_structure"],
                    need_label=data["need_label"],
                    need_slug=data.get("need") or None,
                    message=data["message"],
                    consent=consent,
                )
                if consent is not None:
                    referral = actions.transition_referral(
                        actor=request.user, referral_id=referral.pk, expected_version=1, target=Status.SENT
                    )
        except (ValidationError, InvalidTransition) as error:
            _add_errors(form, error)
        else:
            if consent is None:
                messages.info(request, "Avant d'envoyer l'orientation, recueillez le consentement de la personne.")
                return redirect(f"/accompagnement/dossiers/{case.pk}/consentement/?orientation={referral.pk}")
            messages.success(request, f"Orientation envoyée à {referral.to_structure}.")
            return redirect("referrals:referral_detail", referral.pk)
    context = {
        "form": form,
        "case": case,
        "title": "Orienter",
        "needs": form.fields["need"].choices[1:],
        "need_slug": need_slug,
        "query": query,
        "found": sum(len(g.options) for g in groups),
    }
    return render(request, "referrals/referral_form.html", context)


def _referral_for(request: HttpRequest, referral_id) -> tuple[Referral, set[Side]]:
    referral = (
        Referral.objects.select_related("case", "from_structure", "to_structure", "consent", "redirect_structure")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("Orientation introuvable.")
    sides = permissions.referral_sides(request.user, referral)
    if not sides:
        raise Http404("Orientation introuvable.")
    return referral, sides


@agent_required
def referral_detail(request: HttpRequest, referral_id) -> HttpResponse:
    referral, sides = _referral_for(request, referral_id)
    case = referral.case
    selectors.audited_case(actor=request.user, case=case, reason=f"consultation de l'orientation {referral.pk}")
    scopes = permissions.case_scopes(request.user, case)
    targets = []
    for side in sorted(sides):
        for target in allowed_targets(referral.status, side):
            if target not in [t["value"] for t in targets]:
                targets.append({"value": target.value, "label": LABELS[target]})
    for target in targets:
        target["form"] = forms.TransitionForm(
            initial={"version": referral.version},
            exclude_structures={referral.from_structure_id, referral.to_structure_id},
            prefix=target["value"],
        )
        target["fields"] = forms.TransitionForm.FIELDS_BY_TARGET.get(target["value"], [])
    context = {
        "referral": referral,
        "case": case,
        "scopes": scopes,
        "sides": {side.value for side in sides},
        "targets": targets,
        "target_values": [target["value"] for target in targets],
        "deadlines": selectors.deadlines(referral),
        "overdue": selectors.overdue_state(referral),
        "transitions": referral.transitions.select_related("author"),
        "messages_list": referral.messages.select_related("author", "structure"),
        "message_form": forms.MessageForm(),
        "situation": _shared_answers(request, case, scopes, [referral]),
        "title": f"Orientation : {referral.need_label}",
    }
    return render(request, "referrals/referral_detail.html", context)


@agent_required
@require_POST
def referral_transition(request: HttpRequest, referral_id) -> HttpResponse:
    referral, _ = _referral_for(request, referral_id)
    target = request.POST.get("target", "")
    form = forms.TransitionForm(
        request.POST, prefix=target, exclude_structures={referral.from_structure_id, referral.to_structure_id}
    )
    if not form.is_valid():
        messages.error(request, "Vérifiez les champs : " + "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("referrals:referral_detail", referral.pk)
    data = {key: form.cleaned_data.get(key) for key in forms.TransitionForm.FIELDS_BY_TARGET.get(target, [])}
    try:
        updated = actions.transition_referral(
            actor=request.user,
            referral_id=referral.pk,
            expected_version=form.cleaned_data["version"],
            target=target,
            data=data,
            note=form.cleaned_data.get("note", ""),
        )
    except actions.ConcurrentModification as error:
        messages.error(request, str(error))
        return redirect("referrals:referral_detail", referral.pk)
    except InvalidTransition as error:
        messages.error(request, " ".join(error.errors.values()))
        return redirect("referrals:referral_detail", referral.pk)
    messages.success(request, f"Orientation passée à « {updated.status_label} ».")
    return redirect("referrals:referral_detail", referral.pk)


@agent_required
@require_POST
def referral_message(request: HttpRequest, referral_id) -> HttpResponse:
    referral, _ = _referral_for(request, referral_id)
    form = forms.MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.post_message(actor=request.user, referral=referral, body=form.cleaned_data["body"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Message envoyé.")
    else:
        messages.error(request, "Écrivez un message (5 000 caractères au plus).")
    return redirect("referrals:referral_detail", referral.pk)


@login_required
def stuck_list(request: HttpRequest) -> HttpResponse:
    """Referrals past their promised delays: the agent's own, or all of them (no names) for a coordinator."""
    if roles.is_coordinator(request.user):
        rows, scope = selectors.stuck_referrals(), "territoire"
    elif roles.is_agent(request.user):
        rows, scope = selectors.stuck_referrals(permissions.visible_referrals(request.user)), "structure"
    else:
        raise PermissionDenied("Réservé aux agents et au coordinateur.")
    return render(request, "referrals/stuck.html", {"rows": rows, "scope": scope, "title": "Orientations en retard"})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("referrals:dashboard")


@login_required
def journal(request: HttpRequest) -> HttpResponse:
    """The audit journal, for the data steward: read-only."""
    if not roles.is_data_steward(request.user):
        raise PermissionDenied("Réservé au référent données personnelles.")
    entries = AuditEntry.objects.select_related("actor")
    if request.GET.get("objet"):
        entries = entries.filter(object_id=request.GET["objet"][:100])
    record_audit(actor=request.user, action=Action.READ, object_type="core.auditentry", object_id="journal")
    return render(request, "referrals/journal.html", {"entries": entries[:300], "title": "Journal des accès"})


# --- the person's private follow-up page (no account) ---


def follow(request: HttpRequest, token: str) -> HttpResponse:
    from carteblanche.appointments import selectors as booking_selectors
    from carteblanche.mandates import selectors as mandate_selectors

    link = actions.resolve_follow_link(token)
    if link is None:
        return render(request, "referrals/follow_invalid.html", {"title": "Lien de suivi"}, status=404)
    rows = selectors.follow_view(link.case)
    record_audit(actor_label="lien de suivi", action=Action.READ, obj=link.case, reason="suivi par la personne")
    from carteblanche.referrals.models import FollowLink

    FollowLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    for row in rows:
        row["survey_form"] = forms.SurveyForm(prefix=str(row["referral"].pk)) if row["can_answer_survey"] else None
    response = render(
        request,
        "referrals/follow.html",
        {
            "rows": rows,
            "link": link,
            "token": token,
            "title": "Le suivi de ma demande",
            "bookings": booking_selectors.for_case(link.case),
            "mandates": mandate_selectors.for_case(link.case),
        },
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer to another site
    response["X-Robots-Tag"] = "noindex"
    return response


def act_on_follow_link(request: HttpRequest, token: str, act: Callable[[Any], Any], done: str) -> HttpResponse:
    """The person's writes through her private link (cancel a booking, revoke a mandate): an unknown
    or expired link gets the invalid-link page (404); the action's refusal is shown on her page."""
    link = actions.resolve_follow_link(token)
    if link is None:
        return render(request, "referrals/follow_invalid.html", {"title": "Lien de suivi"}, status=404)
    try:
        act(link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("referrals:follow", token)


@require_POST
def follow_survey(request: HttpRequest, token: str, referral_id) -> HttpResponse:
    link = actions.resolve_follow_link(token)
    if link is None:
        return render(request, "referrals/follow_invalid.html", {"title": "Lien de suivi"}, status=404)
    form = forms.SurveyForm(request.POST, prefix=str(referral_id))
    if not form.is_valid():
        messages.error(request, "Répondez aux deux questions, puis envoyez.")
        return redirect("referrals:follow", token)
    try:
        actions.record_satisfaction(link=link, referral_id=referral_id, data=form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Merci pour vos réponses !")
    return redirect("referrals:follow", token)


# --- the person's own request (public, no account) --------------------------------------------


def _benefit(code: str) -> Any:
    """The right named in the link from the rights result (a benefit or a right described as data),
    or None for an unknown code."""
    from carteblanche.rights.selectors import claimable_right

    return claimable_right(code)


def _simulation_ref(request: HttpRequest, raw: str | None) -> str:
    """The simulation id if it is this person's own (same session); anything else is ignored, never an error."""
    import uuid

    from carteblanche.core.situations import SESSION_KEY
    from carteblanche.rights.models import Simulation
    from carteblanche.rights.selectors import simulation_visible_to

    try:
        simulation_id = uuid.UUID(str(raw or "")[:40])
    except ValueError:
        return ""
    simulation = Simulation.objects.filter(pk=simulation_id).first()
    if simulation is None:
        return ""
    if not simulation_visible_to(simulation, user=request.user, session_situation_id=request.session.get(SESSION_KEY)):
        return ""
    return str(simulation.pk)


PUBLIC_REQUEST_SCOPE = "referrals:public-request"


def _public_render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, {"title": "Demander à être accompagné(e)", **context}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest) -> HttpResponse:
    """Ask online to be accompanied, for a right not yet claimed or any need; sent only with consent."""
    source = request.POST if request.method == "POST" else request.GET
    benefit = _benefit(source.get("droit", ""))
    simulation_ref = _simulation_ref(request, source.get("simulation"))
    situation = current_situation(request)
    context: dict[str, Any] = {"benefit": benefit}
    label = benefit.label if benefit else ""
    if request.method == "GET":
        from carteblanche.territories.models import Commune
        from carteblanche.territories.selectors import commune_typed

        profile = situation.section("profile") if situation else {}
        commune = Commune.objects.filter(pk=str(profile.get("commune_code") or "")[:5]).first()
        initial = {
            "droit": benefit.code if benefit else "",
            "simulation": simulation_ref,
            "commune": commune_typed(commune) if commune else "",
        }
        form = forms.PublicRequestForm(initial=initial, benefit_label=label)
        return _public_render(request, "referrals/public_request.html", {**context, "form": form, "step": "form"})
    data = request.POST.copy()
    data["droit"] = benefit.code if benefit else ""
    data["simulation"] = simulation_ref
    form = forms.PublicRequestForm(data, benefit_label=label)
    step = request.POST.get("step", "")
    if not form.is_valid() or step not in ("confirm", "send"):
        return _public_render(request, "referrals/public_request.html", {**context, "form": form, "step": "form"})
    cleaned = form.cleaned_data
    nearest = cleaned["france_services"]
    context.update(
        form=form,
        step="confirm",
        nearest=nearest,
        commune=cleaned["commune_obj"],
        situation=situation,
        contact_label=ContactPreference(cleaned["contact_preference"]).label,
    )
    if step == "confirm":
        return _public_render(request, "referrals/public_request.html", context)
    if request.POST.get("structure") != str(nearest["structure"].pk):
        context["notice"] = "La commune a changé : vérifiez l'espace France Services qui recevra votre demande."
        return _public_render(request, "referrals/public_request.html", context)
    if over_hourly_limit(request, PUBLIC_REQUEST_SCOPE, settings.REFERRALS_PUBLIC_REQUESTS_PER_HOUR):
        context["notice"] = "Trop de demandes envoyées depuis cette connexion. Réessayez dans une heure."
        return _public_render(request, "referrals/public_request.html", context, status=429)
    need_parts = [f"Demander : {label}" if label else "", (cleaned.get("need") or "").strip()]
    try:
        case, raw = actions.create_public_request(
            structure_id=nearest["structure"].pk,
            first_name=cleaned["first_name"],
            contact_preference=cleaned["contact_preference"],
            contact_value=cleaned["contact_value"],
            commune_code=cleaned["commune_obj"].code,
            need_label=" — ".join(part for part in need_parts if part),
            need_slugs=list(benefit.needs) if benefit else None,
            consent_given=request.POST.get("consent") == "on",
            situation=situation,
            simulation_id=simulation_ref,
        )
    except ValidationError as error:
        context["consent_error"] = " ".join(error.message_dict.get("consent", []))
        for field, messages_list in error.message_dict.items():
            if field != "consent":
                for text in messages_list:
                    form.add_error(field if field in form.fields else None, text)
        if not context["consent_error"]:
            context["step"] = "form"
        return _public_render(request, "referrals/public_request.html", context)
    count_for_hourly_limit(request, PUBLIC_REQUEST_SCOPE)
    context.update(
        step="done",
        case=case,
        follow_url=request.build_absolute_uri(reverse("referrals:follow", args=[raw])),
        ack_days=settings.REFERRALS_ACK_WORKING_DAYS,
    )
    response = _public_render(request, "referrals/public_request_done.html", context)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response

"""Campaigns, links, confirmations, proposals, review and reminders: behaviour, history, journal."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from carteblanche.core.models import AuditEntry
from carteblanche.directory.models import Structure
from carteblanche.stewardship import actions
from carteblanche.stewardship.models import CampaignLink, Proposal, RecordChange, Reminder, hash_token

pytestmark = pytest.mark.django_db


def token_of(issued) -> str:
    return issued.url.rstrip("/").rsplit("/", 1)[1]


def test_only_stewards_start_campaigns(records, agent):
    with pytest.raises(PermissionDenied):
        actions.start_campaign(actor=agent, label="Essai", structure_ids=[records["structure"].pk])
    assert not CampaignLink.objects.exists()


def test_campaign_sends_a_private_link_by_email_and_stores_only_its_hash(issued, records):
    raw = token_of(issued)
    link = CampaignLink.objects.get()
    assert link.token_hash == hash_token(raw) and raw not in link.token_hash
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["accueil@essai-sur-lot.fr"]
    assert issued.url in mail.outbox[0].body
    assert CampaignLink.objects.get().emailed_at is not None
    assert AuditEntry.objects.filter(object_type="stewardship.campaign", action="create").exists()


def test_unknown_structures_and_empty_label_are_refused(records, steward):
    with pytest.raises(actions.StewardshipError, match="introuvable"):
        actions.start_campaign(actor=steward, label="Essai", structure_ids=[records["structure"].pk, 99_999_999])
    with pytest.raises(actions.StewardshipError, match="nom"):
        actions.start_campaign(actor=steward, label=" ", structure_ids=[records["structure"].pk])
    assert not CampaignLink.objects.exists()


def test_links_resolve_or_say_why_not(issued, records, steward):
    raw = token_of(issued)
    assert actions.resolve_link(raw).problem == ""
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert actions.resolve_link(tampered).problem == "unknown"
    assert actions.resolve_link("").problem == "unknown"
    CampaignLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert actions.resolve_link(raw).problem == "expired"
    CampaignLink.objects.update(expires_at=timezone.now() + timedelta(days=1))
    actions.start_campaign(actor=steward, label="Deuxième", structure_ids=[records["structure"].pk])
    assert actions.resolve_link(raw).problem == "revoked"  # replaced by the newer link


def test_confirming_sets_verified_on_today_with_history_and_journal(issued, records):
    link = issued.link
    actions.confirm_records(link=link, records=[("place", records["place"].pk)], today=date(2026, 12, 6))
    records["place"].refresh_from_db()
    records["structure"].refresh_from_db()
    assert records["place"].verified_on == date(2026, 12, 6)
    assert records["structure"].verified_on == date(2025, 1, 15)  # only what was confirmed
    change = RecordChange.objects.get()
    assert (change.kind, change.record_type, change.source) == ("confirmed", "place", "confirmé par la structure")
    assert AuditEntry.objects.filter(reason="fiches confirmées par la structure").exists()


def test_a_record_of_another_structure_cannot_be_touched(issued, records):
    other = Structure.objects.exclude(pk=records["structure"].pk).first()
    with pytest.raises(actions.ProposalError, match="n'appartient pas"):
        actions.confirm_records(link=issued.link, records=[("structure", other.pk)])
    with pytest.raises(actions.ProposalError, match="n'appartient pas"):
        actions.propose_changes(link=issued.link, record_type="structure", record_id=other.pk, values={"phone": "3646"})
    assert not RecordChange.objects.exists() and not Proposal.objects.exists()


def test_bad_input_in_a_proposal_changes_nothing(issued, records):
    with pytest.raises(actions.ProposalError) as exc:
        actions.propose_changes(
            link=issued.link,
            record_type="structure",
            record_id=records["structure"].pk,
            values={"phone": "05 65", "email": "nouvelle@essai-sur-lot.fr"},
        )
    assert exc.value.errors == {
        "phone": "Téléphone : numéro non reconnu : écrivez 10 chiffres (ex. 05 65 20 00 00) "
        "ou un numéro court (ex. 3646)."
    }
    assert not Proposal.objects.exists()  # the valid e-mail is not kept either
    records["structure"].refresh_from_db()
    assert records["structure"].email == "accueil@essai-sur-lot.fr"


def test_nothing_changed_is_said(issued, records):
    with pytest.raises(actions.ProposalError, match="Tout est exact"):
        actions.propose_changes(
            link=issued.link,
            record_type="structure",
            record_id=records["structure"].pk,
            values={"phone": "05 65 00 00 01"},
        )


def test_a_new_proposal_for_the_same_field_replaces_the_pending_one(issued, records):
    for phone in ("05 65 11 11 11", "05 65 22 22 22"):
        actions.propose_changes(
            link=issued.link, record_type="structure", record_id=records["structure"].pk, values={"phone": phone}
        )
    proposal = Proposal.objects.get()
    assert (proposal.old_value, proposal.new_value) == ("05 65 00 00 01", "05 65 22 22 22")


def test_applying_writes_the_value_the_date_and_the_history(issued, records, steward):
    (proposal,) = actions.propose_changes(
        link=issued.link, record_type="structure", record_id=records["structure"].pk, values={"phone": "0565303030"}
    )
    change = actions.apply_proposal(actor=steward, proposal=proposal)
    structure = Structure.objects.get(pk=records["structure"].pk)
    assert structure.phone == "05 65 30 30 30"
    assert structure.verified_on == timezone.localdate(proposal.created_at)
    assert (change.old_value, change.new_value, change.applied_by, change.source) == (
        "05 65 00 00 01",
        "05 65 30 30 30",
        steward,
        "confirmé par la structure",
    )
    proposal.refresh_from_db()
    assert proposal.status == "applied" and proposal.reviewed_by == steward
    entry = AuditEntry.objects.get(object_type="directory.structure", action="update")
    assert entry.details["old"] == "05 65 00 00 01" and entry.actor == steward
    with pytest.raises(actions.StewardshipError, match="déjà été examinée"):
        actions.apply_proposal(actor=steward, proposal=proposal)


def test_channel_change_dates_its_service(issued, records, steward):
    (proposal,) = actions.propose_changes(
        link=issued.link, record_type="channel", record_id=records["phone"].pk, values={"phone": "3939"}
    )
    actions.apply_proposal(actor=steward, proposal=proposal)
    records["phone"].refresh_from_db()
    records["service"].refresh_from_db()
    assert records["phone"].phone == "3939"
    assert records["service"].verified_on == timezone.localdate(proposal.created_at)


def test_a_record_changed_since_the_proposal_is_not_overwritten(issued, records, steward):
    (proposal,) = actions.propose_changes(
        link=issued.link, record_type="structure", record_id=records["structure"].pk, values={"phone": "0565303030"}
    )
    Structure.objects.filter(pk=records["structure"].pk).update(phone="05 65 99 99 99")
    with pytest.raises(actions.StewardshipError, match="a changé depuis la proposition"):
        actions.apply_proposal(actor=steward, proposal=proposal)
    assert Structure.objects.get(pk=records["structure"].pk).phone == "05 65 99 99 99"
    assert not RecordChange.objects.filter(kind="changed").exists()


def test_rejecting_needs_a_reason(issued, records, steward):
    (proposal,) = actions.propose_changes(
        link=issued.link, record_type="place", record_id=records["place"].pk, values={"postcode": "46090"}
    )
    with pytest.raises(actions.StewardshipError, match="pourquoi"):
        actions.reject_proposal(actor=steward, proposal=proposal, note="")
    actions.reject_proposal(actor=steward, proposal=proposal, note="Le code postal de Cahors est 46000.")
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert Structure.objects.get(pk=records["structure"].pk).places.get().postcode == "46000"


def test_an_unusable_link_can_no_longer_write(issued, records):
    CampaignLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(actions.ProposalError, match="ne fonctionne plus"):
        actions.confirm_records(link=issued.link, records=[("place", records["place"].pk)])


def test_reminders_email_before_records_go_stale_and_list_those_without_email(
    records, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    Structure.objects.update(verified_on=today)  # the shipped offer is not due
    from carteblanche.directory.models import Place, Service

    Place.objects.update(verified_on=today)
    Service.objects.update(verified_on=today)
    soon = today - timedelta(days=365 - 10)  # stale in 10 days
    Structure.objects.filter(pk=records["structure"].pk).update(verified_on=soon)
    silent = Structure.objects.create(source="test-stewards", source_id="s2", name="Sans courriel", verified_on=soon)
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.send_reminders(today=today)
    assert [s.pk for s, _ in report.emailed] == [records["structure"].pk]
    assert [(s.pk, due) for s, due, _ in report.without_email] == [(silent.pk, soon + timedelta(days=366))]
    assert "/mise-a-jour/" in report.without_email[0][2]
    assert len(mail.outbox) == 1 and "bientôt à vérifier" in mail.outbox[0].subject
    assert Reminder.objects.count() == 2
    again = actions.send_reminders(today=today)  # within the interval: nobody twice
    assert again.emailed == [] and again.without_email == []


def test_confirming_an_unverified_service_makes_it_active_with_history(issued, records):
    from carteblanche.directory.models import Service

    Service.objects.filter(pk=records["service"].pk).update(status=Service.Status.UNVERIFIED)
    actions.confirm_records(link=issued.link, records=[("service", records["service"].pk)], today=date(2026, 12, 6))
    assert Service.objects.get(pk=records["service"].pk).status == Service.Status.ACTIVE
    change = RecordChange.objects.get(kind="changed")
    assert (change.field, change.old_value, change.new_value) == ("status", "unverified", "active")


def test_an_ended_service_is_not_edited_through_the_link(issued, records):
    from carteblanche.directory.models import Service

    Service.objects.filter(pk=records["service"].pk).update(
        status=Service.Status.ENDED, ended_on=date(2020, 12, 31), status_source_url="https://example.org/fin"
    )
    with pytest.raises(actions.ProposalError, match="arrêté"):
        actions.confirm_records(link=issued.link, records=[("service", records["service"].pk)])
    with pytest.raises(actions.ProposalError, match="arrêté"):
        actions.propose_changes(
            link=issued.link, record_type="channel", record_id=records["phone"].pk, values={"phone": "3939"}
        )
    assert not Proposal.objects.exists() and not RecordChange.objects.exists()

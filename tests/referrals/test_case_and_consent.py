"""Case files, consent before any sharing, documents, messages, follow-up link, RGPD."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from carteblanche.core.models import AuditEntry
from carteblanche.referrals import actions, selectors
from carteblanche.referrals.models import CaseFile, Consent, Document, FollowLink, Referral, hash_token
from carteblanche.referrals.workflow import InvalidTransition

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_case_needs_a_name_and_a_way_to_reach_the_person(world):
    with pytest.raises(ValidationError) as error:
        actions.create_case(
            actor=world.agent_fs,
            structure_id=world.fs.pk,
            data={"first_name": "", "last_name": "Roques", "contact_preference": "relative"},
        )
    assert set(error.value.message_dict) == {"first_name", "relative_phone"}
    assert not CaseFile.objects.exists()


def test_case_only_for_own_structure(world):
    with pytest.raises(PermissionDenied):
        actions.create_case(actor=world.agent_carsat, structure_id=world.fs.pk, data={"first_name": "A"})


def test_referral_cannot_be_sent_without_consent(world):
    case = world.case()
    referral = actions.create_referral(
        actor=world.agent_fs, case=case, to_structure_id=world.carsat.pk, need_label="pension de réversion"
    )
    with pytest.raises(InvalidTransition) as error:
        actions.transition_referral(actor=world.agent_fs, referral_id=referral.pk, expected_version=1, target="sent")
    assert "consent" in error.value.errors
    referral.refresh_from_db()
    assert referral.status == "draft" and referral.version == 1
    # A consent for another partner does not count either.
    other = world.consent(case, world.dept)
    with pytest.raises(InvalidTransition):
        actions.transition_referral(
            actor=world.agent_fs,
            referral_id=referral.pk,
            expected_version=1,
            target="sent",
            data={"consent": other.pk},
        )


def test_revoked_consent_cannot_be_used_and_closes_open_referrals(world):
    referral = world.sent_referral()
    actions.revoke_consent(actor=world.agent_fs, consent=referral.consent)
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.outcome == "consent_revoked"
    from carteblanche.referrals.permissions import can_view_case

    assert not can_view_case(world.agent_carsat, referral.case)
    draft = actions.create_referral(
        actor=world.agent_fs, case=referral.case, to_structure_id=world.carsat.pk, need_label="réversion"
    )
    with pytest.raises(InvalidTransition):
        actions.transition_referral(
            actor=world.agent_fs,
            referral_id=draft.pk,
            expected_version=1,
            target="sent",
            data={"consent": referral.consent_id},
        )


def test_database_refuses_a_shared_referral_without_consent(world):
    referral = world.sent_referral()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(consent=None)


def test_oral_consent_needs_another_agent_as_witness(world):
    case = world.case()
    kwargs = {"case": case, "recipient_id": world.carsat.pk, "scope": ["identity"], "purpose": "réversion"}
    with pytest.raises(ValidationError) as error:
        actions.record_consent(actor=world.agent_fs, method="oral_witnessed", **kwargs)
    assert "witness" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.record_consent(actor=world.agent_fs, method="oral_witnessed", witness=world.agent_fs, **kwargs)
    consent = actions.record_consent(actor=world.agent_fs, method="oral_witnessed", witness=world.agent_fs2, **kwargs)
    assert consent.witness == world.agent_fs2
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(witness=None)


def test_consent_rejects_bad_input_with_named_fields(world):
    case = world.case()
    with pytest.raises(ValidationError) as error:
        actions.record_consent(
            actor=world.agent_fs,
            case=case,
            recipient_id=world.fs.pk,
            scope=["everything"],
            purpose=" ",
            method="telepathy",
            given_at=timezone.now() + timedelta(days=2),
        )
    assert set(error.value.message_dict) == {"recipient", "scope", "purpose", "method", "given_at"}
    assert not Consent.objects.exists()


def test_receiver_sees_only_the_consented_parts(world):
    case = world.case()
    consent = world.consent(case, world.carsat, scope=("identity",))
    referral = actions.create_referral(
        actor=world.agent_fs, case=case, to_structure_id=world.carsat.pk, need_label="réversion", consent=consent
    )
    from carteblanche.referrals.permissions import can_view_case, case_scopes

    assert not can_view_case(world.agent_carsat, case)  # a draft shares nothing
    actions.transition_referral(actor=world.agent_fs, referral_id=referral.pk, expected_version=1, target="sent")
    assert case_scopes(world.agent_carsat, case) == {"identity"}
    assert not can_view_case(world.agent_dept, case)


class TestDocuments:
    def test_pdf_is_stored_outside_the_database_and_removed_with_the_case(
        self, world, private_documents, django_capture_on_commit_callbacks
    ):
        case = world.case()
        document = actions.add_document(
            actor=world.agent_fs, case=case, kind="death", upload=SimpleUploadedFile("acte.pdf", PDF)
        )
        path = private_documents / document.file.name
        assert path.read_bytes() == PDF
        assert document.content_type == "application/pdf"
        with django_capture_on_commit_callbacks(execute=True):
            actions.erase_case(actor=world.manager_fs, case=case, reason="demande de la personne")
        assert not path.exists()
        assert not Document.objects.exists()

    def test_type_checked_by_content_not_name(self, world):
        case = world.case()
        with pytest.raises(ValidationError, match="Format non accepté"):
            actions.add_document(
                actor=world.agent_fs, case=case, kind="other", upload=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")
            )
        assert (
            actions.add_document(
                actor=world.agent_fs, case=case, kind="other", upload=SimpleUploadedFile("scan.bin", PNG)
            ).content_type
            == "image/png"
        )

    def test_size_limit(self, world, settings):
        settings.REFERRALS_DOCUMENT_MAX_BYTES = 1024 * 1024
        case = world.case()
        big = SimpleUploadedFile("gros.pdf", PDF + b"0" * (1024 * 1024))
        with pytest.raises(ValidationError, match="taille maximale"):
            actions.add_document(actor=world.agent_fs, case=case, kind="other", upload=big)
        with pytest.raises(ValidationError, match="vide"):
            actions.add_document(actor=world.agent_fs, case=case, kind="other", upload=SimpleUploadedFile("v.pdf", b""))
        assert not Document.objects.exists()

    def test_only_the_owner_adds_documents(self, world):
        case = world.case()
        with pytest.raises(PermissionDenied):
            actions.add_document(
                actor=world.agent_carsat, case=case, kind="other", upload=SimpleUploadedFile("a.pdf", PDF)
            )


class TestFollowLink:
    def test_token_is_random_long_and_stored_hashed(self, world):
        case = world.case()
        link, raw = actions.create_follow_link(actor=world.agent_fs, case=case)
        _link2, raw2 = actions.create_follow_link(actor=world.agent_fs, case=case)
        assert len(raw) >= 43 and raw != raw2
        assert link.token_hash == hash_token(raw) and raw not in link.token_hash
        assert not FollowLink.objects.filter(token_hash=raw).exists()
        assert actions.resolve_follow_link(raw) == link
        assert actions.resolve_follow_link(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None

    def test_expired_link_is_refused(self, world):
        case = world.case()
        link, raw = actions.create_follow_link(actor=world.agent_fs, case=case)
        FollowLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert actions.resolve_follow_link(raw) is None


class TestRgpd:
    def test_export_contains_everything_and_is_audited_by_the_view(self, world):
        referral = world.sent_referral()
        actions.post_message(actor=world.agent_carsat, referral=referral, body="Dossier bien reçu.")
        data = selectors.export_case(referral.case)
        assert data["case"]["identity"]["first_name"] == "Martine"
        assert data["consents"][0]["purpose"]
        assert data["referrals"][0]["messages"][0]["body"] == "Dossier bien reçu."
        assert [h["to"] for h in data["referrals"][0]["history"]] == ["draft", "sent"]

    def test_rectify_records_which_fields_changed(self, world):
        case = world.case()
        actions.update_case(
            actor=world.agent_fs, case=case, data={"phone": "06 00 00 00 00"}, reason="erreur de saisie"
        )
        entry = AuditEntry.objects.filter(action="update", object_id=str(case.pk)).first()
        assert entry.details == {"fields": ["phone"], "version": 2} and entry.reason == "erreur de saisie"
        with pytest.raises(ValidationError):
            actions.update_case(actor=world.agent_fs, case=case, data={"phone": "1"}, reason="")

    def test_erase_needs_a_manager_or_the_data_steward(self, world):
        case = world.case()
        with pytest.raises(PermissionDenied):
            actions.erase_case(actor=world.agent_fs, case=case, reason="demande")
        case_id = case.pk
        actions.erase_case(actor=world.steward, case=case, reason="demande écrite du 3 mars")
        assert not CaseFile.objects.filter(pk=case_id).exists()
        assert AuditEntry.objects.filter(action="delete", object_id=str(case_id), actor=world.steward).exists()

    def test_anonymise_closed_cases_after_retention(self, world, settings):
        from django.core.management import call_command

        referral = world.sent_referral()
        case = referral.case
        for target, data in [
            ("received", {}),
            ("accepted", {}),
            ("done", {}),
            ("closed", {"outcome": "right_opened"}),
        ]:
            referral = actions.transition_referral(
                actor=world.agent_carsat,
                referral_id=referral.pk,
                expected_version=referral.version,
                target=target,
                data=data,
            )
        actions.close_case(actor=world.agent_fs, case=case)
        recent = world.case(first_name="Sarah")
        settings.REFERRALS_RETENTION_DAYS = 30
        CaseFile.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=31))
        out = BytesIO()
        call_command("anonymise_closed_cases", "--dry-run", stdout=_Text())
        case.refresh_from_db()
        assert case.first_name == "Martine"
        call_command("anonymise_closed_cases", stdout=_Text())
        case.refresh_from_db()
        recent.refresh_from_db()
        assert case.first_name == "" and case.phone == "" and case.anonymised_at is not None
        assert recent.first_name == "Sarah"
        # Statistics survive.
        assert Referral.objects.get(pk=referral.pk).outcome == "right_opened"
        del out


class _Text:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)

    def flush(self):
        pass


def test_stale_rectification_form_is_refused_and_nothing_is_lost(world):
    """Two agents open the edit form; the second to save is told, and the first one's change stays."""
    from django.test import Client

    from carteblanche.core.models import AuditEntry

    case = world.case()
    url = f"/accompagnement/dossiers/{case.pk}/modifier/"
    base = {"first_name": "Martine", "last_name": "Roques", "contact_preference": "phone", "reason": "rectification"}
    first, second = Client(), Client()
    first.force_login(world.agent_fs)
    second.force_login(world.agent_fs2)
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert second.get(url).status_code == 200
    saved = first.post(url, {**base, "phone": "05 65 11 11 11", "version": 1})
    assert saved.status_code == 302
    stale = second.post(url, {**base, "phone": "05 65 99 99 99", "availability": "le matin", "version": 1})
    assert stale.status_code == 200
    assert "modifié entre-temps" in stale.content.decode()
    case.refresh_from_db()
    assert case.phone == "05 65 11 11 11" and case.availability == "" and case.version == 2
    updates = AuditEntry.objects.filter(object_id=str(case.pk), action="update")
    assert list(updates.values_list("actor", flat=True)) == [world.agent_fs.pk]

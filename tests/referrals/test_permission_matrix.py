"""Every role × every case and referral page: no unauthorised read or write.

The world: France Services (owner) referred Martine to the Carsat with consent for identity,
situation and needs (not documents). The Département, the coordinator, the data steward, a
user without role and an anonymous visitor must read nothing they are not entitled to, and
nobody may change what they are not entitled to.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from carteblanche.appointments.models import Booking, Slot
from carteblanche.core.models import AuditEntry
from carteblanche.mandates import actions as mandate_actions
from carteblanche.mandates.models import Mandate
from carteblanche.referrals import actions
from carteblanche.referrals.models import CaseFile, Consent, Document, FollowLink, Referral, ReferralMessage

ROLES = ["agent_fs", "manager_fs", "agent_carsat", "agent_dept", "coordinator", "steward", "nobody", "anonymous"]
OWNER = {"agent_fs", "manager_fs"}
READERS = OWNER | {"agent_carsat"}
AGENTS = READERS | {"agent_dept"}

PDF = b"%PDF-1.4\n%%EOF\n"
# Pages made to show the person to whoever may read them: that they do is checked too, so that a
# page showing nothing to anyone cannot pass for a page that hides the person from the wrong roles.
SHOWS_THE_PERSON = {"case_detail", "referral_detail"}


class Scene:
    def __init__(self, world):
        self.world = world
        self.referral = world.sent_referral()
        self.case = self.referral.case
        self.consent = self.referral.consent
        self.document = actions.add_document(
            actor=world.agent_fs, case=self.case, kind="death", upload=SimpleUploadedFile("acte.pdf", PDF)
        )
        # Booking and mandates: a free Carsat slot, a past booked one, a mandate France Services holds.
        now = timezone.now()
        self.slot = Slot.objects.create(
            structure=world.carsat, kind="callback", start=now + timedelta(days=3), end=now + timedelta(days=3, hours=1)
        )
        past = Slot.objects.create(
            structure=world.carsat, kind="callback", start=now - timedelta(hours=2), end=now - timedelta(hours=1)
        )
        self.booking = Booking.objects.create(
            slot=past, case=self.case, consent=self.consent, from_structure=world.fs, booked_by=world.agent_fs
        )
        # An upcoming booked call-back (the receiving structure may cancel it with notice).
        self.upcoming_slot = Slot.objects.create(
            structure=world.carsat, kind="callback", start=now + timedelta(days=4), end=now + timedelta(days=4, hours=1)
        )
        self.upcoming = Booking.objects.create(
            slot=self.upcoming_slot,
            case=self.case,
            consent=self.consent,
            from_structure=world.fs,
            booked_by=world.agent_fs,
        )
        self.mandate = mandate_actions.create_mandate(
            actor=world.agent_fs, case=self.case, domains=["travail"], duration="1m", method="signed_paper"
        )

    def snapshot(self):
        case = CaseFile.objects.filter(pk=self.case.pk).values().first()
        return {
            "case": case and {k: v for k, v in case.items() if k not in ("updated_at",)},
            "consents": list(Consent.objects.values_list("pk", "revoked_at")),
            "documents": Document.objects.count(),
            "referrals": sorted(Referral.objects.values_list("pk", "status", "version")),
            "messages": ReferralMessage.objects.count(),
            "links": FollowLink.objects.count(),
            "slots": Slot.objects.count(),
            "withdrawn": sorted(Slot.objects.filter(withdrawn_at__isnull=False).values_list("pk", flat=True)),
            "bookings": sorted(Booking.objects.values_list("pk", "status")),
            "mandates": sorted(Mandate.objects.values_list("pk", "status")),
            "under_mandate": AuditEntry.objects.filter(reason__startswith="démarche sous mandat").count(),
        }


def _case_form(scene):
    return {
        "first_name": "Martine",
        "last_name": "Rectifiée",
        "contact_preference": "phone",
        "phone": "05 65 11 11 11",
        "reason": "rectification",
        "version": scene.case.version,
    }


def _journaled_reads(scene) -> int:
    from carteblanche.core.models import AuditEntry

    ids = [str(scene.case.pk), str(scene.document.pk)]
    return AuditEntry.objects.filter(object_id__in=ids, action__in=["read", "export"]).count()


# name, method, url builder, data builder, allowed roles
ENDPOINTS = [
    ("case_detail", "get", lambda s: f"/accompagnement/dossiers/{s.case.pk}/", None, READERS),
    ("case_edit_page", "get", lambda s: f"/accompagnement/dossiers/{s.case.pk}/modifier/", None, OWNER),
    ("case_edit", "post", lambda s: f"/accompagnement/dossiers/{s.case.pk}/modifier/", _case_form, OWNER),
    ("consent_page", "get", lambda s: f"/accompagnement/dossiers/{s.case.pk}/consentement/", None, OWNER),
    (
        "consent_create",
        "post",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/consentement/",
        lambda s: {
            "recipient": s.world.dept.pk,
            "scope": ["identity"],
            "purpose": "aide énergie",
            "method": "signed_paper",
            "given_at": "2026-11-20T10:00",
        },
        OWNER,
    ),
    ("consent_revoke", "post", lambda s: f"/accompagnement/consentements/{s.consent.pk}/retirer/", lambda s: {}, OWNER),
    (
        "document_upload",
        "post",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/pieces/",
        lambda s: {"kind": "other", "file": SimpleUploadedFile("b.pdf", PDF)},
        OWNER,
    ),
    ("document_download", "get", lambda s: f"/accompagnement/pieces/{s.document.pk}/", None, OWNER),
    ("document_delete", "post", lambda s: f"/accompagnement/pieces/{s.document.pk}/supprimer/", lambda s: {}, OWNER),
    ("referral_page", "get", lambda s: f"/accompagnement/dossiers/{s.case.pk}/orienter/", None, OWNER),
    (
        "referral_create",
        "post",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/orienter/",
        lambda s: {"to_structure": s.world.dept.pk, "need_label": "chèque énergie"},
        OWNER,
    ),
    ("export", "get", lambda s: f"/accompagnement/dossiers/{s.case.pk}/export/", None, OWNER | {"steward"}),
    (
        "export_json",
        "get",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/export/?format=json",
        None,
        OWNER | {"steward"},
    ),
    ("erase_page", "get", lambda s: f"/accompagnement/dossiers/{s.case.pk}/effacer/", None, {"manager_fs", "steward"}),
    (
        "erase",
        "post",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/effacer/",
        lambda s: {"reason": "demande"},
        {"manager_fs", "steward"},
    ),
    (
        "case_close",
        "post",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/clore/",
        lambda s: {},
        set(),
    ),  # open referral
    ("follow_link", "post", lambda s: f"/accompagnement/dossiers/{s.case.pk}/lien-de-suivi/", lambda s: {}, OWNER),
    ("referral_detail", "get", lambda s: f"/accompagnement/orientations/{s.referral.pk}/", None, READERS),
    (
        "transition_received",
        "post",
        lambda s: f"/accompagnement/orientations/{s.referral.pk}/etape/",
        lambda s: {"target": "received", "received-version": s.referral.version},
        {"agent_carsat"},
    ),
    (
        "transition_close",
        "post",
        lambda s: f"/accompagnement/orientations/{s.referral.pk}/etape/",
        lambda s: {"target": "closed", "closed-version": s.referral.version, "closed-outcome": "withdrawn"},
        OWNER,
    ),
    (
        "message",
        "post",
        lambda s: f"/accompagnement/orientations/{s.referral.pk}/messages/",
        lambda s: {"body": "bonjour"},
        READERS,
    ),
    ("journal", "get", lambda s: "/accompagnement/journal/", None, {"steward"}),
    (
        "dashboard",
        "get",
        lambda s: "/accompagnement/",
        None,
        READERS | {"agent_dept", "coordinator", "steward", "nobody"},
    ),
    # booking (appointments app)
    ("slots_page", "get", lambda s: "/rendez-vous/creneaux/", None, AGENTS),
    (
        "slot_add",
        "post",
        lambda s: "/rendez-vous/creneaux/",
        lambda s: {
            "add": "1",
            "one-structure": s.world.carsat.pk,
            "one-kind": "callback",
            "one-start": f"{timezone.localdate() + timedelta(days=400)}T10:00",
            "one-minutes": 30,
        },
        {"agent_carsat"},
    ),
    (
        "slots_from_hours",
        "post",
        lambda s: "/rendez-vous/creneaux/",
        lambda s: {
            "hours": "1",
            "hours-structure": s.world.carsat.pk,
            "hours-kind": "callback",
            "hours-rule": "Mo-Fr 09:00-12:00",
            "hours-minutes": 30,
            "hours-days": 7,
        },
        {"agent_carsat"},
    ),
    (
        "book_page",
        "get",
        lambda s: f"/rendez-vous/dossiers/{s.case.pk}/reserver/?structure={s.world.carsat.pk}",
        None,
        OWNER,
    ),
    (
        "book",
        "post",
        lambda s: f"/rendez-vous/dossiers/{s.case.pk}/reserver/?structure={s.world.carsat.pk}",
        lambda s: {"slot": s.slot.pk, "notify": ""},
        OWNER,
    ),
    (
        "no_show",
        "post",
        lambda s: f"/rendez-vous/reservations/{s.booking.pk}/resultat/",
        lambda s: {"status": "no_show"},
        {"agent_carsat"},
    ),
    ("slot_withdraw", "post", lambda s: f"/rendez-vous/creneaux/{s.slot.pk}/retirer/", lambda s: {}, {"agent_carsat"}),
    (
        "booking_cancel",
        "post",
        lambda s: f"/rendez-vous/reservations/{s.upcoming.pk}/annuler/",
        lambda s: {"motif": "agent absent ce jour-là"},
        {"agent_carsat"},
    ),
    (
        "referral_page_filtered",
        "get",
        lambda s: f"/accompagnement/dossiers/{s.case.pk}/orienter/?besoin=pension-reversion&q=carsat",
        None,
        OWNER,
    ),
    # mandates
    ("mandate_page", "get", lambda s: f"/mandats/dossiers/{s.case.pk}/nouveau/", None, OWNER),
    (
        "mandate_create",
        "post",
        lambda s: f"/mandats/dossiers/{s.case.pk}/nouveau/",
        lambda s: {"domains": ["travail"], "duration": "1d", "method": "signed_paper"},
        OWNER,
    ),
    ("mandate_detail", "get", lambda s: f"/mandats/{s.mandate.pk}/", None, OWNER),
    (
        "mandate_act",
        "post",
        lambda s: f"/mandats/{s.mandate.pk}/",
        lambda s: {"domain": "travail", "what": "inscription"},
        OWNER,
    ),
    ("mandate_revoke", "post", lambda s: f"/mandats/{s.mandate.pk}/revoquer/", lambda s: {}, OWNER),
    # The desk (carteblanche.desk): receiving the person from her case file reads her situation.
    ("desk_visitor_from_case", "get", lambda s: f"/guichet/?dossier={s.case.pk}", None, READERS),
    ("stuck", "get", lambda s: "/accompagnement/en-retard/", None, READERS | {"agent_dept", "coordinator"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "data", "allowed"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_permission_matrix(world, role, name, method, url, data, allowed):
    scene = Scene(world)
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    before = scene.snapshot()
    reads_before = _journaled_reads(scene)
    kwargs = {} if data is None else {"data": data(scene)}
    response = getattr(client, method)(url(scene), **kwargs)
    redirected_to_login = response.status_code == 302 and "/compte/connexion/" in response["Location"]
    if role in allowed:
        assert response.status_code in (200, 302) and not redirected_to_login, response.status_code
        if method == "post":
            assert scene.snapshot() != before, f"{role} should have changed something with {name}"
        else:
            body = "" if response.streaming else response.content.decode()
            if response.streaming:
                assert _journaled_reads(scene) > reads_before, f"{role} downloaded with {name} without a journal entry"
            shows_person = "Martine" in body or "Roques" in body
            if name in SHOWS_THE_PERSON:
                assert shows_person, f"{role} is entitled to see the person on {name}"
            if name == "dashboard" and role not in READERS:
                assert not shows_person, f"{role} sees the person on {name}"
            if shows_person:
                # A page that shows the person journals the read (finding 5).
                assert _journaled_reads(scene) > reads_before, f"{role} read {name} without a journal entry"
    else:
        assert (
            response.status_code in (403, 404)
            or redirected_to_login
            or (
                # A visible referral refuses a step the role may not take: a message, nothing changed.
                response.status_code == 302 and (name.startswith("transition") or name == "case_close")
            )
        ), response.status_code
        body = response.content.decode()
        assert "Martine" not in body and "Roques" not in body and "Rectifiée" not in body
        assert scene.snapshot() == before, f"{role} changed something with {name}"


API_TOKENS = ["fs", "carsat", "dept"]


@pytest.mark.parametrize("structure", API_TOKENS)
def test_api_matrix(world, structure):
    from tests.referrals.test_api import auth, make_token

    scene = Scene(world)
    key = make_token(getattr(world, structure))
    client = Client()
    before = scene.snapshot()
    base = f"/api/accompagnement/orientations/{scene.referral.pk}"
    read = client.get(base, **auth(key))
    message = client.post(f"{base}/messages", {"body": "x"}, content_type="application/json", **auth(key))
    if structure == "dept":
        assert read.status_code == 404 and message.status_code == 404
        step = client.post(
            f"{base}/etapes", {"target": "received", "version": 2}, content_type="application/json", **auth(key)
        )
        assert step.status_code == 404
        assert scene.snapshot() == before
        assert "Martine" not in read.content.decode() + message.content.decode()
    else:
        assert read.status_code == 200 and read.json()["person"]["first_name"] == "Martine"
        assert message.status_code == 201


def _needs_only_scene(world):
    """Martine referred to the Carsat with a consent limited to her needs: her name stays with the sender."""
    case = world.case()
    consent = world.consent(case, world.carsat, scope=("needs",))
    referral = actions.create_referral(
        actor=world.agent_fs,
        case=case,
        to_structure_id=world.carsat.pk,
        need_label="pension de réversion",
        consent=consent,
    )
    return actions.transition_referral(
        actor=world.agent_fs, referral_id=referral.pk, expected_version=referral.version, target="sent"
    )


@pytest.mark.parametrize(
    "url",
    [
        lambda r: f"/accompagnement/dossiers/{r.case.pk}/",
        lambda r: f"/accompagnement/orientations/{r.pk}/",
        lambda r: "/accompagnement/",
    ],
    ids=["case_detail", "referral_detail", "dashboard"],
)
def test_consent_scope_hides_identity_from_the_receiver(world, url):
    referral = _needs_only_scene(world)
    client = Client()
    client.force_login(world.agent_carsat)
    response = client.get(url(referral))
    body = response.content.decode()
    assert response.status_code == 200
    assert "pension de réversion" in body  # the consented part is there
    assert "Martine" not in body and "Roques" not in body and "05 65 00 00 00" not in body
    if not url(referral).startswith("/accompagnement/orientations/"):  # that page names no one
        assert "Personne orientée" in body  # the file is named without the person's name
    # The owner still sees the name on the same pages.
    owner = Client()
    owner.force_login(world.agent_fs)
    assert "Martine" in owner.get(url(referral)).content.decode()


def _simulation(world, *, author=None, situation=None):
    from carteblanche.rights.models import Simulation

    return Simulation.objects.create(
        month="2026-10",
        inputs={"household": {"depcom": "46042", "salaire": 1234, "taux_incapacite": 0.8}},
        openfisca_france_version="x",
        created_by=author,
        situation=situation,
    )


SIMULATION_URLS = [lambda s: f"/api/droits/simulations/{s.pk}", lambda s: f"/droits/simulation/{s.pk}/"]


@pytest.mark.parametrize("role", [*ROLES, "agent_fs2"])
@pytest.mark.parametrize("url", SIMULATION_URLS, ids=["api", "page"])
def test_simulation_reads_follow_the_author_structure(world, role, url):
    """An agent's simulation: its structure's agents only (finding 7), each read journaled."""
    from carteblanche.core.models import AuditEntry

    simulation = _simulation(world, author=world.agent_fs)
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(url(simulation))
    if role in {"agent_fs", "agent_fs2", "manager_fs"}:
        assert response.status_code == 200
        assert AuditEntry.objects.filter(object_id=str(simulation.pk), action="read").count() == 1
    else:
        assert response.status_code == 404, role
        assert "1234" not in response.content.decode()


@pytest.mark.parametrize(("scope", "carsat_reads"), [(("situation", "needs"), True), (("needs",), False)])
def test_simulation_reads_follow_the_consent(world, scope, carsat_reads):
    """A person's own simulation attached to a case: the owner, and a partner given the situation."""
    from carteblanche.core.models import Situation

    situation = Situation.objects.create(answers={"profile": {"commune_code": "46042"}})
    simulation = _simulation(world, situation=situation)
    case = world.case()
    CaseFile.objects.filter(pk=case.pk).update(situation=situation)
    consent = world.consent(case, world.carsat, scope=scope)
    referral = actions.create_referral(
        actor=world.agent_fs, case=case, to_structure_id=world.carsat.pk, need_label="retraite", consent=consent
    )
    actions.transition_referral(actor=world.agent_fs, referral_id=referral.pk, expected_version=1, target="sent")
    expected = {"agent_fs": 200, "agent_carsat": 200 if carsat_reads else 404, "agent_dept": 404, "coordinator": 404}
    for role, status in expected.items():
        client = Client()
        client.force_login(getattr(world, role))
        for url in SIMULATION_URLS:
            assert client.get(url(simulation)).status_code == status, (role, url(simulation))
    actions.revoke_consent(actor=world.agent_fs, consent=consent)
    client = Client()
    client.force_login(world.agent_carsat)
    assert client.get(SIMULATION_URLS[0](simulation)).status_code == 404


@pytest.mark.parametrize("structure", API_TOKENS)
def test_booking_api_matrix(world, structure):
    """Slots API: only the receiving structure's key lists its slots or records a no-show."""
    from tests.referrals.test_api import auth, make_token

    scene = Scene(world)
    key = make_token(getattr(world, structure))
    client = Client()
    before = scene.snapshot()
    listed = client.get("/api/accompagnement/rendez-vous/creneaux", **auth(key))
    outcome = client.post(
        f"/api/accompagnement/rendez-vous/reservations/{scene.booking.pk}/resultat",
        {"status": "no_show"},
        content_type="application/json",
        **auth(key),
    )
    assert "Martine" not in listed.content.decode() + outcome.content.decode()
    withdrawn = client.post(f"/api/accompagnement/rendez-vous/creneaux/{scene.slot.pk}/retrait", **auth(key))
    cancelled = client.post(
        f"/api/accompagnement/rendez-vous/reservations/{scene.upcoming.pk}/annulation",
        {"motif": "agent absent"},
        content_type="application/json",
        **auth(key),
    )
    assert "Martine" not in withdrawn.content.decode() + cancelled.content.decode()
    if structure == "carsat":
        assert {row["id"] for row in listed.json()} == {scene.slot.pk, scene.upcoming_slot.pk}
        assert outcome.status_code == 200 and withdrawn.status_code == 200 and cancelled.status_code == 200
        assert Booking.objects.get(pk=scene.upcoming.pk).status == "cancelled"
        assert Slot.objects.get(pk=scene.slot.pk).withdrawn_at is not None
        assert scene.snapshot() != before
    else:
        assert listed.json() == [] and outcome.status_code == 404
        assert withdrawn.status_code == 404 and cancelled.status_code == 404
        assert scene.snapshot() == before

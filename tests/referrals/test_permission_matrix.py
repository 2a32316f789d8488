"""Every role × every case and referral page: no unauthorised read or write.

The world: France Services (owner) referred Martine to the Carsat with consent for identity,
situation and needs (not documents). The Département, the coordinator, the data steward, a
user without role and an anonymous visitor must read nothing they are not entitled to, and
nobody may change what they are not entitled to.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from carteblanche.referrals import actions
from carteblanche.referrals.models import CaseFile, Consent, Document, FollowLink, Referral, ReferralMessage

ROLES = ["agent_fs", "manager_fs", "agent_carsat", "agent_dept", "coordinator", "steward", "nobody", "anonymous"]
OWNER = {"agent_fs", "manager_fs"}
READERS = OWNER | {"agent_carsat"}

PDF = b"%PDF-1.4\n%%EOF\n"


class Scene:
    def __init__(self, world):
        self.world = world
        self.referral = world.sent_referral()
        self.case = self.referral.case
        self.consent = self.referral.consent
        self.document = actions.add_document(
            actor=world.agent_fs, case=self.case, kind="death", upload=SimpleUploadedFile("acte.pdf", PDF)
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
        }


def _case_form(scene):
    return {
        "first_name": "Martine",
        "last_name": "Rectifiée",
        "contact_preference": "phone",
        "phone": "05 65 11 11 11",
        "reason": "rectification",
    }


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
    kwargs = {} if data is None else {"data": data(scene)}
    response = getattr(client, method)(url(scene), **kwargs)
    redirected_to_login = response.status_code == 302 and "/compte/connexion/" in response["Location"]
    if role in allowed:
        assert response.status_code in (200, 302) and not redirected_to_login, response.status_code
        if method == "post":
            assert scene.snapshot() != before, f"{role} should have changed something with {name}"
    else:
        assert (
            response.status_code in (403, 404)
            or redirected_to_login
            or (
                # A visible referral refuses a step the role may not take: a message, nothing changed.
                response.status_code == 302 and (name.startswith("transition") or name == "case_close")
            )
        ), response.status_code
        body = response.content.decode() if response.status_code == 200 else ""
        assert "Martine" not in body and "Rectifiée" not in body
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

"""Every role × every desk page on a visit attached to Martine's case: no unauthorised read or write,
and every read of her data journaled."""

import pytest
from django.test import Client

from carteblanche.core import sms
from carteblanche.core.models import AuditEntry, Situation
from carteblanche.desk.models import Procedure
from carteblanche.orientation.models import SavedPlan
from tests.referrals.test_permission_matrix import READERS, ROLES, Scene


class DeskScene(Scene):
    def __init__(self, world):
        super().__init__(world)
        situation = Situation.objects.create(
            answers={"orientation": {"needs": ["retraite"], "travel": {"does_not_drive": True}}}
        )
        self.case.situation = situation
        self.case.save(update_fields=["situation"])
        self.saved = SavedPlan.objects.create(
            situation=situation, plan={"needs": [], "options": []}, created_by_agent=True
        )


ENDPOINTS = [
    ("visitor_from_case", "get", lambda s: f"/guichet/?dossier={s.case.pk}", None, READERS),
    ("result", "get", lambda s: f"/guichet/visite/{s.saved.pk}/?dossier={s.case.pk}", None, READERS),
    ("print", "get", lambda s: f"/guichet/visite/{s.saved.pk}/imprimer/?dossier={s.case.pk}", None, READERS),
    ("visitor_edit", "get", lambda s: f"/guichet/?visite={s.saved.pk}", None, READERS),
    (
        "send_summary",
        "post",
        lambda s: f"/guichet/visite/{s.saved.pk}/envoyer/",
        lambda s: {
            "dossier": s.case.pk,
            "envoi-canal": "sms",
            "envoi-adresse": "06 12 34 56 78",
            "envoi-accord": "on",
        },
        {"agent_fs", "manager_fs"},  # the structure that follows her (a reader may not send it elsewhere)
    ),
    (
        "procedure",
        "post",
        lambda s: f"/guichet/visite/{s.saved.pk}/demarche/",
        lambda s: {
            "besoin": "retraite",
            "organisme": "Carsat",
            "quoi": "Demande de retraite",
            "structure": s.world.fs.pk,
            "dossier": s.case.pk,
        },
        {"agent_fs", "manager_fs"},  # a reader of another structure may not count for France Services
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "data", "allowed"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_desk_permission_matrix(world, shipped_data, role, name, method, url, data, allowed):
    scene = DeskScene(world)
    client = Client()
    user = None if role == "anonymous" else getattr(world, role)
    if user:
        client.force_login(user)
    procedures = Procedure.objects.count()
    sms.outbox.clear()
    kwargs = {} if data is None else {"data": data(scene)}
    response = getattr(client, method)(url(scene), **kwargs)
    to_login = response.status_code == 302 and "/compte/connexion/" in response["Location"]
    if role in allowed:
        assert response.status_code in (200, 302) and not to_login, response.status_code
        if method == "get":
            assert AuditEntry.objects.filter(actor=user, action="read").exists()
        elif name == "send_summary":
            assert len(sms.outbox) >= 1
        else:
            assert Procedure.objects.count() == procedures + 1
    else:
        # A reader of the case posting for a structure she does not work in gets a form error (400).
        refused = (403, 404, 400) if role in READERS else (403, 404)
        assert response.status_code in refused or to_login, response.status_code
        assert Procedure.objects.count() == procedures and not sms.outbox
        body = response.content.decode() if response.status_code == 200 else ""
        assert "Martine" not in body and "Ne conduit pas" not in body

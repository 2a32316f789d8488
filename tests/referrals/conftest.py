"""Fixtures for the accompaniment tests: structures, agents with roles, a case with consent."""

import itertools

import pytest
from django.utils import timezone

from carteblanche.accounts.models import Membership

PASSWORD = "un-mot-de-passe-solide-42"
_counter = itertools.count()


@pytest.fixture(autouse=True)
def _fast_static(settings):
    """WhiteNoise scans ~5,000 static files for every new test Client (0.7 s); autorefresh skips the scan."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.REFERRALS_DOCUMENT_ROOT = tmp_path / "documents"
    from django.utils.functional import empty

    from carteblanche.referrals.models import private_storage

    private_storage._wrapped = empty  # re-read the setting
    yield settings.REFERRALS_DOCUMENT_ROOT
    private_storage._wrapped = empty


def make_structure(name: str):
    from carteblanche.directory.models import Structure

    return Structure.objects.create(name=name, source="test", source_id=f"{name}-{next(_counter)}")


def make_user(username: str, *, role: str | None = None, structure=None, email: str = ""):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=f"{username}-{next(_counter)}", password=PASSWORD, email=email or f"{username}@example.org"
    )
    if role:
        Membership.objects.create(user=user, role=role, structure=structure)
    return user


class World:
    """Four structures and one user per role, as in the territory."""

    def __init__(self):
        self.fs = make_structure("France Services Cahors")
        self.carsat = make_structure("Carsat")
        self.dept = make_structure("Département du Lot")
        self.caf = make_structure("Caf du Lot")
        self.agent_fs = make_user("agent-fs", role=Membership.Role.AGENT, structure=self.fs)
        self.agent_fs2 = make_user("agent-fs2", role=Membership.Role.AGENT, structure=self.fs)
        self.manager_fs = make_user("manager-fs", role=Membership.Role.MANAGER, structure=self.fs)
        self.agent_carsat = make_user("agent-carsat", role=Membership.Role.AGENT, structure=self.carsat)
        self.agent_dept = make_user("agent-dept", role=Membership.Role.AGENT, structure=self.dept)
        self.agent_caf = make_user("agent-caf", role=Membership.Role.AGENT, structure=self.caf)
        self.coordinator = make_user("coord", role=Membership.Role.COORDINATOR)
        self.steward = make_user("steward", role=Membership.Role.DATA_STEWARD)
        self.nobody = make_user("nobody")

    def case(self, **extra):
        from carteblanche.referrals import actions

        data = {
            "first_name": "Martine",
            "last_name": "Roques",
            "phone": "05 65 00 00 00",
            "contact_preference": "phone",
            "needs_note": "pension de réversion, factures de fioul",
            **extra,
        }
        return actions.create_case(actor=self.agent_fs, structure_id=self.fs.pk, data=data)

    def consent(self, case, recipient, scope=("identity", "situation", "needs")):
        from carteblanche.referrals import actions

        return actions.record_consent(
            actor=self.agent_fs,
            case=case,
            recipient_id=recipient.pk,
            scope=list(scope),
            purpose="demande de pension de réversion",
            method="signed_paper",
            given_at=timezone.now(),
        )

    def sent_referral(self, case=None, to=None):
        from carteblanche.referrals import actions

        case = case or self.case()
        to = to or self.carsat
        consent = self.consent(case, to)
        referral = actions.create_referral(
            actor=self.agent_fs, case=case, to_structure_id=to.pk, need_label="pension de réversion", consent=consent
        )
        return actions.transition_referral(
            actor=self.agent_fs, referral_id=referral.pk, expected_version=referral.version, target="sent"
        )


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Overrides the project fixture of the same name: it registers an on_commit callback, which
    needs database access and so breaks pure unit tests (tests/referrals/test_workflow.py)."""
    from carteblanche.directory.search_index import invalidate_offer_index
    from carteblanche.mobility import context

    invalidate_offer_index()
    context.forget_mobility_context()
    yield

"""One typed actor for the writes: an agent, or a partner structure through its API key, asked the same rules."""

import pytest
from django.core.exceptions import PermissionDenied

from carteblanche.core.models import AuditEntry
from carteblanche.referrals import actions, actors
from carteblanche.referrals.models import ApiToken, hash_token
from carteblanche.referrals.workflow import Side


def _key(structure) -> ApiToken:
    return ApiToken.objects.create(
        structure=structure, name="logiciel", prefix="cb_test", token_hash=hash_token(f"key-{structure.pk}")
    )


def test_an_agent_acts_for_their_structures_a_key_for_its_one(world):
    assert actors.structure_ids(world.agent_fs) == {world.fs.pk}
    assert actors.structure_ids(_key(world.carsat)) == {world.carsat.pk}
    assert actors.structure_ids(world.nobody) == set()


def test_the_journal_names_the_agent_or_the_key(world):
    key = _key(world.carsat)
    assert actors.journal(world.agent_fs) == {"actor": world.agent_fs, "actor_label": ""}
    assert actors.journal(key) == {"actor": None, "actor_label": key.label}
    assert actors.user_of(key) is None and actors.user_of(world.agent_fs) == world.agent_fs


def test_a_key_opens_cases_for_its_structure_only(world):
    key = _key(world.fs)
    data = {"first_name": "Kevin", "last_name": "M.", "phone": "06 00 00 00 00", "contact_preference": "phone"}
    case = actions.create_case(actor=key, structure_id=world.fs.pk, data=data)
    assert case.created_by is None
    assert AuditEntry.objects.filter(object_id=str(case.pk), actor_label=key.label, action="create").exists()
    with pytest.raises(PermissionDenied):
        actions.create_case(actor=key, structure_id=world.carsat.pk, data=data)


def test_a_key_moves_a_referral_from_its_own_side_only(world):
    referral = world.sent_referral()  # France Services -> Carsat
    receiver, other = _key(world.carsat), _key(world.dept)
    assert actors.structure_ids(receiver) == {referral.to_structure_id}
    from carteblanche.referrals.permissions import referral_sides

    assert referral_sides(receiver, referral) == {Side.RECEIVER}
    with pytest.raises(PermissionDenied):
        actions.transition_referral(
            actor=other, referral_id=referral.pk, expected_version=referral.version, target="received"
        )
    moved = actions.transition_referral(
        actor=receiver, referral_id=referral.pk, expected_version=referral.version, target="received"
    )
    step = moved.transitions.order_by("-version").first()
    assert (step.author, step.author_label) == (None, receiver.label)
    message = actions.post_message(actor=receiver, referral=moved, body="Bien reçu.")
    assert message.structure_id == world.carsat.pk and message.author_label == receiver.label

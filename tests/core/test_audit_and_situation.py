import pytest

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry, Situation
from carteblanche.core.situations import save_situation_section


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted(django_user_model):
    agent = django_user_model.objects.create_user("agent", password="x" * 12)
    entry = record_audit(actor=agent, action=AuditEntry.Action.READ, object_type="case", object_id="1", reason="suivi")
    entry.reason = "autre"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "suivi"


@pytest.mark.django_db
def test_situation_sections_are_merged_not_overwritten():
    situation = Situation.objects.create()
    save_situation_section(situation=situation, section="profile", data={"commune_code": "46070"})
    save_situation_section(situation=situation, section="orientation", data={"digital": "no_internet"})
    situation = save_situation_section(situation=situation, section="profile", data={"birth_date": "1948-03-02"})
    assert situation.answers == {
        "profile": {"commune_code": "46070", "birth_date": "1948-03-02"},
        "orientation": {"digital": "no_internet"},
    }

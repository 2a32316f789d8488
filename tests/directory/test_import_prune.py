"""Records a source no longer publishes: always reported, removed only with --prune, history kept."""

import pytest
from django.core.management import CommandError, call_command

from carteblanche.directory.actions import import_offer
from carteblanche.directory.models import Channel, Place, Service, Structure
from tests.directory.conftest import CSV_HEADER, offer_counts
from tests.directory.test_importers import _fs_features


@pytest.fixture
def two_counters(shipped_data, write_json):
    """France Services Saint-Géry and Catus, imported under a test source."""
    path = write_json(_fs_features("606", "582"), "fs.geojson")
    diff = import_offer(file_format="france-services", path=path, apply=True, source="fs-test")
    assert diff.created == {"structures": 2, "lieux": 2, "services": 2}
    return write_json(_fs_features("606"), "fs-next-year.geojson")  # Catus is gone from the next file


def _test_source_counts():
    return tuple(m.objects.filter(source="fs-test").count() for m in (Structure, Place, Service))


def test_absent_records_are_reported_and_kept_without_prune(two_counters):
    diff = import_offer(file_format="france-services", path=two_counters, apply=True, source="fs-test")
    assert diff.written
    assert diff.absent == {"structures": 1, "lieux": 1, "services": 1}
    assert diff.removed == {"structures": 0, "lieux": 0, "services": 0}
    assert "- service fs-test:582-accompagnement" in diff.changes
    assert "--prune pour les supprimer" in diff.summary()
    assert _test_source_counts() == (2, 2, 2)


def test_prune_dry_run_shows_the_removals_and_changes_nothing(two_counters):
    before = offer_counts()
    diff = import_offer(file_format="france-services", path=two_counters, prune=True, source="fs-test")
    assert not diff.written
    assert diff.removed == {"structures": 1, "lieux": 1, "services": 1}
    assert offer_counts() == before


def test_prune_removes_what_the_source_no_longer_has_and_nothing_else(two_counters):
    other_sources = (Service.objects.exclude(source="fs-test").count(), Place.objects.exclude(source="fs-test").count())
    diff = import_offer(file_format="france-services", path=two_counters, apply=True, prune=True, source="fs-test")
    assert diff.written and diff.removed == {"structures": 1, "lieux": 1, "services": 1}
    assert not Service.objects.filter(source="fs-test", source_id="582-accompagnement").exists()
    assert not Channel.objects.filter(service__source="fs-test", place__source_id="582").exists()
    assert Service.objects.filter(source="fs-test", source_id="606-accompagnement").exists()
    assert _test_source_counts() == (1, 1, 1)
    assert (Service.objects.exclude(source="fs-test").count(), Place.objects.exclude(source="fs-test").count()) == (
        other_sources
    )
    again = import_offer(file_format="france-services", path=two_counters, apply=True, prune=True, source="fs-test")
    assert again.absent == {"structures": 0, "lieux": 0, "services": 0}  # idempotent


def test_prune_keeps_a_structure_that_accounts_refer_to(two_counters):
    from carteblanche.accounts.models import Membership
    from tests.referrals.conftest import make_user

    catus = Structure.objects.get(source="fs-test", source_id="582")
    make_user("agent-catus", role=Membership.Role.AGENT, structure=catus)
    diff = import_offer(file_format="france-services", path=two_counters, apply=True, prune=True, source="fs-test")
    assert diff.removed == {"structures": 0, "lieux": 1, "services": 1}
    assert any("fs-test:582" in line and "gardée" in line for line in diff.kept)
    assert Structure.objects.filter(pk=catus.pk).exists()
    assert Membership.objects.filter(structure=catus).exists()


def test_prune_refuses_a_file_with_rejections_and_writes_nothing(shipped_data, write_text):
    header_columns = CSV_HEADER.strip().split(",")
    good = ",".join(["csv-prune", "s1", "Structure un", *[""] * (len(header_columns) - 3)]) + "\n"
    second = ",".join(["csv-prune", "s2", "Structure deux", *[""] * (len(header_columns) - 3)]) + "\n"
    import_offer(file_format="csv", path=write_text(CSV_HEADER + good + second), apply=True)
    assert Structure.objects.filter(source="csv-prune").count() == 2
    bad = good.replace("Structure un", "")  # the structure's name is required: rejected
    path = write_text(CSV_HEADER + bad, "bad.csv")
    before = offer_counts()
    with pytest.raises(CommandError, match="--prune demande un fichier sans rejet"):
        call_command("import_offer", "csv", str(path), "--apply", "--prune", "--skip-invalid", verbosity=0)
    assert offer_counts() == before
    assert Structure.objects.filter(source="csv-prune").count() == 2


def test_command_lists_the_removals(two_counters, capsys):
    call_command("import_offer", "france-services", str(two_counters), "--source", "fs-test", "--prune", verbosity=2)
    out = capsys.readouterr().out
    assert "- service fs-test:582-accompagnement" in out
    assert "supprimés : 1 structures, 1 lieux, 1 services" in out
    assert "Simulation" in out
    assert _test_source_counts() == (2, 2, 2)

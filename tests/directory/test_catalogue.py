"""load_needs: idempotent upsert, and a broken catalogue names the entry and field."""

import json

import pytest
from django.core.management import call_command

from carteblanche.directory.catalogue import OPERATORS_FILE, CatalogueError, load_catalogue
from carteblanche.directory.models import Need, Operator


def test_load_needs_twice_same_counts(shipped_data):
    call_command("load_needs", verbosity=0)
    before = (Operator.objects.count(), Need.objects.count(), Need.operators.through.objects.count())
    call_command("load_needs", verbosity=0)
    assert (Operator.objects.count(), Need.objects.count(), Need.operators.through.objects.count()) == before


def test_unknown_thematique_is_rejected_and_nothing_written(shipped_data, tmp_path):
    needs = [
        {"slug": "nouveau", "label": "Nouveau", "phrases": ["nouveau"], "thematiques": ["sante--acces-aux-soins"]},
        {"slug": "faux", "label": "Faux", "phrases": ["faux"], "thematiques": ["pas-une-thematique"]},
    ]
    path = tmp_path / "needs.json"
    path.write_text(json.dumps(needs), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"besoin n°2 \(faux\).*thematiques.*pas-une-thematique"):
        load_catalogue(operators_path=OPERATORS_FILE, needs_path=path)
    assert not Need.objects.filter(slug="nouveau").exists()

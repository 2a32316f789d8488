"""The judged evaluation set runs over the shipped data; the situations within this branch's scope
(no `depends_on` another branch's work) all pass. The others are reported, not hidden."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carteblanche.orientation.evaluation import SITUATIONS_FILE, EvaluationDataError, evaluate, load_situations

GROUPS = {"personas", "elderly", "young", "working-parents", "weekend-evening", "urgent", "homonyms", "postcodes"}


def test_the_set_is_large_and_covers_every_kind_of_situation():
    _, situations = load_situations()
    assert len(situations) >= 60
    assert GROUPS | {"free-text", "id-cards"} <= {s["group"] for s in situations}
    communes = {s["request"]["commune"] for s in situations}
    assert len(communes) >= 30
    assert all(s.get("expect") and s.get("why") for s in situations)


@pytest.mark.django_db
def test_every_situation_within_scope_passes_on_the_shipped_data(shipped_data):
    result = evaluate()
    _, situations = load_situations()
    in_scope = {s["id"] for s in situations if not s.get("depends_on")}
    assert len(in_scope) >= 50
    failed = {v["id"]: v["failures"] for v in result["situations"] if v["id"] in in_scope and not v["passed"]}
    assert failed == {}
    assert result["total"] == len(situations)
    assert result["passed"] >= len(in_scope)


@pytest.mark.django_db
def test_a_situation_that_breaks_a_rule_fails_with_the_reason(shipped_data, tmp_path):
    _, situations = load_situations()
    martine = next(s for s in situations if s["id"] == "martine-reversion-cheque-energie")
    wrong = {**martine, "id": "wrong", "expect": {"first_two_operators": ["caf"], "safety_numbers": ["17"]}}
    path = tmp_path / "situations.json"
    path.write_text(json.dumps({"now": "2026-12-08T10:00:00+01:00", "situations": [wrong]}), encoding="utf-8")
    verdict = evaluate(path)["situations"][0]
    assert not verdict["passed"]
    assert any("['caf']" in f for f in verdict["failures"])
    assert any("numéros d'urgence" in f for f in verdict["failures"])


def test_a_wrong_situations_file_names_the_situation_and_the_field(tmp_path):
    path = tmp_path / "situations.json"
    situation = {"id": "x", "request": {"commune": "Cahors", "bogus": 1}, "expect": {}}
    path.write_text(json.dumps({"now": "2026-12-08T10:00:00+01:00", "situations": [situation]}), encoding="utf-8")
    with pytest.raises(EvaluationDataError, match=r"situation n°1 \(x\) : champ « request » : réponse inconnue bogus"):
        load_situations(path)


@pytest.mark.django_db
def test_the_command_prints_verdicts_and_the_share_as_json(shipped_data):
    out = StringIO()
    call_command("evaluate_answers", "--only", "violence-night-cahors", "--only", "martine-reversion", stdout=out)
    result = json.loads(out.getvalue())
    assert result["total"] == 2 and result["share"] == result["passed"] / 2
    assert {s["id"] for s in result["situations"]} == {"violence-night-cahors", "martine-reversion"}
    with pytest.raises(CommandError, match="--only"):
        call_command("evaluate_answers", "--only", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="--fichier"):
        call_command("evaluate_answers", "--fichier", str(SITUATIONS_FILE.with_name("absent.json")), stdout=StringIO())

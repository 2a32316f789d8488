from io import StringIO

import pytest
from django.core.management import CommandError, call_command

DATE = "2026-05-11T08:00:00+02:00"


def _orient(*args):
    out = StringIO()
    call_command("orient", *args, "--date", DATE, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_martine_from_the_command_line(cahors_offer):
    text = _orient(
        "--commune", "Cieurac", "--besoin", "pension de réversion", "--sans-voiture", "--sans-internet",
        "--libre", "mardi 9-12", "--conduit-par", "mardi 9-12", "--agent", "--sms",
    )  # fmt: skip
    assert "Votre plan : Demander une pension de réversion" in text
    assert "1. " in text and "Pourquoi :" in text
    assert "Démarche en ligne" not in text
    assert "moyen adapté à la personne" in text  # agent detail
    assert "SMS :" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--commune", "Cieurak", "--besoin", "allocations-familiales"], "--commune : Nous ne trouvons pas"),
        (["--commune", "Cahors", "--besoin", "allocations-familiales", "--libre", "lundi 25-30"], "--libre : L'heure"),
        (["--commune", "Cahors", "--besoin", "allocations-familiales", "--voiture", "--sans-voiture"], "une seule"),
        (["--commune", "Cahors", "--besoin", "xyzzy plugh"], "--besoin : Nous n'avons pas reconnu"),
    ],
)
def test_bad_input_is_a_clear_command_error(cahors_offer, args, fragment):
    with pytest.raises(CommandError) as error:
        _orient(*args)
    assert fragment in str(error.value)

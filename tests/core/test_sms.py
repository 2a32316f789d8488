"""The SMS module: GSM-7 text, cutting between words only, French numbers, and the backends."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carteblanche.core import sms


def test_french_text_becomes_gsm7_and_keeps_the_accents_gsm7_has():
    assert sms.to_gsm7("Puy-l’Évêque, « Cœur » — façade à côté") == 'Puy-l\'Éveque, "Coeur" - facade à coté'
    assert sms.is_gsm7(sms.to_gsm7("Château, forêt, île, où, même, Noël, naïf, 8\u202fh"))


def test_extension_characters_count_twice():
    assert sms.gsm7_length("abc") == 3
    assert sms.gsm7_length("10 €") == 5
    assert sms.gsm7_length("[x]") == 5


def test_pack_never_cuts_a_phone_number_or_a_url():
    text = "Appelez " + "x" * 140 + " le 05 65 36 06 06 ou https://www.service-public.fr/particuliers/vosdroits/F12345"
    messages = sms.pack(text)
    assert any("05 65 36 06 06" in message for message in messages)
    assert any("https://www.service-public.fr/particuliers/vosdroits/F12345" in message for message in messages)
    assert " ".join(messages) == text
    assert all(len(message) <= 160 for message in messages)


def test_pack_never_cuts_at_a_no_break_space_and_writes_a_plain_space():
    glued = "mardi\u00a08\u00a0décembre"
    messages = sms.pack("x" * 150 + " " + glued)
    assert messages == ["x" * 150, "mardi 8 décembre"]


def test_pack_refuses_too_many_messages_and_a_unit_longer_than_a_message():
    with pytest.raises(sms.MessageTooLong):
        sms.pack("mot " * 200, max_messages=3)
    with pytest.raises(sms.MessageTooLong):
        sms.pack("https://exemple.fr/" + "a" * 200)


WORDS = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P"]), min_size=1, max_size=25)
PHONES = st.from_regex(r"0[1-9]( [0-9][0-9]){4}", fullmatch=True)
URLS = st.from_regex(r"https://[a-z]{3,20}\.fr/[a-z0-9/-]{0,60}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, PHONES, URLS), min_size=1, max_size=80))
def test_packing_any_text_keeps_every_unit_whole(pieces):
    text = sms.to_gsm7(" ".join(pieces))
    try:
        messages = sms.pack(text)
    except sms.MessageTooLong:
        return
    assert all(sms.gsm7_length(message) <= sms.SMS_LENGTH for message in messages)
    assert " ".join(messages) == " ".join(sms.units(text))  # nothing lost, nothing cut
    for piece in pieces:
        gsm = sms.to_gsm7(piece)
        if sms.units(gsm) == [gsm]:  # a phone number or a URL is a single unit
            assert any(gsm in message for message in messages)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 7 12 34 56 78", "+33712345678"),
        ("0033612345678", "+33612345678"),
    ],
)
def test_french_mobiles_are_accepted(raw, expected):
    assert sms.normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "Il manque le numéro"),
        ("05 65 36 06 06", "n'est pas un portable"),
        ("06 12 34 56", "a 8 chiffres"),
        ("06 12 34 56 7a", "pas des chiffres"),
        ("+44 7700 900123", "portable français"),
        ("3960", "a 4 chiffres"),
    ],
)
def test_a_bad_number_gets_a_specific_french_error(raw, says):
    with pytest.raises(sms.InvalidNumber, match=says):
        sms.normalize_mobile(raw)


def test_console_and_file_backends(tmp_path):
    stream = io.StringIO()
    assert sms.ConsoleBackend(stream=stream).send_messages("+33612345678", ["un", "deux"]) == 2
    assert "SMS 2/2 à +33612345678" in stream.getvalue()
    assert sms.FileBackend(file_path=str(tmp_path)).send_messages("+33612345678", ["un"]) == 1
    (written,) = tmp_path.iterdir()
    assert "un" in written.read_text()


def test_send_sms_uses_the_configured_backend_and_refuses_uncut_text():
    sms.outbox.clear()
    assert sms.send_sms("06 12 34 56 78", ["Bonjour."]) == 1  # test settings: LocmemBackend
    assert sms.outbox == [sms.SentSms("+33612345678", "Bonjour.")]
    with pytest.raises(ValueError):
        sms.send_sms("06 12 34 56 78", ["x" * 161])
    with pytest.raises(ValueError):
        sms.send_sms("06 12 34 56 78", ["forêt"])  # not GSM-7: would be cut at 70 characters
    sms.outbox.clear()


class FakeTransport:
    def __init__(self, status=201, error=None):
        self.calls, self.status, self.error = [], status, error

    def __call__(self, url, headers, body, timeout):
        self.calls.append((url, headers, json.loads(body)))
        if self.error:
            raise self.error
        return self.status, b'{"messageId": 1511882900176220}'


def test_brevo_backend_posts_one_transactional_sms_per_message():
    transport = FakeTransport()
    backend = sms.BrevoBackend(api_key="clé-de-test", sender="CarteBlanc", transport=transport)
    assert backend.send_messages("+33612345678", ["un", "deux"]) == 2
    url, headers, payload = transport.calls[0]
    assert url == "https://api.brevo.com/v3/transactionalSMS/send"
    assert headers["api-key"] == "clé-de-test"
    assert payload == {
        "sender": "CarteBlanc",
        "recipient": "33612345678",
        "content": "un",
        "type": "transactional",
        "unicodeEnabled": False,
    }


@pytest.mark.parametrize(
    ("transport", "says"),
    [(FakeTransport(status=400), "code 400"), (FakeTransport(error=TimeoutError("timed out")), "ne répond pas")],
)
def test_brevo_failures_are_french_errors(transport, says):
    backend = sms.BrevoBackend(api_key="k", sender="CarteBlanc", transport=transport)
    with pytest.raises(sms.DeliveryFailed, match=says):
        backend.send_messages("+33612345678", ["un"])


def test_brevo_needs_a_key_and_a_short_sender(settings):
    settings.CARTEBLANCHE_SMS_BREVO_API_KEY = ""
    with pytest.raises(sms.SmsError, match="ne marche pas pour le moment"):
        sms.BrevoBackend(sender="CarteBlanc")
    with pytest.raises(sms.SmsError, match="11 lettres"):
        sms.BrevoBackend(api_key="k", sender="Carte Blanche")

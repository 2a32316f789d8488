"""Text messages: GSM-7 text, messages cut only between words, and sending through a backend.

Reusable by every app (orientation plans today; referral and booking reminders later):

- `to_gsm7` / `gsm7_length`: what a phone counts. A message in the GSM-7 alphabet holds 160
  characters; one character outside it (ê, ç, «) makes the whole message UCS-2 and 70 characters.
  So texts are transliterated ("Évêque" -> "Éveque": É is GSM-7, ê is not) and the
  extension characters (€, [, ]…) are counted twice, as the network does.
- `pack`: cuts a text into messages between words only; a French phone number
  ("05 65 36 06 06") and a URL are single units, never cut.
- `send_sms`: the configured backend (`CARTEBLANCHE_SMS_BACKEND`): console (default), file,
  in-memory (tests) or Brevo (a French provider, HTTP API). The caller journals the send
  and holds the person's consent; this module stores nothing.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.module_loading import import_string

SMS_LENGTH = 160

# GSM 03.38 basic alphabet (one unit each) and extension table (escape + char: two units each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")
# French characters outside GSM-7, written the way French SMS usually write them.
_TRANSLITERATION = {
    "À": "A",
    "Â": "A",
    "â": "a",
    "Ê": "E",
    "ê": "e",
    "È": "E",
    "Ë": "E",
    "ë": "e",
    "Î": "I",
    "î": "i",
    "Ï": "I",
    "ï": "i",
    "Ô": "O",
    "ô": "o",
    "Ù": "U",
    "Û": "U",
    "û": "u",
    "Ÿ": "Y",
    "ÿ": "y",
    "ç": "c",
    "œ": "oe",
    "Œ": "OE",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "‑": "-",
    "…": "...",
    "\u202f": " ",
    "\u2009": " ",
    "\t": " ",
}
# A French phone number written in groups ("05 65 36 06 06", "05.65.36.06.06", "+33 5 65 36 06 06")
# is one unit, with the punctuation stuck to it; anything else without a space (a word, a URL) is
# one unit. A no-break space (U+00A0) glues words the writer wants kept together ("mardi 8 décembre").
NBSP = "\u00a0"
_PHONE = r"(?:\+33|0) ?[0-9](?:[ .]?[0-9]{2}){4}(?![0-9])[^\s\u00a0]*"
_UNIT = re.compile(rf"{_PHONE}|[^ \t\n\r\f\v\u202f\u2009]+")


def to_gsm7(text: str) -> str:
    """The text in the GSM-7 alphabet: French accents kept when GSM-7 has them, else dropped.

    No-break spaces are kept for `pack`, which turns them into plain spaces.
    """
    text = re.sub(r"«[\s\u00a0\u202f]*", '"', text)
    text = re.sub(r"[\s\u00a0\u202f]*»", '"', text)
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENDED or char == NBSP:
            out.append(char)
        elif char in _TRANSLITERATION:
            out.append(_TRANSLITERATION[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in GSM7_BASIC)
            out.append(base)
    return re.sub(r" {2,}", " ", "".join(out))


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def gsm7_length(text: str) -> int:
    """How many GSM-7 units the text takes (extension characters count two)."""
    return sum(2 if char in GSM7_EXTENDED else 1 for char in text)


def units(text: str) -> list[str]:
    """The pieces a message may never cut: words, URLs and phone numbers (spaces inside kept)."""
    return _UNIT.findall(text)


class MessageTooLong(ValueError):
    """The text does not fit in the allowed messages, or one unit alone is longer than a message."""


def pack(text: str, *, limit: int = SMS_LENGTH, max_messages: int | None = None) -> list[str]:
    """Cut a GSM-7 text into messages of at most `limit` units, only between words.

    Never at a no-break space: it becomes a plain space inside its message.
    """
    messages: list[str] = []
    current = ""
    for unit in (u.replace(NBSP, " ") for u in units(text)):
        if gsm7_length(unit) > limit:
            raise MessageTooLong(f"« {unit[:30]}… » est plus long qu'un SMS.")
        candidate = f"{current} {unit}" if current else unit
        if gsm7_length(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = unit
    if current:
        messages.append(current)
    if max_messages is not None and len(messages) > max_messages:
        raise MessageTooLong(f"Le texte prend {len(messages)} SMS, au plus {max_messages} sont permis.")
    return messages


# ------------------------------------------------------------------ phone numbers


class SmsError(Exception):
    """A send that cannot be done; the message is French and says what to do."""


class InvalidNumber(SmsError):
    pass


class DeliveryFailed(SmsError):
    pass


def normalize_mobile(raw: str) -> str:
    """A French mobile number in E.164 ("+33612345678"), or `InvalidNumber` saying why.

    Accepts "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678". Only
    mobiles (06, 07) receive SMS; a landline or a short number is refused plainly.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidNumber("Il manque le numéro : écrivez-le, par exemple 06 12 34 56 78.")
    if re.search(r"[^\d\s.+()-]", text):
        raise InvalidNumber(
            f"Le numéro « {text[:30]} » contient des caractères qui ne sont pas des chiffres. "
            "Écrivez-le comme 06 12 34 56 78."
        )
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if not digits.startswith("33"):
            raise InvalidNumber("Seuls les numéros de portable français (06 ou 07) peuvent recevoir le SMS.")
        digits = "0" + digits[2:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if len(digits) != 10:
        raise InvalidNumber(
            f"Le numéro « {text[:30]} » a {len(digits)} chiffres : un numéro de portable en a 10, comme 06 12 34 56 78."
        )
    if digits[:2] not in ("06", "07"):
        raise InvalidNumber(
            f"Le numéro « {text[:30]} » n'est pas un portable : il doit commencer par 06 ou 07 pour recevoir un SMS."
        )
    return "+33" + digits[1:]


# ------------------------------------------------------------------ backends


@dataclass(frozen=True, slots=True)
class SentSms:
    to: str  # E.164
    body: str


class BaseSmsBackend:
    """Sends messages already cut to size (see `pack`). Returns how many were sent."""

    def send_messages(self, to: str, messages: Sequence[str]) -> int:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Writes the messages to the console (development default): nothing leaves the machine."""

    def __init__(self, stream: IO[str] | None = None, **_: Any) -> None:
        self.stream = stream or sys.stdout

    def send_messages(self, to: str, messages: Sequence[str]) -> int:
        for number, body in enumerate(messages, start=1):
            self.stream.write(f"SMS {number}/{len(messages)} à {to} :\n{body}\n{'-' * 40}\n")
        self.stream.flush()
        return len(messages)


class FileBackend(BaseSmsBackend):
    """One file per send in `CARTEBLANCHE_SMS_FILE_PATH` (a staging server, a demo)."""

    def __init__(self, file_path: str | None = None, **_: Any) -> None:
        self.path = Path(file_path or settings.CARTEBLANCHE_SMS_FILE_PATH)

    def send_messages(self, to: str, messages: Sequence[str]) -> int:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        body = "\n\n".join(messages)
        (self.path / f"{stamp}.txt").write_text(f"À : {to}\n\n{body}\n", encoding="utf-8")
        return len(messages)


outbox: list[SentSms] = []  # the in-memory backend's messages (tests empty it)


class LocmemBackend(BaseSmsBackend):
    """Keeps the messages in `carteblanche.core.sms.outbox` (test settings)."""

    def __init__(self, **_: Any) -> None:
        pass

    def send_messages(self, to: str, messages: Sequence[str]) -> int:
        outbox.extend(SentSms(to, body) for body in messages)
        return len(messages)


# A transport posts bytes and returns (HTTP status, response bytes); tests give a fake one.
Transport = Callable[[str, dict[str, str], bytes, float], tuple[int, bytes]]


def urllib_transport(url: str, headers: dict[str, str], body: bytes, timeout: float) -> tuple[int, bytes]:
    if not url.startswith("https://"):
        raise ValueError("SMS providers are reached over https only.")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https checked
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


_LATER = "Réessayez plus tard."


class BrevoBackend(BaseSmsBackend):
    """Brevo transactional SMS (https://developers.brevo.com/docs/transactional-sms-endpoints).

    `POST https://api.brevo.com/v3/transactionalSMS/send`, header `api-key`, JSON body
    `{sender, recipient, content, type: "transactional", unicodeEnabled: false}`; the recipient
    is the international number without "+", the sender at most 11 letters or digits. Each of
    our messages (already <= 160 GSM-7 units) is one request, so Brevo never re-cuts it.
    """

    URL = "https://api.brevo.com/v3/transactionalSMS/send"

    def __init__(
        self,
        api_key: str | None = None,
        sender: str | None = None,
        transport: Transport | None = None,
        timeout: float = 10.0,
        **_: Any,
    ) -> None:
        self.api_key = api_key if api_key is not None else settings.CARTEBLANCHE_SMS_BREVO_API_KEY
        self.sender = sender if sender is not None else settings.CARTEBLANCHE_SMS_SENDER
        if not self.api_key:
            # Said to the person; the operator sees the cause in the settings (no Brevo key).
            raise SmsError("L'envoi de SMS ne marche pas pour le moment. Imprimez votre plan, ou réessayez plus tard.")
        if not re.fullmatch(r"[A-Za-z0-9]{1,11}|\d{1,15}", self.sender):
            raise SmsError("Le nom d'expéditeur des SMS doit avoir au plus 11 lettres ou chiffres, sans espace.")
        self.transport = transport or urllib_transport
        self.timeout = timeout

    def send_messages(self, to: str, messages: Sequence[str]) -> int:
        headers = {"accept": "application/json", "content-type": "application/json", "api-key": self.api_key}
        sent = 0
        for body in messages:
            payload = {
                "sender": self.sender,
                "recipient": to.lstrip("+"),
                "content": body,
                "type": "transactional",
                "unicodeEnabled": False,
            }
            try:
                status, _response = self.transport(self.URL, headers, json.dumps(payload).encode(), self.timeout)
            except OSError as exc:  # network down, timeout
                raise DeliveryFailed(f"Le service d'envoi de SMS ne répond pas. {_LATER}") from exc
            if not 200 <= status < 300:
                raise DeliveryFailed(f"Le service d'envoi de SMS a refusé le message (code {status}). {_LATER}")
            sent += 1
        return sent


def get_backend(path: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    return import_string(path or settings.CARTEBLANCHE_SMS_BACKEND)(**kwargs)


def send_sms(to: str, messages: Sequence[str], *, backend: BaseSmsBackend | None = None) -> int:
    """Send messages to a French mobile; each must already be GSM-7 and at most 160 units."""
    number = normalize_mobile(to)
    for body in messages:
        if not is_gsm7(body) or gsm7_length(body) > SMS_LENGTH:
            raise ValueError("Each message must be GSM-7 text of at most 160 units: use to_gsm7 and pack.")
    return (backend or get_backend()).send_messages(number, list(messages))

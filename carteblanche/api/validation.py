"""Schema errors of the API in plain French, one per field, with bracket paths (`persons[0].salary_net`).

django-ninja hands over pydantic's errors: English messages and dotted locations that also name the
branches of a union (`disability_rate.constrained-float`). This module turns them into the API's
error shape, `{"field", "message"}`, so that a client, and a person reading the message, can tell
which field is wrong and what is expected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_LOCATION_ROOTS = {"body", "query", "path", "payload", "form", "header", "cookie"}
# Names pydantic gives to the branches of a union (`float | Literal["unknown"]`): not fields.
_UNION_TAGS = {"bool", "float", "int", "str", "dict", "list", "none", "constrained-float", "constrained-int"}


def _is_union_tag(part: str) -> bool:
    return part in _UNION_TAGS or any(mark in part for mark in "[]'-")


def bracket_path(location: Iterable[Any]) -> str:
    """('body', 'payload', 'persons', 0, 'salary_net') -> 'persons[0].salary_net'."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif (part in _LOCATION_ROOTS and not path) or (isinstance(part, str) and _is_union_tag(part)):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def _shown(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=True)[:40]
    except (TypeError, ValueError):
        return str(value)[:40]


def _expected(ctx: Mapping[str, Any]) -> str:
    """ "'a', 'b' or 'c'" -> "« a », « b » ou « c »"."""
    return re.sub(r"'([^']*)'", r"« \1 »", str(ctx.get("expected", ""))).replace(" or ", " ou ")


_SIMPLE = {
    "missing": "Champ obligatoire.",
    "finite_number": "Un nombre fini est attendu (NaN et Infinity ne sont pas acceptés).",
    "string_type": "Du texte est attendu.",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "uuid_type": "Un identifiant (UUID) est attendu.",
    "uuid_parsing": "Un identifiant (UUID) est attendu.",
    "date_type": "Une date est attendue (AAAA-MM-JJ).",
    "date_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "datetime_type": "Une date et une heure sont attendues (ISO 8601).",
    "datetime_parsing": "Une date et une heure sont attendues (ISO 8601).",
    "datetime_from_date_parsing": "Une date et une heure sont attendues (ISO 8601).",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "json_type": "Le corps de la requête n'est pas un JSON valide.",
    "extra_forbidden": "Champ inconnu.",
    "url_parsing": "Une adresse web est attendue.",
    "url_type": "Une adresse web est attendue.",
}


def french_message(error: Mapping[str, Any]) -> str:
    """One pydantic error dict -> a short French sentence saying what is expected."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    shown = f", pas {_shown(value)}" if "input" in error else ""
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float", "decimal_type"):
        return f"Un nombre est attendu{shown}."
    if kind in ("bool_type", "bool_parsing"):
        return f"true ou false est attendu{shown}."
    if kind == "literal_error" or kind == "enum":
        return f"Valeur attendue : {_expected(ctx)}."
    if kind == "greater_than_equal":
        return f"La valeur doit être supérieure ou égale à {ctx.get('ge')}."
    if kind == "greater_than":
        return f"La valeur doit être supérieure à {ctx.get('gt')}."
    if kind == "less_than_equal":
        return f"La valeur doit être inférieure ou égale à {ctx.get('le')}."
    if kind == "less_than":
        return f"La valeur doit être inférieure à {ctx.get('lt')}."
    if kind == "string_too_long":
        return f"Au plus {ctx.get('max_length')} caractères."
    if kind == "string_too_short":
        return f"Au moins {ctx.get('min_length')} caractère(s)."
    if kind == "too_long":
        return f"Au plus {ctx.get('max_length')} élément(s)."
    if kind == "too_short":
        return f"Au moins {ctx.get('min_length')} élément(s)."
    if kind == "string_pattern_mismatch":
        return "Le format de la valeur n'est pas celui attendu."
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message or "Valeur invalide."
    return "Valeur invalide."


def field_errors(
    errors: Iterable[Mapping[str, Any]], message_of: Callable[[Mapping[str, Any]], str] = french_message
) -> list[dict[str, str]]:
    """Pydantic errors -> one {field, message} per field (a union's branches become one message)."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        path = bracket_path(error.get("loc", ()))
        message = message_of(error)
        messages = by_field.setdefault(path, [])
        if message not in messages:
            messages.append(message)
    return [
        {"field": path, "message": " Ou : ".join(messages) if len(messages) > 1 else messages[0]}
        for path, messages in by_field.items()
    ]


def summary(details: list[dict[str, str]], name: Callable[[str], str] = lambda path: path) -> str:
    """One line for the `message` key: each field (as `name` writes it) and what is wrong."""
    parts = [f"{name(d['field'])} : {d['message']}" if d["field"] else d["message"] for d in details]
    return " ; ".join(part.rstrip(".") for part in parts) + ("." if parts else "")

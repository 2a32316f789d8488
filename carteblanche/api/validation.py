"""Schema errors of the API in plain French, one per field, with bracket paths (`persons[0].salary_net`).

django-ninja hands over pydantic's errors: English messages and dotted locations that also name the
branches of a union (`disability_rate.constrained-float`). This module turns them into the API's
error shape, `{"field", "message"}`, so that a client, and a person reading the message, can tell
which field is wrong and what is expected.
"""

from __future__ import annotations

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


def field_errors(
    errors: Iterable[Mapping[str, Any]], message_of: Callable[[Mapping[str, Any]], str]
) -> list[dict[str, str]]:
    """Pydantic errors -> one {field, message} per field (a union's branches become one message).

    `message_of` gives one error's French message: the API's one table (`api.api.french_message`)."""
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

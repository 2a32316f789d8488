"""What a referral shares of the person's answers: only those relevant to the need (pure module).

The table is data (referrals/data/need_answers.json: need → bundles of 'section.key'). The receiving
partner sees these answers as French sentences (desk.sentences); the sending structure sees them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

NEED_ANSWERS_FILE = Path(__file__).resolve().parent / "data" / "need_answers.json"
SECTIONS = ("profile", "orientation", "household")


class SharingDataError(ValueError):
    """The need → answers table is wrong: names the entry."""


@cache
def table(path: Path = NEED_ANSWERS_FILE) -> dict[str, frozenset[str]]:
    """need slug (or '' for the default) → the 'section.key' it shares; validated."""
    data = json.loads(path.read_text(encoding="utf-8"))
    bundles: dict[str, list[str]] = data["bundles"]
    for name, keys in bundles.items():
        for key in keys:
            section, _, field = key.partition(".")
            if section not in SECTIONS or not field or key.startswith("household.steps"):
                raise SharingDataError(f"bundle « {name} » : clé « {key} » invalide")

    def expand(names: list[str], where: str) -> frozenset[str]:
        if unknown := [n for n in names if n not in bundles]:
            raise SharingDataError(f"{where} : bundle inconnu {', '.join(unknown)}")
        return frozenset(key for n in names for key in bundles[n])

    out = {"": expand(data["default"], "default")}
    for slug, names in data["needs"].items():
        out[slug] = expand(names, slug)
    return out


def keys_for_need(need_slug: str | None) -> frozenset[str]:
    shares = table()
    return shares.get(need_slug or "", shares[""])


def answers_for_needs(answers: Mapping[str, Any] | None, need_slugs: list[str | None]) -> dict[str, Any]:
    """The part of the answers these needs share (union over the needs), same shape as `answers`."""
    keys: set[str] = set()
    for slug in need_slugs or [None]:
        keys |= keys_for_need(slug)
    out: dict[str, Any] = {}
    for section in SECTIONS:
        kept = {k: v for k, v in ((answers or {}).get(section) or {}).items() if f"{section}.{k}" in keys}
        if kept:
            out[section] = kept
    return out

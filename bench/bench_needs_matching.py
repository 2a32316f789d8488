"""Benchmark: how well the free-text matcher finds the need people mean (JSON on stdout).

Reads the evaluation file `bench/data/needs_matching_eval.tsv` (text, expected need slug or
"none", kind: courant / ancien / faute / difficile / piege / hors) and the shipped catalogue
(`carteblanche/directory/data/needs.json`), no database. For each phrasing the matcher's first
answer (or none) is compared with the expected need:

- precision: right first answers / phrasings the matcher answered;
- recall: right first answers / phrasings that have an expected need;
- none_kept: phrasings expecting "none" left unanswered / phrasings expecting "none";
- top3_recall: expected need among the first three answers.

The file is split in two halves by a hash of the text (`dev`, `held_out`): work on the matcher
looked only at the `dev` failures, so `held_out` says how well it does on phrasings it was
not tuned on. Also per kind, per-need failures, and the time per phrasing.

    .venv/bin/python bench/bench_needs_matching.py [--failures-only-dev]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carteblanche.directory.needs_matching import match_needs  # noqa: E402

EVAL_FILE = ROOT / "bench" / "data" / "needs_matching_eval.tsv"
CATALOGUE = ROOT / "carteblanche" / "directory" / "data" / "needs.json"


@dataclass(frozen=True)
class CatalogueNeed:
    slug: str
    label: str
    phrases: tuple[str, ...]


def load_catalogue() -> list[CatalogueNeed]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return [CatalogueNeed(n["slug"], n["label"], tuple(n.get("phrases", ()))) for n in data]


def load_eval() -> list[dict[str, str]]:
    with EVAL_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        row["split"] = "dev" if zlib.crc32(row["text"].encode()) % 2 == 0 else "held_out"
    return rows


def metrics(results: list[dict]) -> dict[str, float | int]:
    answered = [r for r in results if r["got"] != "none"]
    expected = [r for r in results if r["expected"] != "none"]
    nones = [r for r in results if r["expected"] == "none"]
    right = [r for r in answered if r["got"] == r["expected"]]
    precision = len(right) / len(answered) if answered else 0.0
    recall = len(right) / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "phrasings": len(results),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "top3_recall": round(sum(r["expected"] in r["top3"] for r in expected) / len(expected), 3) if expected else 0,
        "none_kept": round(sum(r["got"] == "none" for r in nones) / len(nones), 3) if nones else None,
    }


def evaluate(rows: list[dict[str, str]] | None = None) -> dict:
    """The whole report (also used by the test that guards the floor)."""
    needs = load_catalogue()
    rows = rows if rows is not None else load_eval()
    results = []
    started = time.perf_counter()
    for row in rows:
        ranked = match_needs(row["text"], needs, limit=3)
        top3 = [need.slug for need, _score in ranked]
        results.append({**row, "got": top3[0] if top3 else "none", "top3": top3})
    elapsed_ms = (time.perf_counter() - started) * 1000
    kinds = sorted({r["kind"] for r in rows})
    failures: dict[str, list[dict[str, str]]] = {}
    for r in results:
        if r["got"] != r["expected"]:
            failures.setdefault(r["expected"], []).append(
                {"text": r["text"], "got": r["got"], "kind": r["kind"], "split": r["split"]}
            )
    return {
        "eval_file": str(EVAL_FILE.relative_to(ROOT)),
        "all": metrics(results),
        "dev": metrics([r for r in results if r["split"] == "dev"]),
        "held_out": metrics([r for r in results if r["split"] == "held_out"]),
        "by_kind": {kind: metrics([r for r in results if r["kind"] == kind]) for kind in kinds},
        "ms_per_phrasing": round(elapsed_ms / max(len(rows), 1), 3),
        "failures_by_need": dict(sorted(failures.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures-only-dev", action="store_true", help="list only the dev half's failures")
    args = parser.parse_args()
    report = evaluate()
    if args.failures_only_dev:
        report["failures_by_need"] = {
            need: [f for f in found if f["split"] == "dev"] for need, found in report["failures_by_need"].items()
        }
        report["failures_by_need"] = {need: found for need, found in report["failures_by_need"].items() if found}
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

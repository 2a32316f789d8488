"""Writes of the directory: importing an offer file (all-or-nothing, dry run by default), readers' reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import timezone

from carteblanche.directory.importers import READERS
from carteblanche.directory.importers.base import Diff, write_offer
from carteblanche.directory.models import Correction, Place, Service, Structure


def import_offer(
    *,
    file_format: str,
    path: Path,
    apply: bool = False,
    source: str | None = None,
    skip_invalid: bool = False,
    prune: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> Diff:
    """Read, validate and upsert an offer file by (source, source_id), in one transaction.

    Rejected records are always reported. If there are any, nothing is written unless
    `skip_invalid`; the diff of the valid records is still computed (in a rolled-back transaction).
    Raises `ImportFileError` when the file itself is unreadable. With `prune`, the records of the
    file's sources that the file no longer has are removed; a file with rejected records is then
    never written (a rejected record is not absent).
    """
    if file_format not in READERS:
        raise ValueError(f"format inconnu « {file_format} » (formats : {', '.join(sorted(READERS))})")
    batch = READERS[file_format](Path(path), source=source, skip_invalid=True)
    prune_refused = prune and bool(batch.rejections)
    may_write = apply and not prune_refused and (skip_invalid or not batch.rejections)
    return write_offer(batch, apply=may_write, prune=prune and not prune_refused, progress=progress)


def report_correction(
    record: Service | Place | Structure, *, topic: str, message: str, reporter: str = "", contact: str = ""
) -> Correction:
    """Record a reader's report that `record` is wrong, for the data stewards."""
    kind = {Service: "service", Place: "place", Structure: "structure"}[type(record)]
    correction = Correction(
        **{kind: record}, topic=topic, message=message.strip(), reporter=reporter, contact=contact.strip()
    )
    correction.full_clean()
    correction.save()
    return correction


def handle_correction(correction: Correction, *, status: str, by, resolution: str = "") -> Correction:
    """Close a report (fixed or dismissed). Its contact was kept for questions only: it is erased."""
    if status == Correction.Status.NEW:
        raise ValueError("a handled report is either fixed or dismissed")
    correction.status = status
    correction.handled_at = timezone.now()
    correction.handled_by = by
    correction.contact = ""
    if resolution:
        correction.resolution = resolution
    correction.save(update_fields=["status", "handled_at", "handled_by", "contact", "resolution"])
    return correction

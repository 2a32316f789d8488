"""Offer importers: each reads one format into an `OfferBatch`; `base.write_offer` writes it."""

from carteblanche.directory.importers import csv_format, datainclusion, france_services

READERS = {
    "datainclusion": datainclusion.read,
    "csv": csv_format.read,
    "france-services": france_services.read,
}

"""HTTP API of the rights app (mounted under /api/ by carteblanche.api.api)."""

from ninja import Router

router = Router(tags=["rights"])

"""HTTP API of the observatory app (mounted under /api/ by carteblanche.api.api)."""

from ninja import Router

router = Router(tags=["observatory"])

"""HTTP API of the territories app (mounted under /api/ by carteblanche.api.api)."""

from ninja import Router

router = Router(tags=["territories"])

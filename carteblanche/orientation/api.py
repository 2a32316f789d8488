"""HTTP API of the orientation app (mounted under /api/ by carteblanche.api.api)."""

from ninja import Router

router = Router(tags=["orientation"])

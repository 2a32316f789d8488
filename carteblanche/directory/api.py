"""HTTP API of the directory app (mounted under /api/ by carteblanche.api.api)."""

from ninja import Router

router = Router(tags=["directory"])

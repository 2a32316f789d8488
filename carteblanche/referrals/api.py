"""HTTP API of the referrals app (mounted under /api/ by carteblanche.api.api)."""

from ninja import Router

router = Router(tags=["referrals"])

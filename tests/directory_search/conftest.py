"""Fixtures of the search tests: a fresh offer index for every test."""

import pytest

from carteblanche.directory.search_index import invalidate_offer_index


@pytest.fixture(autouse=True)
def _fresh_offer_index():
    """Another test's rolled-back rows must not linger in the process-wide index."""
    invalidate_offer_index()
    yield
    invalidate_offer_index()

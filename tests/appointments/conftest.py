from tests.referrals.conftest import (  # noqa: F401  the accompaniment world, reused
    World,
    _fast_static,
    fresh_process_caches,
    make_structure,
    make_user,
    private_documents,
    world,
)


def freeze_time(moment):
    """Patch Django's clock (what the actions read); usable as decorator or context manager."""
    from unittest import mock

    return mock.patch("django.utils.timezone.now", new=lambda: moment)

import logging
import threading

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class RightsConfig(AppConfig):
    name = "carteblanche.rights"
    label = "rights"
    verbose_name = "Droits"


def start_warm_up() -> None:
    """Build the tax-benefit system and run one simulation in the background (idempotent)."""
    from carteblanche.rights import openfisca_adapter

    if openfisca_adapter.is_warm() or getattr(start_warm_up, "started", False):
        return
    start_warm_up.started = True  # type: ignore[attr-defined]

    def run() -> None:
        seconds = openfisca_adapter.warm_up()
        logger.info("OpenFisca-France warmed in %.1f s", seconds)

    threading.Thread(target=run, name="rights-warmup", daemon=True).start()

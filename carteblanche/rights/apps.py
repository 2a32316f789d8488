import logging
import threading

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class RightsConfig(AppConfig):
    name = "carteblanche.rights"
    label = "rights"
    verbose_name = "Droits"


def start_warm_up() -> None:
    """Build the tax-benefit system and run one simulation in the background (idempotent), through
    the micro-batcher: the first requests share its simulation (`rights.actions.warm_up`)."""
    from carteblanche.rights import openfisca_adapter

    if openfisca_adapter.is_warm() or getattr(start_warm_up, "started", False):
        return
    start_warm_up.started = True  # type: ignore[attr-defined]

    def run() -> None:
        from carteblanche.rights.actions import warm_up

        try:
            seconds = warm_up()
        except Exception:  # requests build and simulate anyway: a failed warm-up costs only time
            logger.exception("warming OpenFisca-France failed")
            return
        logger.info("OpenFisca-France warmed in %.1f s", seconds)

    threading.Thread(target=run, name="rights-warmup", daemon=True).start()

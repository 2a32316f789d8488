"""Whether this process serves web requests (config/wsgi.py says so), as opposed to a command.

Why: work that pays off only over many requests (prefilling the offer cache) should not start
in a management command that answers one question and exits.
"""

import logging
import time
from threading import Thread

logger = logging.getLogger(__name__)

_serving = False


def mark_serving() -> None:
    global _serving
    _serving = True


def is_serving() -> bool:
    return _serving


def import_views() -> None:
    """Import the URL configuration, hence every view module, now, in the server's loading thread.

    Otherwise the first request imports them while the warm-up threads run: OpenFisca's build makes
    long calls that hold the interpreter (unpickling its parameters, compiling its formulas' files),
    and the imports wait behind them (measured: the first answer of a started server 2.0-2.5 s after
    the start, 1.0 s with this)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the views)


def start_server_warm_ups() -> None:
    """Start the warm-ups a web server process wants (settings say which), in background threads.

    Why here and not in AppConfig.ready(): ready() also runs in every management command, in the
    autoreloader's parent process and in tests, where a warm-up only costs CPU.
    """
    from django.conf import settings

    if settings.RIGHTS_WARMUP:
        from carteblanche.rights.apps import start_warm_up

        start_warm_up()
    if settings.CARTEBLANCHE_ANSWERS_WARMUP:
        Thread(target=warm_search_and_plan, name="answers-warmup", daemon=True).start()


def warm_search_and_plan() -> None:
    """One search and one plan before the first request (directory and orientation warm-ups), then
    this thread's database connections are closed. A failure is logged: requests do the work anyway."""
    from django.db import connections

    from carteblanche.directory import warm_up as directory_warm_up
    from carteblanche.orientation import warm_up as orientation_warm_up

    try:
        for name, warm_up in (("search", directory_warm_up.warm_up), ("plan", orientation_warm_up.warm_up)):
            started = time.perf_counter()
            warm_up()
            logger.info("%s warmed in %.1f s", name, time.perf_counter() - started)
    except Exception:
        logger.exception("warming the search and the plan failed")
    finally:
        connections.close_all()

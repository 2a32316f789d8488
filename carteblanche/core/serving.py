"""Whether this process serves web requests (config/wsgi.py says so), as opposed to a command.

Why: work that pays off only over many requests (prefilling the offer cache) should not start
in a management command that answers one question and exits.
"""

_serving = False


def mark_serving() -> None:
    global _serving
    _serving = True


def is_serving() -> bool:
    return _serving


def start_server_warm_ups() -> None:
    """Start the warm-ups a web server process wants (settings say which), in background threads.

    Why here and not in AppConfig.ready(): ready() also runs in every management command, in the
    autoreloader's parent process and in tests, where a warm-up only costs CPU.
    """
    from django.conf import settings

    if settings.RIGHTS_WARMUP:
        from carteblanche.rights.apps import start_warm_up

        start_warm_up()

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

"""What the benchmarks that start a server share: a free port, a log line on stderr, the machine."""

from __future__ import annotations

import os
import platform
import socket
import sys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(*parts: object) -> None:
    """Progress on stderr: stdout carries the JSON report only."""
    print(*parts, file=sys.stderr, flush=True)


def machine() -> dict[str, object]:
    """Where the figures were measured (the load matters on a shared machine)."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }

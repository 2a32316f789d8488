"""Run every bench/bench_*.py and print their JSON reports as one JSON object (name -> report).

    .venv/bin/python bench/run_all.py [--only search] > bench-results.json

Each benchmark runs in its own process, one after the other (the machine is small: running
them together would measure the contention). A benchmark that fails is reported with its
exit code and the end of its error output; the others still run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="names without the bench_ prefix, e.g. search")
    args = parser.parse_args()
    results: dict[str, dict] = {}
    failed = 0
    for script in sorted(BENCH.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if args.only is not None and name not in args.only:
            continue
        print(f"running {script.name}…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=BENCH.parent)
        elapsed = round(time.perf_counter() - started, 1)
        try:
            report = json.loads(done.stdout) if done.returncode == 0 else None
        except json.JSONDecodeError:
            report = None
        if report is None:
            failed += 1
            results[name] = {"error": f"exit code {done.returncode}", "stderr_tail": done.stderr[-2000:]}
        else:
            results[name] = report
        results[name]["wall_s"] = elapsed
        print(f"{script.name}: {elapsed} s", file=sys.stderr, flush=True)
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

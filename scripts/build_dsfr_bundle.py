"""Write the project's DSFR slice (carteblanche/static/dsfr-lean/) from carteblanche/core/data/dsfr_bundle.json.

Run after adding a DSFR component or icon to a template (tests/core/test_dsfr_bundle.py says when):
    .venv/bin/python scripts/build_dsfr_bundle.py            # rewrite the files
    .venv/bin/python scripts/build_dsfr_bundle.py --check    # exit 1 when they are out of date
"""

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from carteblanche.core.dsfr_bundle import STATIC_DIR, outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the files are current")
    args = parser.parse_args()
    stale = []
    for name, text in outputs().items():
        path = STATIC_DIR / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        size = len(gzip.compress(text.encode(), 9))
        print(f"{'out of date' if args.check else 'wrote'} {name}: {len(text):,} bytes, {size:,} gzipped")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

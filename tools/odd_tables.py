"""Write docs/odd-parameters.md, the ODD description's parameter tables, from the code.

The tables come from the fields, defaults and docstrings of ``GameConfig`` and
``ScoringPolicy`` (``scorelab._odd``). Run after changing either class:

    python tools/odd_tables.py          # rewrite docs/odd-parameters.md
    python tools/odd_tables.py --check  # exit 1 if the committed file is out of date

``tests/test_odd.py`` runs the check, so the description cannot drift from the code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "odd-parameters.md"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from scorelab._odd import parameter_tables

    fresh = parameter_tables()
    current = TARGET.read_text() if TARGET.exists() else None
    if args.check:
        if current != fresh:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python tools/odd_tables.py")
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(fresh)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""nbval collection: notebooks that need data kept outside the repository.

``06-credit-delayed-impact`` reads the FICO TransRisk tables from ``../shared/data/fico``
(or ``$SCORELAB_FICO_DIR``), which the project must not copy; where they are absent its
cells are skipped with the path that was tried, as the unit tests that need them are.
"""

import pytest

from scorelab.lending import fico_dir

NEEDS_FICO = ("06-credit-delayed-impact",)


def pytest_collection_modifyitems(config, items):
    folder = fico_dir()
    if (folder / "totals.csv").is_file():
        return
    skip = pytest.mark.skip(
        reason=f"FICO TransRisk tables not found at {folder} (set SCORELAB_FICO_DIR)"
    )
    for item in items:
        if any(name in str(item.path) for name in NEEDS_FICO):
            item.add_marker(skip)

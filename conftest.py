"""Test-suite settings shared by the unit tests, the doctests and the notebooks (nbval)."""

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

from scorelab.lending import fico_dir

# Figures drawn by tests go nowhere; notebooks keep their own inline backend.
matplotlib.use("Agg")

# Property tests are derandomised so that CI runs are reproducible, and a loaded 2-core
# machine must not turn slow example generation into a failure.
settings.register_profile(
    "scorelab",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("scorelab")

# Notebooks that read data kept outside the repository: 06 reads the FICO TransRisk tables
# from ../shared/data/fico (or $SCORELAB_FICO_DIR), which must not be copied in; where
# they are absent its cells are skipped with the path tried, as the unit tests that need
# them are.
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

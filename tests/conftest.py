"""Test-suite settings shared by every test module."""

import matplotlib
from hypothesis import HealthCheck, settings

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

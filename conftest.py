"""Test-suite settings shared by the unit tests, the doctests and the notebooks (nbval)."""

import os
import socket
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

from scorelab._fetch import FICO_ENV, FICO_SHA256, fico_cache

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

# Tests never touch the network: a TCP connection to anything but this machine fails
# loudly. (Kernels, Dask clusters and the browser check talk over loopback or pipes; a UDP
# "connect", which Dask uses to find its own address, sends nothing and is left alone.)
_LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
_connect = socket.socket.connect


def _local_connect(self, address):
    if (self.family in (socket.AF_INET, socket.AF_INET6) and self.type == socket.SOCK_STREAM
            and address[0] not in _LOCAL_HOSTS):
        raise OSError(f"tests must not use the network (tried to connect to {address[0]})")
    return _connect(self, address)


socket.socket.connect = _local_connect

# Notebooks that read data kept outside the repository: 06 reads the FICO TransRisk tables.
# Tests never download them: they run where $SCORELAB_FICO_DIR (or an already complete
# download cache, which is then exported as $SCORELAB_FICO_DIR so that the kernels read it
# as it is) holds the tables, and are skipped with the folder tried otherwise, as the unit
# tests that need them are.
NEEDS_FICO = ("06-credit-delayed-impact",)


def _fico_tables_in(folder):
    return all((Path(folder) / name).is_file() for name in FICO_SHA256)


def pytest_configure(config):
    if not os.environ.get(FICO_ENV) and _fico_tables_in(fico_cache()):
        os.environ[FICO_ENV] = str(fico_cache())


def pytest_collection_modifyitems(config, items):
    folder = os.environ.get(FICO_ENV)
    if folder and _fico_tables_in(folder):
        return
    tried = f"{folder} (from {FICO_ENV})" if folder else f"{FICO_ENV} is not set"
    skip = pytest.mark.skip(
        reason=f"FICO TransRisk tables not found: {tried}; tests never download them, "
               f"set {FICO_ENV} to a folder holding {', '.join(FICO_SHA256)}"
    )
    for item in items:
        if any(name in str(item.path) for name in NEEDS_FICO):
            item.add_marker(skip)

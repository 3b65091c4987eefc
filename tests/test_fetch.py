"""Where the FICO tables come from: $SCORELAB_FICO_DIR, the cache, or a pinned download.

No test here uses the network: downloads go through a pooch downloader that copies local
files (conftest.py also refuses any connection that leaves this machine).
"""

import hashlib
import os
import shutil
import socket
from functools import partial
from pathlib import Path

import pytest
import requests

from scorelab import _fetch as fetch
from scorelab import lending
from scorelab.lending import DataUnavailableError, fetch_fico, fico_dir, load_fico


def copier(source):
    """A pooch downloader that 'downloads' ``url``'s file name from the folder ``source``."""

    def download(url, output_file, pooch):
        shutil.copyfile(Path(source) / url.rsplit("/", 1)[-1], output_file)

    return download


def offline(url, output_file, pooch):
    raise requests.exceptions.ConnectionError(f"no route to {url}")


@pytest.fixture
def fake_tables(tmp_path, monkeypatch):
    """Three small files in a 'public copy' folder, with the registry pinned to them."""
    source = tmp_path / "public"
    source.mkdir()
    pinned = {}
    for name in fetch.FICO_SHA256:
        data = f"table {name}\n".encode()
        (source / name).write_bytes(data)
        pinned[name] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(fetch, "FICO_SHA256", pinned)
    return source


@pytest.fixture
def real_tables():
    folder = os.environ.get("SCORELAB_FICO_DIR")
    if not folder or not (Path(folder) / "totals.csv").is_file():
        pytest.skip("FICO TransRisk tables not found: set SCORELAB_FICO_DIR")
    return Path(folder)


def test_fetch_downloads_into_the_cache_once_and_verifies(fake_tables, tmp_path):
    cache = tmp_path / "cache"
    assert fetch_fico(cache=cache, downloader=copier(fake_tables)) == cache
    for name in fetch.FICO_SHA256:
        assert (cache / name).read_bytes() == (fake_tables / name).read_bytes()
    # a second call finds everything cached and never calls the downloader
    assert fetch_fico(cache=cache, downloader=offline) == cache


def test_fetch_rejects_a_file_whose_hash_differs(fake_tables, tmp_path):
    (fake_tables / "totals.csv").write_text("tampered\n")
    with pytest.raises(ValueError, match="SHA256 hash of downloaded file"):
        fetch_fico(cache=tmp_path / "cache", downloader=copier(fake_tables))
    assert not (tmp_path / "cache" / "totals.csv").exists()


def test_offline_with_nothing_cached_says_how_to_get_the_tables(tmp_path):
    with pytest.raises(DataUnavailableError) as caught:
        fetch_fico(cache=tmp_path / "cache", downloader=offline)
    message = str(caught.value)
    assert str(tmp_path / "cache") in message
    assert "SCORELAB_FICO_DIR" in message and "internet" in message
    assert isinstance(caught.value, FileNotFoundError)


def test_pinned_hashes_match_the_tables_in_use(real_tables, tmp_path):
    """The registry's SHA-256 are those of the tables the notebooks have been run on."""
    for name, digest in fetch.FICO_SHA256.items():
        assert hashlib.sha256((real_tables / name).read_bytes()).hexdigest() == digest
    cache = tmp_path / "cache"
    fetch_fico(cache=cache, downloader=copier(real_tables))
    assert load_fico(cache).shares.round(4).to_dict() == load_fico(real_tables).shares.round(
        4).to_dict()


def test_load_fico_without_a_path_uses_the_cache_and_fetches(real_tables, tmp_path,
                                                             monkeypatch):
    monkeypatch.delenv("SCORELAB_FICO_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # pooch.os_cache on Linux
    cache = tmp_path / "xdg" / "scorelab" / "fico"
    assert fico_dir() == cache
    monkeypatch.setattr(lending, "fetch_fico", partial(fetch_fico, downloader=copier(real_tables)))
    population = load_fico()
    assert sorted(p.name for p in cache.iterdir()) == sorted(fetch.FICO_SHA256)
    assert round(float(population.shares["Black"]), 4) == 0.1207


def test_scorelab_fico_dir_overrides_and_never_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORELAB_FICO_DIR", str(tmp_path))
    monkeypatch.setattr(lending, "fetch_fico", offline)  # would raise if it were called
    assert fico_dir() == tmp_path
    with pytest.raises(DataUnavailableError, match=f"not found in {tmp_path}"):
        load_fico()


def test_the_package_names_no_path_outside_its_tree():
    source = "".join(p.read_text() for p in Path(lending.__file__).parent.rglob("*.py"))
    assert "shared/data" not in source and '"shared"' not in source


def test_tests_cannot_reach_the_network():
    """conftest.py refuses TCP connections that leave this machine (tests never download)."""
    with socket.socket() as connection, pytest.raises(OSError, match="must not use the network"):
        connection.connect(("192.0.2.1", 443))  # TEST-NET-1: reserved, never routed

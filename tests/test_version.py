"""The package version comes from git tags (setuptools-scm), never from a constant."""

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.version import Version

import scorelab

ROOT = Path(__file__).resolve().parents[1]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_is_dynamic_from_setuptools_scm():
    config = pyproject()
    assert "version" not in config["project"]
    assert config["project"]["dynamic"] == ["version"]
    assert any(r.startswith("setuptools-scm") for r in config["build-system"]["requires"])
    Version(config["tool"]["setuptools_scm"]["fallback_version"])  # a valid PEP 440 version
    source = (ROOT / "scorelab" / "__init__.py").read_text()
    assert '__version__ = _metadata.version("scorelab")' in source


def test_version_is_the_installed_distributions():
    assert scorelab.__version__ == metadata.version("scorelab")
    Version(scorelab.__version__)


def _scm_version(folder):
    return subprocess.run([sys.executable, "-m", "setuptools_scm"], cwd=folder, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_checkout_version_comes_from_git():
    version = Version(_scm_version(ROOT))
    # A tagged commit gives the tag's version; any other commit a development version
    # carrying the commit hash (g<hash>), so two builds of different code never share one.
    head = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    tagged = subprocess.run(["git", "describe", "--tags", "--exact-match", "--match", "v[0-9]*"],
                            cwd=ROOT, capture_output=True, text=True)
    if tagged.returncode == 0:
        assert version == Version(tagged.stdout.strip().removeprefix("v"))
    else:
        assert version.is_devrelease and f"g{head}" in (version.local or "")


def test_tree_without_git_metadata_gets_the_fallback_version(tmp_path):
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    assert _scm_version(tmp_path) == pyproject()["tool"]["setuptools_scm"]["fallback_version"]

"""Saving figures, tables and results with the parameters, seed and versions behind them.

Everything a report cites lives under ``reports/`` at the project root, named by content
(``association-share-by-group.png``, never ``fig3.png``). Notebooks run with different
working directories under nbconvert, nbval and papermill, so paths are resolved from the
project root (the folder holding ``pyproject.toml``), or from ``$SCORELAB_REPORTS``.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
from importlib import metadata
from pathlib import Path

import pandas as pd

_PACKAGES = ("scorelab", "numpy", "pandas", "scipy", "networkx", "matplotlib", "seaborn")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def project_root(start=None):
    """The nearest folder at or above ``start`` (default: cwd) holding ``pyproject.toml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here


def reports_dir(kind=None):
    """``reports/`` (or its sub-folder ``kind``), created if missing."""
    base = Path(os.environ.get("SCORELAB_REPORTS") or project_root() / "reports")
    folder = base / kind if kind else base
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_name(name):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must be lower-case words joined by hyphens that say what is shown "
            f"(e.g. 'association-share-by-group'), got {name!r}"
        )
    return name


@functools.cache
def _versions():
    found = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def versions():
    """Python and package versions, for the last cell of every notebook and every result."""
    return dict(_versions())


def save_figure(fig, name, *, formats=("png", "pdf")):
    """Save ``fig`` as ``reports/figures/<name>.<format>``.

    Returns nothing, so that the call can end a notebook cell without printing a value.
    PDF metadata carries no creation date, so reruns give identical files. Both files carry
    the figure's title (its suptitle, else its panels' titles) as metadata ``Title``, which
    ``make report`` uses as the figure's caption.
    """
    name = _check_name(name)
    folder = reports_dir("figures")
    title = _figure_title(fig)
    for fmt in formats:
        metadata_ = {"CreationDate": None} if fmt == "pdf" else {}
        if title and fmt in ("png", "pdf"):
            metadata_["Title"] = title
        fig.savefig(folder / f"{name}.{fmt}", dpi=150, bbox_inches="tight",
                    metadata=metadata_ or None)


def _figure_title(fig):
    """The figure's suptitle, else the titles of its panels joined by '; '."""
    suptitle = " ".join(fig.get_suptitle().split())
    if suptitle:
        return suptitle
    titles = [" ".join(ax.get_title().split()) for ax in fig.axes]
    return "; ".join(t for t in titles if t)


def save_table(table, name, *, parameters=None, seed=None):
    """Save a DataFrame as ``reports/tables/<name>.csv`` with a JSON sidecar.

    The sidecar ``<name>.json`` records the parameters, the seed and the versions, so that a
    cited number can be regenerated.
    """
    name = _check_name(name)
    if not isinstance(table, (pd.DataFrame, pd.Series)):
        raise TypeError(f"table must be a pandas DataFrame or Series, got {type(table).__name__}")
    folder = reports_dir("tables")
    path = folder / f"{name}.csv"
    table.to_csv(path)
    sidecar = {"parameters": parameters or {}, "seed": seed, "versions": versions()}
    (folder / f"{name}.json").write_text(json.dumps(sidecar, indent=2, default=str) + "\n")
    return path

"""Saving figures, tables and results with the parameters, seed and versions behind them.

Everything a report cites lives under ``reports/`` at the project root, named by content
(``association-share-by-group.png``, never ``fig3.png``). Notebooks run with different
working directories under nbconvert, nbval and papermill, so paths are resolved from the
project root (the folder holding ``pyproject.toml``), or from ``$SCORELAB_REPORTS``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import platform
import re
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from scorelab._provenance import git_state

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


def provenance():
    """What every saved result records of how it was made: versions, commit, dirty tree."""
    return {"versions": versions(), "git": git_state()}


def json_ready(value):
    """``value`` as strict JSON data (no NaN), losslessly where JSON allows.

    NumPy scalars become Python numbers and arrays nested lists; a non-finite float becomes
    the string ``"nan"``, ``"inf"`` or ``"-inf"`` (JSON has no NaN); dataclasses their
    fields; a mapping's keys strings; a ``SeedSequence`` its entropy and spawn key, a
    ``Generator`` the state of its bit generator (both replayable). Arrays are never
    shortened (NumPy's ``str`` writes ``"[0 1 2 ... 1999]"``); an object of another type
    is recorded as its type and repr.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist())
    if isinstance(value, (pd.Series, pd.Index)):
        return json_ready(value.tolist())
    if isinstance(value, Mapping):
        return {str(json_ready(key)): json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [json_ready(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((json_ready(item) for item in value), key=json.dumps)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_dict = getattr(value, "to_dict", None)
        return json_ready(to_dict() if callable(to_dict) else dataclasses.asdict(value))
    if isinstance(value, np.random.SeedSequence):
        return {"entropy": json_ready(value.entropy), "spawn_key": list(value.spawn_key),
                "pool_size": value.pool_size}
    if isinstance(value, np.random.Generator | np.random.BitGenerator):
        # its state now, from which it can be rebuilt to draw the same numbers
        bit_generator = value.bit_generator if isinstance(value, np.random.Generator) else value
        return {"bit_generator": type(bit_generator).__name__,
                "state": json_ready(bit_generator.state)}
    # Anything else is recorded as what it is, its type named beside its repr, so that
    # the sidecar never passes a lossy string off as the value.
    return {"type": f"{type(value).__module__}.{type(value).__qualname__}", "repr": repr(value)}


def write_atomically(path, write):
    """Call ``write`` on a hidden temporary file beside ``path``, then rename it to ``path``.

    A crash mid-write leaves the old file (or none), never a half-written one.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_json(path, data):
    """Write ``data`` as strict JSON (indented, no NaN) to ``path``, atomically."""
    text = json.dumps(json_ready(data), indent=2, allow_nan=False) + "\n"
    write_atomically(path, lambda temporary: temporary.write_text(text))


def save_figure(fig, name, *, formats=("png", "pdf"), parameters=None, seed=None):
    """Save ``fig`` as ``reports/figures/<name>.<format>`` with a JSON sidecar.

    The sidecar ``<name>.json`` records the parameters and seed if given, the versions and
    the git commit (and whether the tree was dirty). Returns nothing, so that the call can
    end a notebook cell without printing a value. PDF metadata carries no creation date, so
    reruns give identical files. Both image files and the sidecar carry the figure's title
    (its suptitle, else its panels' titles; metadata ``Title``), which ``make report`` uses
    as the figure's caption.
    """
    name = _check_name(name)
    folder = reports_dir("figures")
    title = _figure_title(fig)
    sidecar = {"title": title, "parameters": parameters or {}, "seed": seed, **provenance()}
    sidecar = json_ready(sidecar)  # checked before anything is written
    for fmt in formats:
        metadata_ = {"CreationDate": None} if fmt == "pdf" else {}
        if title and fmt in ("png", "pdf"):
            metadata_["Title"] = title
        metadata_ = metadata_ or None
        write_atomically(
            folder / f"{name}.{fmt}",
            lambda path, fmt=fmt, metadata_=metadata_: fig.savefig(
                path, format=fmt, dpi=150, bbox_inches="tight", metadata=metadata_),
        )
    write_json(folder / f"{name}.json", sidecar)


def _figure_title(fig):
    """The figure's suptitle, else the titles of its panels joined by '; '."""
    suptitle = " ".join(fig.get_suptitle().split())
    if suptitle:
        return suptitle
    titles = [" ".join(ax.get_title().split()) for ax in fig.axes]
    return "; ".join(t for t in titles if t)


def save_table(table, name, *, parameters=None, seed=None):
    """Save a DataFrame as ``reports/tables/<name>.csv`` with a JSON sidecar.

    The sidecar ``<name>.json`` records the parameters, the seed, the versions and the git
    commit (and whether the tree was dirty), so that a cited number can be regenerated.
    Both files are written to temporary files and renamed, so that a crash never leaves a
    table beside another table's sidecar. The sidecar is strict JSON: NumPy values are
    stored losslessly and NaN as ``"nan"``.
    """
    name = _check_name(name)
    if not isinstance(table, (pd.DataFrame, pd.Series)):
        raise TypeError(f"table must be a pandas DataFrame or Series, got {type(table).__name__}")
    sidecar = json_ready({"parameters": parameters or {}, "seed": seed, **provenance()})
    folder = reports_dir("tables")
    path = folder / f"{name}.csv"
    write_atomically(path, table.to_csv)
    write_json(folder / f"{name}.json", sidecar)
    return path

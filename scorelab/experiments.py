"""Parameter sweeps with independent, reproducible replicates, and their summaries.

Every run gets its own random stream from ``rng.spawn`` (SPEC 7), fixed by its position in
the grid, so a sweep gives the same frame whether it runs serially or in processes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from scorelab._validation import check_integer, check_real

__all__ = ["sweep", "confidence_intervals"]


def _run(task):
    func, params, generator = task
    return func(**params, rng=generator)


def sweep(func, grid, *, n_replicates=1, fixed=None, rng=None, n_jobs=1, progress=False):
    """Run ``func`` over a parameter grid with independent replicates; one tidy frame.

    Parameters
    ----------
    func : callable
        Called as ``func(**point, **fixed, rng=generator)``; returns a mapping (or Series)
        of scalar results, or a DataFrame of rows. Must be picklable (a module-level
        function) when ``n_jobs > 1``.
    grid : mapping of str to sequence
        Values of each swept parameter; every combination is run (in the given order).
    n_replicates : int, default 1
        Independent replicates per grid point.
    fixed : mapping, optional
        Parameters passed unchanged to every call.
    rng : None, int, numpy.random.Generator
        Root of the random streams; run ``k`` gets ``rng.spawn(n_runs)[k]``.
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.
    progress : bool, default False
        Show a progress bar over runs.

    Returns
    -------
    pandas.DataFrame
        One row per run (or per returned row), with the swept parameters, ``replicate``
        and the results as columns.

    Examples
    --------
    >>> from scorelab.experiments import sweep
    >>> def noisy(mean, rng):
    ...     return {"draw": mean + rng.normal()}
    >>> frame = sweep(noisy, {"mean": [0.0, 10.0]}, n_replicates=2, rng=1)
    >>> frame["replicate"].tolist()
    [0, 1, 0, 1]
    >>> frame.equals(sweep(noisy, {"mean": [0.0, 10.0]}, n_replicates=2, rng=1))
    True
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping of parameter -> values, got {grid!r}")
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or len(values) == 0:
            raise ValueError(f"grid[{name!r}] must be a non-empty sequence of values, got {values!r}")
    n_replicates = check_integer("n_replicates", n_replicates, minimum=1)
    n_jobs = check_integer("n_jobs", n_jobs, minimum=1)
    fixed = dict(fixed or {})
    clash = set(fixed) & set(grid)
    if clash:
        raise ValueError(f"parameters {sorted(clash)} are both swept and fixed")
    names = list(grid)
    points = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    runs = [(point, r) for point in points for r in range(n_replicates)]
    generators = np.random.default_rng(rng).spawn(len(runs))
    tasks = [(func, {**point, **fixed}, g) for (point, _), g in zip(runs, generators)]
    if n_jobs == 1:
        results = [_run(t) for t in tqdm(tasks, disable=not progress, desc="sweep")]
    else:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            results = list(tqdm(pool.map(_run, tasks), total=len(tasks), disable=not progress,
                                desc="sweep"))
    frames = []
    for (point, replicate), result in zip(runs, results):
        frame = result if isinstance(result, pd.DataFrame) else pd.DataFrame([dict(result)])
        keys = pd.DataFrame([{**point, "replicate": replicate}] * len(frame), index=frame.index)
        frames.append(pd.concat([keys, frame], axis=1))
    return pd.concat(frames, ignore_index=True)


def confidence_intervals(frame, by, values, *, level=0.95):
    """Mean and Student-t confidence interval of ``values`` across replicates, per ``by``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typically the result of :func:`sweep`.
    by : str or list of str
        Grouping columns (the swept parameters).
    values : str or list of str
        Result columns to summarise.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Long format: ``by`` columns, ``metric``, ``mean``, ``low``, ``high``, ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.experiments import confidence_intervals
    >>> frame = pd.DataFrame({"h": [0, 0, 0], "gap": [1.0, 2.0, 3.0]})
    >>> confidence_intervals(frame, "h", "gap").round(2).to_dict("records")
    [{'h': 0, 'metric': 'gap', 'mean': 2.0, 'low': -0.48, 'high': 4.48, 'n': 3}]
    """
    level = check_real("level", level, minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    by = [by] if isinstance(by, str) else list(by)
    values = [values] if isinstance(values, str) else list(values)
    missing = [c for c in by + values if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame")
    long = frame.melt(id_vars=by, value_vars=values, var_name="metric")
    grouped = long.groupby(by + ["metric"], sort=False)["value"]
    summary = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    half = stats.t.ppf(0.5 + level / 2, np.maximum(summary["n"] - 1, 1)) * summary["sd"] / np.sqrt(
        summary["n"]
    )
    half = half.where(summary["n"] > 1, np.nan)
    summary["low"] = summary["mean"] - half
    summary["high"] = summary["mean"] + half
    return summary[by + ["metric", "mean", "low", "high", "n"]]

"""Parameter sweeps with independent, reproducible replicates, and their summaries.

Every run gets its own random stream from ``rng.spawn`` (SPEC 7), fixed by its position in
the grid, so a sweep gives the same frame whether it runs serially, in local processes or on
a Dask cluster, and whether or not it was interrupted and resumed from a checkpoint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import numbers
import os
import pickle
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from scorelab._validation import check_integer, check_real

__all__ = ["sweep", "confidence_intervals"]

# Leading "_" and "." keep the description and half-written files out of pyarrow's view
# when the directory is read as a Parquet dataset.
_DESCRIPTION = "_sweep.json"
_FORMAT = "scorelab.sweep/1"


def sweep(
    func,
    grid,
    *,
    n_replicates=1,
    fixed=None,
    rng=None,
    n_jobs=1,
    progress=False,
    client=None,
    checkpoint=None,
):
    """Run ``func`` over a parameter grid with independent replicates; one tidy frame.

    Parameters
    ----------
    func : callable
        Called as ``func(**point, **fixed, rng=generator)``; returns a mapping (or Series)
        of scalar results, or a DataFrame of rows. Must be picklable (a module-level
        function) when ``n_jobs > 1`` or ``client`` is given.
    grid : mapping of str to sequence
        Values of each swept parameter; every combination is run (in the given order).
    n_replicates : int, default 1
        Independent replicates per grid point.
    fixed : mapping, optional
        Parameters passed unchanged to every call.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Root of the random streams; run ``k`` gets ``default_rng(rng).spawn(n_runs)[k]``.
        With ``checkpoint`` it must be an int seed or a ``SeedSequence``, the only roots a
        later session can rebuild.
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.
    progress : bool, default False
        Show a progress bar over finished runs.
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead of locally (needs ``pip install "scorelab[dask]"``);
        the frame does not depend on it. Cannot be combined with ``n_jobs > 1``.
    checkpoint : str or os.PathLike, optional
        Directory where each run is saved as soon as it finishes; a sweep started again
        with the same arguments reads the finished runs back and runs only the others.

    Returns
    -------
    pandas.DataFrame
        One row per run (or per returned row) in grid order (point, then replicate), with
        the swept parameters, ``replicate`` and the results as columns.

    Raises
    ------
    TypeError
        If ``func`` is not callable or returns something other than a mapping, Series or
        DataFrame, if ``client`` is not a Dask client or ``checkpoint`` not a path.
    ValueError
        If the grid is empty, a parameter is both swept and fixed, ``client`` comes with
        ``n_jobs > 1``, ``rng`` cannot be replayed with ``checkpoint``, or ``checkpoint``
        holds a different sweep.
    ImportError
        If ``client`` is given and dask.distributed is not installed.

    See Also
    --------
    confidence_intervals : Summarise the replicates of each grid point.

    Notes
    -----
    The runs are numbered ``k = 0, ..., n_runs - 1`` in grid order and run ``k`` draws
    from the ``k``-th child of the root ``SeedSequence`` [1]_ [2]_. Its results depend on
    ``k`` alone, never on which worker ran it or when, so serial, process and Dask runs
    give identical frames, and rows are put back in grid order whatever the order in
    which runs finish.

    A checkpoint directory holds ``_sweep.json`` (the function's name, the grid, the fixed
    parameters, ``n_replicates`` and the root seed) and one ``run-000012.parquet`` per
    finished run, written to a hidden temporary file and renamed, so an interruption never
    leaves a half-written run. Starting the sweep again with other arguments raises
    instead of mixing results. Fixed parameters that JSON cannot represent (a graph, say)
    are recorded by type and a SHA-256 digest of their pickle. A checkpointed sweep builds
    its frame from the files, so a resumed sweep equals an uninterrupted one; a ``rng``
    given as a ``Generator`` may have drawn numbers already, so it is refused there.

    If a run raises, the runs not yet started are cancelled and the error is raised.
    Local processes still finish, and checkpoint, the runs already in progress; on Dask
    those are cancelled too and run again on resuming.

    References
    ----------
    .. [1] P. L'Ecuyer, D. Munger, B. Oreshkin and R. Simard, "Random numbers for parallel
       computers: requirements and methods, with emphasis on GPUs", Mathematics and
       Computers in Simulation 135, 3-17 (2017). https://doi.org/10.1016/j.matcom.2016.05.005
    .. [2] SPEC 7, "Seeding pseudo-random number generation",
       https://scientific-python.org/specs/spec-0007/

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

    With a checkpoint, a second call finds every run finished and only reads them back:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     first = sweep(noisy, {"mean": [0.0, 10.0]}, n_replicates=2, rng=1, checkpoint=folder)
    ...     again = sweep(noisy, {"mean": [0.0, 10.0]}, n_replicates=2, rng=1, checkpoint=folder)
    >>> first.equals(frame) and again.equals(frame)
    True
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping of parameter -> values, got {grid!r}")
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or len(values) == 0:
            raise ValueError(
                f"grid[{name!r}] must be a non-empty sequence of values, got {values!r}"
            )
    n_replicates = check_integer("n_replicates", n_replicates, minimum=1)
    n_jobs = check_integer("n_jobs", n_jobs, minimum=1)
    fixed = dict(fixed or {})
    clash = set(fixed) & set(grid)
    if clash:
        raise ValueError(f"parameters {sorted(clash)} are both swept and fixed")
    if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
        raise TypeError(
            f"checkpoint must be a directory path (str or os.PathLike), got {checkpoint!r} "
            f"({type(checkpoint).__name__})"
        )
    if client is not None:
        _check_client(client)
        if n_jobs > 1:
            raise ValueError(
                f"give either client (runs on the Dask cluster) or n_jobs > 1 (local "
                f"processes), not both; got n_jobs = {n_jobs}"
            )
    names = list(grid)
    points = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    runs = [(point, r) for point in points for r in range(n_replicates)]
    store = None
    if checkpoint is not None:
        description = _describe(func, grid, fixed, n_replicates, rng)
        store = _Checkpoint(checkpoint, description, n_runs=len(runs))
    # Spawned before anything runs, and always all of them, so that run k keeps stream k.
    generators = np.random.default_rng(rng).spawn(len(runs))
    finished = store.finished() if store is not None else set()
    jobs = [(k, point, generators[k]) for k, (point, _) in enumerate(runs) if k not in finished]
    frames = [None] * len(runs)
    with (
        tqdm(total=len(runs), initial=len(finished), disable=not progress, desc="sweep") as bar,
        closing(_execute(func, fixed, jobs, n_jobs=n_jobs, client=client)) as results,
    ):
        for k, result in results:
            frame = _as_frame(result, k)
            if store is None:
                frames[k] = frame
            else:
                store.write(k, frame)
            bar.update()
    if store is not None:
        frames = [store.read(k) for k in range(len(runs))]
    return _tidy(runs, frames)


def _call(func, point, fixed, generator):
    return func(**point, **fixed, rng=generator)


def _execute(func, fixed, jobs, *, n_jobs, client):
    """Yield ``(run index, result)`` for each of ``jobs`` as it finishes."""
    if not jobs:
        return
    if client is not None:
        yield from _on_dask(client, func, fixed, jobs)
    elif n_jobs > 1:
        yield from _in_processes(n_jobs, func, fixed, jobs)
    else:
        for k, point, generator in jobs:
            yield k, _call(func, point, fixed, generator)


def _in_processes(n_jobs, func, fixed, jobs):
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        index = {pool.submit(_call, func, point, fixed, generator): k
                 for k, point, generator in jobs}
        pending, failure = set(index), None
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=index.get):
                    if future.exception() is None:
                        yield index[future], future.result()
                    elif failure is None:
                        failure = future.exception()
                        # Runs already started still finish (and are checkpointed) below.
                        pending = {other for other in pending if not other.cancel()}
        finally:
            for future in pending:
                future.cancel()
        if failure is not None:
            raise failure


def _on_dask(client, func, fixed, jobs):
    from distributed import as_completed

    # Scattered once rather than shipped with every task: fixed may hold a whole society.
    [fixed_on_cluster] = client.scatter([fixed], hash=False)
    futures = client.map(
        _call,
        [func] * len(jobs),
        [point for _, point, _ in jobs],
        [fixed_on_cluster] * len(jobs),
        [generator for _, _, generator in jobs],
        key="scorelab-sweep",
        pure=False,
    )
    index = {future.key: k for future, (k, _, _) in zip(futures, jobs)}
    # Finished futures are dropped as soon as they are read, which frees their results.
    pending = {future.key: future for future in futures}
    del futures
    try:
        for future in as_completed(list(pending.values())):
            del pending[future.key]
            yield index[future.key], future.result()
    finally:
        if pending:
            client.cancel(list(pending.values()))


def _check_client(client):
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError(
            'sweep(client=...) runs on a Dask cluster and needs dask.distributed; install it '
            'with: pip install "scorelab[dask]"'
        ) from exc
    if not isinstance(client, Client):
        raise TypeError(
            f"client must be a dask.distributed.Client, got {client!r} ({type(client).__name__})"
        )


def _as_frame(result, k):
    if isinstance(result, pd.DataFrame):
        return result.reset_index(drop=True)
    if isinstance(result, (Mapping, pd.Series)):
        return pd.DataFrame([dict(result)])
    raise TypeError(
        f"func must return a mapping, Series or DataFrame; run {k} returned "
        f"{type(result).__name__}"
    )


def _tidy(runs, frames):
    pieces = []
    for (point, replicate), frame in zip(runs, frames):
        keys = pd.DataFrame([{**point, "replicate": replicate}] * len(frame), index=frame.index)
        pieces.append(pd.concat([keys, frame], axis=1))
    return pd.concat(pieces, ignore_index=True)


def _describe(func, grid, fixed, n_replicates, rng):
    """What a checkpoint records to tell whether a later call is the same sweep."""
    return {
        "format": _FORMAT,
        "func": f"{getattr(func, '__module__', None)}.{getattr(func, '__qualname__', None)}",
        "grid": _jsonable({name: list(values) for name, values in grid.items()}),
        "fixed": _jsonable(fixed),
        "n_replicates": n_replicates,
        "seed": _seed_fingerprint(rng),
    }


def _seed_fingerprint(rng):
    """The root ``SeedSequence`` of ``rng`` as JSON data; only int and SeedSequence replay."""
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        seed = np.random.SeedSequence(int(rng))
    elif isinstance(rng, np.random.SeedSequence):
        seed = rng
    else:
        raise ValueError(
            f"with checkpoint, rng must be an int seed or a numpy.random.SeedSequence, so that "
            f"a resumed sweep draws the same streams; got {rng!r} ({type(rng).__name__}). "
            f"A Generator may have been used already and None draws fresh entropy."
        )
    return {
        "entropy": _jsonable(seed.entropy),
        "spawn_key": list(seed.spawn_key),
        "pool_size": seed.pool_size,
        "n_children_spawned": seed.n_children_spawned,
    }


def _jsonable(value):
    """``value`` as JSON data that records it faithfully enough to compare two sweeps."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(item) for item in value), key=json.dumps)
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": kind, "fields": _jsonable(dataclasses.asdict(value))}
    try:
        digest = hashlib.sha256(pickle.dumps(value)).hexdigest()
    except Exception:  # an unpicklable object can only be recorded by its type
        digest = None
    return {"type": kind, "pickle_sha256": digest}


class _Checkpoint:
    """A directory holding a sweep's description and one Parquet file per finished run."""

    def __init__(self, directory, description, *, n_runs):
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueError(f"checkpoint must be a directory, got the file {str(directory)!r}")
        self.n_runs = n_runs
        self.width = max(6, len(str(n_runs - 1)))
        self.directory.mkdir(parents=True, exist_ok=True)
        stored_path = self.directory / _DESCRIPTION
        if stored_path.exists():
            _check_same_sweep(json.loads(stored_path.read_text()), description, self.directory)
        elif any(self.directory.glob("run-*.parquet")):
            raise ValueError(
                f"checkpoint {str(self.directory)!r} holds run files but no {_DESCRIPTION}; "
                f"use an empty directory"
            )
        else:
            text = json.dumps(description, indent=2) + "\n"
            _replace_atomically(stored_path, lambda path: path.write_text(text))

    def path(self, k):
        return self.directory / f"run-{k:0{self.width}d}.parquet"

    def finished(self):
        return {k for k in range(self.n_runs) if self.path(k).exists()}

    def write(self, k, frame):
        _replace_atomically(self.path(k), lambda path: frame.to_parquet(path, index=False))

    def read(self, k):
        return pd.read_parquet(self.path(k))


def _check_same_sweep(stored, given, directory):
    for field, value in given.items():
        # The grid's order fixes the runs' order (and streams); other mappings are unordered.
        in_order = field == "grid"
        if json.dumps(stored.get(field), sort_keys=not in_order) != json.dumps(
            value, sort_keys=not in_order
        ):
            raise ValueError(
                f"checkpoint {str(directory)!r} holds a different sweep: {field} was "
                f"{stored.get(field)!r}, now {value!r}; resume with the same func, grid, "
                f"fixed, n_replicates and rng, or use another directory"
            )


def _replace_atomically(path, write):
    """Call ``write`` on a hidden temporary file beside ``path``, then rename it to ``path``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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
    clash = [c for c in by if c in {"metric", "mean", "low", "high", "n"}]
    if clash:
        raise ValueError(
            f"by columns {clash} share names with the summary's columns (metric, mean, low, "
            f"high, n); rename them first, e.g. frame.rename(columns={{{clash[0]!r}: ...}})"
        )
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

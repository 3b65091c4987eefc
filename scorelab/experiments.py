"""Parameter sweeps with independent, reproducible replicates, and their summaries.

Every run gets its own random stream from ``rng.spawn`` (SPEC 7), fixed by its position in
the grid, so a sweep gives the same frame whether it runs serially, in local processes or on
a Dask cluster, and whether or not it was interrupted and resumed from a checkpoint.
With ``pair_over``, runs that differ only in the listed parameters share one stream (common
random numbers), and :func:`compare` takes their differences pair by pair.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import inspect
import itertools
import json
import numbers
import os
import pickle
import threading
import types
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from scorelab._validation import check_integer, check_real, check_rng, plain, shown
from scorelab.findings import _t_interval
from scorelab.reporting import git_state, versions, write_atomically

__all__ = ["sweep", "compare", "confidence_intervals"]

# Leading "_" and "." keep the description and half-written files out of pyarrow's view
# when the directory is read as a Parquet dataset.
_DESCRIPTION = "_sweep.json"
_FORMAT = "scorelab.sweep/2"
# Key of the stamp in each run file's Parquet metadata (pandas stores DataFrame.attrs there).
_STAMP = "scorelab.sweep.run"
# Names the sweep itself uses: a "replicate" column in the frame, and the rng argument.
_RESERVED = frozenset({"replicate", "rng"})
# Where a sweep's frame records its swept parameters and what its runs are paired over.
_ATTRS = "scorelab.sweep"


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
    pair_over=None,
):
    """Run ``func`` over a parameter grid with independent replicates; one tidy frame.

    Parameters
    ----------
    func : callable
        Called as ``func(**point, **fixed, rng=generator)``; returns a mapping (or Series)
        of scalar results, or a DataFrame of rows, none named like a swept parameter or
        ``replicate``. Must be picklable (a module-level function) when ``n_jobs > 1`` or
        ``client`` is given.
    grid : mapping of str to sequence
        Values of each swept parameter; every combination is run (in the given order).
        ``replicate`` and ``rng`` are reserved names.
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
    pair_over : sequence of str, optional
        Swept parameters whose values run on common random numbers: at a given replicate
        (and given values of the other swept parameters) every value of these parameters
        gets the same random stream, hence the same society and draws, so that their
        differences are paired (:func:`compare`). Default: every run has its own stream.

    Returns
    -------
    pandas.DataFrame
        One row per run (or per returned row) in grid order (point, then replicate), with
        the swept parameters, ``replicate`` and the results as columns. With
        ``pair_over``, a ``pair`` column after ``replicate`` numbers the shared streams:
        runs with the same ``pair`` ran on the same stream. ``frame.attrs["scorelab.sweep"]``
        records the swept ``parameters`` and ``pair_over`` (empty when unpaired), which
        :func:`compare` reads.

    Raises
    ------
    TypeError
        If ``func`` is not callable, not picklable with ``n_jobs > 1``, or returns
        something other than a mapping, Series or DataFrame, if ``rng`` is not a seed NumPy
        takes, ``fixed`` not a mapping, ``client`` not a Dask client, ``checkpoint`` not a
        path or ``pair_over`` not a list of names.
    ValueError
        If the grid is empty or holds a non-sequence, a reserved name, a parameter both
        swept and fixed or returned by ``func``; if ``pair_over`` names a parameter that
        is not swept (or one twice); if ``client`` comes with ``n_jobs > 1``;
        with ``checkpoint``, if ``rng`` cannot be replayed, a fixed value can be neither
        written as JSON nor pickled, the directory holds a different sweep (other
        arguments, or edited code: stale results), or a run file is unreadable or belongs
        to another sweep or run (the message names the file).
    Exception
        Whatever a run raises, with a note naming the run, its grid point and replicate.
    ImportError
        If ``client`` is given and dask.distributed is not installed.

    See Also
    --------
    confidence_intervals : Summarise the replicates of each grid point.
    compare : Differences against a baseline, paired where the runs are.

    Notes
    -----
    The runs are numbered ``k = 0, ..., n_runs - 1`` in grid order and run ``k`` draws
    from the ``k``-th child of the root ``SeedSequence`` [1]_ [2]_. With ``pair_over``,
    the streams are numbered instead by ``pair = 0, ..., n_pairs - 1`` (one per replicate
    and combination of the unpaired parameters, in grid order) and every run of pair
    ``p`` draws from its own copy of ``default_rng(rng).spawn(n_pairs)[p]``: pairing
    chooses the stream a run draws from, nothing else (common random numbers [3]_). Its results depend on
    ``k`` alone, never on which worker ran it or when, so serial, process and Dask runs
    give identical frames, and rows are put back in grid order whatever the order in
    which runs finish.

    A checkpoint directory holds ``_sweep.json`` and one ``run-000012.parquet`` per
    finished run, written to a hidden temporary file and renamed, so an interruption never
    leaves a half-written run. ``_sweep.json`` fingerprints the sweep: the function's name
    and a SHA-256 digest of its source (and of the functions of its own module that it
    calls; the bytecode where there is no source), a digest of scorelab's source files,
    the grid, the fixed parameters, ``n_replicates`` and the root seed; it also records
    scorelab's version and git commit. Starting the sweep again with other arguments, an
    edited function or a changed scorelab raises instead of returning stale results.
    Fixed parameters that JSON cannot represent (a graph, say) are recorded by type and
    a SHA-256 digest of their pickle, functions by their code; one that can be neither
    is refused. Functions of other packages that ``func`` calls are not fingerprinted.
    Each run file is stamped (in its Parquet metadata) with the sweep's digest and its
    run index, checked when it is read: a file copied from another sweep is refused. A
    checkpointed sweep builds its frame from the files, so a resumed sweep equals an
    uninterrupted one; a ``rng`` given as a ``Generator`` may have drawn numbers
    already, so it is refused there.

    If a run raises, the runs not yet started are cancelled and the error is raised with
    a note naming the run and its grid point. Local processes still finish, and
    checkpoint, the runs already in progress; on Dask those are cancelled too and run
    again on resuming. Local worker processes end with the sweep's process, even when it
    is killed outright (SIGKILL), instead of running queued runs nobody will read.

    References
    ----------
    .. [1] P. L'Ecuyer, D. Munger, B. Oreshkin and R. Simard, "Random numbers for parallel
       computers: requirements and methods, with emphasis on GPUs", Mathematics and
       Computers in Simulation 135, 3-17 (2017). https://doi.org/10.1016/j.matcom.2016.05.005
    .. [2] SPEC 7, "Seeding pseudo-random number generation",
       https://scientific-python.org/specs/spec-0007/
    .. [3] A. M. Law, Simulation Modeling and Analysis, 5th ed., McGraw-Hill (2015),
       section 11.2, "Common random numbers".

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

    Paired over ``mean``, both means of a replicate draw the same normal number:

    >>> paired = sweep(noisy, {"mean": [0.0, 10.0]}, n_replicates=2, rng=1, pair_over=["mean"])
    >>> paired["pair"].tolist()
    [0, 1, 0, 1]
    >>> (paired["draw"][2:].to_numpy() - paired["draw"][:2].to_numpy()).round(12).tolist()
    [10.0, 10.0]
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping of parameter -> values, got {grid!r}")
    for name, values in grid.items():
        if not isinstance(name, str):
            raise TypeError(f"grid keys must be parameter names (str), got {name!r}")
        if name in _RESERVED:
            raise ValueError(
                f"grid key {name!r} is reserved: the sweep adds a {name!r} column (and passes "
                f"rng itself); rename the parameter"
            )
        if (isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__len__")
                or not hasattr(values, "__iter__")):
            raise ValueError(
                f"grid[{name!r}] must be a non-empty sequence of values (e.g. [{shown(values)}]), "
                f"got {shown(values)} ({type(values).__name__})"
            )
        if len(values) == 0:
            raise ValueError(
                f"grid[{name!r}] must be a non-empty sequence of values, got {values!r}"
            )
    n_replicates = check_integer("n_replicates", n_replicates, minimum=1)
    n_jobs = check_integer("n_jobs", n_jobs, minimum=1)
    if fixed is not None and not isinstance(fixed, Mapping):
        raise TypeError(
            f"fixed must be a mapping of parameter -> value, got {type(fixed).__name__}")
    fixed = dict(fixed or {})
    reserved = sorted(set(fixed) & _RESERVED)
    if reserved:
        raise ValueError(f"fixed names the reserved parameters {reserved}; the sweep passes rng "
                         f"and adds a 'replicate' column itself")
    clash = set(fixed) & set(grid)
    if clash:
        raise ValueError(f"parameters {sorted(clash)} are both swept and fixed")
    rng = check_rng(rng)
    if n_jobs > 1:
        _check_picklable(func)
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
    pair_over = _check_pair_over(pair_over, names)
    if pair_over and "pair" in names:
        raise ValueError("grid key 'pair' is reserved with pair_over: the sweep adds a 'pair' "
                         "column; rename the parameter")
    points = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    runs = [(point, r) for point in points for r in range(n_replicates)]
    pairs = _pairs(grid, pair_over, n_replicates) if pair_over else None
    store = None
    if checkpoint is not None:
        description = _describe(func, grid, fixed, n_replicates, rng, pair_over)
        store = _Checkpoint(checkpoint, description, n_runs=len(runs))
    # Spawned before anything runs, and always all of them, so that run k keeps stream k.
    if pairs is None:
        generators = np.random.default_rng(rng).spawn(len(runs))
    else:
        streams = np.random.default_rng(rng).spawn(max(pairs) + 1)
        # A copy per run: a serial sweep must not hand one run the stream another used.
        generators = [copy.deepcopy(streams[p]) for p in pairs]
    finished = store.finished() if store is not None else set()
    jobs = [(k, point, generators[k]) for k, (point, _) in enumerate(runs) if k not in finished]
    frames = [None] * len(runs)
    with (
        tqdm(total=len(runs), initial=len(finished), disable=not progress, desc="sweep") as bar,
        closing(_execute(func, fixed, jobs, n_jobs=n_jobs, client=client)) as results,
    ):
        for k, result in _naming_failures(results, runs):
            frame = _as_frame(result, k, runs[k][0], paired=pairs is not None)
            if store is None:
                frames[k] = frame
            else:
                store.write(k, frame)
            bar.update()
    if store is not None:
        frames = [store.read(k) for k in range(len(runs))]
    return _tidy(runs, frames, pairs, {"parameters": names, "pair_over": pair_over})


def _check_pair_over(pair_over, names):
    if pair_over is None:
        return []
    if isinstance(pair_over, str):
        pair_over = [pair_over]
    if not isinstance(pair_over, (list, tuple)) or not all(
            isinstance(name, str) for name in pair_over):
        raise TypeError(f"pair_over must be a list of swept parameter names, got "
                        f"{shown(pair_over)}")
    unknown = [name for name in pair_over if name not in names]
    if unknown:
        raise ValueError(f"pair_over names {unknown}, which are not swept; the grid sweeps "
                         f"{names}")
    if len(set(pair_over)) != len(pair_over):
        raise ValueError(f"pair_over names a parameter twice: {list(pair_over)}")
    return [name for name in names if name in pair_over]  # in grid order


def _pairs(grid, pair_over, n_replicates):
    """The stream (pair id) of each run: one per replicate and unpaired grid values."""
    unpaired = [i for i, name in enumerate(grid) if name not in pair_over]
    ids = {}
    pairs = []
    for index in itertools.product(*(range(len(values)) for values in grid.values())):
        for r in range(n_replicates):
            key = (tuple(index[i] for i in unpaired), r)
            pairs.append(ids.setdefault(key, len(ids)))
    return pairs


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
            try:
                result = _call(func, point, fixed, generator)
            except Exception as exc:
                raise _RunFailed(k, exc) from None
            yield k, result


def _in_processes(n_jobs, func, fixed, jobs):
    with ProcessPoolExecutor(max_workers=n_jobs, initializer=_die_with_parent) as pool:
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
                        failure = _RunFailed(index[future], future.exception())
                        # Runs already started still finish (and are checkpointed) below.
                        pending = {other for other in pending if not other.cancel()}
        finally:
            for future in pending:
                future.cancel()
        if failure is not None:
            raise failure


def _die_with_parent(interval=0.2):
    """Run in each worker process: end the worker as soon as its parent process ends.

    A parent killed outright (SIGKILL, out of memory) cannot shut its pool down, and its
    workers would go on running queued runs whose results nobody reads. A daemon thread
    watches the parent's process id (a process whose parent ended is handed to another)
    and ends the worker. It runs only while a run releases the GIL or between bytecodes,
    which NumPy and pure Python both do within milliseconds.
    """
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            threading.Event().wait(interval)
        os._exit(1)

    threading.Thread(target=watch, name="scorelab-parent-watch", daemon=True).start()


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
            try:
                result = future.result()
            except Exception as exc:
                raise _RunFailed(index[future.key], exc) from None
            yield index[future.key], result
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


def _as_frame(result, k, point, *, paired=False):
    if isinstance(result, pd.DataFrame):
        frame = result.reset_index(drop=True)
    elif isinstance(result, (Mapping, pd.Series)):
        frame = pd.DataFrame([dict(result)])
    else:
        raise TypeError(
            f"func must return a mapping, Series or DataFrame; run {k} returned "
            f"{type(result).__name__}"
        )
    shadowed = [c for c in frame.columns
                if c in point or c in _RESERVED or (paired and c == "pair")]
    if shadowed:
        raise ValueError(
            f"func returned results named {shadowed} in run {k} ({_point_text(point)}), which "
            f"would overwrite the swept parameters or the replicate (or pair) column; rename "
            f"them"
        )
    return frame


def _point_text(point):
    return ", ".join(f"{name}={plain(value)!r}" for name, value in point.items())


def _naming_failures(results, runs):
    """Pass ``results`` on; an exception raised by a run says which run and grid point failed."""
    iterator = iter(results)
    while True:
        try:
            k, result = next(iterator)
        except StopIteration:
            return
        except _RunFailed as failed:
            error = failed.error
            point, replicate = runs[failed.k]
            error.add_note(f"scorelab.sweep: run {failed.k} failed (grid point "
                           f"{_point_text(point)}, replicate {replicate})")
            raise error from None
        yield k, result


class _RunFailed(Exception):
    """Carries the exception of run ``k`` out of an executor, to be re-raised with a note."""

    def __init__(self, k, error):
        super().__init__(k, error)
        self.k, self.error = k, error


def _check_picklable(func):
    try:
        pickle.dumps(func)
    except Exception as exc:  # pickling raises several types (PicklingError, AttributeError)
        raise TypeError(
            f"with n_jobs > 1, func must be picklable, i.e. a function defined at module level "
            f"(not a lambda, a nested function or a function defined in a notebook cell); "
            f"got {getattr(func, '__qualname__', func)!r}: {exc}"
        ) from None


def _tidy(runs, frames, pairs, record):
    pieces = []
    for k, ((point, replicate), frame) in enumerate(zip(runs, frames)):
        key = {**point, "replicate": replicate}
        if pairs is not None:
            key["pair"] = pairs[k]
        keys = pd.DataFrame([key] * len(frame), index=frame.index)
        pieces.append(pd.concat([keys, frame], axis=1))
    tidy = pd.concat(pieces, ignore_index=True)
    tidy.attrs[_ATTRS] = record
    return tidy


def _describe(func, grid, fixed, n_replicates, rng, pair_over=()):
    """What a checkpoint records to tell whether a later call is the same sweep.

    Everything but ``provenance`` is compared on resuming; ``provenance`` (scorelab's
    version and git commit) only documents the runs, since ``scorelab.source_sha256``
    already tells whether the code that produced them has changed.
    """
    paired = {"pair_over": list(pair_over)} if pair_over else {}
    return {
        "format": _FORMAT,
        "func": f"{getattr(func, '__module__', None)}.{getattr(func, '__qualname__', None)}",
        "func_code": _code_fingerprint(func, "func"),
        "scorelab": {"source_sha256": _scorelab_source_digest()},
        "grid": {name: _fingerprint(list(values), f"grid[{name!r}]")
                 for name, values in grid.items()},
        "fixed": {name: _fingerprint(value, f"fixed[{name!r}]") for name, value in fixed.items()},
        "n_replicates": n_replicates,
        "seed": _seed_fingerprint(rng),
        **paired,
        "provenance": {"scorelab_version": versions()["scorelab"],
                       **git_state(Path(__file__).parent)},
    }


_UNCOMPARED = frozenset({"provenance"})


def _sweep_digest(description):
    """SHA-256 of the compared part of a description: the stamp of every run file."""
    compared = {k: v for k, v in description.items() if k not in _UNCOMPARED}
    return hashlib.sha256(json.dumps(compared, sort_keys=True).encode()).hexdigest()


def _scorelab_source_digest():
    """SHA-256 of every Python source file of the installed scorelab package."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _code_fingerprint(func, name):
    """A digest of what ``func`` runs: its source, and that of the functions of its own
    module it calls (followed through their names), or their bytecode without source.

    Code in scorelab itself is covered by the package's source digest. Functions of other
    modules that ``func`` calls (NumPy, a helper library) are not followed.
    """
    if isinstance(func, functools.partial):
        return {"partial": _code_fingerprint(func.func, name),
                "args": _fingerprint(list(func.args), f"{name}.args"),
                "keywords": _fingerprint(dict(func.keywords), f"{name}.keywords")}
    if isinstance(func, types.MethodType):
        return {"method": _code_fingerprint(func.__func__, name),
                "self": _fingerprint(func.__self__, f"{name}.__self__")}
    if not isinstance(func, types.FunctionType):
        call = inspect.getattr_static(type(func), "__call__", None)
        code = (_code_fingerprint(call, name) if isinstance(call, types.FunctionType)
                else f"{type(func).__module__}.{type(func).__qualname__}")
        if isinstance(func, type) or not isinstance(call, types.FunctionType):
            return {"callable": code}
        return {"callable": code, "state": _fingerprint(func, name)}
    digest = hashlib.sha256()
    seen, queue = set(), [func]
    while queue:
        current = queue.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        digest.update(_function_text(current))
        for called in sorted(_global_names(current.__code__)):
            target = current.__globals__.get(called)
            if (isinstance(target, types.FunctionType)
                    and target.__module__ == func.__module__
                    and not str(target.__module__).startswith("scorelab")):
                queue.append(target)
        for cell in current.__closure__ or ():
            try:
                content = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(content, types.FunctionType):
                queue.append(content)
            else:
                digest.update(json.dumps(_fingerprint(content, f"{name} (closure)"),
                                         sort_keys=True).encode())
    defaults = [func.__defaults__ or (), func.__kwdefaults__ or {}]
    digest.update(json.dumps(_fingerprint(defaults, f"{name} (defaults)"),
                             sort_keys=True).encode())
    return digest.hexdigest()


def _function_text(func):
    try:
        return inspect.getsource(func).encode()
    except (OSError, TypeError):  # no source file (defined by exec, say): the bytecode
        return _bytecode(func.__code__)


def _bytecode(code):
    parts = [code.co_code, repr(code.co_names).encode()]
    for const in code.co_consts:
        parts.append(_bytecode(const) if isinstance(const, types.CodeType)
                     else repr(const).encode())
    return b"\0".join(parts)


def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


class _Unfingerprintable(Exception):
    """A value that can be neither written as JSON nor pickled."""


def _fingerprint(value, name):
    try:
        return _jsonable(value)
    except _Unfingerprintable as exc:
        raise ValueError(
            f"with checkpoint, {name} must be recordable, so that a resumed sweep can tell "
            f"whether it changed; {exc}. Pass something picklable (build it inside func "
            f"from picklable parameters), or run without checkpoint"
        ) from None


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
    if isinstance(value, float) and not np.isfinite(value):
        return {"float": repr(value)}  # valid JSON, and NaN then equals itself
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
    if isinstance(value, types.FunctionType | functools.partial):
        return {"type": kind, "code": _code_fingerprint(value, "a function")}
    try:
        digest = hashlib.sha256(pickle.dumps(value)).hexdigest()
    except Exception as exc:  # pickling raises several types (PicklingError, TypeError, ...)
        raise _Unfingerprintable(f"{kind} cannot be pickled ({exc})") from None
    return {"type": kind, "pickle_sha256": digest}


class _Checkpoint:
    """A directory holding a sweep's description and one Parquet file per finished run.

    Each run file carries a stamp (the sweep's digest and the run's index) in its Parquet
    metadata, checked when it is read, so a file copied in from another sweep, or renamed,
    is refused instead of being merged.
    """

    def __init__(self, directory, description, *, n_runs):
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueError(f"checkpoint must be a directory, got the file {str(directory)!r}")
        self.n_runs = n_runs
        self.width = max(6, len(str(n_runs - 1)))
        self.digest = _sweep_digest(description)
        self.directory.mkdir(parents=True, exist_ok=True)
        stored_path = self.directory / _DESCRIPTION
        if stored_path.exists():
            try:
                stored = json.loads(stored_path.read_text())
            except (ValueError, UnicodeDecodeError) as exc:
                raise ValueError(
                    f"checkpoint description {str(stored_path)!r} is not valid JSON ({exc}); "
                    f"delete the checkpoint directory to start the sweep afresh"
                ) from None
            _check_same_sweep(stored, description, self.directory)
        elif any(self.directory.glob("run-*.parquet")):
            raise ValueError(
                f"checkpoint {str(self.directory)!r} holds run files but no {_DESCRIPTION}; "
                f"use an empty directory"
            )
        else:
            text = json.dumps(description, indent=2, allow_nan=False) + "\n"
            write_atomically(stored_path, lambda path: path.write_text(text))

    def path(self, k):
        return self.directory / f"run-{k:0{self.width}d}.parquet"

    def finished(self):
        return {k for k in range(self.n_runs) if self.path(k).exists()}

    def write(self, k, frame):
        stamped = frame.copy(deep=False)
        stamped.attrs = {_STAMP: {"sweep": self.digest, "run": k}}
        write_atomically(self.path(k), lambda path: stamped.to_parquet(path, index=False))

    def read(self, k):
        path = self.path(k)
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise ValueError(
                f"checkpoint run file {str(path)!r} cannot be read ({type(exc).__name__}: "
                f"{exc}); delete it and run the sweep again to recompute that run"
            ) from None
        stamp = frame.attrs.get(_STAMP)
        if stamp != {"sweep": self.digest, "run": k}:
            whose = ("has no sweep stamp" if not isinstance(stamp, Mapping)
                     else f"is run {stamp.get('run')} of sweep {str(stamp.get('sweep'))[:12]}"
                     if stamp.get("sweep") != self.digest else f"is run {stamp.get('run')}")
            raise ValueError(
                f"checkpoint run file {str(path)!r} {whose}, not run {k} of this sweep "
                f"({self.digest[:12]}): it was copied or renamed from elsewhere; delete it "
                f"and run the sweep again to recompute that run"
            )
        frame.attrs = {}
        return frame


_HINTS = {
    "func_code": "func's code (or a function of its module that it calls) has changed since "
                 "these runs were saved, so they may be stale",
    "scorelab": "scorelab's source has changed since these runs were saved, so they may be "
                "stale",
}


def _check_same_sweep(stored, given, directory):
    # A field only one of them has (pair_over, recorded for paired sweeps only) differs too.
    for field in sorted(set(stored) - set(given) - _UNCOMPARED):
        given = {**given, field: None}
    for field, value in given.items():
        if field in _UNCOMPARED:
            continue
        # The grid's order fixes the runs' order (and streams); other mappings are unordered.
        in_order = field == "grid"
        if json.dumps(stored.get(field), sort_keys=not in_order) != json.dumps(
            value, sort_keys=not in_order
        ):
            hint = _HINTS.get(field)
            if hint:
                raise ValueError(
                    f"checkpoint {str(directory)!r} holds a different sweep: {hint} "
                    f"({field} was {stored.get(field)!r}, now {value!r}); delete the "
                    f"directory to recompute every run, or use another directory"
                )
            raise ValueError(
                f"checkpoint {str(directory)!r} holds a different sweep: {field} was "
                f"{stored.get(field)!r}, now {value!r}; resume with the same func, grid, "
                f"fixed, n_replicates and rng, or use another directory"
            )


def confidence_intervals(frame, by, values=None, *, level=0.95):
    """Mean and Student-t confidence interval of ``values`` across replicates, per ``by``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typically the result of :func:`sweep`.
    by : str or list of str
        Grouping columns (the swept parameters). A group whose value is None or NaN (a "no
        intervention" baseline, say) is kept, not dropped.
    values : str or list of str, optional
        Result columns to summarise; default every numeric (non-bool) column that is
        neither a ``by`` column nor ``replicate``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Long format: ``by`` columns, ``metric``, ``mean``, ``low``, ``high``, ``n``, groups
        in order of first appearance. ``low`` and ``high`` are NaN where ``n < 2``.

    Raises
    ------
    TypeError
        ``frame`` is not a DataFrame.
    ValueError
        Empty frame, unknown or non-numeric columns, no value column left, ``by`` columns
        named like the summary's columns, ``level`` outside (0, 1).

    Notes
    -----
    ``mean +- t_{(1 + level) / 2, n - 1} * sd / sqrt(n)`` with ``sd`` the sample standard
    deviation of the ``n`` replicates (Student 1908). Checked in the tests against
    ``scipy.stats.t.interval`` and a hand-worked case.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.experiments import confidence_intervals
    >>> frame = pd.DataFrame({"h": [0, 0, 0], "gap": [1.0, 2.0, 3.0]})
    >>> confidence_intervals(frame, "h", "gap").round(2).to_dict("records")
    [{'h': 0, 'metric': 'gap', 'mean': 2.0, 'low': -0.48, 'high': 4.48, 'n': 3}]
    """
    level = check_real("level", level, minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise ValueError("frame is empty: it holds no replicate")
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise ValueError(f"by columns {missing} are not in the frame")
    if values is None:
        values = [c for c in frame.columns if c not in by and c != "replicate"
                  and pd.api.types.is_numeric_dtype(frame[c])
                  and not pd.api.types.is_bool_dtype(frame[c])]
        if not values:
            raise ValueError("values: the frame has no numeric column to summarise")
    else:
        values = [values] if isinstance(values, str) else list(values)
        missing = [c for c in values if c not in frame.columns]
        if missing:
            raise ValueError(f"values columns {missing} are not in the frame")
        text = [c for c in values if not pd.api.types.is_numeric_dtype(frame[c])]
        if text:
            raise ValueError(f"values columns {text} are not numeric")
    clash = [c for c in by if c in {"metric", "mean", "low", "high", "n"}]
    if clash:
        raise ValueError(
            f"by columns {clash} share names with the summary's columns (metric, mean, low, "
            f"high, n); rename them first, e.g. frame.rename(columns={{{clash[0]!r}: ...}})"
        )
    long = frame.melt(id_vars=by, value_vars=values, var_name="metric")
    grouped = long.groupby(by + ["metric"], sort=False, dropna=False)["value"]
    summary = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    half = stats.t.ppf(0.5 + level / 2, np.maximum(summary["n"] - 1, 1)) * summary["sd"] / np.sqrt(
        summary["n"]
    )
    half = half.where(summary["n"] > 1, np.nan)
    summary["low"] = summary["mean"] - half
    summary["high"] = summary["mean"] + half
    return summary[by + ["metric", "mean", "low", "high", "n"]]


def compare(frame, by, value, *, baseline, paired=True, level=0.95, within=None):
    """Differences of ``value`` against the runs where ``by == baseline``, with intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typically the result of :func:`sweep`; with ``paired=True``, of a sweep with
        ``pair_over`` naming ``by``.
    by : str
        The column whose values are compared (a swept parameter).
    value : str or list of str
        Result columns to compare (numeric).
    baseline : object
        The value of ``by`` every other value is compared with (the counterfactual).
    paired : bool, default True
        Compare run with run within each ``pair`` (paired Student t on the differences);
        ``False``: compare the two sets of runs as independent samples (Welch's t).
    level : float, default 0.95
        Confidence level, in (0, 1).
    within : str or list of str, optional
        Columns whose values are compared separately (other swept parameters). Default:
        the frame's other swept parameters, as :func:`sweep` records them in
        ``frame.attrs``; none if it records none.

    Returns
    -------
    pandas.DataFrame
        One row per ``within`` combination, non-baseline value of ``by`` and ``metric``,
        in grid order (first appearance in ``frame``): the ``within`` columns, ``by``,
        ``metric``, ``baseline`` (its value), ``mean`` (of ``value`` minus the baseline's),
        ``low`` and ``high`` (the interval, NaN with fewer than 2 runs or pairs), ``n``
        (pairs, or runs at the compared value), ``n_baseline`` (runs at the baseline) and
        ``paired``.

    Raises
    ------
    TypeError
        ``frame`` is not a DataFrame, ``paired`` not a bool.
    ValueError
        Unknown or non-numeric columns, ``baseline`` not among the values of ``by``,
        ``level`` outside (0, 1); with ``paired=True``, runs that are not paired over
        ``by`` (no ``pair`` column, a sweep whose ``pair_over`` leaves ``by`` out, or a
        pair without exactly one baseline run and one run at each compared value).

    See Also
    --------
    sweep : ``pair_over`` runs values on common random numbers.
    confidence_intervals : The interval of each grid point's mean.
    scorelab.findings.finding : A findings row from the same intervals.

    Notes
    -----
    Paired: with ``d_i`` the difference within pair ``i``, ``mean(d) +- t_{(1 + level)/2,
    n - 1} sd(d) / sqrt(n)``. Unpaired: Welch's interval with the Welch-Satterthwaite
    degrees of freedom. Both are :func:`scorelab.findings.finding`'s code, checked in the
    tests against ``scipy.stats.ttest_rel`` and ``ttest_ind(equal_var=False)``. Pairing
    removes the variation both values share (the society, the draws): a paired interval
    is usually much narrower than Welch's on the same runs.

    Examples
    --------
    >>> def noisy(shift, rng):
    ...     return {"draw": shift + rng.normal()}
    >>> runs = sweep(noisy, {"shift": [0.0, 1.0]}, n_replicates=5, rng=1, pair_over=["shift"])
    >>> compare(runs, "shift", "draw", baseline=0.0)[["shift", "mean", "low", "high", "n"]].round(6)
       shift  mean  low  high  n
    0    1.0   1.0  1.0   1.0  5

    Each pair drew the same normal number, so the difference is exactly 1 in every pair;
    compared as independent runs, the same draws give a wide interval:

    >>> welch = compare(runs, "shift", "draw", baseline=0.0, paired=False).iloc[0]
    >>> bool(welch["low"] < 0 < 1 < welch["high"])
    True
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(paired, bool):
        raise TypeError(f"paired must be True or False, got {paired!r}")
    level = check_real("level", level, minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    if not isinstance(by, str) or by not in frame.columns:
        raise ValueError(f"by must name a column of the frame, got {by!r}; the columns are "
                         f"{list(frame.columns)}")
    values = [value] if isinstance(value, str) else list(value)
    for name in values:
        if name not in frame.columns:
            raise ValueError(f"value column {name!r} is not in the frame")
        if (not pd.api.types.is_numeric_dtype(frame[name])
                or pd.api.types.is_bool_dtype(frame[name])):
            raise ValueError(f"value column {name!r} is not numeric")
    record = frame.attrs.get(_ATTRS, {})
    if within is None:
        within = [name for name in record.get("parameters", []) if name != by]
    else:
        within = [within] if isinstance(within, str) else list(within)
    missing = [name for name in within if name not in frame.columns or name == by]
    if missing:
        raise ValueError(f"within columns {missing} are not other columns of the frame")
    clash = [name for name in [by, *within] if name in _COMPARE_COLUMNS]
    if clash:
        raise ValueError(
            f"columns {clash} share names with the comparison's columns "
            f"{sorted(_COMPARE_COLUMNS)}; rename them first, e.g. "
            f"frame.rename(columns={{{clash[0]!r}: ...}})")
    at_baseline = _matching(frame[by], baseline)
    if not at_baseline.any():
        raise ValueError(f"baseline {plain(baseline)!r} is not a value of {by!r}; its values "
                         f"are {[plain(v) for v in pd.unique(frame[by])]}")
    if paired:
        _check_paired(frame, by, record)
    rows = []
    groups = frame.groupby(within, sort=False, dropna=False) if within else [((), frame)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        base = part[_matching(part[by], baseline)]
        for level_value in pd.unique(part[by]):
            if _same(level_value, baseline):
                continue
            treated = part[_matching(part[by], level_value)]
            for name in values:
                estimate, low, high, n = (
                    _paired_difference(treated, base, by, name, level_value, baseline, level)
                    if paired else _welch_difference(treated, base, name, level))
                rows.append({**dict(zip(within, key)), by: level_value, "metric": name,
                             "baseline": baseline, "mean": estimate, "low": low,
                             "high": high, "n": n, "n_baseline": len(base), "paired": paired})
    columns = within + [by, "metric", "baseline", "mean", "low", "high", "n", "n_baseline",
                        "paired"]
    return pd.DataFrame(rows, columns=columns)


_COMPARE_COLUMNS = frozenset({"metric", "baseline", "mean", "low", "high", "n", "n_baseline",
                               "paired"})


def _matching(column, target):
    if target is None or (isinstance(target, float) and np.isnan(target)):
        return column.isna()
    return column == target


def _same(a, b):
    if pd.isna(a) if np.ndim(a) == 0 else False:
        return b is None or (isinstance(b, float) and np.isnan(b))
    return a == b


def _check_paired(frame, by, record):
    hint = (f"pass paired=False to compare them as independent runs (Welch), or sweep with "
            f"pair_over=[{by!r}] to pair them")
    if "pair" not in frame.columns:
        raise ValueError(f"the runs are not paired (the frame has no 'pair' column): {hint}")
    if record and by not in record.get("pair_over", []):
        raise ValueError(f"the runs are paired over {record.get('pair_over')}, not over "
                         f"{by!r}: {hint}")


def _paired_difference(treated, base, by, name, value, baseline, level):
    keys = ["pair"]
    counts = (treated["pair"].value_counts(), base["pair"].value_counts())
    if (counts[0] > 1).any() or (counts[1] > 1).any():
        raise ValueError(
            f"some pairs hold several runs at {by} = {plain(value)!r} or at the baseline: "
            f"pass within=[...] naming the other parameters (or columns) that tell them apart"
        )
    merged = treated[keys + [name]].merge(base[keys + [name]], on=keys, how="outer",
                                          suffixes=("", "_baseline"), indicator=True)
    if (merged["_merge"] != "both").any():
        raise ValueError(
            f"pairs {sorted(merged.loc[merged['_merge'] != 'both', 'pair'].tolist())[:5]} lack "
            f"a run at {by} = {plain(value)!r} or at the baseline {plain(baseline)!r}: the "
            f"runs are not paired over {by!r}"
        )
    differences = (merged[name] - merged[f"{name}_baseline"]).to_numpy(dtype=float)
    if len(differences) < 2:
        return float(differences.mean()) if len(differences) else np.nan, np.nan, np.nan, len(
            differences)
    return (*_t_interval(differences, level=level), len(differences))


def _welch_difference(treated, base, name, level):
    a = treated[name].to_numpy(dtype=float)
    b = base[name].to_numpy(dtype=float)
    if len(a) < 2 or len(b) < 2:
        estimate = a.mean() - b.mean() if len(a) and len(b) else np.nan
        return float(estimate), np.nan, np.nan, len(a)
    return (*_t_interval(a, b, level=level), len(a))

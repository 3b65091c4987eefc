"""Global sensitivity analysis: which assumptions a result rests on.

:func:`sensitivity` samples the assumptions' ranges with SALib (Herman & Usher 2017),
evaluates the model at every sample through :func:`scorelab.experiments.sweep` (so Dask clients, local processes,
checkpoints and resumption work exactly as for any sweep) and returns one tidy row per
(output, parameter): Sobol' indices for quantifying, Morris elementary effects for screening.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_real, check_rng
from scorelab.experiments import sweep

__all__ = ["sensitivity", "influential", "METHODS"]

#: The index columns each method returns, after ``output`` and ``parameter``.
METHODS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}
# Names the sweep behind the analysis uses for itself; no parameter or output may take them.
_SAMPLE, _DESIGN, _MODEL = "sample", "_sensitivity_design", "_sensitivity_model"
_COMMON = "_sensitivity_common_seed"
_RESERVED = {_SAMPLE, _DESIGN, _MODEL, _COMMON, "replicate", "rng"}
_MORRIS_LEVELS = 4


def sensitivity(
    func,
    bounds,
    *,
    method="sobol",
    n,
    fixed=None,
    rng=None,
    n_jobs=1,
    progress=False,
    client=None,
    checkpoint=None,
    common_random_numbers=False,
):
    """Global sensitivity of ``func``'s outputs to its parameters over ``bounds``.

    Parameters
    ----------
    func : callable
        Called like a :func:`~scorelab.experiments.sweep` function,
        ``func(**point, **fixed, rng=generator)``, where ``point`` maps every parameter of
        ``bounds`` to one sampled value; returns a mapping of output name to a finite real
        number, with the same names at every call. Must be picklable (a module-level
        function) when ``n_jobs > 1`` or ``client`` is given.
    bounds : mapping of str to (float, float)
        The range ``(low, high)`` of each parameter, sampled uniformly; ``low < high``.
    method : {"sobol", "morris"}, default "sobol"
        ``"sobol"``: first-order and total Sobol' indices from Saltelli's sampling scheme.
        ``"morris"``: Morris elementary effects, a cheap screening.
    n : int
        Base sample size. Sobol': a power of two ``N``; ``func`` runs ``N (D + 2)`` times
        for ``D`` parameters. Morris: the number of trajectories ``r``; ``func`` runs
        ``r (D + 1)`` times.
    fixed : mapping, optional
        Parameters passed unchanged to every call.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Root of all randomness: the sample design, the model runs (one independent stream
        per run, as in :func:`~scorelab.experiments.sweep`) and the bootstrap behind the
        confidence intervals. With ``checkpoint`` it must be an int or a ``SeedSequence``.
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.
    progress : bool, default False
        Show the sweep's progress bar over finished model runs.
    client : dask.distributed.Client, optional
        Run the model on this Dask cluster; the frame does not depend on it.
    checkpoint : str or os.PathLike, optional
        Directory where every finished model run is saved; calling again with the same
        arguments reads them back and runs only the missing ones.
    common_random_numbers : bool, default False
        Give every run the same random stream instead of one stream per run (see Notes).

    Returns
    -------
    pandas.DataFrame
        One row per (output, parameter), outputs in the order ``func`` returns them and
        parameters in the order of ``bounds``: ``output``, ``parameter``, then ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf`` (Sobol') or ``mu_star``, ``mu_star_conf``,
        ``sigma`` (Morris). The ``_conf`` columns are half-widths of 95 % confidence
        intervals: 1.96 times the standard deviation of the index over 100 bootstrap
        resamples of the base samples (SALib's estimate). ``frame.attrs`` records the
        method, ``n``, the number of model runs and the bounds.

    Raises
    ------
    TypeError
        If ``func`` is not callable, ``bounds`` or ``fixed`` not a mapping, a bound not a
        pair of reals, or ``func`` returns something other than a mapping of reals.
    ValueError
        If ``method`` is unknown, ``n`` is too small (or not a power of two for Sobol'),
        a bound is empty or not finite, a parameter is also fixed or uses a reserved name,
        an output is not finite, or the calls return different output names; and as
        :func:`~scorelab.experiments.sweep` raises for ``n_jobs``, ``client``, ``rng``
        and ``checkpoint``.

    See Also
    --------
    scorelab.experiments.sweep : Runs the model evaluations.

    Notes
    -----
    For an output :math:`Y = f(X_1, \\dots, X_D)` with independent uniform inputs, the
    first-order and total Sobol' indices [2]_ are

    .. math::

        S_i = \\frac{\\operatorname{Var}[E(Y \\mid X_i)]}{\\operatorname{Var} Y}, \\qquad
        S_{T,i} = \\frac{E[\\operatorname{Var}(Y \\mid X_{\\sim i})]}{\\operatorname{Var} Y}.

    :math:`S_i` is the share of the variance that :math:`X_i` explains alone;
    :math:`S_{T,i}` adds all its interactions, so :math:`S_{T,i} \\approx 0` means the
    parameter can be fixed anywhere in its range. They are estimated from a scrambled
    Sobol' sequence with Saltelli's cross-sampling (``SALib.sample.sobol``) and the
    estimators of Saltelli et al. (2010) (``SALib.analyze.sobol``); second-order indices
    are not computed.

    Morris's method [3]_ moves one parameter at a time by :math:`\\Delta` (on a 4-level
    grid of the unit cube) along ``r`` random trajectories; for each parameter
    :math:`\\mu^* = \\operatorname{mean}|EE|` of the elementary effects
    :math:`EE = [f(x + \\Delta e_i) - f(x)] / \\Delta` ranks importance (Campolongo et
    al. 2007) and :math:`\\sigma = \\operatorname{sd}(EE)` flags non-linearity or
    interactions. Because :math:`\\Delta` is measured on the unit cube, :math:`\\mu^*` is
    in units of the output per whole range of the parameter.

    A stochastic ``func`` is run once per sample, each run on its own stream. Its noise
    variance :math:`\\sigma^2` is variance no parameter explains: it lowers every
    :math:`S_i`, and the total-index estimator, which compares runs that differ in one
    parameter, adds the noise share :math:`\\sigma^2 / \\operatorname{Var} Y` to every
    :math:`S_{T,i}`, an inert parameter's included. Read :math:`S_{T,i}` against that
    floor, or have ``func`` average enough replicates to make it small.

    With ``common_random_numbers=True`` every run draws the same random numbers, so
    runs differ only in their parameters: an inert parameter then gets exactly zero
    indices and screening needs far fewer runs, but the indices describe the model for
    that one realisation of its randomness; repeat with other seeds to see how much they
    move.

    The randomness of the design, of the runs and of the bootstrap comes from three
    independent children of ``rng``, so the same seed gives the same frame, serially,
    in processes or on Dask, interrupted and resumed or not.

    Checked against the analytic indices of the Ishigami function and of a linear model,
    and against the ranking of a model with an inert parameter (tests/test_sensitivity.py).

    References
    ----------
    .. [1] J. Herman and W. Usher, "SALib: An open-source Python library for sensitivity
       analysis", Journal of Open Source Software 2(9), 97 (2017).
       https://doi.org/10.21105/joss.00097
    .. [2] A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto and S. Tarantola,
       "Variance based sensitivity analysis of model output. Design and estimator for the
       total sensitivity index", Computer Physics Communications 181(2), 259-270 (2010).
       https://doi.org/10.1016/j.cpc.2009.09.018
    .. [3] M. D. Morris, "Factorial sampling plans for preliminary computational
       experiments", Technometrics 33(2), 161-174 (1991).
       https://doi.org/10.1080/00401706.1991.10484804

    Examples
    --------
    A linear model ``y = 3 a + b`` on unit ranges: ``a`` explains 9/10 of the variance.

    >>> from scorelab.global_sensitivity import sensitivity
    >>> def linear(a, b, rng):
    ...     return {"y": 3.0 * a + b}
    >>> frame = sensitivity(linear, {"a": (0, 1), "b": (0, 1)}, n=256, rng=1)
    >>> frame[["output", "parameter"]].values.tolist()
    [['y', 'a'], ['y', 'b']]
    >>> frame["S1"].round(1).tolist(), frame["ST"].round(1).tolist()
    ([0.9, 0.1], [0.9, 0.1])
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    problem = _problem(bounds)
    n = _check_n(method, n)
    if fixed is not None and not isinstance(fixed, Mapping):
        raise TypeError(
            f"fixed must be a mapping of parameter -> value, got {type(fixed).__name__}"
        )
    fixed = dict(fixed or {})
    clash = sorted(set(fixed) & set(problem["names"]))
    if clash:
        raise ValueError(f"parameters {clash} are both in bounds and fixed")
    reserved = sorted(set(fixed) & _RESERVED)
    if reserved:
        raise ValueError(f"fixed uses the reserved name(s) {reserved}; rename them")
    if not isinstance(common_random_numbers, bool):
        raise TypeError(
            f"common_random_numbers must be True or False, got {common_random_numbers!r}"
        )

    design_rng, run_rng, analysis_rng = np.random.default_rng(check_rng(rng)).spawn(3)
    if method == "sobol":
        from SALib.sample import sobol as sampler

        design = sampler.sample(problem, n, calc_second_order=False, seed=design_rng)
    else:
        from SALib.sample import morris as sampler

        design = sampler.sample(problem, n, num_levels=_MORRIS_LEVELS, seed=design_rng)

    # A checkpoint can replay only an int or SeedSequence root; the child stream of the
    # runs is passed on as the SeedSequence it was spawned from, which replays exactly.
    run_seed = run_rng.bit_generator.seed_seq if _replayable(rng) else run_rng
    own = {_DESIGN: _Design(problem["names"], design), _MODEL: func}
    if common_random_numbers:
        own[_COMMON] = run_rng.bit_generator.seed_seq
    runs = sweep(
        _evaluate,
        {_SAMPLE: range(len(design))},
        fixed=own | fixed,
        rng=run_seed,
        n_jobs=n_jobs,
        progress=progress,
        client=client,
        checkpoint=checkpoint,
    )
    outputs = _outputs(runs)
    rows = []
    for output in outputs:
        values = runs[output].to_numpy(dtype=np.float64)
        indices = _analyse(method, problem, design, values, analysis_rng, output)
        for j, parameter in enumerate(problem["names"]):
            rows.append(
                {"output": output, "parameter": parameter}
                | {column: float(indices[column][j]) for column in METHODS[method]}
            )
    frame = pd.DataFrame(rows, columns=["output", "parameter", *METHODS[method]])
    frame.attrs.update(
        method=method,
        n=n,
        n_runs=len(design),
        bounds={name: list(bound) for name, bound in zip(problem["names"], problem["bounds"])},
    )
    return frame


def influential(frame, output, *, threshold=0.05):
    """The parameters that move ``output`` most: what a finding ``rests_on``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame returned by :func:`sensitivity`.
    output : str
        One of its outputs.
    threshold : float in [0, 1), default 0.05
        Sobol': a parameter counts when its total index is above ``threshold`` even at the
        low end of its interval, ``ST - ST_conf > threshold``. Morris: when
        ``mu_star - mu_star_conf > threshold * max(mu_star)``.

    Returns
    -------
    list of str
        Those parameters, largest index first (``ST`` or ``mu_star``); ties keep the
        order of ``bounds``.

    Raises
    ------
    TypeError, ValueError
        If ``frame`` is not a sensitivity frame or ``output`` is not in it.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"output": "gap", "parameter": ["alpha", "inertia", "h2"],
    ...                       "S1": [0.5, 0.2, 0.0], "S1_conf": [0.05, 0.05, 0.01],
    ...                       "ST": [0.6, 0.3, 0.06], "ST_conf": [0.05, 0.05, 0.02]})
    >>> influential(frame, "gap")
    ['alpha', 'inertia']
    """
    if not isinstance(frame, pd.DataFrame) or not {"output", "parameter"} <= set(frame.columns):
        raise TypeError("frame must be a DataFrame returned by scorelab.sensitivity")
    threshold = check_real("threshold", threshold, minimum=0.0, maximum=1.0, open_max=True)
    rows = frame[frame["output"] == output]
    if rows.empty:
        raise ValueError(
            f"output {output!r} is not in the frame; it has {frame['output'].unique().tolist()}"
        )
    if "ST" in rows.columns:
        index, low = rows["ST"], rows["ST"] - rows["ST_conf"]
        keep = low > threshold
    elif "mu_star" in rows.columns:
        index, low = rows["mu_star"], rows["mu_star"] - rows["mu_star_conf"]
        keep = low > threshold * index.max()
    else:
        raise TypeError("frame must hold Sobol' (ST) or Morris (mu_star) indices")
    chosen = rows.assign(index=index)[keep.to_numpy()]
    return chosen.sort_values("index", ascending=False, kind="stable")["parameter"].tolist()


def _replayable(rng):
    return isinstance(rng, np.random.SeedSequence) or (
        isinstance(rng, numbers.Integral) and not isinstance(rng, bool)
    )


def _problem(bounds):
    """SALib's problem dictionary from ``{name: (low, high)}``, with every bound checked."""
    if not isinstance(bounds, Mapping):
        raise TypeError(
            f"bounds must be a mapping of parameter -> (low, high), got {type(bounds).__name__}"
        )
    if not bounds:
        raise ValueError("bounds must name at least one parameter, got an empty mapping")
    names, ranges = [], []
    for name, bound in bounds.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                f"bounds keys must be parameter names (Python identifiers), got {name!r}"
            )
        if name in _RESERVED:
            raise ValueError(f"bounds uses the reserved name {name!r}; rename the parameter")
        if (
            isinstance(bound, (str, bytes, Mapping))
            or not hasattr(bound, "__len__")
            or len(bound) != 2
            or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in bound
            )
        ):
            raise TypeError(f"bounds[{name!r}] must be a pair (low, high) of reals, got {bound!r}")
        low, high = (float(v) for v in bound)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"bounds[{name!r}] must be finite, got ({low}, {high})")
        if not low < high:
            raise ValueError(f"bounds[{name!r}] must have low < high, got ({low}, {high})")
        names.append(name)
        ranges.append([low, high])
    return {"num_vars": len(names), "names": names, "bounds": ranges}


def _check_n(method, n):
    if method == "sobol":
        n = check_integer("n", n, minimum=2)
        if n & (n - 1):
            raise ValueError(
                f"n must be a power of two for method='sobol' (the balance of the Sobol' "
                f"sequence needs it), got {n}; e.g. {1 << (n.bit_length() - 1)} or "
                f"{1 << n.bit_length()}"
            )
        return n
    return check_integer("n", n, minimum=2)


class _Design:
    """The sample matrix, shipped to the runs inside ``fixed``.

    Not a dataclass or an array, so that a checkpoint records it by a digest of its pickle
    rather than as a (long) JSON list.
    """

    def __init__(self, names, matrix):
        self.names = tuple(names)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float64)

    def point(self, k):
        return dict(zip(self.names, self.matrix[k].tolist()))


def _evaluate(rng, **kwargs):
    """One model run: the ``sample``-th row of the design, checked on its way back."""
    k = kwargs.pop(_SAMPLE)
    design, func = kwargs.pop(_DESIGN), kwargs.pop(_MODEL)
    common = kwargs.pop(_COMMON, None)
    if common is not None:
        # A fresh copy each run: spawning from a shared SeedSequence would advance it.
        rng = np.random.default_rng(np.random.SeedSequence(
            common.entropy, spawn_key=common.spawn_key, pool_size=common.pool_size))
    point = design.point(k)
    result = func(**point, **kwargs, rng=rng)
    if isinstance(result, pd.Series):
        result = result.to_dict()
    if not isinstance(result, Mapping) or not result:
        raise TypeError(
            f"func must return a non-empty mapping of output name -> real number; at sample "
            f"{k} ({_describe_point(point)}) it returned {type(result).__name__}"
        )
    checked = {}
    for name, value in result.items():
        if not isinstance(name, str) or name in _RESERVED:
            raise ValueError(
                f"func's output names must be strings other than {sorted(_RESERVED)}; got "
                f"{name!r} at sample {k}"
            )
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"func's output {name!r} must be a real number, got {value!r} "
                f"({type(value).__name__}) at sample {k} ({_describe_point(point)})"
            )
        if not math.isfinite(value):
            raise ValueError(
                f"func's output {name!r} must be finite, got {value} at sample {k} "
                f"({_describe_point(point)})"
            )
        checked[name] = float(value)
    return checked


def _describe_point(point):
    return ", ".join(f"{name}={value:.6g}" for name, value in point.items())


def _outputs(runs):
    """The output columns of the runs' frame, checked to be present in every run."""
    outputs = [column for column in runs.columns if column not in (_SAMPLE, "replicate")]
    # _evaluate refuses non-finite values, so a gap can only be a name some run left out.
    missing = runs[outputs].isna()
    if missing.to_numpy().any():
        name = missing.any().idxmax()
        k = int(runs.loc[missing[name], _SAMPLE].iloc[0])
        first = sorted(name for name in outputs if not missing[name].iloc[0])
        raise ValueError(
            f"func must return the same output names at every call; sample {k} has no "
            f"{name!r} (sample 0 returned {first})"
        )
    return outputs


def _analyse(method, problem, design, values, rng, output):
    if method == "sobol" and np.ptp(values) == 0:
        warnings.warn(
            f"output {output!r} is constant ({float(values[0]):g}) over the whole sample; "
            f"its Sobol' indices (shares of a zero variance) are undefined and reported as NaN",
            RuntimeWarning,
            stacklevel=3,
        )
        return {column: np.full(problem["num_vars"], np.nan) for column in METHODS[method]}
    if method == "sobol":
        from SALib.analyze import sobol as analyser

        return analyser.analyze(problem, values, calc_second_order=False, seed=rng)
    from SALib.analyze import morris as analyser

    return analyser.analyze(problem, design, values, num_levels=_MORRIS_LEVELS, seed=rng)

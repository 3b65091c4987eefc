"""The findings register: every headline claim as a row with its interval, sample and seed.

A finding is a number a notebook cites. Each study module turns its replicates into rows with
:func:`finding`; :func:`findings_frame` collects them into the register, :func:`validate_findings`
checks it, :func:`save_findings` writes ``findings.csv`` with a JSON sidecar of provenance and
:func:`format_findings` prints it, unresolved findings as unresolved and nothing ranked.
For ``make full``, :func:`check_provenance` checks a saved register's sidecar and
:func:`compare_scales` sets full-scale findings beside their default-scale counterparts.

Columns (:data:`COLUMNS`):

============== =====================================================================
``id``         stable name ``<study>.<finding>``, e.g. ``guilt.minority-gap-change``
``notebook``   the notebook it belongs to, e.g. ``01-guilt-by-association``
``statement``  one plain sentence
``estimate``   mean over replicates (of the paired differences, for a comparison)
``ci_low``     lower end of the 95 % interval
``ci_high``    upper end of the 95 % interval
``null``       the value under the counterfactual (0 for a difference)
``resolved``   whether the interval excludes ``null``
``n_citizens`` citizens per replicate
``replicates`` independent replicates (pairs, for a paired comparison)
``seed``       the root seed of the replicates
``scale``      ``"default"`` (the notebook's size) or ``"full"`` (``make full``)
``rests_on``   the assumptions that move it most, from the sensitivity analysis,
               separated by ``"; "`` (empty until analysed)
``interval``   how the interval was computed: ``"t"`` (Student t) or ``"bootstrap"``
               (percentile bootstrap); not in issue 10's table, added so every row
               states its method
============== =====================================================================
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from scorelab._provenance import git_state
from scorelab._validation import check_finite_array, check_integer, check_real, check_rng
from scorelab.reporting import reports_dir, versions

__all__ = [
    "COLUMNS",
    "finding",
    "findings_frame",
    "validate_findings",
    "findings_dir",
    "save_findings",
    "load_findings",
    "check_provenance",
    "compare_scales",
    "format_findings",
]

COLUMNS = (
    "id",
    "notebook",
    "statement",
    "estimate",
    "ci_low",
    "ci_high",
    "null",
    "resolved",
    "n_citizens",
    "replicates",
    "seed",
    "scale",
    "rests_on",
    "interval",
)
SCALES = ("default", "full")
INTERVALS = {"t": "Student t", "bootstrap": "percentile bootstrap"}
LEVEL = 0.95
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$")
_NOTEBOOK = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
_PATTERNS = {
    "id": (_ID, "'<study>.<finding>' in lower case with hyphens (e.g. "
                "'guilt.minority-gap-change')"),
    "notebook": (_NOTEBOOK, "a notebook's name without '.ipynb' (e.g. "
                            "'01-guilt-by-association')"),
}
_BOOTSTRAP_RESAMPLES = 9999


def finding(
    id,
    values,
    *,
    notebook,
    statement,
    n_citizens,
    seed,
    counterfactual=None,
    paired=True,
    null=None,
    scale="default",
    rests_on=(),
    interval="t",
    rng=None,
):
    """One row of the findings register from replicate values.

    Parameters
    ----------
    id : str
        Stable name ``<study>.<finding>`` in lower case with hyphens, e.g.
        ``"guilt.minority-gap-change"``; it must not depend on the run (no counters).
    values : array_like of float
        The quantity in each replicate (>= 2 replicates).
    notebook : str
        The notebook that cites it, e.g. ``"01-guilt-by-association"``.
    statement : str
        One plain sentence saying what the estimate measures.
    n_citizens : int
        Citizens per replicate.
    seed : int
        Root seed of the replicates.
    counterfactual : array_like of float, optional
        The same quantity under the counterfactual. The finding is then the difference
        ``values - counterfactual``, with ``null = 0``.
    paired : bool, default True
        With ``counterfactual``: replicate ``i`` of both ran on the same stream (the same
        society, acts and draws), so the interval is that of the paired differences;
        ``False`` for independent runs (Welch's interval, or a bootstrap of each).
    null : float, optional
        The value the estimate is compared with: without ``counterfactual`` the value the
        counterfactual is known to have (default 0); with one it must be 0 or omitted.
    scale : {"default", "full"}, default "default"
        The notebook's default size, or the full-scale run of ``make full``.
    rests_on : str or sequence of str, default ()
        Assumptions (parameter names) that move the finding most, from
        :func:`scorelab.sensitivity` via :func:`scorelab.global_sensitivity.influential`.
    interval : {"t", "bootstrap"}, default "t"
        ``"t"``: Student-t interval of the mean. ``"bootstrap"``: percentile bootstrap of
        the mean with 9,999 resamples of the replicates (of the pairs, when paired).
    rng : None, int or numpy.random.Generator
        Randomness of the bootstrap; pass a seed so the register is reproducible.

    Returns
    -------
    dict
        The columns of :data:`COLUMNS` for this finding, as plain Python values.

    Raises
    ------
    TypeError, ValueError
        Naming the offending argument, e.g. an id that is not ``<study>.<finding>``, fewer
        than 2 replicates, non-finite values, counterfactual of another length with
        ``paired=True``, or a non-zero ``null`` with a counterfactual.

    See Also
    --------
    findings_frame, validate_findings, format_findings

    Notes
    -----
    With :math:`d_i` the values (or paired differences), :math:`n` replicates, mean
    :math:`\\bar d` and standard deviation :math:`s`, the Student-t interval is

    .. math:: \\bar d \\pm t_{0.975,\\,n-1}\\, s / \\sqrt{n}.

    Pairing removes the variation that both arms share (the society, the draws), so a
    paired interval is usually much narrower than the difference of two separate ones.
    Unpaired, Welch's interval uses :math:`s_a^2/n_a + s_b^2/n_b` with the
    Welch-Satterthwaite degrees of freedom [1]_. The bootstrap [2]_ takes the 2.5 % and
    97.5 % quantiles of the mean over resampled replicates. A finding is *resolved* when
    its interval excludes the null; otherwise it says nothing about the direction.

    Checked against :func:`scipy.stats.ttest_rel`, :func:`scipy.stats.ttest_1samp` and
    :func:`scipy.stats.ttest_ind` confidence intervals (tests/test_findings.py).

    References
    ----------
    .. [1] B. L. Welch, "The generalization of 'Student's' problem when several different
       population variances are involved", Biometrika 34(1-2), 28-35 (1947).
       https://doi.org/10.1093/biomet/34.1-2.28
    .. [2] B. Efron and R. J. Tibshirani, An Introduction to the Bootstrap, Chapman &
       Hall (1993), ch. 13. https://doi.org/10.1201/9780429246593

    Examples
    --------
    >>> from scorelab.findings import finding
    >>> row = finding("guilt.minority-gap-change", [-3.1, -2.5, -3.4, -2.8],
    ...               counterfactual=[0.2, -0.1, 0.3, 0.0], notebook="01-guilt-by-association",
    ...               statement="Association narrows the minority's gap (points).",
    ...               n_citizens=2000, seed=7)
    >>> round(row["estimate"], 2), round(row["ci_low"], 2), round(row["ci_high"], 2)
    (-3.05, -3.95, -2.15)
    >>> row["null"], row["resolved"], row["replicates"], row["interval"]
    (0.0, True, 4, 't')
    """
    row = {
        "id": _check_pattern("id", id),
        "notebook": _check_pattern("notebook", notebook),
        "statement": _check_statement(statement),
    }
    values = check_finite_array("values", values)
    if len(values) < 2:
        raise ValueError(
            f"values must hold at least 2 replicates for an interval, got {len(values)}"
        )
    if not isinstance(paired, bool):
        raise TypeError(f"paired must be True or False, got {paired!r}")
    if not isinstance(interval, str) or interval not in INTERVALS:
        raise ValueError(f"interval must be one of {sorted(INTERVALS)}, got {interval!r}")
    if counterfactual is None:
        null = 0.0 if null is None else check_real("null", null)
        samples = (values,)
    else:
        if null is not None and check_real("null", null) != 0:
            raise ValueError(
                f"null must be 0 (or omitted) with a counterfactual: the finding is the "
                f"difference values - counterfactual; got {null}"
            )
        null = 0.0
        other = check_finite_array("counterfactual", counterfactual)
        if paired and len(other) != len(values):
            raise ValueError(
                f"counterfactual must hold one value per replicate when paired "
                f"(len(values) = {len(values)}), got {len(other)}; pass paired=False for "
                f"independent runs"
            )
        if len(other) < 2:
            raise ValueError(
                f"counterfactual must hold at least 2 replicates, got {len(other)}"
            )
        samples = (values - other,) if paired else (values, other)
    if interval == "t":
        estimate, low, high = _t_interval(*samples)
    else:
        estimate, low, high = _bootstrap_interval(samples, np.random.default_rng(check_rng(rng)))
    row |= {
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "null": null,
        "resolved": bool(null < low or null > high),
        "n_citizens": check_integer("n_citizens", n_citizens, minimum=1),
        "replicates": len(samples[0]),
        "seed": check_integer("seed", seed, minimum=0),
        "scale": _check_scale(scale),
        "rests_on": _rests_on(rests_on),
        "interval": interval,
    }
    return row


def _t_interval(a, b=None, *, level=LEVEL):
    """Mean (or difference of means) and its Student-t (or Welch) interval at ``level``.

    One sample: the interval of its mean (of paired differences, say). Two samples ``a``
    and ``b``: Welch's interval of ``mean(a) - mean(b)``. Shared by :func:`finding` and
    :func:`scorelab.experiments.compare`.
    """
    if b is None:
        n = len(a)
        estimate, se, df = a.mean(), a.std(ddof=1) / math.sqrt(n), n - 1
    else:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        estimate, se = a.mean() - b.mean(), math.sqrt(va + vb)
        denominator = va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)
        df = (va + vb) ** 2 / denominator if denominator > 0 else len(a) + len(b) - 2
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return float(estimate), float(estimate - half), float(estimate + half)


def _bootstrap_interval(samples, rng):
    means = []
    for sample in samples:
        picks = rng.integers(0, len(sample), size=(_BOOTSTRAP_RESAMPLES, len(sample)))
        means.append(sample[picks].mean(axis=1))
    resampled = means[0] if len(means) == 1 else means[0] - means[1]
    estimate = samples[0].mean() - (samples[1].mean() if len(samples) == 2 else 0.0)
    low, high = np.quantile(resampled, [0.5 - LEVEL / 2, 0.5 + LEVEL / 2])
    return float(estimate), float(low), float(high)


def _matches(column, value):
    return isinstance(value, str) and bool(_PATTERNS[column][0].match(value))


def _check_pattern(column, value):
    if not _matches(column, value):
        raise ValueError(f"{column} must be {_PATTERNS[column][1]}, got {value!r}")
    return value


def _check_statement(value):
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        raise ValueError(f"statement must be one non-empty line of text, got {value!r}")
    return value.strip()


def _check_scale(value):
    if value not in SCALES:
        raise ValueError(f"scale must be one of {list(SCALES)}, got {value!r}")
    return value


def _rests_on(value):
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not all(
        isinstance(name, str) and name.strip() and ";" not in name for name in names
    ):
        raise TypeError(
            f"rests_on must be a parameter name or a sequence of them (no ';'), got {value!r}"
        )
    return "; ".join(name.strip() for name in names)


def findings_frame(rows):
    """The register: rows from :func:`finding` as a validated frame in :data:`COLUMNS` order.

    >>> from scorelab.findings import finding, findings_frame
    >>> row = finding("demo.effect", [1.0, 1.2, 0.9], notebook="00-demo",
    ...               statement="An effect.", n_citizens=10, seed=1)
    >>> findings_frame([row]).columns.tolist() == list(COLUMNS)
    True
    """
    if isinstance(rows, Mapping) or not isinstance(rows, (Sequence, pd.DataFrame)):
        raise TypeError(
            f"rows must be a list of finding rows (dicts from finding()), got "
            f"{type(rows).__name__}"
        )
    frame = pd.DataFrame(list(rows) if not isinstance(rows, pd.DataFrame) else rows,
                         columns=list(COLUMNS))
    return validate_findings(frame)


def validate_findings(frame, *, previous=None):
    """Check a findings register; return it unchanged, or raise listing every problem.

    Parameters
    ----------
    frame : pandas.DataFrame
        A register with exactly the columns of :data:`COLUMNS`.
    previous : pandas.DataFrame, optional
        An earlier register of the same notebooks (e.g. the committed one): every id it
        holds must still be present, so published ids stay stable.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        Listing each failed check: the columns, ids (pattern, unique, stable), notebook
        names, statements, finite numbers with ``ci_low <= ci_high``, ``resolved`` equal
        to "the interval excludes the null", sample sizes, seeds, scale, interval method.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.findings import finding, validate_findings
    >>> row = finding("demo.effect", [1.0, 1.2, 0.9], notebook="00-demo",
    ...               statement="An effect.", n_citizens=10, seed=1)
    >>> validate_findings(pd.DataFrame([row | {"resolved": False}]))
    Traceback (most recent call last):
    ...
    ValueError: findings register is invalid:
    - resolved must say whether [ci_low, ci_high] excludes null; wrong for ['demo.effect']
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in COLUMNS if c not in frame.columns]
    extra = [c for c in frame.columns if c not in COLUMNS]
    if missing or extra:
        raise ValueError(
            f"findings register must have exactly the columns {list(COLUMNS)}; missing "
            f"{missing}, unexpected {extra}"
        )
    problems = []

    def rows_where(mask, message):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            where = frame.loc[mask, "id"].astype(str).tolist()[:5]
            problems.append(f"{message}; wrong for {where}")

    ids = frame["id"]
    for column in _PATTERNS:
        rows_where([not _matches(column, v) for v in frame[column]],
                   f"{column} must be {_PATTERNS[column][1]}")
    duplicated = ids[ids.duplicated()].astype(str).unique().tolist()
    if duplicated:
        problems.append(f"ids must be unique; repeated: {duplicated[:5]}")
    if previous is not None:
        gone = sorted(set(previous["id"]) - set(ids))
        if gone:
            problems.append(f"ids must be stable; these published ids are missing: {gone[:5]}")
    rows_where([not (isinstance(v, str) and v.strip() and "\n" not in v)
                for v in frame["statement"]], "statement must be one non-empty line")
    numbers_ok = np.ones(len(frame), dtype=bool)
    for column in ("estimate", "ci_low", "ci_high", "null"):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        finite = np.isfinite(values)
        rows_where(~finite, f"{column} must be a finite number")
        numbers_ok &= finite
    low, high, null = (pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
                       for c in ("ci_low", "ci_high", "null"))
    with np.errstate(invalid="ignore"):
        rows_where(numbers_ok & ~(low <= high), "ci_low must be <= ci_high")
        excludes = (null < low) | (null > high)
    booleans = np.array([isinstance(v, (bool, np.bool_)) for v in frame["resolved"]], dtype=bool)
    rows_where(~booleans, "resolved must be True or False")
    stated = np.array([bool(v) and ok for v, ok in zip(frame["resolved"], booleans)], dtype=bool)
    rows_where(numbers_ok & booleans & (stated != excludes),
               "resolved must say whether [ci_low, ci_high] excludes null")
    for column, minimum in (("n_citizens", 1), ("replicates", 2), ("seed", 0)):
        rows_where([not _is_integer_at_least(v, minimum) for v in frame[column]],
                   f"{column} must be an integer >= {minimum}")
    rows_where(~frame["scale"].isin(SCALES), f"scale must be one of {list(SCALES)}")
    rows_where([not isinstance(v, str) for v in frame["rests_on"]],
               "rests_on must be text ('; '-separated parameter names, or empty)")
    rows_where(~frame["interval"].isin(list(INTERVALS)),
               f"interval must be one of {sorted(INTERVALS)}")
    if problems:
        raise ValueError("findings register is invalid:\n- " + "\n- ".join(problems))
    return frame


def _is_integer_at_least(value, minimum):
    return (isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
            and value >= minimum)


def findings_dir(notebook):
    """Where a notebook saves its findings register: one folder per notebook.

    ``$SCORELAB_FINDINGS_DIR/<notebook>`` when that variable is set (``make full`` sets it
    to ``results/``, so full-scale registers land in ``results/<notebook>/findings.csv``),
    else ``reports/findings/<notebook>`` (``$SCORELAB_REPORTS`` moves ``reports/``), which
    ``make report`` gathers into ``reports/findings.csv``. Created if missing.

    Parameters
    ----------
    notebook : str
        The notebook's file stem, e.g. ``"01-guilt-by-association"``.

    Examples
    --------
    >>> findings_dir("01-guilt-by-association").name
    '01-guilt-by-association'
    """
    if not isinstance(notebook, str) or not re.fullmatch(r"\d\d-[a-z0-9-]+", notebook):
        raise ValueError(f"notebook must be a notebook's file stem such as "
                         f"'01-guilt-by-association', got {notebook!r}")
    configured = os.environ.get("SCORELAB_FINDINGS_DIR")
    base = Path(configured) if configured else reports_dir("findings")
    folder = base / notebook
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_findings(frame, directory=None, *, parameters=None, seed=None, wall_time=None):
    """Write ``findings.csv`` and its JSON sidecar ``findings.json`` into ``directory``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A register (validated before anything is written).
    directory : str or os.PathLike, optional
        Default ``reports/`` at the project root (or ``$SCORELAB_REPORTS``); ``make full`` uses
        ``results/<notebook>/``. Created if missing.
    parameters : mapping, optional
        The parameters the findings were computed with (e.g. the notebook's parameters).
    seed : int, optional
        The notebook's root seed.
    wall_time : float, optional
        Seconds the computation took.

    Returns
    -------
    pathlib.Path
        The CSV file.

    Notes
    -----
    The sidecar records ``parameters``, ``seed``, ``versions`` (Python and packages),
    ``git`` (``commit`` and ``dirty``: tracked files of the checkout holding the imported
    scorelab differ from the commit; both null for an installed, non-editable copy), ``wall_time_seconds``, the interval ``level`` and the
    ``columns``, so that every number in the CSV can be traced to code and inputs.

    Examples
    --------
    >>> import json, tempfile
    >>> from scorelab.findings import finding, findings_frame, load_findings, save_findings
    >>> register = findings_frame([finding("demo.effect", [1.0, 1.2, 0.9], notebook="00-demo",
    ...                            statement="An effect.", n_citizens=10, seed=1)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_findings(register, folder, parameters={"n": 10}, seed=1, wall_time=0.5)
    ...     sidecar = json.loads(path.with_suffix(".json").read_text())
    ...     again = load_findings(path)
    >>> sorted(sidecar)
    ['columns', 'git', 'level', 'parameters', 'seed', 'versions', 'wall_time_seconds']
    >>> again.equals(register)
    True
    """
    validate_findings(frame)
    if parameters is not None and not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a mapping, got {type(parameters).__name__}")
    if seed is not None:
        seed = check_integer("seed", seed, minimum=0)
    if wall_time is not None:
        wall_time = check_real("wall_time", wall_time, minimum=0.0)
    folder = Path(directory) if directory is not None else reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "findings.csv"
    frame.to_csv(path, index=False)
    sidecar = {
        "parameters": dict(parameters or {}),
        "seed": seed,
        "versions": versions(),
        # The code's own checkout (not the working directory's): the commit that computed it.
        "git": git_state(),
        "wall_time_seconds": wall_time,
        "level": LEVEL,
        "columns": list(COLUMNS),
    }
    path.with_suffix(".json").write_text(json.dumps(sidecar, indent=2, default=str) + "\n")
    return path


def load_findings(path):
    """Read a ``findings.csv`` written by :func:`save_findings` back, validated."""
    frame = pd.read_csv(
        path,
        keep_default_na=False,
        dtype={"id": str, "notebook": str, "statement": str, "scale": str, "rests_on": str,
               "interval": str, "resolved": bool, "n_citizens": "int64", "replicates": "int64",
               "seed": "int64"},
    )
    # Plain Python ints, as finding() makes them, so a round trip gives an equal frame.
    for column in ("n_citizens", "replicates", "seed"):
        frame[column] = frame[column].astype(object).map(int)
    return validate_findings(frame)


def check_provenance(path):
    """Check that a saved ``findings.csv`` has a complete sidecar; return the sidecar.

    Complete means: ``parameters`` (a non-empty mapping), ``seed`` (an int),
    ``versions`` naming scorelab's, ``git.commit`` (40 hex digits), ``git.dirty``
    (True or False) and ``wall_time_seconds`` (a number), as :func:`save_findings` writes
    them when given everything. The CSV itself must also validate.

    Raises
    ------
    ValueError
        Listing every missing or empty field, or if the sidecar does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from scorelab.findings import check_provenance, finding, findings_frame, save_findings
    >>> register = findings_frame([finding("demo.effect", [1.0, 1.2, 0.9], notebook="00-demo",
    ...                            statement="An effect.", n_citizens=10, seed=1)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     check_provenance(save_findings(register, folder, seed=1))
    Traceback (most recent call last):
    ...
    ValueError: .../findings.json lacks provenance: parameters, wall_time_seconds
    """
    path = Path(path)
    load_findings(path)
    sidecar_path = path.with_suffix(".json")
    if not sidecar_path.is_file():
        raise ValueError(f"{sidecar_path} is missing: save findings with save_findings()")
    sidecar = json.loads(sidecar_path.read_text())
    git = sidecar.get("git") or {}
    checks = {
        "parameters": isinstance(sidecar.get("parameters"), dict) and bool(sidecar["parameters"]),
        "seed": _is_integer_at_least(sidecar.get("seed"), 0),
        "versions": "scorelab" in (sidecar.get("versions") or {}),
        "git.commit": isinstance(git.get("commit"), str)
        and bool(re.fullmatch(r"[0-9a-f]{40}", git["commit"])),
        "git.dirty": isinstance(git.get("dirty"), bool),
        "wall_time_seconds": isinstance(sidecar.get("wall_time_seconds"), (int, float)),
    }
    missing = [name for name, ok in checks.items() if not ok]
    if missing:
        raise ValueError(f"{sidecar_path} lacks provenance: {', '.join(missing)}")
    return sidecar


def compare_scales(default, full):
    """Each full-scale finding beside its default-scale counterpart (matched by ``id``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``: ``estimate_default``, ``resolved_default``, ``estimate_full``,
        ``resolved_full`` and ``agrees``, which is True when the default estimate has the
        full one's sign or is unresolved (a default-scale number may be too small a sample
        to resolve, never the opposite sign of a resolved one).

    Raises
    ------
    ValueError
        If a full-scale finding has no default-scale counterpart, or a frame holds rows
        of the wrong ``scale``.

    Examples
    --------
    >>> from scorelab.findings import compare_scales, finding, findings_frame
    >>> common = dict(notebook="00-demo", statement="An effect.", seed=1)
    >>> default = findings_frame([finding("demo.effect", [0.9, 1.4, 0.2], n_citizens=10,
    ...                                   **common)])
    >>> full = findings_frame([finding("demo.effect", [1.0, 1.1, 0.9], n_citizens=1000,
    ...                                scale="full", **common)])
    >>> compare_scales(default, full)["agrees"].tolist()
    [True]
    """
    for frame, scale in ((default, "default"), (full, "full")):
        validate_findings(frame)
        wrong = frame.loc[frame["scale"] != scale, "id"].tolist()
        if wrong:
            raise ValueError(f"the {scale}-scale frame holds findings of another scale: {wrong}")
    missing = sorted(set(full["id"]) - set(default["id"]))
    if missing:
        raise ValueError(f"full-scale findings without a default-scale counterpart: {missing}")
    columns = ["id", "estimate", "resolved"]
    paired = full[columns].merge(default[columns], on="id", how="left",
                                 suffixes=("_full", "_default")).set_index("id")
    same_sign = np.sign(paired["estimate_default"]) == np.sign(paired["estimate_full"])
    paired["agrees"] = same_sign | ~paired["resolved_default"].astype(bool)
    return paired[["estimate_default", "resolved_default", "estimate_full", "resolved_full",
                   "agrees"]]


def format_findings(frame):
    """The register as text: resolved findings, then unresolved ones, in register order.

    Nothing is ranked: rows keep the register's order, never the order of their estimates.
    An unresolved finding prints its interval and says that it includes the null, with no
    direction claimed.

    Examples
    --------
    >>> from scorelab.findings import finding, findings_frame, format_findings
    >>> register = findings_frame([
    ...     finding("demo.effect", [1.0, 1.2, 0.9], notebook="00-demo",
    ...             statement="An effect.", n_citizens=10, seed=1, rests_on=["alpha"]),
    ...     finding("demo.nothing", [0.3, -0.4, 0.2], notebook="00-demo",
    ...             statement="No effect.", n_citizens=10, seed=1)])
    >>> print(format_findings(register))
    Resolved (the 95 % interval excludes the null):
    - demo.effect (00-demo): An effect.
      estimate 1.03 [0.654, 1.41] vs null 0; 10 citizens x 3 replicates, seed 1, default scale, Student t interval; rests on: alpha
    Unresolved (the 95 % interval includes the null; no direction is claimed):
    - demo.nothing (00-demo): No effect.
      unresolved: estimate 0.0333 [-0.907, 0.974] includes null 0; 10 citizens x 3 replicates, seed 1, default scale, Student t interval; rests on: not analysed
    """
    validate_findings(frame)
    lines = []
    for resolved, heading in (
        (True, "Resolved (the 95 % interval excludes the null):"),
        (False, "Unresolved (the 95 % interval includes the null; no direction is claimed):"),
    ):
        part = frame[frame["resolved"] == resolved]
        if part.empty:
            continue
        lines.append(heading)
        for row in part.itertuples(index=False):
            numbers_ = (f"estimate {_g(row.estimate)} [{_g(row.ci_low)}, {_g(row.ci_high)}] "
                        f"{'vs' if resolved else 'includes'} null {_g(row.null)}")
            sample = (f"{row.n_citizens:,} citizens x {row.replicates} replicates, seed "
                      f"{row.seed}, {row.scale} scale, {INTERVALS[row.interval]} interval")
            lines.append(f"- {row.id} ({row.notebook}): {row.statement}")
            lines.append(f"  {'' if resolved else 'unresolved: '}{numbers_}; {sample}; "
                         f"rests on: {row.rests_on or 'not analysed'}")
    return "\n".join(lines) if lines else "No findings."


def _g(value):
    """Three significant digits, as the notebooks print them; never '-0'."""
    text = f"{value:.3g}"
    return "0" if text == "-0" else text

"""Lending under fairness rules and the delayed impact of loans on credit scores.

The essay's score gates credit. This module models the gate the way Liu, Dean, Rolf,
Simchowitz and Hardt (2018) [LDRSH18]_ do: a lender sees each applicant's score and group,
knows each group's repayment probability ``rho_g(x)`` at score ``x``, and lends with a
probability ``tau_g(x)`` chosen under a *rule*:

``"max_profit"``
    lend wherever the expected gain is non-negative, ``rho_g(x) >= b`` with the break-even
    probability ``b = -loss / (gain - loss)`` (0.8 for the paper's loss/gain of -4/+1);
``"demographic_parity"``
    the same selection rate in every group, chosen to maximise the lender's total profit;
``"equal_opportunity"``
    the same true-positive rate (share of would-be repayers who get a loan) in every
    group, chosen to maximise total profit.

Under the constraints each group is served from its highest score down, with a randomised
threshold (a lending probability between 0 and 1 at the lowest score served) so that the
constraint holds exactly. A repaid loan moves the borrower's score by ``repay_change``
(+75) and a default by ``default_change`` (-150), clipped to the score range; the
*delayed impact* of a rule on a group is the expected change of the group's mean score,
``Delta mu_g = sum_x pi_g(x) tau_g(x) E[score change | x]``. Negative ``Delta mu`` is
*active harm*: the group ends up worse off than with no loans at all. The *outcome curve*
``Delta mu_g(beta)`` gives the delayed impact of serving a share ``beta`` of the group
from the top (:func:`outcome_curve`, :func:`impact_regions`).

:func:`load_fico` reads the FICO TransRisk tables of the Federal Reserve's 2007 report to
Congress [FRB07]_ that Liu et al. use; they are read from ``$SCORELAB_FICO_DIR`` or
downloaded once into the user's cache (:func:`fetch_fico`), never copied into the project. :func:`simulate_lending` runs the lending loop for many
rounds on a sampled population of borrowers, as the ml-fairness-gym of D'Amour et al.
(2020) [DAmour20]_ does, optionally with guilt by association: after every round each
borrower's score becomes the Friedkin-Johnsen equilibrium of the scores around them
(:func:`scorelab.propagate`).

References
----------
.. [LDRSH18] L. T. Liu, S. Dean, E. Rolf, M. Simchowitz and M. Hardt (2018), "Delayed
   impact of fair machine learning", Proceedings of the 35th International Conference on
   Machine Learning, PMLR 80:3150-3158. https://arxiv.org/abs/1803.04383
.. [HPS16] M. Hardt, E. Price and N. Srebro (2016), "Equality of opportunity in supervised
   learning", Advances in Neural Information Processing Systems 29, 3315-3323.
.. [DAmour20] A. D'Amour, H. Srinivasan, J. Atwood, P. Baljekar, D. Sculley and
   Y. Halpern (2020), "Fairness is not static: deeper understanding of long term fairness
   via simulation studies", Proceedings of FAT* '20, 525-534.
   https://doi.org/10.1145/3351095.3372878
.. [FRB07] Board of Governors of the Federal Reserve System (2007), "Report to the
   Congress on credit scoring and its effects on the availability and affordability of
   credit".
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd

from scorelab._graph import group_codes
from scorelab._fetch import DataUnavailableError, fetch_fico, fico_folder
from scorelab._validation import (
    check_finite_array,
    check_integer,
    check_probability,
    check_real,
    check_rng,
    plain,
    shown,
)
from scorelab.association import propagate
from scorelab.society import Society

__all__ = [
    "RULES",
    "LOOPS",
    "SCORE_SCALES",
    "LoanTerms",
    "CreditPopulation",
    "LendingRun",
    "DataUnavailableError",
    "fetch_fico",
    "fico_dir",
    "load_fico",
    "lending_policy",
    "lending_outcomes",
    "compare_rules",
    "outcome_curve",
    "impact_regions",
    "draw_borrowers",
    "simulate_lending",
]

#: The lender's rules, in the order the paper discusses them.
RULES = ("max_profit", "demographic_parity", "equal_opportunity")

#: The lending loops of :func:`simulate_lending`: the sound one, and the one of scorelab 0.1.
LOOPS = ("sound", "legacy")

#: How :func:`load_fico` places the TransRisk scores (0-100) on a score scale.
SCORE_SCALES = ("fico", "linear", "transrisk")

_FICO_FILES = {
    "cdf": "transrisk_cdf_by_race_ssa.csv",
    "performance": "transrisk_performance_by_race_ssa.csv",
    "totals": "totals.csv",
}
_GROUP_NAMES = {"Non- Hispanic white": "White"}

# Share (%) of US consumers in each 50-point FICO band from 300-349 to 800-850, the
# national distribution through which the code accompanying [LDRSH18] reads a TransRisk
# score (a population percentile) as a score on 300-850.
_FICO_BAND_PERCENT = (2.1, 4.2, 5.4, 6.5, 7.9, 9.6, 12.0, 13.8, 17.0, 15.8, 5.7)
_SNAP = 1e-12  # lending probabilities this close to 0 or 1 are rounding error


def _num(value):
    """A number for an error message: ``0.25``, not ``np.float64(0.25)``."""
    return f"{float(value):.6g}"


# --------------------------------------------------------------------------- parameters


@dataclasses.dataclass(frozen=True)
class LoanTerms:
    """What a loan is worth to the lender and what it does to the borrower's score.

    Parameters
    ----------
    gain : float, default 1.0
        Lender's gain from a repaid loan (> 0).
    loss : float, default -4.0
        Lender's gain from a default (<= 0): -4 with ``gain = 1`` is the paper's main
        setting, -10 its second.
    repay_change : float, default 75.0
        Score change of a borrower who repays.
    default_change : float, default -150.0
        Score change of a borrower who defaults.

    Attributes
    ----------
    break_even : float
        Repayment probability at which a loan breaks even, ``-loss / (gain - loss)``.

    Raises
    ------
    TypeError, ValueError
        A field of the wrong type or out of range; the message names it.

    Examples
    --------
    >>> LoanTerms().break_even
    0.8
    >>> LoanTerms(loss=-10.0).break_even == 10 / 11
    True
    """

    gain: float = 1.0
    loss: float = -4.0
    repay_change: float = 75.0
    default_change: float = -150.0

    def __post_init__(self):
        def store(field, value):
            object.__setattr__(self, field, value)

        store("gain", check_real("gain", self.gain, minimum=0.0, open_min=True))
        store("loss", check_real("loss", self.loss, maximum=0.0))
        store("repay_change", check_real("repay_change", self.repay_change))
        store("default_change", check_real("default_change", self.default_change))

    @property
    def break_even(self):
        return -self.loss / (self.gain - self.loss)

    def to_dict(self):
        """Return the fields as a dict; ``LoanTerms(**d)`` rebuilds the terms."""
        return dataclasses.asdict(self)


def _check_terms(terms):
    if terms is None:
        return LoanTerms()
    if not isinstance(terms, LoanTerms):
        raise TypeError(f"terms must be a LoanTerms, got {type(terms).__name__}")
    return terms


def _check_rule(rule):
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    return rule


# --------------------------------------------------------------------------- population


def _group_frame(name, frame, scores=None, groups=None):
    """``frame`` as a float DataFrame indexed by increasing scores, checked."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame (scores x groups), got "
                        f"{type(frame).__name__}")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"{name} must have at least one score and one group, got shape "
                         f"{frame.shape}")
    labels = list(frame.columns)
    missing = [label for label in labels if pd.isna(label)]
    if missing:
        raise ValueError(f"{name} has a missing (NaN) group label among its columns {labels}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{name} has repeated group labels: {labels}")
    if len(labels) < 2:
        raise ValueError(
            f"a lending population needs at least two groups to compare, {name} has "
            f"{len(labels)}: {labels}"
        )
    index = check_finite_array(f"{name}.index (scores)", frame.index.to_numpy())
    if np.any(np.diff(index) <= 0):
        first = int(np.flatnonzero(np.diff(index) <= 0)[0])
        raise ValueError(
            f"{name}.index (scores) must be strictly increasing; score {_num(index[first + 1])} "
            f"follows {_num(index[first])}"
        )
    values = check_finite_array(name, frame.to_numpy(dtype=float, na_value=np.nan), ndim=2)
    if scores is not None:
        if len(index) != len(scores) or np.any(index != scores):
            raise ValueError(f"{name} must have the same scores (index) as pmf")
        if labels != groups:
            raise ValueError(f"{name} must have the same groups (columns) as pmf, in the same "
                             f"order: {groups}; got {labels}")
    return pd.DataFrame(values, index=pd.Index(index, name="score"),
                        columns=pd.Index(labels, name="group"))


@dataclasses.dataclass(frozen=True, eq=False)
class CreditPopulation:
    """Groups' score distributions and repayment probabilities on a common score grid.

    Parameters
    ----------
    pmf : pandas.DataFrame
        Share of each group (columns, at least two) at each score (index, strictly
        increasing); every column is non-negative and sums to 1.
    repay : pandas.DataFrame
        Probability in [0, 1] that a member of the group with that score repays a loan;
        same index and columns as ``pmf``.
    sizes : pandas.Series
        Size (or relative size, > 0) of each group, indexed by the group labels; the
        lender's total profit weighs the groups by it.
    score_range : tuple of float, default (300.0, 850.0)
        Lowest and highest possible score; score changes are clipped to it and every
        score of the grid must lie in it.

    Raises
    ------
    TypeError, ValueError
        Tables of the wrong type or shape, fewer than two groups, missing or repeated group
        labels, scores not increasing or outside ``score_range``, shares that are negative
        or do not sum to 1 (an empty group), probabilities outside [0, 1], sizes missing
        or not positive. The message names the table, group and score at fault.

    See Also
    --------
    CreditPopulation.from_cdf : build one from cumulative distributions.
    load_fico : the FICO TransRisk tables.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> population.groups
    ['a', 'b']
    >>> population.mean_scores().to_dict()
    {'a': 550.0, 'b': 640.0}
    """

    pmf: pd.DataFrame
    repay: pd.DataFrame
    sizes: pd.Series
    score_range: tuple = (300.0, 850.0)

    def __post_init__(self):
        pmf = _group_frame("pmf", self.pmf)
        groups = list(pmf.columns)
        scores = pmf.index.to_numpy()
        repay = _group_frame("repay", self.repay, scores=scores, groups=groups)
        low, high = _check_score_range(self.score_range)
        if scores[0] < low or scores[-1] > high:
            raise ValueError(
                f"scores must lie in score_range {(low, high)}; the grid runs from "
                f"{_num(scores[0])} to {_num(scores[-1])}"
            )
        values = pmf.to_numpy()
        if np.any(values < 0):
            row, col = np.argwhere(values < 0)[0]
            raise ValueError(
                f"pmf must be non-negative; group {plain(groups[col])!r} has "
                f"{_num(values[row, col])} "
                f"at score {_num(scores[row])}"
            )
        totals = values.sum(axis=0)
        for group, total in zip(groups, totals):
            if total == 0:
                raise ValueError(f"group {group!r} is empty: its pmf is 0 at every score")
            if abs(total - 1.0) > 1e-6:
                raise ValueError(
                    f"pmf of group {group!r} must sum to 1 (shares of the group), got {_num(total)}"
                )
        probs = repay.to_numpy()
        outside = (probs < 0) | (probs > 1)
        if outside.any():
            row, col = np.argwhere(outside)[0]
            raise ValueError(
                f"repay must hold probabilities in [0, 1]; {int(outside.sum())} value(s) "
                f"outside, e.g. {_num(probs[row, col])} for group {plain(groups[col])!r} at score "
                f"{_num(scores[row])}"
            )
        sizes = _check_sizes(self.sizes, groups)
        object.__setattr__(self, "pmf", pmf / totals)
        object.__setattr__(self, "repay", repay)
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "score_range", (low, high))

    @classmethod
    def from_cdf(cls, cdf, repay, sizes, *, score_range=(300.0, 850.0)):
        """Build a population from each group's cumulative score distribution.

        Parameters
        ----------
        cdf : pandas.DataFrame
            Share of each group (columns) at or below each score (index, increasing):
            non-decreasing down every column, between 0 and 1, ending at 1. The first
            row's value is the share at the lowest score.
        repay, sizes, score_range
            As for :class:`CreditPopulation`.

        Raises
        ------
        ValueError
            A CDF that decreases, leaves [0, 1] or does not end at 1; the message names the
            group and the score.

        Examples
        --------
        >>> import pandas as pd
        >>> cdf = pd.DataFrame({"a": [0.5, 1.0], "b": [0.2, 1.0]}, index=[400.0, 700.0])
        >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
        >>> population = CreditPopulation.from_cdf(cdf, repay, pd.Series({"a": 1, "b": 1}))
        >>> population.pmf["b"].tolist()
        [0.2, 0.8]
        """
        cdf = _group_frame("cdf", cdf)
        values, scores = cdf.to_numpy(), cdf.index.to_numpy()
        for col, group in enumerate(cdf.columns):
            column = values[:, col]
            drops = np.flatnonzero(np.diff(column) < 0)
            if drops.size:
                row = int(drops[0]) + 1
                raise ValueError(
                    f"cdf of group {group!r} is not a monotone CDF: it falls from "
                    f"{_num(column[row - 1])} to {_num(column[row])} at score {_num(scores[row])}"
                )
            if column[0] < 0 or column[-1] > 1 + 1e-9:
                raise ValueError(
                    f"cdf of group {group!r} must lie in [0, 1] (shares, not percent); it "
                    f"runs from {_num(column[0])} to {_num(column[-1])}"
                )
            if column[-1] == 0:
                raise ValueError(f"group {group!r} is empty: its cdf is 0 at every score")
            if abs(column[-1] - 1.0) > 1e-6:
                raise ValueError(
                    f"cdf of group {group!r} must end at 1 at the highest score, got "
                    f"{_num(column[-1])}"
                )
        pmf = cdf.diff()
        pmf.iloc[0] = cdf.iloc[0]
        return cls(pmf, repay, sizes, score_range=score_range)

    @property
    def groups(self):
        """Group labels, in column order."""
        return list(self.pmf.columns)

    @property
    def scores(self):
        """The score grid (increasing float64 array)."""
        return self.pmf.index.to_numpy()

    @property
    def shares(self):
        """Each group's share of the population (sizes normalised to sum to 1)."""
        return (self.sizes / self.sizes.sum()).rename("share")

    def mean_scores(self):
        """Each group's mean score."""
        return (self.pmf.mul(self.scores, axis=0).sum()).rename("mean_score")

    def select(self, groups):
        """The population restricted to ``groups`` (a list of at least two labels)."""
        groups = list(groups)
        unknown = [g for g in groups if g not in self.groups]
        if unknown:
            raise ValueError(f"groups {unknown} are not in the population {self.groups}")
        return CreditPopulation(self.pmf[groups], self.repay[groups], self.sizes[groups],
                                score_range=self.score_range)

    def expected_change(self, terms=None):
        """Expected score change of a borrower at each score, per group.

        ``rho (clip(x + repay_change) - x) + (1 - rho) (clip(x + default_change) - x)``:
        every borrower's new score is clipped to ``score_range``.
        """
        terms = _check_terms(terms)
        return pd.DataFrame(_expected_change(self.scores[None, :], self.repay.to_numpy().T,
                                             terms, self.score_range).T,
                            index=self.pmf.index, columns=self.pmf.columns)

    def repayment_at(self, scores, group_codes):
        """Repayment probability of borrowers with ``scores`` in groups ``group_codes``.

        Linear interpolation of each group's ``repay`` column between grid scores, held
        constant beyond the ends of the grid.
        """
        scores = np.asarray(scores, dtype=float)
        table = self.repay.to_numpy()
        out = np.empty_like(scores)
        for code in range(table.shape[1]):
            member = group_codes == code
            out[member] = np.interp(scores[member], self.scores, table[:, code])
        return out


def _check_score_range(score_range):
    try:
        low, high = score_range
    except (TypeError, ValueError):
        raise TypeError(
            f"score_range must be a pair (low, high), got {shown(score_range)}") from None
    low = check_real("score_range[0]", low)
    high = check_real("score_range[1]", high)
    if not low < high:
        raise ValueError(f"score_range must have low < high, got {(low, high)}")
    return low, high


def _check_sizes(sizes, groups):
    if isinstance(sizes, dict):
        sizes = pd.Series(sizes)
    if not isinstance(sizes, pd.Series):
        raise TypeError(f"sizes must be a pandas Series (or dict) of group sizes, got "
                        f"{type(sizes).__name__}")
    missing = [g for g in groups if g not in sizes.index]
    if missing:
        raise ValueError(f"sizes has no entry for group(s) {missing}; it holds "
                         f"{plain(sizes.index)}")
    extra = [g for g in sizes.index if g not in set(groups)]
    if extra:
        raise ValueError(f"sizes names group(s) {extra} that are not among the groups "
                         f"{list(groups)}; drop them or add their tables")
    sizes = pd.Series(check_finite_array("sizes", sizes[groups].to_numpy(dtype=float)),
                      index=pd.Index(groups, name="group"), name="size")
    empty = sizes.index[sizes <= 0].tolist()
    if empty:
        raise ValueError(f"every group needs a positive size; group(s) {empty} have size "
                         f"{sizes[empty].tolist()} (empty groups)")
    return sizes


# --------------------------------------------------------------------------- FICO data


def fico_dir():
    """The folder :func:`load_fico` reads the FICO tables from by default.

    ``$SCORELAB_FICO_DIR`` if set (then nothing is downloaded), else the user's cache folder
    ``pooch.os_cache("scorelab") / "fico"``, which :func:`fetch_fico` fills from a public
    copy pinned by SHA-256. The folder may not exist yet.
    """
    return fico_folder()


def _fico_scale(transrisk, score_scale):
    if score_scale == "fico":
        knots = np.concatenate([[0.0], np.cumsum(_FICO_BAND_PERCENT)])
        knots[-1] = 100.0  # the band shares sum to 100 up to rounding
        return np.interp(transrisk, knots, np.arange(300.0, 851.0, 50.0)), (300.0, 850.0)
    if score_scale == "linear":
        return 300.0 + 5.5 * transrisk, (300.0, 850.0)
    return transrisk, (0.0, 100.0)


def load_fico(path=None, *, groups=("White", "Black"), score_scale="fico"):
    """Read the FICO TransRisk tables by group into a :class:`CreditPopulation`.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Folder holding ``transrisk_cdf_by_race_ssa.csv``,
        ``transrisk_performance_by_race_ssa.csv`` and ``totals.csv``. Default:
        ``$SCORELAB_FICO_DIR`` if set, else the user's cache folder, downloading the
        tables into it once from a public copy pinned by SHA-256 (:func:`fetch_fico`).
        The tables are read, never copied into the project.
    groups : sequence of str or None, default ("White", "Black")
        Groups to keep (at least two) from ``"White"`` (the tables' "Non- Hispanic
        white"), ``"Black"``, ``"Hispanic"`` and ``"Asian"``; None keeps all four.
    score_scale : {"fico", "linear", "transrisk"}, default "fico"
        Where to put the TransRisk scores (0-100, population percentiles):
        ``"fico"`` reads them as percentiles of the national distribution of FICO scores
        on 300-850 (piecewise linear over 50-point bands), as the code accompanying Liu et
        al. (2018) does; ``"linear"`` maps 0-100 linearly onto 300-850; ``"transrisk"``
        keeps 0-100 (``score_range`` (0, 100)).

    Returns
    -------
    CreditPopulation
        ``pmf`` from the CDF table, ``repay`` = 1 - performance / 100, ``sizes`` from the
        totals (the "SSA" row), ``score_range`` (300, 850) (or (0, 100)).

    Raises
    ------
    DataUnavailableError
        (a :class:`FileNotFoundError`) A table is missing and cannot be downloaded; the
        message names the folder tried and how to get the tables.
    ValueError
        Unknown groups or scale, or tables that fail the checks of
        :meth:`CreditPopulation.from_cdf`.

    Notes
    -----
    ``transrisk_performance_by_race_ssa.csv`` holds, per score and group, the percentage of
    borrowers whose performance was *bad* (a default: 90 days or more delinquent between the
    report's two observations, June 2003 and December 2004), not the share that repaid: it
    is 98.5-99.7 % at TransRisk score 0 and about 1 % at 100. The repayment probability is therefore
    ``1 - value / 100``, as in the code of Liu et al. The CDF table is cumulative percent
    of each group at or below each score (the first row, score 0, already holds a mass of
    0.01-0.07 %).

    The three tables come from the Federal Reserve's 2007 report to Congress [FRB07]_ via
    the code of Hardt, Price & Srebro (2016) [HPS16]_ and Liu et al. (2018) [LDRSH18]_.

    Examples
    --------
    The tables live outside the repository; where they are already on disk (no download in
    a doctest) the Black share of the two groups is 0.1207:

    >>> present = all((fico_dir() / name).is_file() for name in _FICO_FILES.values())
    >>> not present or round(float(load_fico().shares["Black"]), 4) == 0.1207
    True
    """
    if score_scale not in SCORE_SCALES:
        raise ValueError(f"score_scale must be one of {SCORE_SCALES}, got {score_scale!r}")
    if path is not None:
        folder = Path(path)
    elif os.environ.get("SCORELAB_FICO_DIR"):
        folder = fico_dir()
    else:
        folder = fetch_fico()
    files = {key: folder / name for key, name in _FICO_FILES.items()}
    absent = [str(p.name) for p in files.values() if not p.is_file()]
    if absent:
        raise DataUnavailableError(
            f"FICO TransRisk tables not found in {folder} (missing {absent}); pass the folder "
            f"as path= or set SCORELAB_FICO_DIR to a folder holding them"
        )
    cdf = _read_fico_table(files["cdf"])
    performance = _read_fico_table(files["performance"])
    totals = _read_fico_table(files["totals"], numeric_index=False)
    available = list(cdf.columns)
    chosen = available if groups is None else list(groups)
    unknown = [g for g in chosen if g not in available]
    if unknown:
        raise ValueError(f"groups {unknown} are not in the FICO tables; choose from {available}")
    for table, source in ((performance, files["performance"]), (totals, files["totals"])):
        lacking = [g for g in chosen if g not in table.columns]
        if lacking:
            raise ValueError(f"the FICO table {str(source)!r} has no column for group(s) "
                             f"{lacking}; it holds {list(table.columns)}")
    if "SSA" not in totals.index:
        raise ValueError(f"the FICO table {str(files['totals'])!r} has no 'SSA' row (the group "
                         f"sizes); its rows are {list(totals.index)}")
    if not cdf.index.equals(performance.index):
        raise ValueError(
            f"the FICO tables {str(files['cdf'])!r} and {str(files['performance'])!r} have "
            f"different scores ({len(cdf)} and {len(performance)} rows)"
        )
    scores, score_range = _fico_scale(cdf.index.to_numpy(dtype=float), score_scale)
    cdf = (cdf[chosen] / 100.0).set_axis(scores, axis=0)
    repay = (1.0 - performance[chosen] / 100.0).set_axis(scores, axis=0)
    sizes = totals.loc["SSA", chosen].astype(float)
    return CreditPopulation.from_cdf(cdf, repay, sizes, score_range=score_range)


def _read_fico_table(path, *, numeric_index=True):
    """One FICO table as numbers, with group names; a damaged file is named in the error."""
    try:
        table = pd.read_csv(path, index_col=0)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"the FICO table {str(path)!r} cannot be read as CSV "
                         f"({type(exc).__name__}: {exc}); fetch the tables again") from None
    if table.empty or table.shape[1] == 0:
        raise ValueError(f"the FICO table {str(path)!r} holds no data (shape {table.shape}); "
                         f"fetch the tables again")
    table = table.rename(columns=_GROUP_NAMES)
    index = pd.to_numeric(table.index, errors="coerce") if numeric_index else None
    values = table.apply(pd.to_numeric, errors="coerce")
    bad = values.isna().to_numpy()
    if numeric_index:
        bad = bad | np.asarray(pd.isna(index))[:, None]
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"the FICO table {str(path)!r} is incomplete or not numeric: {int(bad.sum())} "
            f"empty or non-numeric cell(s), first in row {row + 1} ({plain(table.index[row])!r}), "
            f"column {table.columns[column]!r}; fetch the tables again"
        )
    return values.set_axis(index, axis=0) if numeric_index else values


# --------------------------------------------------------------------------- the rules


def _expected_change(scores, repay, terms, score_range):
    low, high = score_range
    up = np.clip(scores + terms.repay_change, low, high) - scores
    down = np.clip(scores + terms.default_change, low, high) - scores
    return repay * up + (1.0 - repay) * down


def _from_top(values):
    """Cumulative sums from the highest score down, with 0 first: knots of a curve."""
    out = np.zeros(values.shape[:-1] + (values.shape[-1] + 1,))
    out[..., 1:] = np.cumsum(values[..., ::-1], axis=-1)
    return out


def _first_reaching(target, knots_x, knots_y):
    """``knots_y`` where the non-decreasing ``knots_x`` first reaches ``target`` (vectorised)."""
    idx = np.clip(np.searchsorted(knots_x, target, side="left"), 1, len(knots_x) - 1)
    x0, x1 = knots_x[idx - 1], knots_x[idx]
    y0, y1 = knots_y[idx - 1], knots_y[idx]
    span = x1 - x0
    frac = np.divide(target - x0, span, out=np.ones_like(span), where=span > 0)
    return np.where(target >= knots_x[-1], knots_y[-1], y0 + np.clip(frac, 0, 1) * (y1 - y0))


def _rates(rule, pmf, repay, weights, terms, labels):
    """Selection rate of each group under a constrained rule (fill from the top)."""
    utility = repay * terms.gain + (1.0 - repay) * terms.loss
    rate_knots = _from_top(pmf)
    profit_knots = _from_top(pmf * utility)
    n_groups = pmf.shape[0]
    if rule == "demographic_parity":
        # Each group's profit is piecewise linear in the common rate with kinks at its
        # knots, so the total is maximal at one of the knots of some group.
        candidates = np.unique(np.clip(rate_knots, 0.0, 1.0))
        total = sum(weights[g] * np.interp(candidates, rate_knots[g], profit_knots[g])
                    for g in range(n_groups))
        return np.full(n_groups, candidates[int(np.argmax(total))])
    would_repay = (pmf * repay).sum(axis=1)
    if np.any(would_repay <= 0):
        bad = int(np.flatnonzero(would_repay <= 0)[0])
        raise ValueError(f"equal_opportunity needs would-be repayers in every group; group "
                         f"{plain(labels[bad])!r} has repayment probability 0 at every score it "
                         f"occupies")
    tpr_knots = _from_top(pmf * repay) / would_repay[:, None]
    candidates = np.unique(np.clip(tpr_knots, 0.0, 1.0))
    # The cheapest way to reach a true-positive rate is the smallest selection rate.
    rates = np.stack([_first_reaching(candidates, tpr_knots[g], rate_knots[g])
                      for g in range(n_groups)])
    total = sum(weights[g] * np.interp(rates[g], rate_knots[g], profit_knots[g])
                for g in range(n_groups))
    return rates[:, int(np.argmax(total))]


def _fill_from_top(pmf, rates):
    """Lending probability at each score that serves a share ``rates[g]`` from the top."""
    above = _from_top(pmf)[:, -2::-1]  # mass strictly above each score, in score order
    share = np.divide(rates[:, None] - above, pmf, out=np.zeros_like(pmf), where=pmf > 0)
    tau = np.where(pmf > 0, np.clip(share, 0.0, 1.0), (above < rates[:, None]).astype(float))
    tau[tau < _SNAP] = 0.0
    tau[tau > 1.0 - _SNAP] = 1.0
    return tau


def _policy(rule, pmf, repay, weights, terms, labels):
    if rule == "max_profit":
        return (repay >= terms.break_even).astype(float)
    return _fill_from_top(pmf, _rates(rule, pmf, repay, weights, terms, labels))


def _arrays(population):
    weights = population.shares.to_numpy()
    return population.pmf.to_numpy().T, population.repay.to_numpy().T, weights


def lending_policy(population, rule="max_profit", *, terms=None):
    """The lender's probability of lending at each score, per group, under a rule.

    Parameters
    ----------
    population : CreditPopulation
    rule : {"max_profit", "demographic_parity", "equal_opportunity"}, default "max_profit"
        See the module docstring and Notes.
    terms : LoanTerms, optional
        Default ``LoanTerms()`` (loss/gain -4/+1).

    Returns
    -------
    pandas.DataFrame
        ``tau[score, group]`` in [0, 1], same shape as ``population.pmf``.

    Raises
    ------
    TypeError, ValueError
        Not a population, unknown rule, or (equal opportunity) a group in which nobody
        would repay.

    See Also
    --------
    lending_outcomes : what a policy does to each group.
    compare_rules : all rules at once.

    Notes
    -----
    *Maximum profit* lends wherever ``rho_g(x) >= break_even`` (a threshold policy when
    ``rho_g`` increases with the score, as in the FICO tables). The constrained rules serve
    each group from its highest score down to a selection rate ``beta_g``, lending with a
    probability in (0, 1) at the lowest score served. The lender's profit from a group,
    ``U_g(beta)``, is then piecewise linear in ``beta`` with a kink at every score, so the
    optimum of the total ``sum_g n_g U_g`` over a common selection rate (demographic
    parity) lies at one of the groups' kinks, and likewise over a common true-positive rate
    (equal opportunity, where ``beta_g(t)`` is piecewise linear too): both are found
    exactly by evaluating every kink, where Liu et al.'s code runs a ternary search. Of
    several rates with the same true-positive rate (scores where nobody would repay), the
    smallest is taken, the one with the larger profit when ``loss < 0``.

    Checked in ``tests/test_lending.py`` against two-point score distributions solved by
    hand, constraint satisfaction to 1e-9, a brute-force search over rates, and the
    findings of Liu et al. (2018) on the FICO tables.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> lending_policy(population, "max_profit")["a"].tolist()
    [0.0, 1.0]
    >>> lending_policy(population, "demographic_parity")["a"].tolist()
    [0.0, 1.0]
    >>> lending_policy(population, "demographic_parity")["b"].tolist()
    [0.0, 0.625]
    """
    if not isinstance(population, CreditPopulation):
        raise TypeError(f"population must be a CreditPopulation, got {type(population).__name__}")
    rule = _check_rule(rule)
    terms = _check_terms(terms)
    pmf, repay, weights = _arrays(population)
    tau = _policy(rule, pmf, repay, weights, terms, population.groups)
    return pd.DataFrame(tau.T, index=population.pmf.index, columns=population.pmf.columns)


def _outcomes(scores, pmf, repay, tau, change, terms):
    lent = pmf * tau
    selection = lent.sum(axis=1)
    utility = repay * terms.gain + (1.0 - repay) * terms.loss
    served = (tau > 0) & (pmf > 0)
    lowest = np.argmax(served, axis=1)
    anyone = served.any(axis=1)
    rows = np.arange(pmf.shape[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "selection_rate": selection,
            "true_positive_rate": (lent * repay).sum(axis=1) / (pmf * repay).sum(axis=1),
            "threshold": np.where(anyone, scores[lowest], np.nan),
            "lend_at_threshold": np.where(anyone, tau[rows, lowest], np.nan),
            "delta_mu": (lent * change).sum(axis=1),
            "profit": (lent * utility).sum(axis=1),
            "default_rate": np.where(selection > 0, (lent * (1.0 - repay)).sum(axis=1)
                                     / np.where(selection > 0, selection, 1.0), np.nan),
        }


def lending_outcomes(population, policy, *, terms=None):
    """What a lending policy does to each group in one step.

    Parameters
    ----------
    population : CreditPopulation
    policy : pandas.DataFrame
        Lending probability per score and group (as from :func:`lending_policy`).
    terms : LoanTerms, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by group, columns:

        - ``selection_rate``: share of the group that gets a loan;
        - ``true_positive_rate``: share of the group's would-be repayers that get one;
        - ``threshold``: lowest score lent to, ``lend_at_threshold`` the lending
          probability there (1 for a deterministic threshold);
        - ``delta_mu``: expected change of the group's mean score (the delayed impact;
          negative = active harm);
        - ``profit``: lender's expected profit per member of the group;
        - ``default_rate``: expected share of the group's loans that default.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> out = lending_outcomes(population, lending_policy(population, "max_profit"))
    >>> out.loc["a", ["selection_rate", "delta_mu"]].round(4).tolist()
    [0.5, 26.25]
    """
    if not isinstance(population, CreditPopulation):
        raise TypeError(f"population must be a CreditPopulation, got {type(population).__name__}")
    terms = _check_terms(terms)
    policy = _group_frame("policy", policy, scores=population.scores, groups=population.groups)
    tau = policy.to_numpy().T
    outside = (tau < 0) | (tau > 1)
    if outside.any():
        raise ValueError(f"policy must hold lending probabilities in [0, 1]; "
                         f"{int(outside.sum())} value(s) outside, e.g. {_num(tau[outside][0])}")
    pmf, repay, _ = _arrays(population)
    change = _expected_change(population.scores[None, :], repay, terms, population.score_range)
    table = pd.DataFrame(_outcomes(population.scores, pmf, repay, tau, change, terms),
                         index=pd.Index(population.groups, name="group"))
    return table


def compare_rules(population, *, terms=None, rules=RULES):
    """One-step outcomes of every rule for every group: the paper's comparison.

    Parameters
    ----------
    population : CreditPopulation
    terms : LoanTerms, optional
    rules : sequence of str, default :data:`RULES`

    Returns
    -------
    pandas.DataFrame
        Indexed by (rule, group), the columns of :func:`lending_outcomes`.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> table = compare_rules(population)
    >>> table["selection_rate"].unstack("group").round(3).to_dict("index")["demographic_parity"]
    {'a': 0.5, 'b': 0.5}
    """
    frames = {rule: lending_outcomes(population, lending_policy(population, rule, terms=terms),
                                     terms=terms)
              for rule in [_check_rule(r) for r in rules]}
    return pd.concat(frames, names=["rule", "group"])


# --------------------------------------------------------------------------- outcome curve


def outcome_curve(population, group, *, terms=None, selection_rates=None):
    """Delayed impact and profit of serving a share of one group from the top.

    Parameters
    ----------
    population : CreditPopulation
    group : label
        The group whose curve to compute.
    terms : LoanTerms, optional
    selection_rates : array_like, optional
        Rates in [0, 1] at which to evaluate the curve; default its knots (0 and the share
        served down to each score the group occupies), where the curve bends.

    Returns
    -------
    pandas.DataFrame
        One row per rate: ``selection_rate``, ``delta_mu`` (expected change of the group's
        mean score), ``profit`` (lender's expected profit per member of the group),
        ``true_positive_rate`` and ``score`` (the lowest score at least partly served).

    Notes
    -----
    Serving a share ``beta`` from the top with a randomised threshold makes every
    quantity a piecewise linear function of ``beta`` with knots at the cumulative shares
    from the top, so the knots and linear interpolation between them give the curve
    exactly (the outcome curve of Liu et al. 2018, their Figure on the FICO data).
    Checked against a slow per-score loop in ``tests/test_lending.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> outcome_curve(population, "a")[["selection_rate", "delta_mu"]].round(3).values.tolist()
    [[0.0, 0.0], [0.5, 26.25], [1.0, 20.0]]

    Serving the lower half too costs 6.25 points: its borrowers gain 75 with probability
    0.5 and lose 100 (to the floor of 300) otherwise.
    """
    if not isinstance(population, CreditPopulation):
        raise TypeError(f"population must be a CreditPopulation, got {type(population).__name__}")
    if group not in population.groups:
        raise ValueError(f"group {group!r} is not in the population {population.groups}")
    terms = _check_terms(terms)
    keep = population.pmf[group].to_numpy() > 0
    scores = population.scores[keep]
    pmf = population.pmf[group].to_numpy()[keep]
    repay = population.repay[group].to_numpy()[keep]
    change = _expected_change(scores, repay, terms, population.score_range)
    utility = repay * terms.gain + (1.0 - repay) * terms.loss
    knots = {
        "selection_rate": _from_top(pmf),
        "delta_mu": _from_top(pmf * change),
        "profit": _from_top(pmf * utility),
        "true_positive_rate": _from_top(pmf * repay) / (pmf * repay).sum(),
    }
    lowest = np.concatenate([[np.nan], scores[::-1]])
    if selection_rates is None:
        return pd.DataFrame({**knots, "score": lowest})
    rates = check_finite_array("selection_rates", selection_rates)
    if np.any((rates < 0) | (rates > 1)):
        raise ValueError(f"selection_rates must lie in [0, 1], got values from {_num(rates.min())} "
                         f"to {_num(rates.max())}")
    x = knots["selection_rate"]
    position = np.clip(np.searchsorted(x, rates, side="left"), 1, len(x) - 1)
    frame = {name: np.interp(rates, x, values) for name, values in knots.items()}
    frame["selection_rate"] = rates
    frame["score"] = np.where(rates > 0, lowest[position], np.nan)
    return pd.DataFrame(frame)


def impact_regions(population, group, *, terms=None):
    """Where serving more of a group stops helping and starts harming it.

    Returns
    -------
    pandas.Series
        ``best_rate``: the selection rate with the largest mean score change
        (``best_delta_mu``); ``harm_rate``: the rate beyond which the mean score falls
        (active harm, ``delta_mu < 0``), NaN if no rate harms the group. Rates between
        ``best_rate`` and ``harm_rate`` still improve the group, less than ``best_rate``
        would ("relative harm" in Liu et al. 2018).

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[500.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.3, 0.9], "b": [0.3, 0.9]}, index=[500.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> impact_regions(population, "a").round(4).to_dict()
    {'best_rate': 0.5, 'best_delta_mu': 26.25, 'harm_rate': 0.8182}
    """
    curve = outcome_curve(population, group, terms=terms)
    rate, delta = curve["selection_rate"].to_numpy(), curve["delta_mu"].to_numpy()
    best = int(np.argmax(delta))
    after = np.flatnonzero((delta < 0) & (np.arange(len(delta)) > best))
    harm = np.nan
    if after.size:
        k = int(after[0])
        step = (0.0 - delta[k - 1]) / (delta[k] - delta[k - 1])
        harm = rate[k - 1] + step * (rate[k] - rate[k - 1])
    return pd.Series({"best_rate": rate[best], "best_delta_mu": delta[best], "harm_rate": harm},
                     name=group)


# --------------------------------------------------------------------------- many rounds


def _borrower_groups(groups, population, name="groups"):
    """Each borrower's group as a position in ``population.groups``; every group needs a
    borrower."""
    codes, _ = group_codes(groups, len(groups), name=name, categories=population.groups)
    counts = np.bincount(codes, minlength=len(population.groups))
    empty = [g for g, c in zip(population.groups, counts) if c == 0]
    if empty:
        raise ValueError(f"{name} has no borrower in group(s) {empty}: every group of the "
                         f"population needs at least one (or select the others first)")
    return codes


def draw_borrowers(population, n_borrowers=None, *, groups=None, rng=None):
    """Sample borrowers' scores from each group's score distribution.

    Parameters
    ----------
    population : CreditPopulation
    n_borrowers : int, optional
        Number of borrowers, split between the groups in proportion to
        ``population.sizes`` (largest remainder), in contiguous blocks of ids in group
        order. Give either this or ``groups``.
    groups : pandas.Series or array_like, optional
        Each borrower's group (e.g. ``society.groups``, to lend to a generated society).
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    pandas.DataFrame
        Indexed by citizen (``groups``' index, or ``0..n-1``): ``group`` (Categorical in
        the population's group order) and ``score`` (a grid score drawn from the group's
        pmf).

    Raises
    ------
    ValueError
        Neither or both of ``n_borrowers`` and ``groups``, missing or unknown group
        labels, or a group without borrowers.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 3, "b": 1}))
    >>> borrowers = draw_borrowers(population, 8, rng=1)
    >>> borrowers["group"].value_counts().to_dict()
    {'a': 6, 'b': 2}
    """
    if not isinstance(population, CreditPopulation):
        raise TypeError(f"population must be a CreditPopulation, got {type(population).__name__}")
    if (n_borrowers is None) == (groups is None):
        raise ValueError("give either n_borrowers or groups (each borrower's group), not both "
                         "or neither")
    rng = np.random.default_rng(check_rng(rng))
    if groups is None:
        n = check_integer("n_borrowers", n_borrowers, minimum=len(population.groups))
        exact = population.shares.to_numpy() * n
        sizes = np.floor(exact).astype(int)
        order = np.argsort(-(exact - sizes), kind="stable")
        sizes[order[: n - sizes.sum()]] += 1
        groups = pd.Series(np.repeat(np.array(population.groups, dtype=object), sizes))
    codes = _borrower_groups(groups, population)
    index = groups.index if isinstance(groups, pd.Series) else pd.RangeIndex(len(codes))
    pmf = population.pmf.to_numpy()
    scores = np.empty(len(codes))
    for code in range(pmf.shape[1]):
        member = np.flatnonzero(codes == code)
        scores[member] = rng.choice(population.scores, size=member.size, p=pmf[:, code])
    return pd.DataFrame(
        {"group": pd.Categorical.from_codes(codes, categories=population.groups),
         "score": scores},
        index=pd.Index(index, name="citizen"),
    )


@dataclasses.dataclass(frozen=True, eq=False)
class LendingRun:
    """The record of :func:`simulate_lending`.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per round and group (round 0 is the start): ``round``, ``group``,
        ``mean_score`` (own scores at the end of the round), ``mean_displayed`` (what the
        lender sees next), ``selection_rate``, ``true_positive_rate``, ``default_rate``
        (realised), ``threshold`` (lowest displayed score lent to), ``profit`` (lender's
        realised profit per member of the group); the lender's errors as shares of the
        group: ``refused_repayers`` (would repay, got no loan), ``approved_defaulters``
        (got a loan, defaulted), ``refused_for_ties`` and ``approved_for_ties`` (those of
        them whose decision the same policy would have reversed at their own score), and
        ``profit_at_own`` (the profit the same policy would have made on own scores, with
        the same draws).
    scores : pandas.DataFrame
        Each borrower's own score (rows, by citizen) at the end of every round (columns
        ``0..n_rounds``); in the legacy loop the one, associated, score.
    parameters : dict
        The rule, the number of rounds, the association weight, the loop and the loan
        terms.
    displayed : pandas.DataFrame
        The displayed scores the lender sees, as ``scores``.
    lent, repaid : pandas.DataFrame
        Whether each borrower got a loan, and whether they would repay (whether or not they
        got one), in rounds ``1..n_rounds``.
    """

    history: pd.DataFrame
    scores: pd.DataFrame
    parameters: dict
    displayed: pd.DataFrame = None
    lent: pd.DataFrame = None
    repaid: pd.DataFrame = None

    def gap(self, reference, other):
        """``reference`` group's mean score minus ``other``'s, per round."""
        means = self.history.pivot(index="round", columns="group", values="mean_score")
        return (means[reference] - means[other]).rename("gap")


def _empirical_policy(population, scores, codes, rule, terms, at=None):
    """Lending probability of each borrower when the lender applies ``rule`` to them, the
    lowest score served per group and, for other scores ``at`` (e.g. own scores), the same
    policy's lending probability there (the scores ``at`` join the grid with no mass, so a
    threshold rule serves them when the share above them is below its rate)."""
    grid, position = np.unique(scores, return_inverse=True)
    n_groups = len(population.groups)
    counts = np.bincount(codes * len(grid) + position, minlength=n_groups * len(grid))
    members = np.bincount(codes, minlength=n_groups)
    pmf = counts.reshape(n_groups, len(grid)) / members[:, None]
    tau = _policy_on_grid(population, grid, pmf, rule, terms)
    served = (tau > 0) & (pmf > 0)
    threshold = np.where(served.any(axis=1), grid[np.argmax(served, axis=1)], np.nan)
    if at is None:
        return tau[codes, position], threshold
    wide = np.union1d(grid, at)
    wide_pmf = np.zeros((n_groups, len(wide)))
    wide_pmf[:, np.searchsorted(wide, grid)] = pmf
    wide_tau = _policy_on_grid(population, wide, wide_pmf, rule, terms)
    return tau[codes, position], threshold, wide_tau[codes, np.searchsorted(wide, at)]


def _policy_on_grid(population, grid, pmf, rule, terms):
    repay = np.stack([np.interp(grid, population.scores, population.repay.iloc[:, g].to_numpy())
                      for g in range(len(population.groups))])
    return _policy(rule, pmf, repay, population.shares.to_numpy(), terms, population.groups)


def simulate_lending(
    borrowers,
    population,
    *,
    rule="max_profit",
    n_rounds=10,
    terms=None,
    society=None,
    alpha=0.0,
    loop="sound",
    rng=None,
):
    """Run the lending loop for many rounds, optionally with guilt by association.

    Every round the lender applies ``rule`` to the scores it sees (knowing each group's
    repayment curve ``rho_g`` and weighing the groups by their sizes) and lends to each
    borrower with the resulting probability; every borrower who got a loan repays or
    defaults, and their own score moves by ``repay_change`` or ``default_change``
    (clipped to the score range). With association the lender sees the displayed score,
    the Friedkin-Johnsen equilibrium ``x = alpha W x + (1 - alpha) s`` of the own scores
    ``s`` over the society's ties (:func:`scorelab.propagate`).

    Parameters
    ----------
    borrowers : pandas.DataFrame
        ``group`` and ``score`` (own score) per citizen, as from :func:`draw_borrowers`.
    population : CreditPopulation
        Supplies the groups, their sizes (the lender's weights), the repayment curves
        (interpolated between grid scores) and the score range.
    rule : str, default "max_profit"
        One of :data:`RULES`.
    n_rounds : int, default 10
    terms : LoanTerms, optional
    society : scorelab.society.Society, optional
        The borrowers' ties; its citizens must be the borrowers (same ids) with the same
        groups. Needed when ``alpha > 0``.
    alpha : float, default 0.0
        Association weight in [0, 1]; 0 means the lender sees the own scores.
    loop : {"sound", "legacy"}, default "sound"
        ``"sound"``: a borrower repays with probability ``rho_g(s)`` of their *own*
        score, never of their ties'; the lender decides on the displayed score ``x``,
        recomputed every round from the own scores. ``"legacy"`` (scorelab 0.1, kept to
        reproduce old runs): one score per borrower, which decides both the loan and the
        repayment, and after every round becomes the equilibrium of last round's
        already-associated scores; with ties it drifts everyone towards the score cap.
        The two agree exactly at ``alpha = 0``.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    LendingRun

    Raises
    ------
    TypeError, ValueError
        Bad borrowers (missing columns, missing or unknown group labels, an empty group,
        scores outside the range), an unknown rule or loop, ``alpha`` outside [0, 1],
        ``alpha > 0`` without a society, or a society whose citizens or groups differ
        from the borrowers'.

    Notes
    -----
    The lender reads a displayed score through the group's published repayment curve as if
    it were an own score: it does not re-learn repayment against displayed scores (an
    assumption of the model, not a finding). The lender's errors are counted against what each borrower would do (one uniform
    draw per borrower and round decides repayment whether or not they get a loan):
    *refused repayers* would repay but get no loan, *approved defaulters* get a loan and
    default. The part due to association compares, with the same draws, the same policy
    applied to the borrower's own score: a repayer refused *for their ties* would have
    been lent to at their own score; a defaulter approved for their ties would have been
    refused. The group-level consequence, against the same society without association
    and paired by seed, is :func:`scorelab.studies.credit.association_errors`.

    The one-step expectation of this loop is :func:`lending_outcomes` on the borrowers'
    empirical distribution; ``tests/test_lending.py`` checks that the realised mean change
    of a large population matches it, that repayment does not depend on the neighbours'
    scores, and that the sound loop does not drift to the cap. The multi-round setting
    follows the lending environment of D'Amour et al. (2020) with the score dynamics of
    Liu et al. (2018); randomness per round: one uniform draw per borrower for the loan
    and one for repayment.

    Examples
    --------
    >>> import pandas as pd
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> borrowers = draw_borrowers(population, 200, rng=1)
    >>> run = simulate_lending(borrowers, population, n_rounds=3, rng=2)
    >>> int(run.history["round"].max()), run.scores.shape, run.lent.shape
    (3, (200, 4), (200, 3))
    """
    if not isinstance(population, CreditPopulation):
        raise TypeError(f"population must be a CreditPopulation, got {type(population).__name__}")
    if not isinstance(borrowers, pd.DataFrame) or not {"group", "score"} <= set(borrowers):
        raise TypeError("borrowers must be a DataFrame with columns 'group' and 'score' "
                        "(see draw_borrowers)")
    rule = _check_rule(rule)
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, got {loop!r}")
    n_rounds = check_integer("n_rounds", n_rounds, minimum=1)
    terms = _check_terms(terms)
    alpha = check_probability("alpha", alpha)
    codes = _borrower_groups(borrowers["group"], population, name="borrowers['group']")
    scores = check_finite_array("borrowers['score']", borrowers["score"].to_numpy(dtype=float))
    low, high = population.score_range
    if np.any((scores < low) | (scores > high)):
        raise ValueError(f"borrowers' scores must lie in the score range {(low, high)}; got "
                         f"values from {_num(scores.min())} to {_num(scores.max())}")
    if alpha > 0:
        _check_society(society, borrowers)
    rng = np.random.default_rng(check_rng(rng))
    n_groups = len(population.groups)
    members = np.bincount(codes, minlength=n_groups)

    def associate(own):
        if alpha == 0:
            return own
        return propagate(society, own, alpha=alpha).to_numpy()

    # legacy: the one score is both the own and the displayed one
    own = scores.copy()
    seen = own if loop == "legacy" else associate(own)
    records = {"own": [own], "displayed": [seen], "lent": [], "repaid": []}
    rows = [_round_row(0, own, seen, codes, members)]
    for round_ in range(1, n_rounds + 1):
        lend_chance, threshold, own_chance = _empirical_policy(population, seen, codes, rule,
                                                               terms, at=own)
        repay_chance = population.repayment_at(own, codes)
        draw = rng.random(len(own))
        lent = draw < lend_chance
        repaid = rng.random(len(own)) < repay_chance
        change = np.where(repaid, terms.repay_change, terms.default_change)
        moved = np.where(lent, np.clip(own + change, low, high), own)
        own = associate(moved) if loop == "legacy" else moved
        seen = own if loop == "legacy" else associate(own)
        rows.append(_round_row(round_, own, seen, codes, members, lent=lent, repaid=repaid,
                               lent_at_own=draw < own_chance, terms=terms,
                               threshold=threshold))
        for key, value in (("own", own), ("displayed", seen), ("lent", lent),
                           ("repaid", repaid)):
            records[key].append(value)
    history = pd.concat(rows, ignore_index=True)
    history["group"] = pd.Categorical.from_codes(history.pop("code"), population.groups)
    history = history[["round", "group", "mean_score", "mean_displayed", "selection_rate",
                       "true_positive_rate", "default_rate", "threshold", "profit",
                       "refused_repayers", "approved_defaulters", "refused_for_ties",
                       "approved_for_ties", "profit_at_own"]]

    def frame(key, first):
        return pd.DataFrame(np.column_stack(records[key]), index=borrowers.index,
                            columns=pd.RangeIndex(first, n_rounds + 1, name="round"))

    return LendingRun(
        history=history,
        scores=frame("own", 0),
        parameters={"rule": rule, "n_rounds": n_rounds, "alpha": alpha, "loop": loop,
                    **terms.to_dict()},
        displayed=frame("displayed", 0),
        lent=frame("lent", 1),
        repaid=frame("repaid", 1),
    )


def _check_society(society, borrowers):
    if not isinstance(society, Society):
        raise TypeError(f"alpha > 0 needs the borrowers' society (a scorelab Society), got "
                        f"{type(society).__name__}")
    if society.n_citizens != len(borrowers) or not society.citizens.index.equals(borrowers.index):
        raise ValueError(f"society must hold exactly the borrowers (same citizen ids); it has "
                         f"{society.n_citizens} citizens, borrowers {len(borrowers)}")
    same = society.groups.astype(str).to_numpy() == borrowers["group"].astype(str).to_numpy()
    if not same.all():
        first = int(np.flatnonzero(~same)[0])
        raise ValueError(f"society and borrowers disagree on the group of citizen "
                         f"{plain(borrowers.index[first])!r}")


def _group_means(values, codes, members):
    return np.bincount(codes, weights=values, minlength=len(members)) / members


def _round_row(round_, own, displayed, codes, members, *, lent=None, repaid=None,
               lent_at_own=None, terms=None, threshold=None):
    n_groups = len(members)
    row = {"round": np.full(n_groups, round_), "code": np.arange(n_groups),
           "mean_score": _group_means(own, codes, members),
           "mean_displayed": _group_means(displayed, codes, members)}
    if lent is None:
        nan = np.full(n_groups, np.nan)
        return pd.DataFrame({**row, **{name: nan for name in _ROUND_COLUMNS}})

    def count(mask):
        return np.bincount(codes[mask], minlength=n_groups).astype(float)

    def profit(loans):
        gains = np.where(loans, np.where(repaid, terms.gain, terms.loss), 0.0)
        return np.bincount(codes, weights=gains, minlength=n_groups) / members

    loans = count(lent)
    with np.errstate(invalid="ignore", divide="ignore"):
        row["selection_rate"] = loans / members
        row["true_positive_rate"] = count(lent & repaid) / count(repaid)
        row["default_rate"] = np.where(loans > 0, count(lent & ~repaid) / loans, np.nan)
    row["threshold"] = threshold
    row["profit"] = profit(lent)
    row["refused_repayers"] = count(~lent & repaid) / members
    row["approved_defaulters"] = count(lent & ~repaid) / members
    row["refused_for_ties"] = count(~lent & repaid & lent_at_own) / members
    row["approved_for_ties"] = count(lent & ~repaid & ~lent_at_own) / members
    row["profit_at_own"] = profit(lent_at_own)
    return pd.DataFrame(row)


_ROUND_COLUMNS = ("selection_rate", "true_positive_rate", "default_rate", "threshold", "profit",
                  "refused_repayers", "approved_defaulters", "refused_for_ties",
                  "approved_for_ties", "profit_at_own")

"""Measures of a society's state, used by every notebook and simulation.

Each function computes one quantity for the whole population and, given ``groups=``, for
each group (a pandas Series or DataFrame indexed by group). All are vectorised: sorting,
``bincount`` and sparse-matrix reductions, no loop over citizens.

=============================  ==============================================================
:func:`gini`                   inequality of scores (or wealth)
:func:`score_assortativity`    do tied citizens have similar scores?
:func:`fragmentation`          components, the largest one's share, isolated citizens
:func:`isolation_rate`         share of the lowest scorers left without ties (ostracism)
:func:`group_modularity`       how strongly ties keep within groups (Newman's Q)
:func:`behaviour_diversity`    entropy of behaviour profiles across citizens (conformity)
:func:`expression_gap`         private minus expressed disapproved behaviour (self-censorship)
:func:`gate_access_rates`      share of citizens above each gate's threshold
:data:`GAME_MEASURES`          the citizen game's history measures, as :class:`Measure` objects
:func:`history_table`          the definition of every measure of the game's history
:func:`wide_history`           the game's long history as one column per measure and group
=============================  ==============================================================

The citizen game (:func:`scorelab.dynamics.simulate`) records its history with the same
definitions: each :class:`Measure` is a function of a :class:`GameState`, the arrays the
engine already holds, and calls the kernels of the functions above without re-checking
what the engine has checked.

Bad input (NaN, mismatched lengths, empty data, out-of-range values) raises ``ValueError``
or ``TypeError`` naming the parameter; quantities that are undefined for valid input (the
correlation of constant scores, the modularity of a graph without ties, a group without
members) are NaN.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from scorelab._graph import (
    ParallelProduct,
    align_to_nodes,
    as_weight_matrix,
    group_codes,
    symmetric_components,
    thread_pool,
)
from scorelab._numeric import dot
from scorelab._validation import check_finite_array, check_integer, check_real, shown
from scorelab.scoring import ActRecord

__all__ = [
    "ALL",
    "Fragmentation",
    "GAME_MEASURES",
    "GameState",
    "HISTORY_COLUMNS",
    "MECHANISM_MEASURES",
    "Measure",
    "behaviour_diversity",
    "expression_gap",
    "fragmentation",
    "game_measures",
    "gate_access_rates",
    "gini",
    "group_modularity",
    "history_layout",
    "history_table",
    "history_table_markdown",
    "isolation_rate",
    "long_history",
    "measure_game",
    "measure_values",
    "score_assortativity",
    "wide_history",
    "wide_name",
]


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _values(name, values):
    """Finite float64 values and their index (None for plain arrays); never empty."""
    if isinstance(values, Mapping):
        values = pd.Series(dict(values))
    index = values.index if isinstance(values, pd.Series) else None
    return align_to_nodes(values, index, name=name, ndim=1), index


def _by_group(metric, codes, labels, name, *arrays):
    """``metric(*subsets)`` for each group (NaN for a group without members)."""
    values = []
    for code in range(len(labels)):
        member = codes == code
        values.append(metric(*(a[member] for a in arrays)) if member.any() else np.nan)
    return pd.Series(values, index=labels, name=name, dtype=float)


def _society_groups(G, groups):
    """``groups``, or the society's group column when ``G`` is a Society."""
    if groups is None and hasattr(G, "citizens") and hasattr(G, "adjacency"):
        return G.citizens["group"]
    return groups


def _scores_on(G, scores, *, weight=None):
    wm = as_weight_matrix(G, weight=weight)
    return wm, align_to_nodes(scores, wm.nodes, name="scores", ndim=1)


# --------------------------------------------------------------------------------------
# Inequality
# --------------------------------------------------------------------------------------


def gini(values, *, groups=None):
    """Gini coefficient of non-negative values (scores, wealth).

    Parameters
    ----------
    values : array_like, pandas.Series or mapping
        One non-negative value per citizen.
    groups : array_like or pandas.Series, optional
        One group label per citizen (a Series is aligned on the index of ``values`` when
        that is a Series); gives one coefficient per group.

    Returns
    -------
    float or pandas.Series
        In ``[0, 1 - 1/n]``: 0 when everyone holds the same (including all zero),
        ``(n - 1) / n`` when one citizen holds everything. A Series named ``"gini"``
        indexed by group when ``groups`` is given.

    Raises
    ------
    TypeError
        Non-numeric values.
    ValueError
        Empty, NaN/inf or negative values; groups of the wrong length or with missing labels.

    Notes
    -----
    The mean absolute difference over all ordered pairs, halved and divided by the mean,

    .. math:: G = \\frac{\\sum_i \\sum_j |x_i - x_j|}{2 n^2 \\bar x}
              = \\frac{\\sum_{i=1}^{n} (2 i - n - 1)\\, x_{(i)}}{n \\sum_i x_i},

    with :math:`x_{(i)}` the values in ascending order (the second form is ``O(n log n)``).
    Checked in the tests against the ``O(n^2)`` pair sum and both closed forms.

    References
    ----------
    .. [G12] C. Gini (1912), *Variabilità e mutabilità*, Bologna: Cuppini.
    .. [S97] A. Sen and J. E. Foster (1997), *On Economic Inequality*, expanded edition,
       Oxford: Clarendon Press, chapter 2.

    Examples
    --------
    Pairs of [1, 2, 3, 4] differ by 1, 2, 3, 1, 2, 1 (sum 10, or 20 over ordered pairs), so
    G = 20 / (2 * 16 * 2.5) = 0.25; one citizen of four holding all gives 3/4:

    >>> gini([1, 2, 3, 4])
    0.25
    >>> gini([0, 0, 0, 5])
    0.75
    >>> gini([1, 3, 2, 2], groups=["a", "a", "b", "b"]).tolist()
    [0.25, 0.0]
    """
    x, index = _values("values", values)
    if (x < 0).any():
        first = int(np.flatnonzero(x < 0)[0])
        raise ValueError(
            f"values must be >= 0 for a Gini coefficient; got {float(x[first])} at position {first}"
        )
    if groups is not None:
        codes, labels = group_codes(groups, len(x), index)
        return _by_group(_gini, codes, labels, "gini", x)
    return _gini(x)


def _gini(x, ordered=None):
    """The Gini coefficient of ``x``; ``ordered`` is ``np.sort(x)`` when already sorted."""
    total = x.sum()
    if total == 0:
        return 0.0
    n = len(x)
    rank_weight = 2.0 * np.arange(1, n + 1) - n - 1
    ordered = np.sort(x) if ordered is None else ordered
    return float(max(0.0, dot(rank_weight, ordered) / (n * total)))


def _row_sums(a):
    """``a.sum(axis=1)`` bit for bit, faster for a few columns.

    NumPy adds a row of fewer than 8 values one by one from the left (its pairwise sum
    starts at 8 values), as the column additions below do; along a short last axis its
    reduction took 31 ms for 10^6 x 5 values here, the additions 6 ms. Checked against
    ``sum(axis=1)`` in ``tests/test_history.py``.
    """
    if a.ndim != 2 or not 1 <= a.shape[1] < 8:
        return a.sum(axis=1)
    out = a[:, 0].copy()
    for column in range(1, a.shape[1]):
        out += a[:, column]
    return out


# --------------------------------------------------------------------------------------
# Network structure
# --------------------------------------------------------------------------------------


def score_assortativity(G, scores, *, weight=None):
    """Pearson correlation of scores across ties: do tied citizens score alike?

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Ties; an undirected tie counts in both directions, a directed one from its source
        (row) to its target (column).
    scores : pandas.Series, mapping or array_like
        One score per citizen, keyed by node or in node order.
    weight : str or None, default None
        Edge attribute weighting each tie's pair of scores; None weighs ties equally.
        Matrices always use their entries.

    Returns
    -------
    float
        In [-1, 1]; NaN when there are no ties or the scores at one end do not vary.

    Raises
    ------
    TypeError, ValueError
        Bad graph; scores missing, NaN/inf or of the wrong length.

    Notes
    -----
    Over the tie ends :math:`(u, v)` with weights :math:`w_{uv}` (each undirected tie as
    both :math:`(u, v)` and :math:`(v, u)`, a self-tie once),

    .. math:: r = \\frac{\\sum w_{uv} (s_u - \\bar s_\\text{out})(s_v - \\bar s_\\text{in})}
              {\\sqrt{\\sum w_{uv} (s_u - \\bar s_\\text{out})^2 \\,
                      \\sum w_{uv} (s_v - \\bar s_\\text{in})^2}},

    the weighted means taken over the same tie ends: Newman's assortativity coefficient for
    scalar attributes [N03]_. Checked against ``networkx.numeric_assortativity_coefficient``.

    References
    ----------
    .. [N03] M. E. J. Newman (2003), "Mixing patterns in networks", Physical Review E
       67:026126. https://doi.org/10.1103/PhysRevE.67.026126

    Examples
    --------
    Two couples of equal scores, then two couples of opposite scores (scores keyed by
    node: NetworkX's node order is the order nodes were added):

    >>> import networkx as nx
    >>> scores = {0: 1.0, 1: 1.0, 2: 3.0, 3: 3.0}
    >>> score_assortativity(nx.Graph([(0, 1), (2, 3)]), scores)
    1.0
    >>> score_assortativity(nx.Graph([(0, 3), (1, 2)]), scores)
    -1.0
    """
    wm, s = _scores_on(G, scores, weight=weight)
    return _assortativity(wm.matrix, s)


def _assortativity(matrix, s):
    """Weighted Pearson correlation of ``s`` across tie ends, in O(ties) by one product.

    With ``A`` the (non-negative) weights, row sums ``r``, column sums ``c`` and total ``w``,
    scores centred on the row-weighted mean (``z = s - r.s / w``, so ``r.z = 0``):
    ``cov = z.(A z) / w`` (the row end has mean 0), ``var_x = r.z^2 / w`` and
    ``var_y = c.z^2 / w - (c.z / w)^2``.
    """
    total = matrix.data.sum()
    if total == 0:
        return np.nan
    rows = np.asarray(matrix.sum(axis=1)).ravel()
    cols = np.bincount(matrix.indices, weights=matrix.data, minlength=matrix.shape[1])
    return _assortativity_of(total, rows, cols, lambda z: matrix @ z, s)


def _assortativity_of(total, rows, cols, product, s):
    """:func:`_assortativity` from the total weight, row and column sums and the product
    ``z -> A @ z`` (so that the game can supply them without slicing its matrix)."""
    if total == 0:
        return np.nan
    z = s - dot(rows, s) / total
    covariance = dot(z, product(z)) / total
    mean_y = dot(cols, z) / total
    variance_x = dot(rows, z * z) / total
    variance_y = dot(cols, z * z) / total - mean_y * mean_y
    denominator = np.sqrt(variance_x * max(variance_y, 0.0))
    if denominator == 0:
        return np.nan
    return float(np.clip(covariance / denominator, -1.0, 1.0))


class Fragmentation(NamedTuple):
    """What :func:`fragmentation` returns."""

    n_components: int
    """Connected components (weakly connected for directed ties); an isolated citizen is one."""
    largest_share: float
    """Share of citizens in the largest component."""
    isolated_share: float
    """Share of citizens without any tie to another citizen."""


def fragmentation(G):
    """How far the network has fallen apart: components, largest share, isolated share.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Ties; directed ties connect in either direction (weak components).

    Returns
    -------
    Fragmentation
        A named tuple ``(n_components, largest_share, isolated_share)``.

    Raises
    ------
    TypeError, ValueError
        Bad graph (see :func:`scorelab.association.propagate`).

    Notes
    -----
    Components by ``scipy.sparse.csgraph.connected_components`` (breadth-first search,
    ``O(n + ties)``). Self-ties do not connect a citizen to anyone: a citizen whose only
    tie is to themself counts as isolated. Checked against NetworkX in the tests.

    Examples
    --------
    Two triangles and a citizen alone:

    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)])
    >>> G.add_node(6)
    >>> result = fragmentation(G)
    >>> result.n_components, round(result.largest_share, 4), round(result.isolated_share, 4)
    (3, 0.4286, 0.1429)
    """
    return _fragmentation(_tie_pattern(as_weight_matrix(G, weight=None).matrix))


def _tie_pattern(matrix):
    """Symmetric 0/1 matrix of who is tied to whom (either direction), without self-ties."""
    pattern = sp.csr_array(matrix, copy=True)
    pattern.data = (pattern.data != 0).astype(np.float64)
    pattern.setdiag(0)
    pattern.eliminate_zeros()
    both = sp.csr_array(pattern + pattern.T)
    both.data[:] = 1.0  # a pair tied both ways is one tie
    return both


def _fragmentation(pattern):
    n_components, labels = connected_components(pattern, directed=False)
    n = pattern.shape[0]
    return Fragmentation(
        n_components=int(n_components),
        largest_share=float(np.bincount(labels).max() / n),
        isolated_share=float(np.mean(np.diff(pattern.indptr) == 0)),
    )


def isolation_rate(G, scores, *, quantile=0.1, min_degree=1, groups=None):
    """Share of the lowest scorers with (almost) no ties: the reach of ostracism.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Ties; a tie in either direction counts.
    scores : pandas.Series, mapping or array_like
        One score per citizen, keyed by node or in node order.
    quantile : float, default 0.1
        The low scorers are those at or below this quantile of all scores, in (0, 1].
    min_degree : int, default 1
        A citizen tied to fewer other citizens than this is isolated (>= 1).
    groups : array_like or pandas.Series, optional
        One group label per citizen (a Series keyed by node); gives the rate within each
        group's low scorers, the cut-off staying that of the whole population.

    Returns
    -------
    float or pandas.Series
        Share in [0, 1]; a Series named ``"isolation_rate"`` indexed by group when
        ``groups`` is given (NaN for a group without low scorers).

    Raises
    ------
    TypeError, ValueError
        Bad graph or scores, ``quantile`` outside (0, 1], ``min_degree`` below 1.

    Notes
    -----
    With :math:`c` the ``quantile``-quantile of the scores (NumPy's ``"lower"`` method:
    the :math:`\\lfloor q (n - 1) \\rfloor`-th smallest score, from 0) and
    :math:`L = \\{i : s_i \\le c\\}` (ties at the cut-off included),

    .. math:: \\text{isolation rate} = |\\{i \\in L : \\deg_i < d_\\min\\}| \\,/\\, |L|,

    where :math:`\\deg_i` counts the other citizens ``i`` is tied to. ``quantile=1``
    gives the isolation rate of everyone, the baseline to compare with.

    Examples
    --------
    A path 0-1-2 and two citizens alone; the two lowest scorers are 3 (alone) and 0:

    >>> import networkx as nx
    >>> G = nx.path_graph(3)
    >>> G.add_nodes_from([3, 4])
    >>> isolation_rate(G, [500, 600, 700, 350, 800], quantile=0.25)
    0.5
    >>> isolation_rate(G, [500, 600, 700, 350, 800], quantile=1.0)
    0.4
    """
    quantile = check_real("quantile", quantile, minimum=0.0, maximum=1.0, open_min=True)
    min_degree = check_integer("min_degree", min_degree, minimum=1)
    wm, s = _scores_on(G, scores)
    n_tied = np.diff(_tie_pattern(wm.matrix).indptr)
    low, isolated = _low_and_isolated(n_tied, s, quantile, min_degree)
    if groups is not None:
        codes, labels = group_codes(groups, wm.n, wm.nodes)
        return _by_group(_share_of_low_isolated, codes, labels, "isolation_rate", low, isolated)
    return _share_of_low_isolated(low, isolated)


def _low_and_isolated(n_tied, s, quantile, min_degree, ordered=None):
    """The low scorers (at or below the ``quantile``-quantile) and the citizens tied to
    fewer than ``min_degree`` others (``n_tied``: how many others each one is tied to).
    ``ordered``, ``np.sort(s)`` when at hand, gives the same quantile (an order statistic)
    faster: NumPy's partition of sorted values took 1.7 ms at 10^6 here, 9.8 ms unsorted."""
    low = s <= np.quantile(s if ordered is None else ordered, quantile, method="lower")
    return low, n_tied < min_degree


def _share_of_low_isolated(low, isolated):
    return float(isolated[low].mean()) if low.any() else np.nan


def group_modularity(G, groups=None, *, weight="weight"):
    """Newman's modularity of the partition of citizens into groups.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Ties (weights non-negative).
    groups : array_like, pandas.Series or mapping, optional
        One group label per citizen, keyed by node or in node order; required unless ``G``
        is a Society, whose ``group`` column is the default.
    weight : str or None, default "weight"
        Edge attribute giving tie weights; None counts every tie as 1.

    Returns
    -------
    float
        ``Q`` in [-1/2, 1): above 0 when ties fall within groups more often than degree
        alone would make them; NaN for a graph without ties.

    Raises
    ------
    TypeError, ValueError
        Bad graph; groups missing, of the wrong length or with missing labels.

    Notes
    -----
    With :math:`A` the tie matrix (an undirected tie both ways), :math:`m = \\sum_{ij}
    A_{ij}`, out- and in-strengths :math:`k^\\text{out}_c, k^\\text{in}_c` summed over
    group :math:`c`,

    .. math:: Q = \\sum_c \\left[ \\frac{\\sum_{i, j \\in c} A_{ij}}{m}
              - \\frac{k^\\text{out}_c k^\\text{in}_c}{m^2} \\right]
       \\quad [N06]_, [LN08]_;

    for undirected ties this is :math:`\\sum_c [L_c / m' - (d_c / 2m')^2]` with
    :math:`m'` ties and :math:`L_c` of them inside group :math:`c`. A self-tie counts as
    stored (once), where NetworkX counts it twice in degrees; otherwise checked against
    ``networkx.community.modularity``.

    References
    ----------
    .. [N06] M. E. J. Newman (2006), "Modularity and community structure in networks",
       PNAS 103(23):8577-8582. https://doi.org/10.1073/pnas.0601602103
    .. [LN08] E. A. Leicht and M. E. J. Newman (2008), "Community structure in directed
       networks", Physical Review Letters 100:118703.
       https://doi.org/10.1103/PhysRevLett.100.118703

    Examples
    --------
    Two triangles joined by one tie, each triangle a group: 2 (3/7 - (7/14)^2) = 5/14:

    >>> import networkx as nx
    >>> G = nx.barbell_graph(3, 0)
    >>> round(group_modularity(G, [0, 0, 0, 1, 1, 1]), 4)
    0.3571
    """
    groups = _society_groups(G, groups)
    if groups is None:
        raise TypeError("groups is required unless G is a Society (whose groups are used)")
    wm = as_weight_matrix(G, weight=weight)
    codes, labels = group_codes(groups, wm.n, wm.nodes)
    return _modularity(wm.matrix, codes, len(labels))


def _modularity(matrix, codes, n_groups):
    total = matrix.sum()
    if total == 0:
        return np.nan
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    inside = matrix.data[codes[rows] == codes[matrix.indices]].sum()
    out_strength = np.bincount(codes, weights=matrix.sum(axis=1), minlength=n_groups)
    in_strength = np.bincount(codes, weights=matrix.sum(axis=0), minlength=n_groups)
    return float(inside / total - dot(out_strength, in_strength) / total**2)


# --------------------------------------------------------------------------------------
# Behaviour
# --------------------------------------------------------------------------------------


def behaviour_diversity(acts_or_rates, *, bins=10, groups=None):
    """Entropy of behaviour profiles across citizens, in bits: 0 when all behave alike.

    Parameters
    ----------
    acts_or_rates : array_like, pandas.Series, pandas.DataFrame or ActRecord
        Per-citizen approval rates in [0, 1]: one per citizen (1-D), or one per citizen and
        domain (2-D, citizens in rows); or an :class:`~scorelab.scoring.ActRecord`, whose
        per-domain rates are ``approved / (approved + disapproved)``.
    bins : int, default 10
        Equal-width bins over [0, 1] per rate (>= 1); a rate of exactly 1 joins the top bin.
    groups : array_like or pandas.Series, optional
        One group label per citizen (a Series aligned on the citizens' index when the
        behaviour is indexed); gives the entropy within each group.

    Returns
    -------
    float or pandas.Series
        Shannon entropy in bits, between 0 (one profile for all) and
        ``log2(min(n, bins ** domains))``; a Series named ``"behaviour_diversity"`` indexed
        by group when ``groups`` is given.

    Raises
    ------
    TypeError
        Non-numeric rates.
    ValueError
        Empty input, rates outside [0, 1] or NaN (in an ActRecord, a domain without acts is
        not an error: it forms its own bin), ``bins`` below 1.

    Notes
    -----
    A citizen's *profile* is the tuple of the bins of their rates,
    :math:`b_d = \\min(\\lfloor r_d \\cdot \\text{bins} \\rfloor, \\text{bins} - 1)`; with
    :math:`f_p` the share of citizens with profile :math:`p`,

    .. math:: H = -\\sum_p f_p \\log_2 f_p .

    This measures how *different* citizens are from one another, not how erratic each one
    is: a society in which everyone approves half of the time has ``H = 0``, like one in
    which everyone always conforms, while the mean binary entropy of the rates would call
    the first maximally diverse. Conformity pressure shows up as ``H`` falling towards 0.

    Examples
    --------
    Rates 0.05, 0.15, 0.95, 1.0 fall in bins 0, 1, 9, 9: shares 1/4, 1/4, 1/2, so
    H = 2 (1/4 * 2) + 1/2 * 1 = 1.5 bits:

    >>> behaviour_diversity([0.05, 0.15, 0.95, 1.0])
    1.5
    >>> behaviour_diversity([[0.05, 0.9], [0.05, 0.9], [0.05, 0.2], [0.05, 0.9]])
    0.8112781244591328
    """
    bins = check_integer("bins", bins, minimum=1)
    profiles, index = _behaviour_profiles(acts_or_rates, bins)
    if groups is not None:
        codes, labels = group_codes(groups, len(profiles), index)
        return _by_group(_entropy, codes, labels, "behaviour_diversity", profiles)
    return _entropy(profiles)


def _behaviour_profiles(acts_or_rates, bins):
    """One integer profile id per citizen, and the citizens' index (or None)."""
    if isinstance(acts_or_rates, ActRecord):
        approved = acts_or_rates.approved.to_numpy()
        total = approved + acts_or_rates.disapproved.to_numpy()
        if total.size == 0:
            raise ValueError("acts_or_rates is empty: it has no citizens")
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = approved / total
        binned = np.where(total > 0, _bin(np.nan_to_num(rates), bins), bins)  # no acts
        index = acts_or_rates.index
        levels = bins + 1
    else:
        if isinstance(acts_or_rates, Mapping):
            acts_or_rates = pd.Series(dict(acts_or_rates))
        indexed = isinstance(acts_or_rates, (pd.Series, pd.DataFrame))
        index = acts_or_rates.index if indexed else None
        raw = acts_or_rates.to_numpy() if index is not None else acts_or_rates
        if isinstance(raw, (str, bytes)) or raw is None:
            raise TypeError(f"acts_or_rates must be approval rates, got {shown(raw)}")
        rates = check_finite_array("acts_or_rates", raw, ndim=2 if np.ndim(raw) == 2 else 1)
        if rates.size == 0:
            raise ValueError("acts_or_rates is empty: it has no citizens")
        outside = (rates < 0) | (rates > 1)
        if outside.any():
            raise ValueError(
                f"acts_or_rates must be approval rates in [0, 1]; {int(outside.sum())} "
                f"value(s) outside, e.g. {float(rates[outside][0])}"
            )
        return _rate_profiles(rates, bins), index
    return _profile_ids(binned, levels), index


def _rate_profiles(rates, bins):
    """One integer profile id per citizen from checked approval rates in [0, 1]."""
    return _profile_ids(_bin(rates, bins), bins)


def _profile_ids(binned, levels):
    if binned.ndim == 1:
        return binned
    # one integer per profile: the bins read as digits in base `levels`
    return binned @ (levels ** np.arange(binned.shape[1], dtype=np.int64))


def _bin(rates, bins):
    return np.minimum((rates * bins).astype(np.int64), bins - 1)


def _act_diversity(approved, n_acts, bins, *, drawn=False):
    """``_entropy(_rate_profiles(approved / n_acts, bins))`` for counts of approved acts.

    Each citizen's counts (one per domain, integers in ``0..n_acts``) are one of
    ``(n_acts + 1) ** domains`` combinations, so the citizens are counted per combination
    (one ``bincount``) and each combination's profile is binned once, by the same float
    operations as the rates of its counts. The profiles' counts, in ascending profile
    order, are those ``numpy.unique`` gives, so the entropy is the same number, bit for
    bit; the per-citizen path (a hash-based ``unique`` of 10^7 ids took 3.7 s per step)
    remains for counts that are not whole numbers or combinations too many to list.
    Checked against the per-citizen path in ``tests/test_history.py``.

    ``drawn=True`` says the counts are the game's binomial draws, whole numbers in
    ``0..n_acts`` by construction: the check of that (a copy and a comparison of every
    count, half of the time at 10^6 citizens) is skipped and the combination's number is
    taken in floating point (exact for whole numbers: the same integers).
    """
    approved = np.asarray(approved)
    levels, width = n_acts + 1, approved.shape[1] if approved.ndim == 2 else 1
    counts = approved.reshape(len(approved), width)
    combinations = levels**width
    if combinations > max(len(counts), 1):
        return _entropy(_rate_profiles(approved / n_acts, bins))
    if drawn:
        number = counts[:, width - 1].astype(np.float64)
        for d in range(width - 2, -1, -1):
            number *= levels
            number += counts[:, d]
        code = number.astype(np.intp)
    else:
        whole = counts.astype(np.intp)
        if (not np.array_equal(whole, counts) or whole.min(initial=0) < 0
                or whole.max(initial=0) > n_acts):
            return _entropy(_rate_profiles(approved / n_acts, bins))
        code = np.zeros(len(counts), dtype=np.intp)
        for d in range(width - 1, -1, -1):
            code *= levels
            code += whole[:, d]
    per_code = np.bincount(code, minlength=combinations)
    present = np.flatnonzero(per_code)
    digits = np.empty((len(present), width))
    rest = present.copy()
    for d in range(width):
        rest, digits[:, d] = np.divmod(rest, levels)
    rates = digits / n_acts
    profiles = _rate_profiles(rates if approved.ndim == 2 else rates[:, 0], bins)
    ids, where = np.unique(profiles, return_inverse=True)
    citizens = np.zeros(len(ids), dtype=np.int64)
    np.add.at(citizens, where, per_code[present])
    shares = citizens / citizens.sum()
    return float(max(0.0, -dot(shares, np.log2(shares))))


def _entropy(profiles):
    _, counts = np.unique(profiles, return_counts=True)
    shares = counts / counts.sum()
    return float(max(0.0, -dot(shares, np.log2(shares))))


def expression_gap(private, expressed, *, groups=None, relative=False):
    """How much disapproved behaviour citizens hide: private minus expressed rate.

    Parameters
    ----------
    private, expressed : array_like, pandas.Series or ActRecord
        Per-citizen share of acts that are disapproved, privately and as shown to the
        public or the authority (in [0, 1], same citizens); or two ActRecords, whose rate
        is a citizen's disapproved acts over all their acts (citizens without acts in
        either record are left out).
    groups : array_like or pandas.Series, optional
        One group label per citizen; gives the gap within each group.
    relative : bool, default False
        Divide the gap by the mean private rate: the share of disapproved behaviour that is
        hidden (1 = total self-censorship; NaN when no one disapproves privately).

    Returns
    -------
    float or pandas.Series
        A Series named ``"expression_gap"`` indexed by group when ``groups`` is given.

    Raises
    ------
    TypeError
        Non-numeric rates, or an ActRecord paired with plain rates.
    ValueError
        Empty, NaN or out-of-range rates; different citizens or lengths.

    Notes
    -----
    With private rates :math:`p_i` and expressed rates :math:`e_i` over citizens
    :math:`i = 1..n`,

    .. math:: \\text{gap} = \\frac{1}{n} \\sum_i (p_i - e_i), \\qquad
              \\text{relative gap} = \\frac{\\sum_i (p_i - e_i)}{\\sum_i p_i},

    Kuran's preference falsification [K95]_ made a number.

    References
    ----------
    .. [K95] T. Kuran (1995), *Private Truths, Public Lies: The Social Consequences of
       Preference Falsification*, Harvard University Press.

    Examples
    --------
    Two of four citizens hide a quarter of their acts' disapproval: gap (0.25 + 0.25) / 4,
    and half of all private disapproval (1.0 in total) is hidden:

    >>> expression_gap([0.5, 0.25, 0.25, 0.0], [0.25, 0.25, 0.0, 0.0])
    0.125
    >>> expression_gap([0.5, 0.25, 0.25, 0.0], [0.25, 0.25, 0.0, 0.0], relative=True)
    0.5
    """
    p, e, index = _paired_rates(private, expressed)
    if groups is not None:
        codes, labels = group_codes(groups, len(p), index)
        metric = _relative_gap if relative else _gap
        return _by_group(metric, codes, labels, "expression_gap", p, e)
    return _relative_gap(p, e) if relative else _gap(p, e)


def _gap(p, e):
    return float(np.mean(p - e))


def _relative_gap(p, e):
    total = p.sum()
    return float((total - e.sum()) / total) if total > 0 else np.nan


def _paired_rates(private, expressed):
    records = isinstance(private, ActRecord), isinstance(expressed, ActRecord)
    if any(records) and not all(records):
        raise TypeError("private and expressed must both be ActRecords or both be rates")
    if all(records):
        if not private.index.equals(expressed.index):
            raise ValueError("private and expressed must cover the same citizens in the same order")
        (p_bad, p_all), (e_bad, e_all) = (_disapproved_and_all(r) for r in (private, expressed))
        acted = (p_all > 0) & (e_all > 0)
        if not acted.any():
            raise ValueError("private and expressed hold no citizen with acts in both records")
        return p_bad[acted] / p_all[acted], e_bad[acted] / e_all[acted], private.index[acted]
    p, p_index = _values("private", private)
    e, e_index = _values("expressed", expressed)
    if len(p) != len(e):
        raise ValueError(
            f"private and expressed must have one rate per citizen each, got {len(p)} and {len(e)}"
        )
    if p_index is not None and e_index is not None:
        if not p_index.equals(e_index):
            if set(p_index) != set(e_index):
                raise ValueError("private and expressed must cover the same citizens")
            e = pd.Series(e, index=e_index).reindex(p_index).to_numpy()
    for name, rate in (("private", p), ("expressed", e)):
        outside = (rate < 0) | (rate > 1)
        if outside.any():
            raise ValueError(
                f"{name} must be rates in [0, 1]; {int(outside.sum())} outside, "
                f"e.g. {float(rate[outside][0])}"
            )
    return p, e, p_index if p_index is not None else e_index


def _disapproved_and_all(record):
    """Each citizen's disapproved acts and all their acts, summed over domains."""
    disapproved = record.disapproved.to_numpy().sum(axis=1)
    return disapproved, disapproved + record.approved.to_numpy().sum(axis=1)


# --------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------


def gate_access_rates(scores, thresholds, *, groups=None):
    """Share of citizens whose score clears each gate's threshold.

    Parameters
    ----------
    scores : array_like, pandas.Series or mapping
        One (displayed) score per citizen.
    thresholds : mapping or pandas.Series
        Gate name to the lowest score that passes it, e.g.
        ``{"credit": 650, "travel": 600, "utilities": 450}``.
    groups : array_like or pandas.Series, optional
        One group label per citizen (a Series is aligned on the index of ``scores``).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Access rate per gate (Series named ``"access_rate"``, indexed by ``gate``); with
        ``groups``, a DataFrame with one row per group and one column per gate.

    Raises
    ------
    TypeError
        ``thresholds`` not a mapping, a threshold not a real number, non-numeric scores.
    ValueError
        Empty or NaN scores, no gates, non-finite thresholds, bad groups.

    Notes
    -----
    For gate :math:`g` with threshold :math:`t_g`: access rate
    :math:`= |\\{i : s_i \\ge t_g\\}| / n` (within a group, over its members). Group gaps
    in these rates are the disparate impact of the scoring system.

    Examples
    --------
    >>> gate_access_rates([400, 600, 700, 900],
    ...                   {"credit": 650, "travel": 550, "utilities": 350}).tolist()
    [0.5, 0.75, 1.0]
    >>> gate_access_rates([400, 600, 700, 900], {"credit": 650},
    ...                   groups=["a", "a", "b", "b"])["credit"].tolist()
    [0.0, 1.0]
    """
    s, index = _values("scores", scores)
    if not isinstance(thresholds, (Mapping, pd.Series)):
        raise TypeError(
            f"thresholds must map gate names to scores, got {type(thresholds).__name__}"
        )
    items = list(thresholds.items())
    if not items:
        raise ValueError("thresholds is empty: give at least one gate")
    gates = pd.Index([gate for gate, _ in items], name="gate")
    cut = np.array([check_real(f"thresholds[{gate!r}]", value) for gate, value in items])
    passes = s[:, None] >= cut[None, :]
    if groups is None:
        return pd.Series(passes.mean(axis=0), index=gates, name="access_rate")
    codes, labels = group_codes(groups, len(s), index)
    counts = np.zeros((len(labels), len(gates)))
    np.add.at(counts, codes, passes)
    members = np.bincount(codes, minlength=len(labels))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(members > 0, counts / members, np.nan)
    return pd.DataFrame(rates, index=labels, columns=gates)


# --------------------------------------------------------------------------------------
# The citizen game's measures
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class GameState:
    """One step of the citizen game (:func:`scorelab.dynamics.simulate`), as its engine
    holds it: whole-population arrays, no frames, nothing copied or rebuilt.

    A measure reads these arrays and must not modify them. Quantities that several
    measures share (the participants' displayed scores, the components, the ties among
    participants) are derived once per step, on first use.

    Attributes
    ----------
    step : int
    n_acts : int
        Acts per citizen and domain in a step.
    participant : numpy.ndarray of bool
        Who is scored.
    own, displayed : numpy.ndarray
        Own and displayed scores (NaN for citizens not scored).
    wealth : numpy.ndarray
    standard : tuple of float
        Mean and spread of the relative standard (NaN for an absolute one).
    matrix : scipy.sparse.csr_array
        The ties, symmetric, without self-ties or stored zeros.
    degree : numpy.ndarray
        Weighted degree, ``matrix.sum(axis=1)``.
    ties_cut, ties_added : int
        Ties cut and formed in this step's rewiring.
    access : mapping of str to numpy.ndarray of bool
        Who passes each gate.
    group_codes : numpy.ndarray of int
        Each citizen's group, as a position in ``group_labels``.
    group_labels : pandas.Index
    group_members : tuple of numpy.ndarray of bool
        One membership mask per group, in ``group_labels`` order.
    approved, private, expressed : numpy.ndarray
        This step's acts per citizen and domain: approved, disapproved (as done) and
        disapproved as shown to the public (self-censored acts left out). Counts: whole
        numbers in ``0..n_acts`` (the game's binomial draws), which the measures rely on
        (sums of them are exact in any order).
    private_approval : numpy.ndarray, optional
        Private approval (disposition) per citizen, or per citizen and domain when norms
        drift.
    customary : numpy.ndarray, optional
        Share of their customary acts each citizen still does (NaN for those without).
    incentive : numpy.ndarray, optional
        Each citizen's compliance incentive when derived from the stakes.
    cut_counts : mapping, optional
        ``{"strategic": counts, "social": counts}``, tie kinds x groups of the cutter.
    tie_kind_counts : callable, optional
        ``tie_kind_counts()``: surviving ties by kind x group (a tie counted for each end).
    whole_weights : bool, default False
        Every tie weight is a whole number, so any sum of them is exact whatever its order
        (the column sums are then the row sums).
    tie_crossing_ends : callable, optional
        ``tie_crossing_ends()``: what :attr:`crossing_ends` counts, from the engine's tally
        (kept through the edits of the ties) instead of a pass over the matrix.
    tie_components : callable, optional
        ``tie_components()``: the sizes of the connected components of ``matrix`` (any
        order), from the engine's spanning forest kept through the edits of the ties
        (:class:`scorelab._components.SpanningForest`) instead of a search over every
        tie.
    kinds : sequence of str
        The tie kinds, in the order of the counts.
    sees_actual : numpy.ndarray, optional
        Who sees one's ties' hidden acts (selective presentation).
    fear : numpy.ndarray, optional
    acted : bool, default True
        Whether a step has been played. False for step 0, the starting state measured
        before any step: then ``approved``, ``private`` and ``expressed`` are NaN and the
        measures of the step's acts (``Measure.acts``) are NaN.
    """

    step: int
    n_acts: int
    participant: np.ndarray
    own: np.ndarray
    displayed: np.ndarray
    wealth: np.ndarray
    standard: tuple
    matrix: sp.csr_array
    degree: np.ndarray
    ties_cut: int
    ties_added: int
    access: Mapping
    group_codes: np.ndarray
    group_labels: pd.Index
    group_members: tuple
    approved: np.ndarray
    private: np.ndarray
    expressed: np.ndarray
    private_approval: np.ndarray | None = None
    customary: np.ndarray | None = None
    incentive: np.ndarray | None = None
    cut_counts: Mapping | None = None
    tie_kind_counts: Callable | None = None
    tie_crossing_ends: Callable | None = None
    tie_components: Callable | None = None
    whole_weights: bool = False
    kinds: tuple = ()
    sees_actual: np.ndarray | None = None
    fear: np.ndarray | None = None
    acted: bool = True

    @property
    def n(self):
        return len(self.participant)

    @functools.cached_property
    def tie_counts(self):
        """Ties of each citizen, unweighted (the matrix is loop-free and stores no zeros,
        so a row's stored entries are the others one is tied to)."""
        return np.diff(self.matrix.indptr)

    @functools.cached_property
    def crossing_ends(self):
        """Tie ends whose other end is in another group, per group of the first end."""
        if self.tie_crossing_ends is not None:
            return self.tie_crossing_ends()
        matrix, codes = self.matrix, self.group_codes
        row_codes = np.repeat(codes, np.diff(matrix.indptr))  # one per stored entry
        across = row_codes != codes[matrix.indices]
        return np.bincount(row_codes[across], minlength=len(self.group_labels))

    @property
    def ties_at_start(self):
        """Ties at the start of the step: the rewiring is the step's only change of ties,
        so the ties after it plus those it cut minus those it formed."""
        return self.matrix.nnz // 2 + self.ties_cut - self.ties_added

    @functools.cached_property
    def scored_displayed(self):
        """Displayed scores of the participants, NaN for everyone else."""
        return np.where(self.participant, self.displayed, np.nan)

    @functools.cached_property
    def private_count(self):
        """Each citizen's disapproved acts this step, as done (summed over domains)."""
        return _row_sums(self.private)

    @functools.cached_property
    def expressed_count(self):
        """Each citizen's disapproved acts this step, as shown (summed over domains)."""
        return _row_sums(self.expressed)

    @functools.cached_property
    def private_rate(self):
        """Each citizen's share of disapproved acts this step, as done."""
        return self.private_count / (self.n_acts * self.private.shape[1])

    @functools.cached_property
    def expressed_rate(self):
        """Each citizen's share of disapproved acts this step, as shown."""
        return self.expressed_count / (self.n_acts * self.expressed.shape[1])

    @functools.cached_property
    def product(self):
        """``z -> matrix @ z`` on the threads (:class:`scorelab._graph.ParallelProduct`:
        SciPy's sums, row by row, so the same numbers)."""
        return ParallelProduct(self.matrix)

    @functools.cached_property
    def private_mean(self):
        """Each citizen's private approval, averaged over domains (``mean(axis=1)``, the
        row sum over the columns, bit for bit)."""
        p = self.private_approval
        return p if p.ndim == 1 else _row_sums(p) / p.shape[1]

    @functools.cached_property
    def gini_inputs(self):
        """``(x, np.sort(x))`` for the participants' displayed scores and for wealth: the
        values of the two Gini measures (the low scorers' cut-off of
        ``isolation_low_scorers`` is read from the first). The two sorts (52 ms each at
        10^6 here, the Ginis' whole cost) run at once, one on this thread and one on
        :func:`scorelab._graph.thread_pool` (NumPy's sort releases the GIL)."""
        values = (self.displayed[self.participant], self.wealth)
        helper = thread_pool().submit(np.sort, values[1])
        first = np.sort(values[0])
        # a helper not yet scheduled (a loaded machine) is not waited for
        second = np.sort(values[1]) if helper.cancel() else helper.result()
        return (values[0], first), (values[1], second)

    @functools.cached_property
    def pluralistic_ignorance(self):
        """Who privately approves of disapproved acts (private approval below 1/2) but sees
        most of their ties (tie-weighted) conform (expressed approval at least 1/2)."""
        shown = (1.0 - self.expressed_rate) >= 0.5
        conform = self.product(shown.astype(float))
        if self.sees_actual is not None:
            actual = (1.0 - self.private_rate) >= 0.5
            conform = np.where(self.sees_actual, self.product(actual.astype(float)), conform)
        believed = np.divide(conform, self.degree, out=np.zeros(self.n), where=self.degree > 0)
        return (self.private_mean < 0.5) & (believed > 0.5)

    @functools.cached_property
    def kind_counts(self):
        return self.tie_kind_counts()

    @functools.cached_property
    def component_sizes(self):
        """Size of each connected component of the ties (in no particular order when
        :attr:`tie_components` gives them)."""
        if self.tie_components is not None:
            return self.tie_components()
        return np.bincount(symmetric_components(self.matrix))

    @functools.cached_property
    def scored_ties(self):
        """The ties among participants (scores are public among them only); the whole
        matrix when everyone takes part."""
        if self.participant.all():
            return self.matrix
        return self.matrix[self.participant][:, self.participant]

    @functools.cached_property
    def among_scored(self):
        """What the measures read of :attr:`scored_ties`, without building it.

        A :class:`_AmongScored` of the participants' ties: their total weight, each
        participant's weighted degree and tie count among participants, the column sums
        and the product with a vector over participants. With the sliced matrix
        (``scored_ties``) and a ``bincount`` for the column sums, the score assortativity
        took 0.57 s per measured step at 10^6 citizens, with these 0.06 s: two 2-thread
        products and, while not everyone takes part, one pass over the entries. They are the numbers the sliced matrix
        gives, bit for bit: the same arrays summed in the same order (SciPy's row sums
        are ``numpy.add.reduceat`` over each row's entries, here over the participants'
        entries in the same order; its product and ``numpy.bincount`` add each row's or
        column's terms one by one, and the terms of non-participants, ``w * 0.0``, leave
        a sum unchanged; the matrix is symmetric, so a column's terms in row order are
        its row's in column order). Checked against the sliced matrix in
        ``tests/test_history.py``.
        """
        return _AmongScored(self.matrix, self.participant, self.degree, self.whole_weights,
                            self.product)


class _AmongScored:
    """The ties among participants of a symmetric tie matrix (see
    :attr:`GameState.among_scored`)."""

    def __init__(self, matrix, participant, degree, whole_weights=False, product=None):
        self.matrix, self.participant = matrix, participant
        self.whole_weights = whole_weights
        self._product = ParallelProduct(matrix) if product is None else product
        self.everyone = bool(participant.all())
        if self.everyone:
            # whole-number weights: every sum of them is exact, so the sum of the row sums
            # is the sum of the entries (n values to add instead of 2 * ties)
            self.total = float(degree.sum()) if whole_weights else matrix.data.sum()
            self.strength = degree  # matrix.sum(axis=1), as the engine computes it
            self.tie_counts = np.diff(matrix.indptr)
            return
        indptr, n = matrix.indptr, matrix.shape[0]
        entry_rows = np.repeat(participant, np.diff(indptr))
        kept = entry_rows & participant[matrix.indices]
        data = matrix.data[kept]
        counts = np.zeros(len(kept) + 1, dtype=np.int64)
        np.cumsum(kept, out=counts[1:])
        per_row = counts[indptr[1:]] - counts[indptr[:-1]]
        starts = np.zeros(n, dtype=np.intp)
        np.cumsum(per_row[:-1], out=starts[1:])
        strength = np.zeros(n)
        nonempty = np.flatnonzero(per_row)
        if len(nonempty):
            strength[nonempty] = np.add.reduceat(data, starts[nonempty])
        self.strength = strength[participant]
        self.total = float(self.strength.sum()) if whole_weights else data.sum()
        self.tie_counts = per_row[participant]

    @functools.cached_property
    def column_sums(self):
        if self.whole_weights:
            # the matrix is symmetric: a column's terms are its row's, and sums of whole
            # numbers are exact in any order, so no product is needed
            return self.strength
        if self.everyone:
            return self._product(np.ones(self.matrix.shape[0]))
        return self._product(self.participant.astype(float))[self.participant]

    def product(self, z):
        """``scored_ties @ z`` for ``z`` over the participants."""
        if self.everyone:
            return self._product(z)
        full = np.zeros(self.matrix.shape[0])
        full[self.participant] = z
        return self._product(full)[self.participant]


@dataclasses.dataclass(frozen=True)
class Measure:
    """A quantity recorded at each measured step of the citizen game: rows of one
    ``measure`` in the long history, for the whole population (group ``"all"``) or for
    each group.

    Attributes
    ----------
    name : str
        The history's ``measure`` (the wide view's column; per group ``<name>_<group>``).
    function : callable
        ``function(state)`` of a :class:`GameState`: a number, or for a per-group measure
        a sequence with one number per group (in ``state.group_labels`` order).
    by_group : bool, default False
    acts : bool, default False
        The measure reads the step's acts (``approved``, ``private``, ``expressed``): it
        is NaN at step 0, the starting state, before anyone acts.
    """

    name: str
    function: Callable
    by_group: bool = False
    acts: bool = False

    @property
    def key(self):
        """How :func:`game_measures` names it: ``name``, or ``name[group]`` by group.

        Keys only choose measures; the history's columns hold no brackets (the long
        history has ``measure`` and ``group`` columns, the wide view ``<name>_<group>``).
        """
        return f"{self.name}[group]" if self.by_group else self.name


def _when_scored(function):
    """``function(state)``, or NaN while nobody takes part."""
    return lambda state: function(state) if state.participant.any() else np.nan


def _when_several_scored(function):
    """``function(state)``, or NaN unless at least two citizens take part."""
    return lambda state: function(state) if state.participant.sum() > 1 else np.nan


def _score_assortativity(state):
    among = state.among_scored
    s = state.scored_displayed[state.participant]
    return _assortativity_of(among.total, among.strength, among.column_sums, among.product, s)


def _isolation_low_scorers(state):
    # isolation_rate at quantile 0.1 and min_degree 1; the game's ties are loopless and
    # store no zeros, so a row's stored entries are the others it is tied to
    n_tied = state.among_scored.tie_counts
    low, isolated = _low_and_isolated(n_tied, state.scored_displayed[state.participant], 0.1, 1,
                                      ordered=state.gini_inputs[0][1])
    return _share_of_low_isolated(low, isolated)


def _access(gate):
    return lambda state: state.access[gate].mean()


def _per_group(function):
    """``function(state, member)`` for the membership mask of each group."""
    return lambda state: [function(state, member) for member in state.group_members]


def _mean_displayed_by_group(state, member):
    if not (state.participant & member).any():
        return np.nan
    return np.nanmean(state.scored_displayed[member])


def _share(count, total):
    return count / total if total else np.nan


def _cross_group_share_by_group(state):
    crossing = state.crossing_ends
    return [_share(int(c), int(state.tie_counts[m].sum()))
            for c, m in zip(crossing, state.group_members)]


GAME_MEASURES = (
    Measure("participation", lambda s: s.participant.mean()),
    Measure("mean_own", _when_scored(lambda s: np.nanmean(s.own))),
    Measure("mean_displayed", _when_scored(lambda s: np.nanmean(s.scored_displayed))),
    Measure("gini_displayed", _when_scored(lambda s: _gini(*s.gini_inputs[0]))),
    Measure("gini_wealth", lambda s: _gini(*s.gini_inputs[1])),
    Measure("mean_wealth", lambda s: s.wealth.mean()),
    Measure("standard_mean", lambda s: s.standard[0]),
    Measure("standard_spread", lambda s: s.standard[1]),
    Measure("ties", lambda s: s.matrix.nnz // 2),
    Measure("ties_cut", lambda s: s.ties_cut),
    Measure("ties_added", lambda s: s.ties_added),
    Measure("ties_cut_share", lambda s: _share(s.ties_cut, s.ties_at_start)),
    Measure("ties_added_share", lambda s: _share(s.ties_added, s.ties_at_start)),
    Measure("components", lambda s: len(s.component_sizes)),
    Measure("largest_component_share", lambda s: s.component_sizes.max() / s.n),
    Measure("mean_degree", lambda s: s.tie_counts.mean()),
    Measure("mean_strength", lambda s: s.degree.mean()),
    Measure("cross_group_ties", lambda s: int(s.crossing_ends.sum()) // 2),
    Measure("cross_group_share",
            lambda s: _share(int(s.crossing_ends.sum()), int(s.tie_counts.sum()))),
    Measure("private_disapproval", lambda s: s.private_rate.mean(), acts=True),
    Measure("expressed_disapproval", lambda s: s.expressed_rate.mean(), acts=True),
    Measure("expression_gap", lambda s: _gap(s.private_rate, s.expressed_rate), acts=True),
    Measure("behaviour_diversity",
            lambda s: _act_diversity(s.approved, s.n_acts, 10, drawn=True),
            acts=True),
    Measure("score_assortativity", _when_several_scored(_score_assortativity)),
    Measure("isolation_low_scorers", _when_several_scored(_isolation_low_scorers)),
    Measure("access_credit", _access("credit")),
    Measure("access_travel", _access("travel")),
    Measure("access_utilities", _access("utilities")),
    Measure("mean_displayed", _per_group(_mean_displayed_by_group), by_group=True),
    Measure("access_credit", _per_group(lambda s, m: s.access["credit"][m].mean()),
            by_group=True),
    Measure("mean_wealth", _per_group(lambda s, m: s.wealth[m].mean()), by_group=True),
    Measure("expression_gap",
            _per_group(lambda s, m: _gap(s.private_rate[m], s.expressed_rate[m])),
            by_group=True, acts=True),
    Measure("mean_degree", _per_group(lambda s, m: s.tie_counts[m].mean()), by_group=True),
    Measure("mean_strength", _per_group(lambda s, m: s.degree[m].mean()), by_group=True),
    Measure("cross_group_share", _cross_group_share_by_group, by_group=True),
)
"""The citizen game's default measures, in the order of the wide view's columns; each is
defined in :func:`history_table` (and ``docs/history.md``)."""


def _group_means(values):
    """Per-group mean of a per-citizen array (NaN for an empty group)."""
    return lambda state: [float(values(state)[m].mean()) if m.any() else np.nan
                          for m in state.group_members]


def _hidden_share(state, member=None):
    # the acts are counts: whole numbers add up exactly in any order, so the sums of the
    # citizens' sums over domains are the sums over all (without copying the group's rows)
    private, expressed = state.private_count, state.expressed_count
    if member is not None:
        private, expressed = private[member], expressed[member]
    total = private.sum()
    return float(1.0 - expressed.sum() / total) if total else np.nan


def _customary_by_group(state):
    c = state.customary
    out = []
    for member in state.group_members:
        values = c[member] if c is not None else np.array([])
        values = values[~np.isnan(values)]
        out.append(float(values.mean()) if len(values) else np.nan)
    return out


def _kind_measures(kind_codes):
    measures = []
    for code, kind in kind_codes:
        for source in ("strategic", "social"):
            measures.append(Measure(
                f"cuts_{source}_{kind}",
                lambda s, c=code, src=source: int(s.cut_counts[src][c].sum())))
            measures.append(Measure(
                f"cuts_{source}_{kind}",
                lambda s, c=code, src=source: [int(v) for v in s.cut_counts[src][c]],
                by_group=True))
        measures.append(Measure(f"ties_{kind}", lambda s, c=code: int(s.kind_counts[c].sum()) // 2))
        measures.append(Measure(f"ties_{kind}", lambda s, c=code: [int(v) for v in
                                                                   s.kind_counts[c]],
                                by_group=True))
    return measures


_TIE_KINDS = ("family", "friend", "neighbour", "colleague")

MECHANISM_MEASURES = (
    Measure("access_shop", _access("shop")),
    Measure("access_food", _access("food")),
    Measure("access_food", _per_group(lambda s, m: s.access["food"][m].mean()), by_group=True),
    Measure("private_approval", lambda s: float(s.private_mean.mean())),
    Measure("private_approval", _group_means(lambda s: s.private_mean), by_group=True),
    Measure("expressed_approval", lambda s: float(1.0 - s.expressed_rate.mean()), acts=True),
    Measure("expressed_approval", _group_means(lambda s: 1.0 - s.expressed_rate),
            by_group=True, acts=True),
    Measure("pluralistic_ignorance", lambda s: float(s.pluralistic_ignorance.mean()),
            acts=True),
    Measure("pluralistic_ignorance", _group_means(lambda s: s.pluralistic_ignorance),
            by_group=True, acts=True),
    Measure("hidden_share", _hidden_share, acts=True),
    Measure("hidden_share", _per_group(_hidden_share), by_group=True, acts=True),
    Measure("compliance_incentive", _group_means(lambda s: s.incentive), by_group=True),
    Measure("fear", lambda s: float(s.fear.mean()) if s.fear is not None else np.nan),
    Measure("customary_approval", _customary_by_group, by_group=True),
    *_kind_measures(enumerate(_TIE_KINDS)),
)
"""Measures of the derived mechanisms, recorded after :data:`GAME_MEASURES` when a run
departs from the original rules (``GameConfig.mechanisms_on``); each is defined in
:func:`history_table` (and ``docs/history.md``)."""


# --------------------------------------------------------------------------------------
# The history's definitions: one table, rendered in the docs and in SimulationResult
# --------------------------------------------------------------------------------------

_AFTER = "end of the step (after its rewiring)"
_ACTS = "the step's acts (NaN at step 0)"
_KIND_NAMES = ", ".join(f"``ties_{k}``" for k in _TIE_KINDS)

# (names, groups, definition, measured, unit, weighted); groups: "all", "group" or both
_DEFINITIONS = (
    (("participation",), "all", "share of citizens scored (joined)", _AFTER, "share", "no"),
    (("mean_own",), "all", "mean own score of the participants", _AFTER, "points", "no"),
    (("mean_displayed",), "all, group", "mean displayed score of the participants (of the "
     "group)", _AFTER, "points", "no"),
    (("gini_displayed",), "all", ":func:`gini` of the participants' displayed scores",
     _AFTER, "[0, 1)", "no"),
    (("gini_wealth",), "all", ":func:`gini` of wealth (after the step's gates and shock)",
     _AFTER, "[0, 1)", "no"),
    (("mean_wealth",), "all, group", "mean wealth (after the step's gates and shock)",
     _AFTER, "wealth", "no"),
    (("standard_mean", "standard_spread"), "all", "mean and spread of the approval rates "
     "of the standard's reference (NaN for an absolute standard or before anyone joins)",
     "the step's scoring", "share", "no"),
    (("ties",), "all", "ties (undirected)", _AFTER, "ties", "no"),
    (("ties_cut", "ties_added"), "all", "ties cut (ostracism and strategic unfriending) "
     "and ties formed in the step's rewiring; 0 at step 0", "the step's rewiring", "ties",
     "no"),
    (("ties_cut_share", "ties_added_share"), "all", "``ties_cut`` and ``ties_added`` over "
     "the ties at the start of the step (``ties + ties_cut - ties_added``)",
     "the step's rewiring", "share", "no"),
    (("components",), "all", "connected components (an isolated citizen is one)", _AFTER,
     "count", "no"),
    (("largest_component_share",), "all", "share of citizens in the largest component",
     _AFTER, "share", "no"),
    (("mean_degree",), "all, group", "mean ties per citizen", _AFTER, "ties", "no"),
    (("mean_strength",), "all, group", "mean weighted degree: sum of one's tie weights",
     _AFTER, "tie weight", "yes"),
    (("cross_group_ties",), "all", "ties between citizens of different groups", _AFTER,
     "ties", "no"),
    (("cross_group_share",), "all, group", "share of tie ends whose other end is in "
     "another group (of the group's members' tie ends)", _AFTER, "share", "no"),
    (("private_disapproval", "expressed_disapproval"), "all", "mean share of disapproved "
     "acts as done and as shown (self-censored acts left out)", _ACTS, "share", "no"),
    (("expression_gap",), "all, group", ":func:`expression_gap`: private minus expressed "
     "disapproval", _ACTS, "share", "no"),
    (("behaviour_diversity",), "all", ":func:`behaviour_diversity` of the approval rates",
     _ACTS, "bits", "no"),
    (("score_assortativity",), "all", ":func:`score_assortativity` of displayed scores "
     "among participants (NaN below two)", _AFTER, "[-1, 1]", "yes"),
    (("isolation_low_scorers",), "all", ":func:`isolation_rate` of the participants' "
     "lowest 10 %, ties among participants", _AFTER, "share", "no"),
    (("access_credit", "access_travel", "access_utilities"), "all", "share passing each "
     "gate (a gate not at stake is open to all; non-participants are not gated)",
     "the step's gates", "share", "no"),
    (("access_credit",), "group", "share of the group passing the credit gate",
     "the step's gates", "share", "no"),
    (("access_shop", "access_food"), "all", "share passing the shop and food gates "
     "(mechanisms)", "the step's gates", "share", "no"),
    (("access_food",), "group", "share of the group passing the food gate (mechanisms)",
     "the step's gates", "share", "no"),
    (("private_approval",), "all, group", "mean private approval (disposition, or the "
     "drifted norm averaged over domains; mechanisms)", "after the step's drift", "share",
     "no"),
    (("expressed_approval",), "all, group", "mean share of acts shown as approved "
     "(mechanisms)", _ACTS, "share", "no"),
    (("pluralistic_ignorance",), "all, group", "share who privately approve of "
     "disapproved acts (private approval < 1/2) but see most of their ties conform "
     "(mechanisms)", _ACTS, "share", "yes"),
    (("hidden_share",), "all, group", "share of disapproved acts hidden (mechanisms)",
     _ACTS, "share", "no"),
    (("compliance_incentive",), "group", "mean compliance incentive (0 for "
     "non-participants; derived from the stakes; mechanisms)", "the step's acts",
     "probability", "no"),
    (("fear",), "all", "mean fear (chosen self-censorship; NaN otherwise; mechanisms)",
     "after the step's drift", "[0, 1]", "no"),
    (("customary_approval",), "group", "mean share of customary acts still done, among "
     "those with customs (mechanisms)", "after the step's drift", "share", "no"),
    (tuple(f"cuts_strategic_{k}" for k in _TIE_KINDS), "all, group", "ties of each kind "
     "cut by strategic unfriending (per group: the cutter's; mechanisms)",
     "the step's rewiring", "ties", "no"),
    (tuple(f"cuts_social_{k}" for k in _TIE_KINDS), "all, group", "ties of each kind cut "
     "by ostracism (per group: the cutter's; mechanisms)", "the step's rewiring", "ties",
     "no"),
    (tuple(f"ties_{k}" for k in _TIE_KINDS), "all, group", "surviving ties of each kind "
     "(per group: each end counted for its group; mechanisms)", _AFTER, "ties", "no"),
)

_TABLE_COLUMNS = ("measure", "groups", "definition", "measured", "unit", "weighted")


def history_table():
    """The definition of every measure of the citizen game's history, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``measure`` (the history's ``measure``), ``groups`` (``"all"``: a row with
        group ``"all"``; ``"group"``: one row per group; ``"all, group"``: both),
        ``definition``, ``measured`` (when in the step), ``unit`` and ``weighted``
        (``"yes"`` where tie weights enter). Rendered in ``docs/history.md`` and in
        :class:`scorelab.dynamics.SimulationResult`'s docstring.

    Notes
    -----
    Every row at step ``s >= 1`` is measured at the end of step ``s``: after its acts,
    self-censorship, scoring, gates, rewiring and drift. "The step's acts" are the acts
    drawn in that step (before its rewiring); counts of the rewiring are of that step
    alone. Step 0 is the starting state, before any step: nobody is scored yet, no act
    is drawn (the act measures are NaN) and no tie is cut.

    Examples
    --------
    >>> table = history_table()
    >>> table.set_index("measure").loc["mean_degree", "weighted"]
    'no'
    """
    rows = [(name, groups, definition, measured, unit, weighted)
            for names, groups, definition, measured, unit, weighted in _DEFINITIONS
            for name in names]
    return pd.DataFrame(rows, columns=list(_TABLE_COLUMNS))


def _definition_rows():
    """The definitions as table rows: every measure name, then its other cells."""
    return [(", ".join(f"``{name}``" for name in names), groups, definition, measured, unit,
             weighted)
            for names, groups, definition, measured, unit, weighted in _DEFINITIONS]


def history_table_markdown():
    """:func:`history_table` as the Markdown table of ``docs/history.md`` (names grouped
    as they are defined; ``tests/test_history.py`` checks the page holds it)."""
    def cell(text):
        return text.replace("``", "`").replace("|", "\\|")
    header = ["measure", "groups", "definition", "measured at", "unit", "weighted"]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in _definition_rows()]
    return "\n".join(lines) + "\n"


def _history_table_rst(indent="    "):
    """:func:`history_table` as a reStructuredText list table (for docstrings)."""
    lines = [".. list-table::", "   :header-rows: 1", "",
             "   * - measure", "     - groups", "     - definition", "     - measured at",
             "     - unit", "     - weighted"]
    for row in _definition_rows():
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(indent + line if line else "" for line in lines)


def game_measures(measures=None):
    """The measures to record in the citizen game, checked.

    Parameters
    ----------
    measures : None, sequence or mapping
        None: :data:`GAME_MEASURES`. A sequence of :class:`Measure` or of the keys of
        default measures (``"gini_displayed"``; a per-group measure as
        ``"access_credit[group]"``, a key that chooses a measure and names no column); or a
        mapping of measure name to ``function(state)`` returning a number (Mesa's
        ``model_reporters``).

    Returns
    -------
    tuple of Measure

    Raises
    ------
    TypeError
        ``measures`` is not one of the above, or a function is not callable.
    ValueError
        An unknown key, a name that is not a non-empty string without brackets, the name
        ``"step"``, or two measures with the same key.

    Examples
    --------
    >>> [m.key for m in game_measures(["gini_wealth", "access_credit[group]"])]
    ['gini_wealth', 'access_credit[group]']
    >>> [m.name for m in game_measures({"rich": lambda state: (state.wealth > 2).mean()})]
    ['rich']
    """
    if measures is None:
        return GAME_MEASURES
    if isinstance(measures, Mapping):
        measures = [Measure(name, function) for name, function in measures.items()]
    if isinstance(measures, (str, bytes)) or not isinstance(measures, Sequence):
        raise TypeError(f"measures must be a sequence of Measure or measure names, or a "
                        f"mapping of names to functions, got {measures!r}")
    known = {m.key: m for m in GAME_MEASURES + MECHANISM_MEASURES}
    chosen = []
    for item in measures:
        if isinstance(item, str):
            if item not in known:
                raise ValueError(f"measures names {item!r}, which is not a game measure; "
                                 f"known: {sorted(known)}")
            item = known[item]
        if not isinstance(item, Measure):
            raise TypeError(f"measures must hold Measure objects or measure names, got {item!r}")
        if (not isinstance(item.name, str) or not item.name or item.name == "step"
                or any(c in item.name for c in "[]")):
            raise ValueError(f"a measure's name must be a non-empty string other than "
                             f"'step', without brackets, got {item.name!r}")
        if not callable(item.function):
            raise TypeError(f"measure {item.name!r} has a function that is not callable: "
                            f"{item.function!r}")
        chosen.append(item)
    keys = [m.key for m in chosen]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"measures repeats {repeated}")
    return tuple(chosen)


# --------------------------------------------------------------------------------------
# The history's shape: long and tidy, with a wide view
# --------------------------------------------------------------------------------------

ALL = "all"
"""The ``group`` of a whole-population value in the game's long history."""

HISTORY_COLUMNS = ("step", "measure", "group", "value")
"""The columns of the citizen game's history (:attr:`SimulationResult.history`)."""


def wide_name(measure, group):
    """The wide view's column of ``measure`` for ``group``: ``measure`` for the whole
    population (group ``"all"``), else ``<measure>_<group>``.

    Examples
    --------
    >>> wide_name("access_credit", "all"), wide_name("access_credit", "minority")
    ('access_credit', 'access_credit_minority')
    """
    return measure if group == ALL else f"{measure}_{group}"


def history_layout(measures, group_labels):
    """The ``(measure, group)`` pairs a step of the history holds, in row order.

    The measures recorded for everyone, in the given order, then the per-group measures
    group by group (the wide view's column order).

    Parameters
    ----------
    measures : tuple of Measure
        Checked by :func:`game_measures`.
    group_labels : sequence
        The society's groups; each becomes the string ``str(label)``.

    Returns
    -------
    list of tuple of str

    Raises
    ------
    ValueError
        A group label that is empty or ``"all"`` (the whole population's group), two
        labels with the same string, or two history values whose wide columns would share
        a name (e.g. the measure ``ties`` of a group ``"cut"`` and the measure
        ``ties_cut``); the message names them.
    """
    labels = [str(label) for label in group_labels]
    if ALL in labels or "" in labels or any(c in label for label in labels for c in "[]"):
        raise ValueError(f"group labels must be non-empty, without brackets and other than "
                         f"{ALL!r} (the history's group of the whole population), got "
                         f"{labels}; rename the group in society.citizens['group']")
    if len(set(labels)) != len(labels):
        raise ValueError(f"group labels must differ as strings, got {labels}")
    layout = [(m.name, ALL) for m in measures if not m.by_group]
    layout += [(m.name, label) for label in labels for m in measures if m.by_group]
    names = [wide_name(measure, group) for measure, group in layout]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"the history's wide columns {clashes} would each name two values "
                         f"(a measure and a group joined by '_' read as another measure); "
                         f"rename the group or the measure")
    return layout


def measure_values(state, measures=GAME_MEASURES):
    """One measured step of the citizen game: the values of :func:`history_layout`.

    Parameters
    ----------
    state : GameState
    measures : tuple of Measure, default :data:`GAME_MEASURES`
        Checked by :func:`game_measures`.

    Returns
    -------
    list of float
        In the order of ``history_layout(measures, state.group_labels)``; the measures of
        the step's acts are NaN when ``state.acted`` is False (step 0).
    """
    n_groups = len(state.group_labels)
    overall, by_group = [], []
    for measure in measures:
        if measure.acts and not state.acted:
            value = [np.nan] * n_groups if measure.by_group else np.nan
        else:
            value = measure.function(state)
        (by_group if measure.by_group else overall).append(value)
    values = [float(v) for v in overall]
    for k in range(n_groups):
        values += [float(v[k]) for v in by_group]
    return values


def measure_game(state, measures=GAME_MEASURES):
    """One step of the citizen game as a wide row: ``{"step": ..., column: value, ...}``.

    The columns are those of the wide view (:func:`wide_history`): ``step``, then the
    measures recorded once for everyone, in the given order, then the per-group
    measures group by group (``<name>_<group>``).

    Parameters
    ----------
    state, measures
        As in :func:`measure_values`.

    Returns
    -------
    dict
    """
    layout = history_layout(measures, state.group_labels)
    row = {"step": state.step}
    row.update(zip((wide_name(m, g) for m, g in layout), measure_values(state, measures)))
    return row


def long_history(steps, values, layout):
    """The long, tidy history from the values collected at each measured step.

    Parameters
    ----------
    steps : sequence of int
        The measured steps.
    values : sequence of sequence of float
        One list of values per step, in ``layout`` order (:func:`measure_values`).
    layout : list of tuple of str
        :func:`history_layout`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HISTORY_COLUMNS`: ``step`` (int64), ``measure`` and ``group``
        (str; group ``"all"`` for the whole population) and ``value`` (float64), one row
        per step and value, ordered by step and then as ``layout``.

    Examples
    --------
    >>> long_history([0, 1], [[1.0, 2.0], [3.0, 4.0]], [("ties", "all"), ("ties", "a")])
       step measure group  value
    0     0    ties   all    1.0
    1     0    ties     a    2.0
    2     1    ties   all    3.0
    3     1    ties     a    4.0
    """
    n_steps, width = len(steps), len(layout)
    array = np.asarray(values, dtype=np.float64).reshape(n_steps, width)
    measures = np.array([m for m, _ in layout], dtype=object)
    groups = np.array([g for _, g in layout], dtype=object)
    return pd.DataFrame({
        "step": np.repeat(np.asarray(steps, dtype=np.int64), width),
        "measure": pd.array(np.tile(measures, n_steps), dtype="str"),
        "group": pd.array(np.tile(groups, n_steps), dtype="str"),
        "value": array.ravel(),
    })


def wide_history(history):
    """The wide view of a long game history: one row per step, one column per value.

    Parameters
    ----------
    history : pandas.DataFrame
        Columns ``step``, ``measure``, ``group`` and ``value`` (:data:`HISTORY_COLUMNS`),
        e.g. :attr:`scorelab.dynamics.SimulationResult.history`, or any subset of its rows.

    Returns
    -------
    pandas.DataFrame
        Column ``step``, then one column per ``(measure, group)`` in the order they first
        appear: ``measure`` for group ``"all"``, ``<measure>_<group>`` otherwise
        (:func:`wide_name`). Steps in increasing order, index 0..n-1.

    Raises
    ------
    ValueError
        ``history`` lacks a column of :data:`HISTORY_COLUMNS`, or holds a step's
        ``(measure, group)`` twice.

    Examples
    --------
    >>> long = long_history([0, 1], [[1.0, 2.0], [3.0, 4.0]],
    ...                     [("ties", "all"), ("ties", "a")])
    >>> wide_history(long)
       step  ties  ties_a
    0     0   1.0     2.0
    1     1   3.0     4.0
    """
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"history must have the columns {list(HISTORY_COLUMNS)}, lacks "
                         f"{missing} (a wide history needs no wide_history)")
    measure = history["measure"].astype(str).to_numpy(dtype=object)
    group = history["group"].astype(str).to_numpy(dtype=object)
    names = np.where(group == ALL, measure, measure + "_" + group)
    order = pd.unique(names)
    framed = pd.DataFrame({"step": history["step"].to_numpy(), "column": names,
                           "value": history["value"].to_numpy()})
    if framed.duplicated(["step", "column"]).any():
        twice = framed.loc[framed.duplicated(["step", "column"]), ["step", "column"]]
        raise ValueError(f"history holds values twice: {twice.head(3).to_dict('records')}")
    wide = framed.pivot(index="step", columns="column", values="value")
    wide = wide.reindex(columns=order).sort_index()
    wide.columns = pd.Index(list(order), dtype=object, name=None)
    return wide.reset_index()

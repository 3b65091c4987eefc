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
:func:`summarise`              all of the above as one row for a society's state
=============================  ==============================================================

Bad input (NaN, mismatched lengths, empty data, out-of-range values) raises ``ValueError``
or ``TypeError`` naming the parameter; quantities that are undefined for valid input (the
correlation of constant scores, the modularity of a graph without ties, a group without
members) are NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from scorelab._graph import align_to_nodes, as_weight_matrix
from scorelab._validation import (
    check_finite_array,
    check_integer,
    check_real,
    plain,
    shown,
)
from scorelab._numeric import dot
from scorelab.scoring import ActRecord

__all__ = [
    "Fragmentation",
    "behaviour_diversity",
    "expression_gap",
    "fragmentation",
    "gate_access_rates",
    "gini",
    "group_modularity",
    "isolation_rate",
    "score_assortativity",
    "summarise",
]


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _values(name, values):
    """Finite float64 values and their index (None for plain arrays); never empty."""
    if isinstance(values, Mapping):
        values = pd.Series(dict(values))
    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be numeric values, one per citizen, got {shown(values)}")
    array = check_finite_array(name, values.to_numpy() if index is not None else values)
    if array.size == 0:
        raise ValueError(f"{name} is empty: it has no citizens")
    return array, index


def _group_codes(groups, n, index=None, name="groups"):
    """Integer group codes (one per citizen) and the group labels they stand for.

    A Series is aligned on ``index`` (the citizens) when one is given; anything else is
    taken in citizen order. Categorical groups keep all their categories, in order (an
    empty category gives NaN); other labels are sorted.
    """
    if isinstance(groups, Mapping):
        groups = pd.Series(dict(groups))
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
        raise TypeError(f"{name} must hold one group label per citizen, got {shown(groups)}")
    if isinstance(groups, pd.Series) and index is not None:
        missing = index.difference(groups.index)
        if len(missing):
            raise ValueError(
                f"{name} is missing labels for {len(missing)} of {n} citizens, "
                f"e.g. {plain(missing[:5])}"
            )
        groups = groups.reindex(index)
    series = groups if isinstance(groups, pd.Series) else pd.Series(
        groups if isinstance(groups, pd.Categorical) else np.asarray(groups, dtype=object)
    )
    if series.ndim != 1 or len(series) != n:
        raise ValueError(f"{name} must have one label per citizen ({n}), got {len(series)}")
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        labels = pd.Index(series.cat.categories)
    else:
        try:
            codes, labels = pd.factorize(series, sort=True)
        except TypeError:  # labels of mixed types cannot be sorted
            codes, labels = pd.factorize(series)
        codes = codes.astype(np.int64)
        labels = pd.Index(labels)
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"{name} has missing labels, first at position {first}")
    return codes, labels.rename("group")


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
    s = align_to_nodes(scores, wm.nodes, name="scores")
    if s.ndim != 1:
        raise ValueError(f"scores must be one value per citizen, got shape {s.shape}")
    return wm, s


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
        codes, labels = _group_codes(groups, len(x), index)
        return _by_group(_gini, codes, labels, "gini", x)
    return _gini(x)


def _gini(x):
    total = x.sum()
    if total == 0:
        return 0.0
    n = len(x)
    rank_weight = 2.0 * np.arange(1, n + 1) - n - 1
    return float(max(0.0, dot(rank_weight, np.sort(x)) / (n * total)))


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
    z = s - dot(rows, s) / total
    covariance = dot(z, matrix @ z) / total
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
    low, isolated = _low_and_isolated(_tie_pattern(wm.matrix), s, quantile, min_degree)
    if groups is not None:
        codes, labels = _group_codes(groups, wm.n, wm.nodes)
        return _by_group(_share_of_low_isolated, codes, labels, "isolation_rate", low, isolated)
    return _share_of_low_isolated(low, isolated)


def _low_and_isolated(pattern, s, quantile, min_degree):
    low = s <= np.quantile(s, quantile, method="lower")
    return low, np.diff(pattern.indptr) < min_degree


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
    codes, labels = _group_codes(groups, wm.n, wm.nodes)
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
        codes, labels = _group_codes(groups, len(profiles), index)
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
        binned = _bin(rates, bins)
        levels = bins
    if binned.ndim == 1:
        return binned, index
    # one integer per profile: the bins read as digits in base `levels`
    return binned @ (levels ** np.arange(binned.shape[1], dtype=np.int64)), index


def _bin(rates, bins):
    return np.minimum((rates * bins).astype(np.int64), bins - 1)


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
        codes, labels = _group_codes(groups, len(p), index)
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
    codes, labels = _group_codes(groups, len(s), index)
    counts = np.zeros((len(labels), len(gates)))
    np.add.at(counts, codes, passes)
    members = np.bincount(codes, minlength=len(labels))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(members > 0, counts / members, np.nan)
    return pd.DataFrame(rates, index=labels, columns=gates)


# --------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------


def summarise(
    G,
    scores,
    *,
    groups=None,
    thresholds=None,
    quantile=0.1,
    min_degree=1,
    behaviour=None,
    private=None,
    expressed=None,
):
    """All metrics of one society state as one row, for a simulation's tidy record.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        The ties at this state.
    scores : pandas.Series, mapping or array_like
        One (displayed) score per citizen, keyed by node or in node order; non-negative
        (the Gini coefficient needs it).
    groups : array_like or pandas.Series, optional
        One group label per citizen; defaults to the society's groups when ``G`` is a
        Society. Adds group modularity and per-group values.
    thresholds : mapping, optional
        Gate name to threshold (see :func:`gate_access_rates`).
    quantile, min_degree
        Passed to :func:`isolation_rate`.
    behaviour : optional
        Approval rates or an ActRecord for :func:`behaviour_diversity`.
    private, expressed : optional
        Disapproved-act rates or ActRecords for :func:`expression_gap` (both or neither).

    Returns
    -------
    pandas.Series
        Named ``"summary"``, float values, keys: ``n_citizens``, ``n_ties``,
        ``mean_score``, ``gini``, ``score_assortativity``, ``n_components``,
        ``largest_component_share``, ``isolated_share``, ``isolation_rate``, then if
        available ``group_modularity``, ``behaviour_diversity``, ``expression_gap``,
        ``access_rate[<gate>]``, and per group ``mean_score[<group>]``, ``gini[<group>]``,
        ``isolation_rate[<group>]``, ``access_rate[<gate>][<group>]``,
        ``expression_gap[<group>]``.

    Raises
    ------
    TypeError, ValueError
        As the metrics it calls; ``private`` without ``expressed`` or the reverse.

    See Also
    --------
    gini, score_assortativity, fragmentation, isolation_rate, group_modularity,
    behaviour_diversity, expression_gap, gate_access_rates

    Examples
    --------
    >>> import networkx as nx
    >>> row = summarise(nx.path_graph(4), [400, 600, 700, 900], groups=["a", "a", "b", "b"],
    ...                 thresholds={"credit": 650})
    >>> row[["n_ties", "n_components", "access_rate[credit]"]].tolist()
    [3.0, 1.0, 0.5]
    >>> round(float(row["gini"]), 4)  # (-3 * 400 - 600 + 700 + 3 * 900) / (4 * 2600)
    0.1538
    >>> row[["mean_score[a]", "access_rate[credit][b]"]].tolist()
    [500.0, 1.0]
    """
    if (private is None) != (expressed is None):
        raise TypeError("private and expressed must be given together (or neither)")
    quantile = check_real("quantile", quantile, minimum=0.0, maximum=1.0, open_min=True)
    min_degree = check_integer("min_degree", min_degree, minimum=1)
    groups = _society_groups(G, groups)
    wm, s = _scores_on(G, scores)  # converted once; every metric reads this matrix
    pattern = _tie_pattern(wm.matrix)
    parts = _fragmentation(pattern)
    low, isolated = _low_and_isolated(pattern, s, quantile, min_degree)
    row = {
        "n_citizens": wm.n,
        "n_ties": _tie_total(wm),
        "mean_score": s.mean(),
        "gini": gini(s),
        "score_assortativity": _assortativity(wm.matrix, s),
        "n_components": parts.n_components,
        "largest_component_share": parts.largest_share,
        "isolated_share": parts.isolated_share,
        "isolation_rate": _share_of_low_isolated(low, isolated),
    }
    if groups is not None:
        codes, labels = _group_codes(groups, wm.n, wm.nodes)
        row["group_modularity"] = _modularity(wm.matrix, codes, len(labels))
    if behaviour is not None:
        row["behaviour_diversity"] = behaviour_diversity(behaviour)
    if private is not None:
        row["expression_gap"] = expression_gap(private, expressed)
    if thresholds is not None:
        for gate, rate in gate_access_rates(s, thresholds).items():
            row[f"access_rate[{gate}]"] = rate
    if groups is None:
        return pd.Series(row, name="summary", dtype=float)

    by_citizen = pd.Series(pd.Categorical.from_codes(codes, categories=labels), index=wm.nodes)
    members = np.bincount(codes, minlength=len(labels))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(codes, weights=s, minlength=len(labels)) / members
    per_group = {
        "mean_score": pd.Series(means, index=labels),
        "gini": gini(s, groups=by_citizen.to_numpy()),
        "isolation_rate": _by_group(_share_of_low_isolated, codes, labels, "", low, isolated),
    }
    if private is not None:
        per_group["expression_gap"] = expression_gap(private, expressed, groups=by_citizen)
    for name, values in per_group.items():
        for label, value in values.items():
            row[f"{name}[{label}]"] = value
    if thresholds is not None:
        table = gate_access_rates(s, thresholds, groups=by_citizen.to_numpy())
        for gate in table.columns:
            for label, value in table[gate].items():
                row[f"access_rate[{gate}][{label}]"] = value
    return pd.Series(row, name="summary", dtype=float)


def _tie_total(wm):
    """Number of ties: undirected ties once, directed ones once per direction."""
    matrix = wm.matrix
    symmetric = wm.symmetric
    if symmetric is None:
        symmetric = (abs(matrix - matrix.T) > 0).nnz == 0
    if not symmetric:
        return int(np.count_nonzero(matrix.data))
    loops = int(np.count_nonzero(matrix.diagonal()))
    return (int(np.count_nonzero(matrix.data)) - loops) // 2 + loops

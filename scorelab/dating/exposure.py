"""Who is seen: position-bias attention and the exposure of citizens and groups.

A *ranking* is an array of citizen ids, best first; a *set of rankings* is a 2-D array
(searchers x slate positions) or a list of rankings. Position rank j (1-based) gets the
attention ``v_j`` of a position-bias model (:func:`position_weights`);
:func:`citizen_exposure`, :func:`group_exposure` and :func:`exposure_disparity` measure who
is seen, and :func:`dating_exposure` compares groups when every searcher sees one ranking
by score.

References
----------
.. [SJ18] A. Singh and T. Joachims (2018), "Fairness of exposure in rankings", Proc. 24th
   ACM SIGKDD, 2219-2228. https://doi.org/10.1145/3219819.3220088
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scorelab._graph import align_to_nodes, group_codes
from scorelab._validation import check_finite_array, check_integer, check_probability

__all__ = [
    "POSITION_BIAS_MODELS",
    "citizen_exposure",
    "dating_exposure",
    "exposure_disparity",
    "group_exposure",
    "position_weights",
]

POSITION_BIAS_MODELS = ("log", "reciprocal", "cascade", "uniform")
"""Names of the position-bias models of :func:`position_weights`."""

def _check_position_bias(position_bias):
    if position_bias not in POSITION_BIAS_MODELS:
        raise ValueError(
            f"position_bias must be one of {POSITION_BIAS_MODELS}, got {position_bias!r}"
        )
    return position_bias

def position_weights(n_positions, position_bias="log", *, patience=0.8):
    """Attention ``v_j`` that slate position ``j = 1..n_positions`` receives.

    Parameters
    ----------
    n_positions : int
        Number of positions (>= 0).
    position_bias : {"log", "reciprocal", "cascade", "uniform"}, default "log"
        The examination model (see Notes).
    patience : float, default 0.8
        Probability in [0, 1] that a cascade searcher goes on to the next position.

    Returns
    -------
    numpy.ndarray
        ``v_1..v_n``, float64, non-increasing, ``v_1 = 1``.

    Raises
    ------
    TypeError, ValueError
        Unknown model, negative ``n_positions`` or ``patience`` outside [0, 1].

    Notes
    -----
    * ``"log"``: ``v_j = 1 / log2(1 + j)``, the discount of discounted cumulative gain
      (DCG) [JK02]_, also used by Singh & Joachims (2018) for exposure.
    * ``"reciprocal"``: ``v_j = 1 / j`` (the examination function of Su et al. 2022).
    * ``"cascade"``: ``v_j = patience^(j - 1)``: a searcher examines position 1 and
      goes on after each position with probability ``patience`` ([CZTR08]_); ``v_j`` is
      the probability of reaching position j. The markets simulate the cascade itself
      (one stopping depth per searcher); the other models examine each position
      independently with probability ``v_j``.
    * ``"uniform"``: ``v_j = 1``, no position bias (every position is examined).

    References
    ----------
    .. [JK02] K. Järvelin and J. Kekäläinen (2002), "Cumulated gain-based evaluation of IR
       techniques", ACM Transactions on Information Systems 20(4):422-446.
       https://doi.org/10.1145/582415.582418
    .. [CZTR08] N. Craswell, O. Zoeter, M. Taylor and B. Ramsey (2008), "An experimental
       comparison of click position-bias models", Proc. WSDM '08, 87-94.
       https://doi.org/10.1145/1341531.1341545

    Examples
    --------
    >>> position_weights(3).round(4).tolist()
    [1.0, 0.6309, 0.5]
    >>> position_weights(3, "cascade", patience=0.5).tolist()
    [1.0, 0.5, 0.25]
    """
    n_positions = check_integer("n_positions", n_positions, minimum=0)
    _check_position_bias(position_bias)
    patience = check_probability("patience", patience)
    j = np.arange(1, n_positions + 1, dtype=np.float64)
    if position_bias == "log":
        return 1.0 / np.log2(1.0 + j)
    if position_bias == "reciprocal":
        return 1.0 / j
    if position_bias == "cascade":
        return patience ** (j - 1.0)
    return np.ones(n_positions)

def _as_ids_index(ids, name):
    if isinstance(ids, (pd.Series, pd.DataFrame)):
        ids = ids.index
    index = pd.Index(ids)
    if len(index) == 0:
        raise ValueError(f"{name} is empty: there are no citizens to expose")
    if not index.is_unique:
        raise ValueError(f"{name} must hold each citizen id once")
    return index

def _ranking_entries(ranking, index, name="ranking"):
    """Flatten one ranking or a set of rankings into (row, position, code) arrays.

    ``code`` is each id's position in ``index``. Raises on unknown or repeated ids.
    """
    if isinstance(ranking, (pd.Series, pd.Index)):
        rows = [ranking.to_numpy()]
    elif isinstance(ranking, pd.DataFrame):
        rows = list(ranking.to_numpy())
    elif isinstance(ranking, np.ndarray):
        if ranking.ndim == 1:
            rows = [ranking]
        elif ranking.ndim == 2:
            rows = ranking
        else:
            raise ValueError(
                f"{name} must be one ranking (1-D) or a set of rankings (2-D or a list), "
                f"got an array of shape {ranking.shape}"
            )
    elif isinstance(ranking, (list, tuple)):
        nested = len(ranking) > 0 and all(
            isinstance(row, (list, tuple, np.ndarray, pd.Series)) for row in ranking
        )
        rows = [np.asarray(row) for row in ranking] if nested else [np.asarray(ranking)]
    else:
        raise TypeError(
            f"{name} must be an array, Series or list of citizen ids, got "
            f"{type(ranking).__name__}"
        )
    if isinstance(rows, np.ndarray):  # a 2-D array: no ragged rows to concatenate
        n_rows, width = rows.shape
        values = rows.ravel()
        row = np.repeat(np.arange(n_rows), width)
        position = np.tile(np.arange(width), n_rows)
    else:
        for i, r in enumerate(rows):
            if np.ndim(r) != 1:
                raise ValueError(f"{name}[{i}] must be a 1-D ranking, got shape {np.shape(r)}")
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        n_rows = len(rows)
        values = np.concatenate(rows) if n_rows else np.empty(0)
        row = np.repeat(np.arange(n_rows), lengths)
        position = np.arange(len(values)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    if values.size == 0:
        raise ValueError(f"{name} is empty: it ranks no citizen")
    codes = _codes_in(values, index)
    unknown = codes < 0
    if unknown.any():
        shown = pd.unique(values[unknown])[:5].tolist()
        raise ValueError(
            f"{name} holds {int(unknown.sum())} unknown citizen id(s), e.g. {shown}; "
            f"every id must be one of the {len(index)} citizens given"
        )
    keys = row.astype(np.int64) * len(index) + codes
    order = np.argsort(keys, kind="stable")
    repeated = np.flatnonzero(keys[order][1:] == keys[order][:-1])
    if repeated.size:
        first = order[repeated[0] + 1]
        citizen = values[first:first + 1].tolist()[0]
        raise ValueError(
            f"{name} lists citizen {citizen!r} more than once in ranking {int(row[first])} "
            f"({repeated.size} duplicate(s)); a ranking shows each profile at most once"
        )
    return row, position, codes, n_rows

def _codes_in(values, index):
    """Position of each value in ``index`` (-1 if absent); fast for a 0..n-1 RangeIndex."""
    if (
        isinstance(index, pd.RangeIndex)
        and index.step == 1
        and np.issubdtype(np.asarray(values).dtype, np.integer)
    ):
        codes = np.asarray(values, dtype=np.int64) - index.start
        codes[(codes < 0) | (codes >= len(index))] = -1
        return codes
    return index.get_indexer(values)

def _exposure_array(ranking, index, position_bias, patience, name="ranking"):
    """Mean attention per citizen (in ``index`` order) over the rankings."""
    _check_position_bias(position_bias)
    row, position, codes, n_rows = _ranking_entries(ranking, index, name)
    weights = position_weights(int(position.max()) + 1, position_bias, patience=patience)
    return np.bincount(codes, weights=weights[position], minlength=len(index)) / n_rows

def citizen_exposure(ranking, ids, *, position_bias="log", patience=0.8):
    """Each citizen's mean attention over one ranking or a set of rankings.

    Parameters
    ----------
    ranking : array-like
        One ranking (1-D: citizen ids, best first) or a set of rankings (2-D array,
        searchers x positions, or a list of 1-D rankings of any lengths). No ranking may
        list an id twice.
    ids : array-like, pandas.Index, Series or DataFrame
        All citizens to report on (a Series/DataFrame gives its index); citizens in no
        ranking get exposure 0.
    position_bias : {"log", "reciprocal", "cascade", "uniform"}, default "log"
        Attention per position, see :func:`position_weights`.
    patience : float, default 0.8
        Continuation probability of the cascade model.

    Returns
    -------
    pandas.Series
        Named ``"exposure"``, indexed by ``ids``:
        ``Exposure(d) = (1 / R) sum_r v(rank_r(d))`` over the R rankings.

    Raises
    ------
    TypeError, ValueError
        Empty ranking or ids, an unknown id, an id listed twice in one ranking, an
        unknown position-bias model.

    See Also
    --------
    group_exposure, position_weights

    Notes
    -----
    The exposure of Singh & Joachims (2018) [SJ18]_; averaged over the searchers' slates
    it is the amortised exposure of a stochastic ranking policy.

    Examples
    --------
    >>> citizen_exposure([2, 0], [0, 1, 2], position_bias="reciprocal").tolist()
    [0.5, 0.0, 1.0]
    >>> citizen_exposure([[2, 0], [0, 1]], [0, 1, 2], position_bias="reciprocal").tolist()
    [0.75, 0.25, 0.5]
    """
    index = _as_ids_index(ids, "ids")
    exposure = _exposure_array(ranking, index, position_bias, patience)
    return pd.Series(exposure, index=index, name="exposure")

def _check_groups(groups, name="groups"):
    if not isinstance(groups, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series of group labels indexed by citizen id, got "
            f"{type(groups).__name__}"
        )
    _as_ids_index(groups.index, f"{name}.index")
    if groups.isna().any():
        first = groups.index[groups.isna().to_numpy()][0]
        raise ValueError(f"{name} has missing group labels, first for citizen {first!r}")
    return groups

def group_exposure(ranking, groups, *, position_bias="log", patience=0.8):
    """Each group's mean exposure in one ranking or a set of rankings.

    Parameters
    ----------
    ranking : array-like
        One ranking (1-D, ids best first) or a set (2-D array or list of rankings).
    groups : pandas.Series
        Group label of every citizen, indexed by citizen id (e.g. ``citizens["group"]``
        or score deciles). Members absent from every ranking count with exposure 0.
    position_bias : {"log", "reciprocal", "cascade", "uniform"}, default "log"
        Attention per position, see :func:`position_weights`.
    patience : float, default 0.8
        Continuation probability of the cascade model.

    Returns
    -------
    pandas.Series
        Named ``"exposure"``, indexed by group (categories in order for a Categorical,
        NaN for a category without members, sorted labels otherwise).

    Raises
    ------
    TypeError, ValueError
        As :func:`citizen_exposure`; ``groups`` not a Series or with missing labels.

    See Also
    --------
    citizen_exposure, exposure_disparity

    Notes
    -----
    ``Exposure(G) = (1 / |G|) sum_{d in G} Exposure(d)``, the group exposure of Singh &
    Joachims (2018) [SJ18]_ (eq. 2 there, averaged over rankings).

    Examples
    --------
    Ranking ``[2, 0, 1]`` with the log model gives ids 2, 0, 1 the attention
    1, 1/log2(3) = 0.631 and 1/log2(4) = 0.5, so group a has (1 + 0.631) / 2:

    >>> import pandas as pd
    >>> groups = pd.Series(["a", "b", "a"])
    >>> group_exposure([2, 0, 1], groups).round(4).to_dict()
    {'a': 0.8155, 'b': 0.5}
    """
    groups = _check_groups(groups)
    exposure = _exposure_array(ranking, groups.index, position_bias, patience)
    return (
        pd.Series(exposure, index=groups.index)
        .groupby(groups, observed=False, sort=True)
        .mean()
        .rename("exposure")
    )

def exposure_disparity(ranking, groups, merit, *, position_bias="log", patience=0.8):
    """How unequally groups are exposed relative to their merit (1 = fair).

    Parameters
    ----------
    ranking : array-like
        One ranking or a set of rankings, as in :func:`group_exposure`.
    groups : pandas.Series
        Group label of every citizen, indexed by citizen id.
    merit : pandas.Series
        Merit (>= 0) of every citizen in ``groups``, e.g. the probability that a searcher
        likes the profile (:attr:`MarketOutcome.merit`); every group's mean merit must
        be positive.
    position_bias : {"log", "reciprocal", "cascade", "uniform"}, default "log"
        Attention per position.
    patience : float, default 0.8
        Continuation probability of the cascade model.

    Returns
    -------
    float
        ``max_G r_G / min_G r_G >= 1`` over the groups with members, where
        ``r_G = Exposure(G) / U(G)`` and ``U(G)`` is the group's mean merit; ``inf`` if a
        group with merit gets no exposure.

    Raises
    ------
    TypeError, ValueError
        As :func:`group_exposure`; merit missing for a citizen, negative, or zero on
        average in a group.

    Notes
    -----
    Singh & Joachims' disparate-exposure constraint asks for equal exposure per unit of
    merit, ``Exposure(G0) / U(G0) = Exposure(G1) / U(G1)``; for two groups this measure is
    their disparate treatment ratio (DTR, [SJ18]_ section 4.1) taken with the larger ratio
    on top; for several groups, the largest over the smallest.

    Examples
    --------
    >>> import pandas as pd
    >>> groups = pd.Series(["a", "a", "b", "b"])
    >>> merit = pd.Series([1.0, 1.0, 1.0, 1.0])
    >>> exposure_disparity([0, 1, 2, 3], groups, merit, position_bias="reciprocal")  # .75/.29
    2.5714285714285716
    >>> exposure_disparity([[0, 2, 1, 3], [3, 1, 2, 0]], groups, merit)
    1.0
    """
    groups = _check_groups(groups)
    if not isinstance(merit, pd.Series):
        raise TypeError(f"merit must be a pandas Series indexed by citizen id, got "
                        f"{type(merit).__name__}")
    missing = groups.index.difference(merit.index)
    if len(missing):
        raise ValueError(
            f"merit has no value for {len(missing)} citizen(s) in groups, e.g. "
            f"{missing[:5].tolist()}"
        )
    values = check_finite_array("merit", merit.reindex(groups.index).to_numpy())
    if (values < 0).any():
        raise ValueError(f"merit must be >= 0, got {values.min()!r}")
    exposure = _exposure_array(ranking, groups.index, position_bias, patience)
    frame = pd.DataFrame({"exposure": exposure, "merit": values}, index=groups.index)
    means = frame.groupby(groups, observed=True, sort=True).mean()
    if (means["merit"] <= 0).any():
        raise ValueError(
            "every group needs a positive mean merit to compare exposure with; got "
            f"{means['merit'].to_dict()}"
        )
    ratio = (means["exposure"] / means["merit"]).to_numpy()
    if ratio.min() == 0:
        return math.inf
    return float(ratio.max() / ratio.min())

def dating_exposure(scores, groups, *, reference=None, position_bias="log", patience=0.8):
    """Each group's exposure when a dating site shows the profiles of high scorers first.

    Every citizen is ranked by score, highest first (ties in citizen order), and each
    group's mean attention in that ranking is read with :func:`group_exposure`, then
    compared with the reference group.

    Parameters
    ----------
    scores : array_like or pandas.Series
        The scores the site ranks by (e.g. displayed scores).
    groups : pandas.Series or array_like
        One group label per citizen.
    reference : group label, optional
        Default the largest group.
    position_bias : {"log", "reciprocal", "cascade", "uniform"}, default "log"
        Attention per position, see :func:`position_weights`.
    patience : float, default 0.8
        Continuation probability of the cascade model.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``exposure`` (mean attention of the group's members),
        ``exposure_gap`` (reference minus group) and ``exposure_ratio`` (group over
        reference; below 1: the group is seen less).

    Raises
    ------
    TypeError, ValueError
        Scores not numeric, not finite or not one per citizen; missing group labels,
        fewer than two groups or a group without members; an unknown reference or
        position-bias model.

    See Also
    --------
    group_exposure : the same for any ranking or set of slates, e.g. those of
        :func:`scorelab.dating.draw_slates`.
    exposure_disparity : exposure relative to merit.

    Notes
    -----
    ``Exposure(G) = (1 / |G|) sum_{d in G} v(rank(d))``, the group exposure of Singh &
    Joachims (2018) [SJ18]_ for the one ranking every searcher sees. Checked in
    ``tests/test_dating.py`` against hand-worked rankings of four and five citizens.

    Examples
    --------
    Ranked by score the citizens come in the order 0, 2, 3, 1; with the log model the
    positions get 1, 1/log2(3), 1/log2(4) and 1/log2(5):

    >>> dating_exposure([800, 500, 700, 600], ["a", "b", "a", "b"]).round(4).to_dict("index")["b"]
    {'exposure': 0.4653, 'exposure_gap': 0.3501, 'exposure_ratio': 0.5706}
    """
    if isinstance(scores, (str, bytes)) or scores is None or not hasattr(scores, "__len__"):
        raise TypeError(f"scores must hold one value per citizen, got {scores!r}")
    n = len(scores)
    if n == 0:
        raise ValueError("no citizens: the values are empty")
    if groups is None:
        raise ValueError("groups is missing: give one group label per citizen")
    index = next((values.index for values in (scores, groups) if isinstance(values, pd.Series)),
                 None)
    codes, labels = group_codes(groups, n, index)
    sizes = np.bincount(codes, minlength=len(labels))
    if len(labels) < 2:
        raise ValueError(f"groups must name at least two groups to compare, got only "
                         f"{list(labels)}")
    if (sizes == 0).any():
        empty = [labels[k] for k in np.flatnonzero(sizes == 0)]
        raise ValueError(f"group(s) {empty} have no members; drop unused categories "
                         f"(e.g. groups.cat.remove_unused_categories())")
    if reference is None:
        ref = int(np.argmax(sizes))
    elif reference in labels:
        ref = int(labels.get_loc(reference))
    else:
        raise ValueError(f"reference must be one of the groups {list(labels)}, got {reference!r}")
    ids = pd.RangeIndex(n) if index is None else index
    s = align_to_nodes(scores, ids, name="scores")
    labelled = pd.Series(pd.Categorical.from_codes(codes, labels), index=ids)
    ranking = ids.to_numpy()[np.argsort(-s, kind="stable")]
    exposure = group_exposure(ranking, labelled, position_bias=position_bias,
                              patience=patience).to_numpy()
    top = exposure[ref]
    return pd.DataFrame({"exposure": exposure, "exposure_gap": top - exposure,
                         "exposure_ratio": exposure / top if top > 0 else np.nan},
                        index=labels)

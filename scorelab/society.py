"""Societies: citizens, their attributes and the ties between them.

A :class:`Society` is two tidy tables: ``citizens`` (one row per citizen, id ``0..n-1``,
with a demographic ``group``, a latent ``disposition``, a ``responsiveness`` to score
incentives and a ``wealth``) and ``ties`` (one row per undirected tie with its ``kind`` —
family, friend, neighbour or colleague — and its ``weight``).

The generators build societies of 10^6 citizens and ~10^7 ties in a few seconds with
vectorised NumPy: every edge list is deduplicated through sorted ``int64`` pair keys
``u * n + v`` and a difference mask (``np.unique`` on 10^7 keys takes ~25 s with the NumPy
this project runs on, a sort and a mask ~0.3 s; see the performance notes,
``docs/performance.md``). NetworkX stays at the API boundary (:func:`to_networkx`,
:func:`from_networkx`).

========================  ================================================================
:func:`homophilous_sbm`   groups in blocks, tunable homophily (stochastic block model)
:func:`barabasi_albert`   preferential attachment, heavy-tailed degrees
:func:`watts_strogatz`    ring lattice with rewiring, clustered and slow-mixing
:func:`erdos_renyi`       G(n, p) random graph
:func:`triadic_closure`   random graph plus triangle-closing ties, highly clustered
========================  ================================================================
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd

from scorelab._graph import first_of_runs as _first_of_runs
from scorelab._graph import in_sorted as _in_sorted
from scorelab._graph import symmetric_csr as _symmetric_csr
from scorelab._validation import (
    check_finite_array,
    check_integer,
    check_probability,
    check_real,
    check_rng,
    plain,
    check_unit_interval_array,
)

__all__ = [
    "DEFAULT_KIND_SHARES",
    "GroupProfile",
    "Society",
    "TIE_KINDS",
    "TieKind",
    "barabasi_albert",
    "draw_citizens",
    "erdos_renyi",
    "from_edges",
    "from_networkx",
    "homophilous_sbm",
    "to_networkx",
    "triadic_closure",
    "watts_strogatz",
]


@dataclasses.dataclass(frozen=True)
class TieKind:
    """The association weight of a kind of tie and how costly it is to cut.

    Parameters
    ----------
    weight : float
        Default tie weight (> 0) in the association matrix.
    cut_cost : float
        Cost in [0, 1] of cutting such a tie (ostracism cuts weak ties more readily than
        family ties).

    Examples
    --------
    >>> TIE_KINDS["family"]
    TieKind(weight=3.0, cut_cost=0.9)
    """

    weight: float
    cut_cost: float

    def __post_init__(self):
        check_real("weight", self.weight, minimum=0.0, open_min=True)
        check_probability("cut_cost", self.cut_cost)


#: The tie kinds, in the order of the ``kind`` categories of every ties table.
TIE_KINDS: dict[str, TieKind] = {
    "family": TieKind(weight=3.0, cut_cost=0.9),
    "friend": TieKind(weight=2.0, cut_cost=0.5),
    "neighbour": TieKind(weight=1.0, cut_cost=0.3),
    "colleague": TieKind(weight=1.0, cut_cost=0.2),
}

#: Share of each tie kind among the ties the generators draw.
DEFAULT_KIND_SHARES: dict[str, float] = {
    "family": 0.1,
    "friend": 0.4,
    "neighbour": 0.25,
    "colleague": 0.25,
}

_DEFAULT_KIND = "friend"
_KIND_DTYPE = pd.CategoricalDtype(list(TIE_KINDS))
_KIND_WEIGHTS = np.array([kind.weight for kind in TIE_KINDS.values()])
_CITIZEN_COLUMNS = ("group", "disposition", "responsiveness", "wealth")
_TIE_COLUMNS = ("source", "target", "kind", "weight")
# Citizen ids are stored as int32 (half the memory of int64 at 10^7 ties).
_MAX_CITIZENS = int(np.iinfo(np.int32).max)
# Rounds of vectorised redraws before a Watts-Strogatz rewiring is given up (only a
# nearly complete graph gets there: each round fails with probability ~ density).
_MAX_REDRAW_ROUNDS = 64
# Triangle-closing ties are added in this many rounds, so that ties closed early can be
# closed on later (as in the sequential model) while each round stays one vectorised pass.
_CLOSURE_ROUNDS = 3
# Lower bound on the expected share of new ties among introductions, which caps how many
# introductions a round draws.
_MIN_ACCEPTANCE = 0.25
# Consecutive rounds adding no tie after which triadic closure stops: no open wedge left.
_MAX_STALLED_ROUNDS = 8


# --------------------------------------------------------------------------- citizens


@dataclasses.dataclass(frozen=True)
class GroupProfile:
    """How a group's citizen attributes are distributed.

    ``disposition ~ Beta(mean * c, (1 - mean) * c)`` with concentration ``c`` (a mean of 0
    or 1 gives that value to everyone), likewise ``responsiveness``, and
    ``wealth ~ LogNormal(log(wealth_median), wealth_sigma)``.

    Parameters
    ----------
    disposition_mean : float
        Mean disposition in [0, 1].
    disposition_concentration : float
        Beta concentration (> 0); larger means less spread.
    responsiveness_mean : float
        Mean responsiveness in [0, 1].
    responsiveness_concentration : float
        Beta concentration (> 0).
    wealth_median : float
        Median wealth (> 0).
    wealth_sigma : float
        Standard deviation (>= 0) of log wealth.

    Examples
    --------
    >>> GroupProfile(disposition_mean=0.4).wealth_median
    1.0
    """

    disposition_mean: float = 0.6
    disposition_concentration: float = 8.0
    responsiveness_mean: float = 0.5
    responsiveness_concentration: float = 8.0
    wealth_median: float = 1.0
    wealth_sigma: float = 0.5

    def __post_init__(self):
        self.validate()

    def validate(self):
        """Raise ``TypeError``/``ValueError`` naming any parameter out of its range."""
        check_probability("disposition_mean", self.disposition_mean)
        check_real("disposition_concentration", self.disposition_concentration,
                   minimum=0.0, open_min=True)
        check_probability("responsiveness_mean", self.responsiveness_mean)
        check_real("responsiveness_concentration", self.responsiveness_concentration,
                   minimum=0.0, open_min=True)
        check_real("wealth_median", self.wealth_median, minimum=0.0, open_min=True)
        check_real("wealth_sigma", self.wealth_sigma, minimum=0.0)


def draw_citizens(groups, *, profiles=None, rng=None):
    """Draw each citizen's attributes from the profile of their group.

    Parameters
    ----------
    groups : array-like
        One group label per citizen. A ``pandas.Categorical`` (or categorical Series) keeps
        its categories; other labels become a Categorical with sorted categories.
    profiles : mapping of group label to GroupProfile, optional
        Groups not in the mapping use ``GroupProfile()``.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness, normalised with ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``citizen`` (0..n-1), with columns ``group`` (Categorical),
        ``disposition``, ``responsiveness`` and ``wealth``.

    Raises
    ------
    TypeError
        A profile is not a GroupProfile.
    ValueError
        ``groups`` is not one-dimensional or has missing labels; ``profiles`` names a group
        no citizen belongs to.

    Notes
    -----
    Groups are drawn one after another in category order, each with one vectorised draw
    per attribute, so the same seed gives the same table.

    Examples
    --------
    >>> citizens = draw_citizens(["a", "b", "a"], profiles={"b": GroupProfile(wealth_median=2.0)},
    ...                          rng=0)
    >>> citizens.columns.tolist()
    ['group', 'disposition', 'responsiveness', 'wealth']
    >>> citizens["group"].tolist()
    ['a', 'b', 'a']
    """
    rng = np.random.default_rng(check_rng(rng))
    if isinstance(groups, pd.Series) and isinstance(groups.dtype, pd.CategoricalDtype):
        groups = groups.array
    if not isinstance(groups, pd.Categorical):
        labels = np.asarray(groups, dtype=object)
        if labels.ndim != 1:
            raise ValueError(f"groups must be one-dimensional, got shape {labels.shape}")
        groups = pd.Categorical(labels)
    codes = groups.codes
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"groups has missing labels, first for citizen {first}")
    profiles = _check_profiles(profiles, groups.categories)

    n = len(groups)
    columns = {name: np.empty(n) for name in _CITIZEN_COLUMNS[1:]}
    default = GroupProfile()
    for code, label in enumerate(groups.categories):
        members = codes == code
        size = int(members.sum())
        if size == 0:
            continue
        profile = profiles.get(label, default)
        columns["disposition"][members] = _beta(
            rng, profile.disposition_mean, profile.disposition_concentration, size
        )
        columns["responsiveness"][members] = _beta(
            rng, profile.responsiveness_mean, profile.responsiveness_concentration, size
        )
        columns["wealth"][members] = rng.lognormal(
            math.log(profile.wealth_median), profile.wealth_sigma, size
        )
    return pd.DataFrame({"group": groups, **columns}, index=pd.RangeIndex(n, name="citizen"))


def _check_profiles(profiles, categories):
    if profiles is None:
        return {}
    if not isinstance(profiles, Mapping):
        raise TypeError(
            f"profiles must be a mapping of group label to GroupProfile, "
            f"got {type(profiles).__name__}"
        )
    for label, profile in profiles.items():
        if not isinstance(profile, GroupProfile):
            raise TypeError(
                f"profiles[{label!r}] must be a GroupProfile, got {type(profile).__name__}"
            )
    unknown = [label for label in profiles if label not in categories]
    if unknown:
        raise ValueError(
            f"profiles names group(s) {unknown} that are not among the groups "
            f"{list(categories)}"
        )
    return profiles


def _beta(rng, mean, concentration, size):
    # Beta needs positive shape parameters; at mean 0 or 1 it degenerates to a point mass.
    if mean in (0.0, 1.0):
        return np.full(size, mean)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


# --------------------------------------------------------------------------- society


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Society:
    """Citizens and the undirected ties between them.

    Parameters
    ----------
    citizens : pandas.DataFrame
        Index ``RangeIndex(n)`` named ``citizen``; columns at least ``group``
        (Categorical, no missing values), ``disposition`` and ``responsiveness`` (in
        [0, 1]) and ``wealth`` (> 0). Further columns are kept.
    ties : pandas.DataFrame
        One row per tie, default ``RangeIndex``, sorted by ``(source, target)``; columns
        ``source`` and ``target`` (int32 citizen ids, ``source < target``, no repeated
        pair), ``kind`` (Categorical with categories ``list(TIE_KINDS)``) and ``weight``
        (float64, > 0). Further columns are kept.
    validate : bool, default True
        Check both tables (about 0.2 s at 10^7 ties). Pass False only for tables built by
        scorelab itself.

    Raises
    ------
    TypeError
        A table or column has the wrong type.
    ValueError
        Index, values or tie structure break the rules above.

    See Also
    --------
    from_edges : build the ties table from any edge list.
    from_networkx, to_networkx : convert at the NetworkX boundary.

    Notes
    -----
    The dataclass is frozen but the tables are ordinary (mutable) DataFrames: scorelab
    functions never modify them, they return new societies instead.

    Examples
    --------
    >>> citizens = draw_citizens(["majority"] * 3 + ["minority"], rng=1)
    >>> society = from_edges(citizens, [0, 1, 3], [1, 2, 0], kind="family")
    >>> society
    Society(n_citizens=4, n_ties=3, groups={'majority': 3, 'minority': 1})
    >>> society.ties[["source", "target"]].to_numpy().tolist()
    [[0, 1], [0, 3], [1, 2]]
    >>> society.degree().tolist()
    [2, 2, 1, 1]
    """

    citizens: pd.DataFrame
    ties: pd.DataFrame
    validate: dataclasses.InitVar[bool] = True

    def __post_init__(self, validate):
        if validate:
            n = _check_citizens(self.citizens)
            _check_ties(self.ties, n)

    def __repr__(self):
        counts = self.groups.value_counts(sort=False)
        return (
            f"Society(n_citizens={self.n_citizens}, n_ties={self.n_ties}, "
            f"groups={dict(zip(counts.index.tolist(), counts.tolist()))})"
        )

    @property
    def n_citizens(self):
        """Number of citizens."""
        return len(self.citizens)

    @property
    def n_ties(self):
        """Number of (undirected) ties."""
        return len(self.ties)

    @property
    def groups(self):
        """Each citizen's group (the ``group`` column)."""
        return self.citizens["group"]

    def adjacency(self, weight="weight"):
        """Return the symmetric ``n x n`` tie matrix in CSR form.

        Parameters
        ----------
        weight : str or None, default "weight"
            Numeric ties column giving each tie's entry; None gives 1.0 per tie.

        Returns
        -------
        scipy.sparse.csr_array
            float64, entries ``(u, v)`` and ``(v, u)`` for every tie, sorted indices.

        Examples
        --------
        >>> society = from_edges(draw_citizens(["a"] * 3, rng=0), [0, 1], [1, 2])
        >>> society.adjacency(weight=None).toarray().tolist()
        [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
        """
        if weight is None:
            values = np.ones(self.n_ties)
        else:
            values = check_finite_array(f"ties[{weight!r}]", self._tie_column(weight))
        source = self.ties["source"].to_numpy()
        target = self.ties["target"].to_numpy()
        return _symmetric_csr(self.n_citizens, source, target, values)

    def degree(self, weight=None):
        """Return each citizen's number of ties (or summed tie weight).

        Parameters
        ----------
        weight : str or None, default None
            Numeric ties column to sum; None counts ties.

        Returns
        -------
        pandas.Series
            Indexed by citizen, named ``degree``.

        Examples
        --------
        >>> society = from_edges(draw_citizens(["a"] * 3, rng=0), [0, 1], [1, 2])
        >>> society.degree().tolist()
        [1, 2, 1]
        >>> society.degree(weight="weight").tolist()
        [2.0, 4.0, 2.0]
        """
        values = None if weight is None else self._tie_column(weight)
        n = self.n_citizens
        degree = np.bincount(self.ties["source"], weights=values, minlength=n) + np.bincount(
            self.ties["target"], weights=values, minlength=n
        )
        return pd.Series(degree, index=self.citizens.index, name="degree")

    def with_tie_weights(self, weights):
        """Return a society whose ties of the given kinds carry new weights.

        This is the tie-kind variant of association: e.g. ``{"family": 5.0}`` makes a
        relative's score count five times as much as a neighbour's (weight 1).

        Parameters
        ----------
        weights : mapping of str to float
            Tie kind to its new weight (> 0). Kinds not in the mapping keep their weights.

        Returns
        -------
        Society
            Same citizens (the same table) and ties, with a new ``weight`` column.

        Raises
        ------
        TypeError
            ``weights`` is not a mapping or a weight is not a real number.
        ValueError
            Unknown kind or a weight <= 0.

        Examples
        --------
        >>> society = from_edges(draw_citizens(["a"] * 3, rng=0), [0, 1], [1, 2],
        ...                      kind=["family", "colleague"])
        >>> society.with_tie_weights({"family": 10.0}).ties["weight"].tolist()
        [10.0, 1.0]
        """
        if not isinstance(weights, Mapping):
            raise TypeError(
                f"weights must be a mapping of tie kind to weight, got {type(weights).__name__}"
            )
        table = np.full(len(TIE_KINDS), np.nan)
        for kind, value in weights.items():
            table[_kind_code(kind, "weights")] = check_real(
                f"weights[{kind!r}]", value, minimum=0.0, open_min=True
            )
        new = table[self.ties["kind"].cat.codes.to_numpy()]
        unchanged = np.isnan(new)
        new[unchanged] = self.ties["weight"].to_numpy()[unchanged]
        # Only the (checked) weights differ from a valid society: no need to re-validate.
        return Society(self.citizens, self.ties.assign(weight=new), validate=False)

    def _tie_column(self, name):
        if name not in self.ties.columns:
            raise ValueError(
                f"weight must be None or a ties column, got {name!r}; columns are "
                f"{self.ties.columns.tolist()}"
            )
        return self.ties[name].to_numpy()


def _check_citizens(citizens):
    """Validate a citizens table and return its number of citizens."""
    if not isinstance(citizens, pd.DataFrame):
        raise TypeError(f"citizens must be a pandas DataFrame, got {type(citizens).__name__}")
    n = len(citizens)
    index = citizens.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        raise ValueError(f"citizens must have index RangeIndex({n}), got {plain(index[:5])}...")
    if index.name != "citizen":
        raise ValueError(f"citizens' index must be named 'citizen', got {index.name!r}")
    missing = [column for column in _CITIZEN_COLUMNS if column not in citizens.columns]
    if missing:
        raise ValueError(
            f"citizens lacks column(s) {missing}; it has {citizens.columns.tolist()}"
        )
    if n > _MAX_CITIZENS:
        raise ValueError(f"a society holds at most {_MAX_CITIZENS} citizens, got {n}")
    group = citizens["group"]
    if not isinstance(group.dtype, pd.CategoricalDtype):
        raise TypeError(f"citizens['group'] must be Categorical, got dtype {group.dtype}")
    if (group.cat.codes.to_numpy() < 0).any():
        first = int(np.flatnonzero(group.cat.codes.to_numpy() < 0)[0])
        raise ValueError(f"citizens['group'] has missing values, first for citizen {first}")
    for column in ("disposition", "responsiveness"):
        check_unit_interval_array(f"citizens[{column!r}]", citizens[column].to_numpy())
    wealth = check_finite_array("citizens['wealth']", citizens["wealth"].to_numpy())
    if (wealth <= 0).any():
        first = int(np.flatnonzero(wealth <= 0)[0])
        raise ValueError(
            f"citizens['wealth'] must be > 0, got {wealth[first]} for citizen {first}"
        )
    return n


def _check_ties(ties, n):
    if not isinstance(ties, pd.DataFrame):
        raise TypeError(f"ties must be a pandas DataFrame, got {type(ties).__name__}")
    missing = [column for column in _TIE_COLUMNS if column not in ties.columns]
    if missing:
        raise ValueError(f"ties lacks column(s) {missing}; it has {ties.columns.tolist()}")
    m = len(ties)
    index = ties.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        raise ValueError(
            f"ties must have the default index RangeIndex({m}), got {plain(index[:5])}...")
    for column in ("source", "target"):
        if ties[column].dtype != np.int32:
            raise TypeError(f"ties[{column!r}] must have dtype int32, got {ties[column].dtype}")
    kind = ties["kind"]
    if not isinstance(kind.dtype, pd.CategoricalDtype) or list(kind.cat.categories) != list(
        TIE_KINDS
    ):
        raise TypeError(
            f"ties['kind'] must be Categorical with categories {list(TIE_KINDS)}, "
            f"got dtype {kind.dtype!r}"
        )
    if (kind.cat.codes.to_numpy() < 0).any():
        first = int(np.flatnonzero(kind.cat.codes.to_numpy() < 0)[0])
        raise ValueError(f"ties['kind'] has missing values, first at row {first}")
    if ties["weight"].dtype != np.float64:
        raise TypeError(f"ties['weight'] must have dtype float64, got {ties['weight'].dtype}")
    weight = check_finite_array("ties['weight']", ties["weight"].to_numpy())
    if (weight <= 0).any():
        first = int(np.flatnonzero(weight <= 0)[0])
        raise ValueError(f"ties['weight'] must be > 0, got {weight[first]} at row {first}")
    if m == 0:
        return
    source = ties["source"].to_numpy()
    target = ties["target"].to_numpy()
    for name, ids in (("source", source), ("target", target)):
        outside = (ids < 0) | (ids >= n)
        if outside.any():
            first = int(np.flatnonzero(outside)[0])
            raise ValueError(
                f"ties[{name!r}] must hold citizen ids in 0..{n - 1}, got {ids[first]} at row "
                f"{first}"
            )
    reversed_ = source >= target
    if reversed_.any():
        first = int(np.flatnonzero(reversed_)[0])
        raise ValueError(
            f"ties must have source < target (no self-loops); {int(reversed_.sum())} row(s) "
            f"break it, first at row {first}: ({source[first]}, {target[first]})"
        )
    # Strictly increasing pair keys mean sorted and free of repeated pairs in one O(m) pass.
    keys = source.astype(np.int64) * n + target
    step = np.diff(keys)
    if (step <= 0).any():
        repeated = int((np.diff(np.sort(keys)) == 0).sum())
        if repeated:
            raise ValueError(f"ties must not repeat a pair of citizens; {repeated} repeat(s)")
        first = int(np.flatnonzero(step <= 0)[0]) + 1
        raise ValueError(f"ties must be sorted by (source, target); row {first} is out of order")


# --------------------------------------------------------------------------- edge lists


def from_edges(citizens, source, target, *, kind=None, weight=None, rng=None):
    """Build a society from citizens and an edge list.

    Each edge becomes an undirected tie ``(min, max)``; self-loops are dropped and a pair
    listed more than once keeps its first listing (with that listing's kind and weight).

    Parameters
    ----------
    citizens : pandas.DataFrame
        The citizens table (see :class:`Society`), e.g. from :func:`draw_citizens`.
    source, target : array-like of int
        Citizen ids of each edge's ends.
    kind : None, str, array-like of str or mapping of str to float, optional
        None makes every tie a "friend"; a kind name gives every tie that kind; an array
        gives one kind per edge; a mapping of kind to probability (summing to 1) draws each
        tie's kind at random with ``rng``.
    weight : None, float or array-like of float, optional
        Tie weights (> 0); None gives each tie its kind's weight from :data:`TIE_KINDS`.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Used only to draw kinds from a mapping.

    Returns
    -------
    Society

    Raises
    ------
    TypeError
        Ids are not integers, weights not numeric.
    ValueError
        Ids outside ``0..n-1``, lengths differ, unknown kinds, bad shares, weights <= 0.

    Examples
    --------
    >>> citizens = draw_citizens(["a"] * 4, rng=0)
    >>> society = from_edges(citizens, [2, 1, 0, 3], [1, 2, 0, 0], kind=["family", "friend",
    ...                      "friend", "neighbour"])
    >>> society.ties[["source", "target", "kind", "weight"]].values.tolist()
    [[0, 3, 'neighbour', 1.0], [1, 2, 'family', 3.0]]
    """
    n = _check_citizens(citizens)
    source = _check_ids("source", source, n)
    target = _check_ids("target", target, n)
    if len(source) != len(target):
        raise ValueError(
            f"source and target must have the same length, got {len(source)} and {len(target)}"
        )
    m = len(source)
    kind_codes, shares = _check_kind(kind, m)
    weight = _check_weight(weight, m)

    keys = _pair_keys(n, source, target)
    per_edge = isinstance(kind_codes, np.ndarray) or isinstance(weight, np.ndarray)
    if per_edge:
        # A stable order keeps the first listing of a repeated pair; argsort is ~8x slower
        # than sort here, so it is paid only when edges carry their own kind or weight.
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
    else:
        keys.sort()
    keep = _first_of_runs(keys)
    # A self-loop's key is u * n + u = u (n + 1), and no other pair's key is a multiple of
    # n + 1 (u * n + v = u (n + 1) + (v - u) with 0 < v - u < n + 1).
    keep &= keys % (n + 1) != 0
    keys = keys[keep]
    kept = order[keep] if per_edge else None
    # Through int32 one column at a time: at 10^7 ties the int64 pair would add 160 MB.
    source = (keys // n).astype(np.int32)
    target = (keys % n).astype(np.int32)
    n_ties = len(keys)
    del keys

    if shares is not None:
        kind_codes = np.random.default_rng(check_rng(rng)).choice(len(TIE_KINDS), size=n_ties,
                                                                  p=shares)
    elif isinstance(kind_codes, np.ndarray):
        kind_codes = kind_codes[kept]
    else:
        kind_codes = np.full(n_ties, kind_codes)
    if weight is None:
        weight = _KIND_WEIGHTS[kind_codes]
    elif isinstance(weight, np.ndarray):
        weight = weight[kept]
    else:
        weight = np.full(n_ties, weight)
    ties = pd.DataFrame(
        {
            "source": source,
            "target": target,
            "kind": pd.Categorical.from_codes(kind_codes.astype(np.int8), dtype=_KIND_DTYPE),
            "weight": weight,
        }
    )
    # The citizens were checked above and the ties are valid by construction (distinct
    # sorted keys, source < target, checked kinds and weights): skip the second check.
    return Society(citizens, ties, validate=False)


def _check_ids(name, values, n):
    ids = np.asarray(values)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {ids.shape}")
    if ids.size == 0:
        return np.empty(0, dtype=np.int64)
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"{name} must hold integer citizen ids, got dtype {ids.dtype}")
    outside = (ids < 0) | (ids >= n)
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{name} must hold citizen ids in 0..{n - 1}, got {ids[first]} at position {first}"
        )
    return ids.astype(np.int64, copy=False)


def _kind_code(kind, name):
    if kind not in TIE_KINDS:
        raise ValueError(f"{name}: unknown tie kind {kind!r}; kinds are {list(TIE_KINDS)}")
    return list(TIE_KINDS).index(kind)


def _check_kind(kind, m):
    """Return (codes, shares): one code for all ties, a code per edge, or the shares to draw."""
    if kind is None:
        kind = _DEFAULT_KIND
    if isinstance(kind, str):
        return _kind_code(kind, "kind"), None
    if isinstance(kind, Mapping):
        return None, _check_kind_shares(kind)
    labels = np.asarray(kind, dtype=object)
    if labels.ndim != 1 or len(labels) != m:
        raise ValueError(f"kind must have one label per edge ({m}), got shape {labels.shape}")
    codes = _KIND_DTYPE.categories.get_indexer(labels)
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"kind: unknown tie kind {plain(labels[first])!r} at position {first}; "
            f"kinds are {list(TIE_KINDS)}"
        )
    return codes, None


def _check_kind_shares(kind_shares):
    if kind_shares is None:
        kind_shares = DEFAULT_KIND_SHARES
    if not isinstance(kind_shares, Mapping):
        raise TypeError(
            f"kind_shares must be a mapping of tie kind to probability, "
            f"got {type(kind_shares).__name__}"
        )
    shares = np.zeros(len(TIE_KINDS))
    for kind, share in kind_shares.items():
        shares[_kind_code(kind, "kind_shares")] = check_probability(f"kind_shares[{kind!r}]", share)
    if not math.isclose(shares.sum(), 1.0, abs_tol=1e-9):
        raise ValueError(f"kind_shares must sum to 1, got {dict(kind_shares)} (sum {shares.sum()})")
    return shares / shares.sum()


def _check_weight(weight, m):
    if weight is None:
        return None
    if isinstance(weight, numbers.Real) and not isinstance(weight, bool):
        return check_real("weight", weight, minimum=0.0, open_min=True)
    values = check_finite_array("weight", weight)
    if len(values) != m:
        raise ValueError(f"weight must have one value per edge ({m}), got {len(values)}")
    if (values <= 0).any():
        first = int(np.flatnonzero(values <= 0)[0])
        raise ValueError(f"weight must be > 0, got {values[first]} at position {first}")
    return values


def _pair_keys(n, u, v):
    """Key ``min * n + max`` (int64) of each undirected pair: equal pairs, equal keys."""
    keys = np.minimum(u, v).astype(np.int64)
    keys *= n  # in place: at 10^7 pairs each temporary is another 80 MB
    keys += np.maximum(u, v)
    return keys


def _new_keys(candidates, existing):
    """Sorted distinct candidate keys that are not in the sorted array ``existing``."""
    ordered = np.sort(candidates)
    ordered = ordered[_first_of_runs(ordered)]
    return ordered[~_in_sorted(ordered, existing)]


def _sorted_sample(keys, size, rng):
    """At most ``size`` of the sorted ``keys``, chosen uniformly at random, still sorted."""
    if len(keys) <= size:
        return keys
    return keys[np.sort(rng.choice(len(keys), size=size, replace=False))]


def _merge_sorted(ordered, new_ordered):
    """Merge two sorted arrays in O(total) (a fresh sort would cost O(total log total))."""
    if not ordered.size:
        return new_ordered
    return np.insert(ordered, np.searchsorted(ordered, new_ordered), new_ordered)


def _random_pair_keys(n, size, rng):
    """Keys of ``size`` uniformly random pairs of distinct citizens (repeats possible)."""
    u = rng.integers(n, size=size)
    v = rng.integers(n - 1, size=size)
    v += v >= u  # skip u itself: every pair of distinct citizens stays equally likely
    return _pair_keys(n, u, v)


# --------------------------------------------------------------------------- generators


def _check_groups(n, group_shares, group_names):
    """Validate group shares and names; return each group's size (summing to ``n``)."""
    shares = check_finite_array("group_shares", group_shares)
    if shares.size == 0:
        raise ValueError("group_shares must name at least one group, got an empty sequence")
    if (shares < 0).any():
        raise ValueError(f"group_shares must be >= 0, got {shares.tolist()}")
    if not math.isclose(shares.sum(), 1.0, abs_tol=1e-9):
        raise ValueError(f"group_shares must sum to 1, got {shares.tolist()} (sum {shares.sum()})")
    if isinstance(group_names, str):
        raise TypeError(f"group_names must be a sequence of labels, got the string {group_names!r}")
    names = list(group_names)
    if len(names) != len(shares):
        raise ValueError(
            f"group_names must have one name per share ({len(shares)}), got {names}"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"group_names must be distinct, got {names}")
    exact = n * shares / shares.sum()
    sizes = np.floor(exact).astype(np.int64)
    # The largest remainders get the citizens that rounding down left over, so that the
    # sizes are the rounded shares and still sum to n.
    sizes[np.argsort(sizes - exact, kind="stable")[: n - sizes.sum()]] += 1
    return sizes, names


def _check_generator(n, group_shares, group_names, kind_shares, *, minimum=1):
    """Validate the options every generator shares; return n, group sizes and names."""
    n = check_integer("n", n, minimum=minimum, maximum=_MAX_CITIZENS)
    sizes, names = _check_groups(n, group_shares, group_names)
    _check_kind_shares(kind_shares)
    return n, sizes, names


def _random_groups(sizes, names, rng):
    # Exact group sizes at random positions: node ids carry structure in BA (age) and
    # Watts-Strogatz (ring position), which groups must not inherit.
    codes = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    return pd.Categorical.from_codes(codes, categories=names)


def _kinds(kind_shares):
    return DEFAULT_KIND_SHARES if kind_shares is None else kind_shares


def homophilous_sbm(
    n,
    *,
    group_shares=(0.8, 0.2),
    group_names=("majority", "minority"),
    mean_degree=10.0,
    homophily=0.5,
    kind_shares=None,
    profiles=None,
    rng=None,
):
    """Generate a society of groups whose ties prefer their own group.

    A stochastic block model ([HLL83]_) parametrised by homophily ([MSC01]_): citizens
    fill the groups in contiguous blocks of ids, and each citizen of group ``a`` sends a
    share ``h + (1 - h) n_a / n`` of its expected ``k`` ties to its own group and
    ``(1 - h) n_b / n`` to each other group ``b``.

    Parameters
    ----------
    n : int
        Number of citizens (>= 1).
    group_shares : sequence of float, default (0.8, 0.2)
        Share of each group (>= 0, summing to 1). Group sizes are ``round(n * share)``,
        adjusted by largest remainder to sum to ``n``.
    group_names : sequence of hashable, default ("majority", "minority")
        Distinct group labels, one per share; the ``group`` categories in this order.
    mean_degree : float, default 10.0
        Expected mean number of ties ``k`` per citizen, in [0, n - 1].
    homophily : float, default 0.5
        ``h`` in [0, 1]: 0 mixes at random, 1 segregates the groups completely.
    kind_shares : mapping of str to float, optional
        Probability of each tie kind (default :data:`DEFAULT_KIND_SHARES`).
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions per group, see :func:`draw_citizens`.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    Society

    Raises
    ------
    TypeError, ValueError
        A parameter is of the wrong type or out of range; the message names it.

    See Also
    --------
    erdos_renyi : the case ``homophily=0``.

    Notes
    -----
    The expected number of ties between groups ``a != b`` is
    ``n_a n_b k (1 - h) / n`` and within group ``a`` it is
    ``n_a k (h + (1 - h) n_a / n) / 2``; in all ``n k / 2``. The share of ties within
    groups is ``h + (1 - h) sum_a (n_a / n)^2``.

    Where the vectorised construction deviates from the textbook model: instead of one
    Bernoulli draw per pair of citizens, each block pair draws a Poisson number of ties
    with the expectation above and picks both ends uniformly in the blocks (the Poisson
    multigraph of [KN11]_). Ties drawn twice are kept once, which lowers the count by a
    share of about (expected ties / possible pairs) of the block — below 0.1 % for sparse
    societies, but noticeable when a small group is asked for nearly all its pairs. A
    group of one citizen has no ties within it.

    References
    ----------
    .. [HLL83] P. W. Holland, K. B. Laskey and S. Leinhardt (1983), "Stochastic
       blockmodels: first steps", Social Networks 5(2):109-137.
       https://doi.org/10.1016/0378-8733(83)90021-7
    .. [KN11] B. Karrer and M. E. J. Newman (2011), "Stochastic blockmodels and community
       structure in networks", Physical Review E 83:016107.
       https://doi.org/10.1103/PhysRevE.83.016107
    .. [MSC01] M. McPherson, L. Smith-Lovin and J. M. Cook (2001), "Birds of a feather:
       homophily in social networks", Annual Review of Sociology 27:415-444.
       https://doi.org/10.1146/annurev.soc.27.1.415

    Examples
    --------
    >>> society = homophilous_sbm(1000, homophily=0.8, rng=42)
    >>> society.groups.value_counts().to_dict()
    {'majority': 800, 'minority': 200}
    >>> source, target = society.ties["source"], society.ties["target"]
    >>> within = (society.groups.to_numpy()[source] == society.groups.to_numpy()[target]).mean()
    >>> bool(abs(within - (0.8 + 0.2 * (0.8**2 + 0.2**2))) < 0.03)
    True
    """
    n, sizes, names = _check_generator(n, group_shares, group_names, kind_shares)
    mean_degree = check_real("mean_degree", mean_degree, minimum=0.0, maximum=n - 1)
    homophily = check_probability("homophily", homophily)
    rng = np.random.default_rng(check_rng(rng))

    groups = pd.Categorical.from_codes(np.repeat(np.arange(len(sizes)), sizes), categories=names)
    citizens = draw_citizens(groups, profiles=profiles, rng=rng)
    source, target = _sbm_edges(sizes, mean_degree, homophily, rng)
    return from_edges(citizens, source, target, kind=_kinds(kind_shares), rng=rng)


def _sbm_edges(sizes, mean_degree, homophily, rng):
    n = sizes.sum()
    offsets = np.cumsum(sizes) - sizes
    expected = np.triu(np.outer(sizes, sizes) * mean_degree * (1.0 - homophily) / n, 1)
    within = sizes * mean_degree * (homophily + (1.0 - homophily) * sizes / n) / 2.0
    np.fill_diagonal(expected, np.where(sizes >= 2, within, 0.0))
    counts = rng.poisson(expected)
    sources, targets = [], []
    for a, b in zip(*np.nonzero(counts)):
        count = counts[a, b]
        u = rng.integers(sizes[a], size=count)
        if a == b:
            v = rng.integers(sizes[a] - 1, size=count)
            v += v >= u  # the other end is another member of the block: no self-loops
        else:
            v = rng.integers(sizes[b], size=count)
        sources.append(offsets[a] + u)
        targets.append(offsets[b] + v)
    if not sources:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(sources), np.concatenate(targets)


def barabasi_albert(
    n,
    m,
    *,
    group_shares=(0.8, 0.2),
    group_names=("majority", "minority"),
    kind_shares=None,
    profiles=None,
    rng=None,
):
    """Generate a society by preferential attachment (Barabási–Albert).

    Citizens arrive one by one and each forms ``m`` ties to earlier citizens chosen with
    probability proportional to their number of ties ([BA99]_), which gives a
    heavy-tailed degree distribution ``P(k) ~ k^-3``.

    Parameters
    ----------
    n : int
        Number of citizens (> m).
    m : int
        Ties formed by each arriving citizen (>= 1).
    group_shares, group_names
        Groups, assigned at random positions with exact sizes (see
        :func:`homophilous_sbm`); defaults (0.8, 0.2) and ("majority", "minority").
    kind_shares : mapping of str to float, optional
        Probability of each tie kind (default :data:`DEFAULT_KIND_SHARES`).
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions per group, see :func:`draw_citizens`.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    Society

    Raises
    ------
    TypeError, ValueError
        A parameter is of the wrong type or out of range; the message names it.

    Notes
    -----
    The linear-time scheme of Batagelj and Brandes ([BB05]_): the ends of all ``n m``
    edges are listed in one array ``M``; edge ``j = v m + i`` has ``M[2j] = v`` and copies
    its far end from a uniformly random earlier entry, ``M[2j + 1] = M[r_j]`` with
    ``r_j`` uniform in ``0..2j``. Picking an entry of ``M`` picks a citizen with
    probability proportional to their degree. All ``r_j`` are drawn at once; a copy of a
    copy (odd ``r_j``) is resolved by following the pointers in vectorised rounds, half of
    the unresolved ends resolving per round, so the total work stays linear.

    Where this deviates from NetworkX's ``barabasi_albert_graph``: as in the linearised
    chord diagram of [BR01]_, a new tie may land on its own citizen or repeat a pair. Such
    ties are dropped, so citizen 0 starts without ties and the mean degree falls slightly
    below ``2 m`` (by less than 1 % for ``n >= 10^4``); NetworkX instead starts from a star
    of ``m + 1`` citizens and draws ``m`` distinct targets. The degree tail is the same.

    References
    ----------
    .. [BA99] A.-L. Barabási and R. Albert (1999), "Emergence of scaling in random
       networks", Science 286(5439):509-512. https://doi.org/10.1126/science.286.5439.509
    .. [BB05] V. Batagelj and U. Brandes (2005), "Efficient generation of large random
       networks", Physical Review E 71:036113. https://doi.org/10.1103/PhysRevE.71.036113
    .. [BR01] B. Bollobás, O. Riordan, J. Spencer and G. Tusnády (2001), "The degree
       sequence of a scale-free random graph process", Random Structures & Algorithms
       18(3):279-290. https://doi.org/10.1002/rsa.1009

    Examples
    --------
    >>> society = barabasi_albert(10_000, 3, rng=7)
    >>> bool(5.9 < society.degree().mean() <= 6.0)
    True
    >>> bool(society.degree().max() > 100)
    True
    """
    n, sizes, names = _check_generator(n, group_shares, group_names, kind_shares, minimum=2)
    m = check_integer("m", m, minimum=1, maximum=n - 1)
    rng = np.random.default_rng(check_rng(rng))

    citizens = draw_citizens(_random_groups(sizes, names, rng), profiles=profiles, rng=rng)
    n_edges = n * m
    pointer = rng.integers(0, 2 * np.arange(n_edges, dtype=np.int64) + 1)
    source = np.arange(n_edges, dtype=np.int64) // m
    return from_edges(
        citizens, source, _copied_ends(pointer, m), kind=_kinds(kind_shares), rng=rng
    )


def _copied_ends(pointer, m):
    """Far end of each Batagelj-Brandes edge: ``M[pointer[j]]``, resolved in rounds.

    An even entry ``2i`` of ``M`` is the near end of edge ``i``, citizen ``i // m``; an odd
    entry ``2i + 1`` is edge ``i``'s own copied far end, so the pointer moves on to
    ``pointer[i]`` (always smaller, so the chase ends).
    """
    far = np.empty(len(pointer), dtype=np.int64)
    edge = np.arange(len(pointer))
    entry = pointer
    while edge.size:
        near = entry % 2 == 0
        far[edge[near]] = entry[near] // 2 // m
        edge = edge[~near]
        entry = pointer[entry[~near] // 2]
    return far


def watts_strogatz(
    n,
    k,
    p,
    *,
    group_shares=(0.8, 0.2),
    group_names=("majority", "minority"),
    kind_shares=None,
    profiles=None,
    rng=None,
):
    """Generate a small-world society (Watts–Strogatz).

    Citizens sit on a ring, each tied to the ``k / 2`` nearest on either side; each tie's
    far end is then rewired with probability ``p`` to a uniformly random citizen
    ([WS98]_). Small ``p`` keeps the lattice's clustering but shortens paths; the graph
    mixes slowly, a useful hard case for association solvers.

    Parameters
    ----------
    n : int
        Number of citizens (>= 1).
    k : int
        Even number of lattice neighbours, ``0 <= k < n``.
    p : float
        Rewiring probability in [0, 1].
    group_shares, group_names
        Groups, assigned at random positions with exact sizes (see
        :func:`homophilous_sbm`); defaults (0.8, 0.2) and ("majority", "minority").
    kind_shares : mapping of str to float, optional
        Probability of each tie kind (default :data:`DEFAULT_KIND_SHARES`).
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions per group, see :func:`draw_citizens`.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    Society
        With ``n k / 2`` ties; ``p = 0`` gives the ring lattice of
        ``networkx.watts_strogatz_graph(n, k, 0)``.

    Raises
    ------
    TypeError, ValueError
        A parameter is of the wrong type or out of range; the message names it.

    Notes
    -----
    Where the vectorised construction deviates from the textbook's sequential rewiring:
    all ties chosen for rewiring are rewired at once. A new end avoids the citizen itself,
    the lattice ties not rewired and the rewired ties already placed; ends that collide are
    redrawn in vectorised rounds. So a rewired tie may take a pair that a not-yet-rewired
    lattice tie would have blocked in the sequential version, a difference of order
    ``p k / n`` per tie. Only in a nearly complete society can a tie still collide after
    64 rounds; it then keeps its lattice end (and is dropped if a rewired tie holds that
    pair), where NetworkX skips the rewiring.

    References
    ----------
    .. [WS98] D. J. Watts and S. H. Strogatz (1998), "Collective dynamics of 'small-world'
       networks", Nature 393:440-442. https://doi.org/10.1038/30918

    Examples
    --------
    >>> society = watts_strogatz(12, 4, 0.0, rng=0)
    >>> society.n_ties, society.degree().unique().tolist()
    (24, [4])
    """
    n, sizes, names = _check_generator(n, group_shares, group_names, kind_shares)
    k = check_integer("k", k, minimum=0, maximum=n - 1)
    if k % 2:
        raise ValueError(f"k must be even (k / 2 neighbours on each side), got k = {k}")
    p = check_probability("p", p)
    rng = np.random.default_rng(check_rng(rng))

    citizens = draw_citizens(_random_groups(sizes, names, rng), profiles=profiles, rng=rng)
    source, target = _rewired_ring(n, k, p, rng)
    return from_edges(citizens, source, target, kind=_kinds(kind_shares), rng=rng)


def _rewired_ring(n, k, p, rng):
    half = k // 2
    source = np.repeat(np.arange(n, dtype=np.int64), half)
    target = (source + np.tile(np.arange(1, half + 1), n)) % n
    pending = np.flatnonzero(rng.random(len(source)) < p)
    kept = np.ones(len(source), dtype=bool)
    kept[pending] = False
    placed = np.empty(0, dtype=np.int64)
    for _ in range(_MAX_REDRAW_ROUNDS):
        if not pending.size:
            break
        near = source[pending]
        far = rng.integers(n - 1, size=len(pending))
        far += far >= near  # never the citizen itself
        keys = _pair_keys(n, near, far)
        ordered = np.sort(keys)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        lattice = _lattice_tie(n, half, near, far)
        taken = (lattice >= 0) & kept[np.maximum(lattice, 0)]
        # Both copies of a pair drawn twice in a round are redrawn: cheaper than choosing.
        fresh = ~(taken | _in_sorted(keys, repeated) | _in_sorted(keys, placed))
        target[pending[fresh]] = far[fresh]
        placed = _merge_sorted(placed, np.sort(keys[fresh]))
        pending = pending[~fresh]
    return source, target


def _lattice_tie(n, half, u, v):
    """Row of the ring-lattice tie {u, v} in the ring's tie list, -1 if not a lattice pair.

    Computed from the ring distance: a lookup in the sorted lattice keys would cost a
    random binary search per pair (slow at 10^7 ties, see :func:`_in_sorted`).
    """
    step = (v - u) % n  # v = u + step around the ring
    row = np.full(len(u), -1, dtype=np.int64)
    forward = (step >= 1) & (step <= half)
    row[forward] = u[forward] * half + step[forward] - 1
    # k < n keeps a pair from being within reach both ways round the ring.
    backward = (n - step >= 1) & (n - step <= half)
    row[backward] = v[backward] * half + (n - step[backward]) - 1
    return row


def erdos_renyi(
    n,
    mean_degree,
    *,
    group_shares=(0.8, 0.2),
    group_names=("majority", "minority"),
    kind_shares=None,
    profiles=None,
    rng=None,
):
    """Generate a society whose ties form at random (Erdős–Rényi ``G(n, p)``).

    Each pair of citizens is tied independently with probability
    ``p = mean_degree / (n - 1)`` ([ER59]_, [G59]_).

    Parameters
    ----------
    n : int
        Number of citizens (>= 1).
    mean_degree : float
        Expected mean number of ties per citizen, in [0, n - 1].
    group_shares, group_names
        Groups, assigned at random positions with exact sizes (see
        :func:`homophilous_sbm`); defaults (0.8, 0.2) and ("majority", "minority").
    kind_shares : mapping of str to float, optional
        Probability of each tie kind (default :data:`DEFAULT_KIND_SHARES`).
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions per group, see :func:`draw_citizens`.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    Society

    Raises
    ------
    TypeError, ValueError
        A parameter is of the wrong type or out of range; the message names it.

    Notes
    -----
    The number of ties is drawn first, ``M ~ Binomial(n (n - 1) / 2, p)``, then ``M``
    uniformly random pairs of distinct citizens; pairs drawn twice are replaced by fresh
    draws until there are ``M`` distinct ties. Given its number of ties, a ``G(n, p)``
    graph is uniform over all graphs with that many, so this is the exact ``G(n, p)``
    distribution, built in ``O(M log M)`` without visiting all pairs.

    References
    ----------
    .. [ER59] P. Erdős and A. Rényi (1959), "On random graphs I", Publicationes
       Mathematicae Debrecen 6:290-297.
    .. [G59] E. N. Gilbert (1959), "Random graphs", Annals of Mathematical Statistics
       30(4):1141-1144. https://doi.org/10.1214/aoms/1177706098

    Examples
    --------
    >>> society = erdos_renyi(10_000, 8.0, rng=3)
    >>> bool(abs(society.degree().mean() - 8.0) < 0.2)
    True
    """
    n, sizes, names = _check_generator(n, group_shares, group_names, kind_shares)
    mean_degree = check_real("mean_degree", mean_degree, minimum=0.0, maximum=n - 1)
    rng = np.random.default_rng(check_rng(rng))

    citizens = draw_citizens(_random_groups(sizes, names, rng), profiles=profiles, rng=rng)
    source, target = np.divmod(_random_graph_keys(n, mean_degree, rng), n)
    return from_edges(citizens, source, target, kind=_kinds(kind_shares), rng=rng)


def _random_graph_keys(n, mean_degree, rng):
    """Sorted pair keys of a ``G(n, p)`` graph with ``p = mean_degree / (n - 1)``."""
    pairs = n * (n - 1) // 2
    count = int(rng.binomial(pairs, mean_degree / (n - 1))) if n > 1 else 0
    keys = np.empty(0, dtype=np.int64)
    while (missing := count - len(keys)) > 0:
        # Draw enough candidates that, at the current density, about `missing` are new.
        draws = math.ceil(missing * pairs / (pairs - len(keys)))
        new = _new_keys(_random_pair_keys(n, draws, rng), keys)
        # The distinct draws are a uniformly random set of pairs, and so is a random
        # subset of them: the result stays exactly G(n, p).
        keys = _merge_sorted(keys, _sorted_sample(new, missing, rng))
    return keys


def triadic_closure(
    n,
    mean_degree,
    *,
    closure=0.5,
    group_shares=(0.8, 0.2),
    group_names=("majority", "minority"),
    kind_shares=None,
    profiles=None,
    rng=None,
):
    """Generate a clustered society: random ties plus ties between friends of friends.

    A share ``1 - closure`` of the ties forms at random (:func:`erdos_renyi`); the rest
    close triangles: a random citizen with at least two ties introduces two of their
    contacts to each other ([DEB02]_), the mechanism behind the clustering of real social
    networks ([R53]_, [HK02]_).

    Parameters
    ----------
    n : int
        Number of citizens (>= 1).
    mean_degree : float
        Mean number of ties ``k`` per citizen, in [0, n - 1].
    closure : float, default 0.5
        Share of ties formed by closing triangles, in [0, 1).
    group_shares, group_names
        Groups, assigned at random positions with exact sizes (see
        :func:`homophilous_sbm`); defaults (0.8, 0.2) and ("majority", "minority").
    kind_shares : mapping of str to float, optional
        Probability of each tie kind (default :data:`DEFAULT_KIND_SHARES`).
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions per group, see :func:`draw_citizens`.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    Society
        With about ``n k / 2`` ties: a ``G(n, p)`` graph of mean degree
        ``(1 - closure) k`` plus ``round(closure k n / 2)`` triangle-closing ties.

    Raises
    ------
    TypeError, ValueError
        A parameter is of the wrong type or out of range; the message names it.

    Notes
    -----
    Where the vectorised construction deviates from the sequential model: the closing ties
    are added in a few rounds (three, plus any needed to replace rejected candidates), each
    choosing its introductions on the society as it stood at the start of the round, so
    that ties closed early can themselves be closed on later. An introduction between two
    citizens already tied, or drawn twice in a round, is rejected and redrawn. If no open
    pair of contacts is left (a small, dense society), the society keeps fewer ties.

    References
    ----------
    .. [DEB02] J. Davidsen, H. Ebel and S. Bornholdt (2002), "Emergence of a small world
       from local interactions: modeling acquaintance networks", Physical Review Letters
       88:128701. https://doi.org/10.1103/PhysRevLett.88.128701
    .. [R53] A. Rapoport (1953), "Spread of information through a population with
       socio-structural bias: I. Assumption of transitivity", Bulletin of Mathematical
       Biophysics 15:523-533. https://doi.org/10.1007/BF02476440
    .. [HK02] P. Holme and B. J. Kim (2002), "Growing scale-free networks with tunable
       clustering", Physical Review E 65:026107. https://doi.org/10.1103/PhysRevE.65.026107

    Examples
    --------
    >>> import networkx as nx
    >>> society = triadic_closure(2000, 10.0, closure=0.5, rng=5)
    >>> bool(abs(society.degree().mean() - 10.0) < 0.3)
    True
    >>> bool(nx.transitivity(to_networkx(society)) > 0.05)
    True
    """
    n, sizes, names = _check_generator(n, group_shares, group_names, kind_shares)
    mean_degree = check_real("mean_degree", mean_degree, minimum=0.0, maximum=n - 1)
    closure = check_real("closure", closure, minimum=0.0, maximum=1.0, open_max=True)
    rng = np.random.default_rng(check_rng(rng))

    citizens = draw_citizens(_random_groups(sizes, names, rng), profiles=profiles, rng=rng)
    keys = _random_graph_keys(n, (1.0 - closure) * mean_degree, rng)
    keys = _close_triangles(n, keys, round(closure * mean_degree * n / 2), rng)
    source, target = np.divmod(keys, n)
    return from_edges(citizens, source, target, kind=_kinds(kind_shares), rng=rng)


def _close_triangles(n, keys, count, rng):
    """Add ``count`` triangle-closing ties to the sorted pair keys ``keys``."""
    remaining, rounds_left, stalled = count, _CLOSURE_ROUNDS, 0
    # Share of introductions that give a new tie; oversampling by it (with a 5 % margin)
    # lets the last planned round finish the job, as each round costs a CSR build
    # (~0.5 s at 10^7 ties).
    acceptance = 1.0
    while remaining > 0 and stalled < _MAX_STALLED_ROUNDS:
        batch = math.ceil(remaining / max(rounds_left, 1))
        rounds_left -= 1
        # int32 ids and int8 entries: the CSR build is the round's memory peak.
        source, target = (keys // n).astype(np.int32), (keys % n).astype(np.int32)
        contacts = _symmetric_csr(n, source, target, np.ones(len(keys), dtype=np.int8))
        del source, target
        start, degree = contacts.indptr[:-1], np.diff(contacts.indptr)
        introducers = np.flatnonzero(degree >= 2)
        if not introducers.size:
            break
        draws = math.ceil(1.05 * batch / acceptance) + 10
        introducer = introducers[rng.integers(len(introducers), size=draws)]
        first = rng.integers(degree[introducer])
        second = rng.integers(degree[introducer] - 1)
        second += second >= first  # two distinct contacts
        a = contacts.indices[start[introducer] + first].astype(np.int64)
        b = contacts.indices[start[introducer] + second].astype(np.int64)
        new = _new_keys(_pair_keys(n, a, b), keys)
        acceptance = max(len(new) / draws, _MIN_ACCEPTANCE)
        new = _sorted_sample(new, batch, rng)
        stalled = 0 if len(new) else stalled + 1
        keys = _merge_sorted(keys, new)
        remaining -= len(new)
    return keys


# --------------------------------------------------------------------------- NetworkX


def to_networkx(society):
    """Return the society as a ``networkx.Graph``.

    Parameters
    ----------
    society : Society

    Returns
    -------
    networkx.Graph
        Nodes are citizen ids with the citizens' columns as attributes; each tie is an
        edge with attributes ``kind`` (str) and ``weight`` (float). Further ties columns
        are not exported.

    See Also
    --------
    from_networkx : the inverse.

    Notes
    -----
    NetworkX holds about 8 times the memory of the tables and is slow to build at 10^6
    citizens (about a minute, see the performance notes, ``docs/performance.md``): use it at
    the edges of an analysis, not inside loops.

    Examples
    --------
    >>> society = from_edges(draw_citizens(["a", "b", "a"], rng=0), [0], [2], kind="family")
    >>> G = to_networkx(society)
    >>> G.nodes[1]["group"], G.edges[0, 2]
    ('b', {'kind': 'family', 'weight': 3.0})
    """
    if not isinstance(society, Society):
        raise TypeError(f"society must be a Society, got {type(society).__name__}")
    G = nx.Graph()
    G.add_nodes_from(society.citizens.to_dict(orient="index").items())
    ties = society.ties
    G.add_edges_from(
        (u, v, {"kind": kind, "weight": weight})
        for u, v, kind, weight in zip(
            ties["source"].tolist(),
            ties["target"].tolist(),
            ties["kind"].astype(str).tolist(),
            ties["weight"].tolist(),
        )
    )
    return G


def from_networkx(G, *, group="group", label="label", kind="kind", weight="weight"):
    """Return a society built from an undirected NetworkX graph.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, not a multigraph, at least one node.
    group : str, default "group"
        Node attribute holding each citizen's group; citizens without it are in group
        ``"all"``.
    label : str or None, default "label"
        Citizens column that keeps each node's original key; None drops the keys.
    kind : str, default "kind"
        Edge attribute holding the tie kind; edges without it are "friend" ties.
    weight : str, default "weight"
        Edge attribute holding the tie weight; edges without it get their kind's weight.

    Returns
    -------
    Society
        Citizens are the nodes in ``G``'s node order, renumbered ``0..n-1``; node
        attributes become columns. A missing ``disposition``, ``responsiveness`` or
        ``wealth`` is filled with the default :class:`GroupProfile`'s mean or median
        (0.6, 0.5, 1.0). Self-loops are dropped; other edge attributes are not kept.

    Raises
    ------
    TypeError
        ``G`` is not a NetworkX graph.
    ValueError
        ``G`` is directed (a society's ties are undirected), a multigraph, empty, has an
        unknown tie kind or a bad attribute value, or ``label`` is already a node attribute.

    See Also
    --------
    to_networkx : the inverse (up to the ``label`` column).

    Examples
    --------
    >>> import networkx as nx
    >>> society = from_networkx(nx.karate_club_graph(), group="club")
    >>> society
    Society(n_citizens=34, n_ties=78, groups={'Mr. Hi': 17, 'Officer': 17})
    >>> society.citizens.columns.tolist()
    ['group', 'disposition', 'responsiveness', 'wealth', 'label']
    """
    if not isinstance(G, nx.Graph):
        raise TypeError(f"G must be a networkx Graph, got {type(G).__name__}")
    if G.is_directed():
        raise ValueError(
            "G must be undirected: a society's ties are undirected; convert with "
            "G.to_undirected() if that is meant"
        )
    if G.is_multigraph():
        raise ValueError("G must not be a multigraph: a society holds one tie per pair")
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        raise ValueError("G is empty: a society needs at least one citizen")

    attributes = pd.DataFrame.from_records(
        [data for _, data in G.nodes(data=True)], index=pd.RangeIndex(n, name="citizen")
    )
    if label is not None and label in attributes.columns:
        raise ValueError(
            f"label={label!r} is already a node attribute of G; pass another column name "
            f"or label=None"
        )
    if group != "group" and "group" in attributes.columns:
        raise ValueError(
            f"G has a node attribute 'group' beside group={group!r}; rename one of them"
        )
    if group in attributes.columns:
        groups = pd.Categorical(attributes.pop(group).fillna("all"))
    else:
        groups = pd.Categorical(["all"] * n)
    citizens = pd.DataFrame({"group": groups}, index=attributes.index)
    default = GroupProfile()
    for column, value in (
        ("disposition", default.disposition_mean),
        ("responsiveness", default.responsiveness_mean),
        ("wealth", default.wealth_median),
    ):
        filled = attributes.pop(column).fillna(value) if column in attributes.columns else value
        try:
            citizens[column] = pd.Series(filled, index=citizens.index, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"node attribute {column!r} must be numeric: {exc}") from None
    citizens = citizens.join(attributes)
    if label is not None:
        citizens[label] = pd.Series(nodes, index=citizens.index)

    index = {node: i for i, node in enumerate(nodes)}
    edges = list(G.edges(data=True))
    kinds = [data.get(kind, _DEFAULT_KIND) for _, _, data in edges]
    codes = _KIND_DTYPE.categories.get_indexer(np.asarray(kinds, dtype=object))
    try:
        weights = np.array([data.get(weight, np.nan) for _, _, data in edges], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"edge attribute {weight!r} must be numeric: {exc}") from None
    defaults = np.isnan(weights) & (codes >= 0)
    weights[defaults] = _KIND_WEIGHTS[codes[defaults]]
    return from_edges(
        citizens,
        np.array([index[u] for u, _, _ in edges], dtype=np.int64),
        np.array([index[v] for _, v, _ in edges], dtype=np.int64),
        kind=kinds,
        weight=weights,
    )

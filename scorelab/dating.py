"""Dating visibility: score-ranked exposure, two-sided matching and selection over generations.

The essay's dating site "shows the profiles of high scorers first", which it calls
"tantamount to selective breeding ... for compliance". This module makes the claim
testable in four layers:

1. **Exposure.** A *ranking* is an array of citizen ids, best first; a *set of rankings*
   is a 2-D array (searchers x slate positions) or a list of rankings. Position rank j
   (1-based) gets the attention ``v_j`` of a position-bias model
   (:func:`position_weights`); :func:`citizen_exposure`, :func:`group_exposure` and
   :func:`exposure_disparity` measure who is seen.
2. **Ranking policies** (:data:`RANKING_POLICIES`, :func:`draw_slates`): every searcher
   gets a *pool* of the other side's visible profiles (those online today, say) and sees
   the top ``slate_size`` of it, ordered by displayed score, by the searcher's own
   perceived appeal, by a mixture of the two, at random, by any numeric column, or by an
   exposure-fair stochastic policy.
3. **Two-sided matching** (:func:`match_market`): searchers examine their slate with
   position bias and like with a probability from appeal and score; each like lands in
   the receiver's inbox, which is examined the same way; a match needs both to like
   (the apply-and-reply market of Su, Bayoumi & Joachims 2022); matches become couples
   one-to-one.
4. **Generations** (:func:`simulate_generations`): couples have children whose
   disposition is inherited on a latent liability scale (genes with heritability
   ``h^2``, cultural transmission, noise); the children form the next society and market.

Everything runs as whole-population NumPy operations: a market of 10^5 profiles per side
ranks and matches in one to two seconds on 2 cores, about 20 times faster than a
per-searcher Python loop (``benchmarks/dating.py``).

References
----------
.. [SJ18] A. Singh and T. Joachims (2018), "Fairness of exposure in rankings", Proc. 24th
   ACM SIGKDD, 2219-2228. https://doi.org/10.1145/3219819.3220088
.. [SBJ22] Y. Su, M. Bayoumi and T. Joachims (2022), "Optimizing rankings for
   recommendation in matching markets", Proc. ACM Web Conference (WWW '22), 328-338.
   https://doi.org/10.1145/3485447.3511977
.. [FM96] D. S. Falconer and T. F. C. Mackay (1996), Introduction to Quantitative
   Genetics, 4th ed., Longman, chapters 11-12 (truncation selection, R = h^2 S).
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, ndtri

from scorelab._validation import (
    check_finite_array,
    check_integer,
    check_probability,
    check_real,
)
from scorelab.association import propagate
from scorelab.scoring import ScoringPolicy, draw_acts, own_score
from scorelab.society import Society, from_edges, homophilous_sbm

__all__ = [
    "POSITION_BIAS_MODELS",
    "RANKING_POLICIES",
    "DatingMarket",
    "MarketOutcome",
    "citizen_exposure",
    "draw_slates",
    "exposure_disparity",
    "group_exposure",
    "match_market",
    "position_weights",
    "selection_intensity",
    "simulate_generations",
]

POSITION_BIAS_MODELS = ("log", "reciprocal", "cascade", "uniform")
"""Names of the position-bias models of :func:`position_weights`."""

RANKING_POLICIES = ("score", "appeal", "mixture", "random", "fair")
"""Named ranking policies; any numeric profile column may be used as well."""

SIDES = ("A", "B")
"""Labels of the two sides of the market in :func:`simulate_generations`."""

# Columns every generation has, so that simulate_generations can rank by them.
_RANKABLE = ("disposition", "responsiveness", "wealth", "liability", "score", "appeal")

# Rows of searchers ranked per vectorised block: bounds the temporaries at ~2e6 entries.
_BLOCK_ENTRIES = 2_000_000
# Random permutations that the sweeps of pools and slates rotate (see _sweep_orders).
_BASE_PERMUTATIONS = 16
# Inclusion probabilities of the exposure-fair policy stay this far below 1, so that float
# rounding in a cumulative sum can never give one profile two points of a systematic sample.
_INCLUSION_MARGIN = 1e-9
# Dispositions are clipped this far inside (0, 1) before the probit transform.
_DISPOSITION_EPS = 1e-6
_MIX_INCREMENT = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_TASTE_QUANTILES = ndtri((np.arange(2**16) + 0.5) / 2**16)


# --------------------------------------------------------------------------- exposure


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


def selection_intensity(p):
    """Intensity ``i(p)`` of truncation selection that keeps the top fraction ``p``.

    Parameters
    ----------
    p : float
        Selected fraction in (0, 1].

    Returns
    -------
    float
        ``i(p) = phi(z_p) / p`` with ``z_p = Phi^-1(1 - p)``: the selected individuals'
        mean, in standard deviations above the population mean, for a normal trait.

    Raises
    ------
    TypeError, ValueError
        ``p`` not a real in (0, 1].

    Notes
    -----
    With heritability ``h^2`` and phenotypic standard deviation ``sigma_P``, truncation
    selection moves the next generation's mean by ``R = h^2 S = h^2 i(p) sigma_P``, the
    breeder's equation ([FM96]_ eq. 11.4).

    Examples
    --------
    >>> round(selection_intensity(0.2), 4)
    1.3998
    >>> selection_intensity(1.0)
    0.0
    """
    p = check_real("p", p, minimum=0.0, maximum=1.0, open_min=True)
    if p == 1.0:
        return 0.0
    z = float(ndtri(1.0 - p))
    return float(math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) / p)


# --------------------------------------------------------------------------- market


@dataclasses.dataclass(frozen=True)
class DatingMarket:
    """How the dating site shows profiles and how people like and match.

    Parameters
    ----------
    slate_size : int, default 20
        Profiles a searcher is shown (k >= 1); also the number of received likes a
        profile's inbox shows.
    pool_size : int, default 100
        Profiles available to a searcher (m >= 1, e.g. those online), drawn at random
        from the other side's visible profiles; the slate is the pool's top k under the
        ranking policy. ``pool_size <= slate_size`` shows the whole pool.
    position_bias : {"log", "reciprocal", "cascade", "uniform"}, default "log"
        Examination model for slates and inboxes (:func:`position_weights`).
    patience : float, default 0.8
        Continuation probability in [0, 1] of the cascade model.
    like_intercept : float, default -1.0
        ``beta_0`` of the like probability (Notes of :func:`match_market`).
    appeal_weight : float, default 1.0
        ``beta_a >= 0``, weight of appeal (and personal taste) in liking.
    taste_sd : float, default 1.0
        ``tau >= 0``, spread of the searcher-specific taste added to a profile's appeal
        (compatibility): 0 makes appeal a shared attractiveness.
    score_weight : float, default 0.0
        ``beta_s``, weight of the standardised displayed score in liking. The default 0
        lets the score act through the ranking only, which isolates the essay's claim;
        raise it to model people who prefer high scorers.
    score_share : float, default 0.5
        Weight in [0, 1] of the score in the ``"mixture"`` ranking.

    Raises
    ------
    TypeError, ValueError
        A field of the wrong type or out of range; the message names it.

    Examples
    --------
    >>> market = DatingMarket(slate_size=10, position_bias="cascade")
    >>> DatingMarket(**market.to_dict()) == market
    True
    """

    slate_size: int = 20
    pool_size: int = 100
    position_bias: str = "log"
    patience: float = 0.8
    like_intercept: float = -1.0
    appeal_weight: float = 1.0
    taste_sd: float = 1.0
    score_weight: float = 0.0
    score_share: float = 0.5

    def __post_init__(self):
        def store(field, value):
            object.__setattr__(self, field, value)

        store("slate_size", check_integer("slate_size", self.slate_size, minimum=1))
        store("pool_size", check_integer("pool_size", self.pool_size, minimum=1))
        store("position_bias", _check_position_bias(self.position_bias))
        store("patience", check_probability("patience", self.patience))
        store("like_intercept", check_real("like_intercept", self.like_intercept))
        store("appeal_weight", check_real("appeal_weight", self.appeal_weight, minimum=0.0))
        store("taste_sd", check_real("taste_sd", self.taste_sd, minimum=0.0))
        store("score_weight", check_real("score_weight", self.score_weight))
        store("score_share", check_probability("score_share", self.score_share))

    def to_dict(self):
        """Return the fields as a dict; ``DatingMarket(**d)`` rebuilds the market."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, eq=False)
class MarketOutcome:
    """What one round of the dating market produced.

    Attributes
    ----------
    sides : tuple
        The two side labels, in the order of the ``couples`` columns.
    slates : dict
        Side label -> 2-D int array of the *other* side's citizen ids each searcher of
        that side was shown (searchers x positions, best first).
    searchers : dict
        Side label -> citizen ids of that side's searchers, in slate row order.
    couples : pandas.DataFrame
        One row per couple, one column per side label (citizen ids).
    mutual_likes : pandas.DataFrame
        Every pair that liked each other (couples are a one-to-one subset).
    exposure : pandas.Series
        Each citizen's attention received in slates, ``sum over searchers of v(rank)``.
    merit : pandas.Series
        Each citizen's merit: the probability that a searcher of typical taste likes
        the profile.
    visible : pandas.Series
        Whether the profile is ever shown (slates and inboxes).
    likes_sent : int
        Likes delivered (sent by visible searchers to visible profiles).
    """

    sides: tuple
    slates: dict
    searchers: dict
    couples: pd.DataFrame
    mutual_likes: pd.DataFrame
    exposure: pd.Series
    merit: pd.Series
    visible: pd.Series
    likes_sent: int

    @property
    def matched(self):
        """pandas.Series of bool: whether each citizen is in a couple."""
        matched = self.exposure.index.isin(self.couples.to_numpy().ravel())
        return pd.Series(matched, index=self.exposure.index, name="matched")


@dataclasses.dataclass
class _Profiles:
    """The validated arrays of one market, in profile-table (position) order."""

    index: pd.Index
    side: np.ndarray  # 0 or 1
    labels: tuple
    appeal: np.ndarray
    score_z: np.ndarray
    merit: np.ndarray
    key: np.ndarray | None  # the policy's global key; None for "random"
    policy: str
    n_hash: int  # ids below this number key the (liker, liked) hash

    @property
    def n(self):
        return len(self.index)


def _check_market(market):
    if market is None:
        return DatingMarket()
    if not isinstance(market, DatingMarket):
        raise TypeError(f"market must be a DatingMarket, got {type(market).__name__}")
    return market


def _check_visible_fraction(visible_fraction):
    visible_fraction = check_probability("visible_fraction", visible_fraction)
    if visible_fraction == 0:
        raise ValueError(
            "visible_fraction must be > 0: with no profile ever shown the market is empty"
        )
    return visible_fraction


def _check_ranking_name(ranking, columns):
    if not isinstance(ranking, str):
        raise TypeError(f"ranking must be a policy name or a column name, got {ranking!r}")
    if ranking not in RANKING_POLICIES and ranking not in columns:
        raise ValueError(
            f"ranking must be one of the policies {RANKING_POLICIES} or a numeric column "
            f"of the profiles {list(columns)}, got {ranking!r}"
        )
    return ranking


def _standardised(values):
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def _prepare(profiles, ranking, market, *, sides_required=True, name="profiles"):
    """Validate a profiles table and compute the arrays the market needs."""
    if not isinstance(profiles, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(profiles).__name__}")
    if len(profiles) == 0:
        raise ValueError(f"{name} is empty: a market needs profiles to show")
    if not profiles.index.is_unique:
        raise ValueError(f"{name} must have a unique citizen index")
    required = ["score", "appeal"] + (["side"] if sides_required else [])
    missing = [column for column in required if column not in profiles.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {missing}; it has {profiles.columns.tolist()}"
        )
    ranking = _check_ranking_name(ranking, profiles.columns)
    score = check_finite_array(f"{name}['score']", profiles["score"].to_numpy())
    appeal = check_finite_array(f"{name}['appeal']", profiles["appeal"].to_numpy())
    if sides_required:
        side_values = profiles["side"]
        if side_values.isna().any():
            raise ValueError("profiles['side'] has missing values")
        codes, labels = pd.factorize(side_values, sort=True)
        if len(labels) != 2:
            raise ValueError(
                f"profiles['side'] must name exactly two sides, got {list(labels)}; a "
                f"market with one side is empty"
            )
        labels = tuple(labels.tolist())
    else:
        codes, labels = np.zeros(len(profiles), dtype=np.int64), ("all",)
    score_z = _standardised(score)
    merit = expit(
        market.like_intercept + market.appeal_weight * appeal + market.score_weight * score_z
    )
    if ranking == "score":
        key = score
    elif ranking == "appeal":
        key = appeal
    elif ranking == "mixture":
        key = _mixture(market, score_z, appeal)
    elif ranking == "fair":
        key = merit
    elif ranking == "random":
        key = None
    else:
        key = check_finite_array(f"{name}[{ranking!r}]", profiles[ranking].to_numpy())
    return _Profiles(profiles.index, codes.astype(np.int64), labels, appeal, score_z, merit,
                     key, ranking, len(profiles))


def _mixture(market, score_z, perceived_appeal):
    spread = math.sqrt(1.0 + market.taste_sd**2)
    share = market.score_share
    return share * score_z + (1.0 - share) * perceived_appeal / spread


def _mix64(x):
    """SplitMix64 finaliser [SLF14]_ of each uint64 (a new array; ``x`` is kept)."""
    x = x + _MIX_INCREMENT
    shifted = x >> np.uint64(30)
    x ^= shifted
    x *= _MIX_1
    np.right_shift(x, np.uint64(27), out=shifted)
    x ^= shifted
    x *= _MIX_2
    np.right_shift(x, np.uint64(31), out=shifted)
    x ^= shifted
    return x


def _pair_draws(liker, liked, n, salt, *, coin=True):
    """Taste (about standard normal) and like coin (uniform) of each ordered pair.

    Both are fixed functions of (liker, liked, salt), one SplitMix64 hash [SLF14]_ per
    pair: a searcher's taste for a profile and whether they like it are the same whether
    the profile turns up in a pool, a slate or an inbox. The taste is the normal quantile
    of the hash's top 16 bits (a 2^16-point discretisation of N(0, 1), read from a table
    ten times faster than ``ndtri``); the coin is its low 32 bits over 2^32.
    """
    key = (liker * np.int64(n) + liked).view(np.uint64)  # n^2 < 2^63 for any society
    key ^= salt
    bits = _mix64(key)
    taste = _TASTE_QUANTILES[(bits >> np.uint64(48)).astype(np.int64)]
    if not coin:
        return taste, None
    return taste, (bits & np.uint64(0xFFFFFFFF)).astype(np.uint32) * (1.0 / 2.0**32)


def _like_probability(prof, market, liked, taste):
    return expit(
        market.like_intercept
        + market.appeal_weight * (prof.appeal[liked] + market.taste_sd * taste)
        + market.score_weight * prof.score_z[liked]
    )


def _visible(prof, members, visible_fraction, rng):
    """The top ``ceil(p * n)`` members by the policy's key (random order breaks ties)."""
    count = max(1, math.ceil(visible_fraction * len(members) - 1e-9))
    tiebreak = rng.random(len(members))
    if prof.key is None:
        order = np.argsort(tiebreak)
    else:
        order = np.lexsort((tiebreak, -prof.key[members]))
    return members[np.sort(order[:count])]


def _inclusion(weights, width):
    """Inclusion probabilities ``pi = min(cap, c w)`` summing to just over ``width``.

    ``cap`` stays a hair below 1 so that float rounding can never give one unit two
    points of a systematic sample. Usually ``c = cap / max(w)`` already gives
    ``sum pi >= width``; otherwise too few profiles carry the merit, and the largest are
    capped (included in every sweep, like certainty units in survey sampling) while the
    rest stay proportional to their weights.
    """
    cap = 1.0 - _INCLUSION_MARGIN
    top = weights.max()
    if top <= 0:
        return np.full(len(weights), cap)
    pi = cap * weights / top
    if pi.sum() >= width + 1e-6:
        return pi
    target = width + 1e-6
    ordered = np.sort(weights)[::-1]
    rest = ordered.sum() - np.concatenate(([0.0], np.cumsum(ordered)[:-1]))
    capped = np.arange(len(ordered))
    with np.errstate(divide="ignore", invalid="ignore"):  # rest = 0 past the last weight
        scale = (target - capped * cap) / rest
        fits = np.flatnonzero((scale * ordered <= cap) & (rest > 0))
    if not fits.size:  # every weighted unit capped: spread the rest over zero weights
        return np.where(weights > 0, cap, (target - cap * (weights > 0).sum())
                        / max((weights <= 0).sum(), 1))
    return np.minimum(cap, scale[fits[0]] * weights)


def _sweep_starts(size, width, n_sweeps, rng):
    """Random orders of ``size`` units for ``n_sweeps`` sweeps, read ``width`` at a time.

    Returns ``(units, block, offset)``: sweep s runs through
    ``units[block[s] + (offset[s] + t) % size]`` for ``t = 0..size - 1``, and a window of
    ``width`` from a wrapped position never runs past its block.
    Sweep s is one of a few random permutations, rotated at random: a fixed set of
    positions of a uniformly random permutation holds a uniformly random subset in random
    order, so every window of a sweep is a uniform draw without repeats. Rotating a few
    permutations costs one addition per entry, where a fresh permutation per sweep costs
    ~1 s per 10^7 entries.
    """
    count = min(n_sweeps, _BASE_PERMUTATIONS)
    bases = rng.permuted(np.tile(np.arange(size), (count, 1)), axis=1)
    # each base followed by its first `width` units, so that rotated windows need no modulo
    units = np.concatenate((bases, bases[:, :width]), axis=1).ravel()
    block = rng.integers(count, size=n_sweeps) * (size + width)
    return units, block, rng.integers(size, size=n_sweeps)


def _systematic_windows(weights, n_rows, width, rng):
    """``n_rows`` windows of ``width`` distinct indices into ``weights``, drawn so that
    index d appears with expected frequency proportional to ``weights[d]``.

    Each *sweep* runs through the units in a random order and takes a systematic sample
    with inclusion probabilities ``pi_d < 1`` (Madow 1949 [M49]_): the points
    ``u, u + 1, ...`` pick the unit whose cumulative interval holds them, so no unit is
    picked twice in a sweep and consecutive picks form windows without repeats. Equal
    weights need no sampling: a sweep is cut into consecutive windows, so every unit
    appears the same number of times to within one.
    """
    size = len(weights)
    width = min(width, size)
    if width == size:  # every window shows every unit, in a random order
        return rng.permuted(np.tile(np.arange(size), (n_rows, 1)), axis=1)
    if np.all(weights == weights[0]):
        per_sweep = size // width
        n_sweeps = -(-n_rows // per_sweep)
        units, block, offset = _sweep_starts(size, width, n_sweeps, rng)
        row = np.arange(n_rows)
        sweep = row // per_sweep
        first = offset[sweep] + (row % per_sweep) * width
        first -= (first >= size) * size
        first += block[sweep]
        return units[first[:, None] + np.arange(width)]
    pi = _inclusion(weights, width)
    per_sweep = int(pi.sum()) // width
    points = per_sweep * width
    pi *= points / pi.sum()  # a whole number of windows per sweep, none cut off
    n_sweeps = -(-n_rows // per_sweep)
    units, block, offset = _sweep_starts(size, size, n_sweeps, rng)
    order = units[(block + offset)[:, None] + np.arange(size)]
    upper = np.minimum(np.cumsum(pi[order], axis=1), points)
    upper[:, -1] = points  # absorb the rounding of the cumulative sum
    lower = np.concatenate((np.zeros((n_sweeps, 1)), upper[:, :-1]), axis=1)
    u = rng.random((n_sweeps, 1))
    # Unit q is hit by a point u + t in [lower_q, upper_q) iff the ceilings differ; the
    # hits of a sweep telescope to exactly `points`.
    hit = np.ceil(upper - u) > np.ceil(lower - u)
    return order[hit].reshape(n_sweeps * per_sweep, width)[:n_rows]


def _slates(prof, searcher_rows, candidates, visible_fraction, market, salt, rng,
            visible=None):
    """Slates (rows x k) of positions in ``prof`` for searchers at ``searcher_rows``."""
    if visible is None:
        visible = _visible(prof, candidates, visible_fraction, rng)
    n_rows = len(searcher_rows)
    k = min(market.slate_size, len(visible))
    if n_rows == 0:
        return np.empty((0, k), dtype=np.int64)
    if prof.policy == "random":
        return visible[_systematic_windows(np.ones(len(visible)), n_rows, k, rng)]
    if prof.policy == "fair":
        return visible[_systematic_windows(prof.merit[visible], n_rows, k, rng)]
    m = min(max(market.pool_size, k), len(visible))
    pools = visible[_systematic_windows(np.ones(len(visible)), n_rows, m, rng)]
    block = max(1, _BLOCK_ENTRIES // m)
    slates = np.empty((n_rows, k), dtype=np.int64)
    for start in range(0, n_rows, block):
        rows = slice(start, start + block)
        pool = pools[rows]
        keys = _pool_keys(prof, searcher_rows[rows], pool, market, salt)
        slates[rows] = np.take_along_axis(pool, _top_columns(keys, k), axis=1)
    return slates


def _top_columns(keys, k):
    """Column indices of each row's ``k`` largest keys, largest first.

    Each key's IEEE-754 bit pattern is mapped to an int64 that falls as the key rises,
    its lowest bits replaced by the column number, and the rows sorted as plain integers:
    NumPy's vectorised integer sort is 3x faster than ``argpartition`` on rows of 100.
    Keys within a relative 2^-45 count as ties (then the lower column, a random pool
    position, comes first).
    """
    m = keys.shape[1]
    bits = max(1, (m - 1).bit_length())
    pattern = np.ascontiguousarray(keys, dtype=np.float64).view(np.int64)
    # negative floats order backwards as integers: flip their magnitude bits
    packed = pattern >> 63
    packed &= np.int64(0x7FFFFFFFFFFFFFFF)
    packed ^= pattern
    np.invert(packed, out=packed)
    packed >>= bits
    packed <<= bits
    packed |= np.arange(m, dtype=np.int64)
    packed.sort(axis=1)
    top = packed[:, :k]
    top &= np.int64((1 << bits) - 1)
    return top


def _pool_keys(prof, searcher_rows, pool, market, salt):
    """The ranking key of each pool entry; personal for the appeal and mixture policies."""
    if prof.policy not in ("appeal", "mixture"):
        return prof.key[pool]
    liker = np.broadcast_to(searcher_rows[:, None], pool.shape).ravel()
    taste, _ = _pair_draws(liker, pool.ravel(), prof.n_hash, salt, coin=False)
    perceived = prof.appeal[pool] + market.taste_sd * taste.reshape(pool.shape)
    if prof.policy == "appeal":
        return perceived
    return _mixture(market, prof.score_z[pool], perceived)


def _examined(positions, owners, n_owners, market, rng):
    """Whether each entry at 0-based ``positions`` is examined by its owner."""
    if market.position_bias == "cascade":
        # one stopping depth per owner: P(depth > j) = patience^j
        depth = _cascade_depth(n_owners, market.patience, rng)
        return positions < depth[owners]
    weights = position_weights(int(positions.max(initial=0)) + 1, market.position_bias)
    return rng.random(len(positions)) < weights[positions]


def _cascade_depth(n, patience, rng):
    if patience >= 1.0:
        return np.full(n, np.iinfo(np.int64).max)
    if patience <= 0.0:
        return np.ones(n, dtype=np.int64)
    return 1 + np.floor(np.log1p(-rng.random(n)) / math.log(patience)).astype(np.int64)


def draw_slates(candidates, n_searchers, *, ranking="score", visible_fraction=1.0,
                market=None, rng=None):
    """Draw the slates a ranking policy shows to ``n_searchers`` searchers.

    Parameters
    ----------
    candidates : pandas.DataFrame
        The profiles to show, indexed by citizen id, with numeric columns ``score``
        (displayed score) and ``appeal`` (latent attractiveness), plus the ranking column
        if ``ranking`` names one.
    n_searchers : int
        Number of searchers (rows of the result).
    ranking : str, default "score"
        A policy of :data:`RANKING_POLICIES` or a numeric column of ``candidates``
        (higher first); see Notes.
    visible_fraction : float, default 1.0
        Share in (0, 1] of the candidates ever shown: the top ``ceil(p n)`` by the
        policy's key (by merit for ``"fair"``, at random for ``"random"``).
    market : DatingMarket, optional
        Slate and pool sizes, like model (default ``DatingMarket()``).
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    numpy.ndarray
        ``n_searchers x k`` citizen ids, best first, ``k = min(slate_size, visible)``;
        no row repeats an id. A set of rankings for :func:`group_exposure`.

    Raises
    ------
    TypeError, ValueError
        Bad table, unknown policy or column, ``visible_fraction`` outside (0, 1].

    See Also
    --------
    match_market : slates for both sides, then likes and couples.

    Notes
    -----
    Each searcher's *pool* is ``pool_size`` visible candidates drawn without repeats;
    every sweep of searchers partitions a fresh random permutation of the visible
    candidates, so each appears in the same number of pools to within one. The slate is
    the pool's top ``slate_size`` by

    * ``"score"`` or a column: that value (the same order for everyone);
    * ``"appeal"``: the searcher's perceived appeal ``a_d + tau t_id`` with a personal
      taste ``t_id ~ N(0, 1)``, the probability-ranking principle on the searcher's own
      relevance;
    * ``"mixture"``: ``lambda z(score_d) + (1 - lambda) (a_d + tau t_id) / sqrt(1 + tau^2)``
      with ``lambda = score_share``;
    * ``"random"``: a uniformly random slate in random order (no pool needed);
    * ``"fair"``: amortised fairness of exposure: the slate is drawn with each candidate's
      inclusion probability proportional to its merit ``U_d`` (:attr:`MarketOutcome.merit`)
      by systematic sampling, in random order, so that each candidate's expected exposure
      is ``proportional to U_d`` and the exposure/merit ratio is the same for every
      candidate and group ([SJ18]_, [BGW18]_). If merit is too concentrated for slates of
      distinct profiles, the highest-merit profiles are shown in every sweep and only the
      others stay proportional.

    References
    ----------
    .. [BGW18] A. J. Biega, K. P. Gummadi and G. Weikum (2018), "Equity of attention:
       amortizing individual fairness in rankings", Proc. SIGIR '18, 405-414.
       https://doi.org/10.1145/3209978.3210063
    .. [M49] W. G. Madow (1949), "On the theory of systematic sampling, II", Annals of
       Mathematical Statistics 20(3):333-354. https://doi.org/10.1214/aoms/1177729988

    Examples
    --------
    >>> import pandas as pd
    >>> candidates = pd.DataFrame({"score": [900.0, 400.0, 650.0, 500.0],
    ...                            "appeal": [0.0, 0.0, 0.0, 0.0]})
    >>> market = DatingMarket(slate_size=2, pool_size=4)
    >>> draw_slates(candidates, 2, market=market, rng=0).tolist()
    [[0, 2], [0, 2]]
    >>> draw_slates(candidates, 3, ranking="random", market=market, rng=0).shape
    (3, 2)
    """
    market = _check_market(market)
    n_searchers = check_integer("n_searchers", n_searchers, minimum=0)
    visible_fraction = _check_visible_fraction(visible_fraction)
    rng = np.random.default_rng(rng)
    prof = _prepare(candidates, ranking, market, sides_required=False, name="candidates")
    salt = np.uint64(rng.integers(2**63))
    # the searchers are outside the candidates: their taste is hashed from row numbers
    # placed after the candidates' positions
    rows = prof.n + np.arange(n_searchers, dtype=np.int64)
    prof = dataclasses.replace(prof, n_hash=prof.n + n_searchers)
    slates = _slates(prof, rows, np.arange(prof.n), visible_fraction, market, salt, rng)
    return prof.index.to_numpy()[slates]


def match_market(profiles, *, ranking="score", visible_fraction=1.0, market=None, rng=None):
    """Run one round of a two-sided dating market: slates, likes, matches, couples.

    Parameters
    ----------
    profiles : pandas.DataFrame
        One row per citizen, indexed by citizen id, with columns ``side`` (exactly two
        labels; each side searches the other), ``score`` (displayed score), ``appeal``
        (latent attractiveness, e.g. standard normal) and the ranking column if
        ``ranking`` names one. Other columns are ignored.
    ranking : str, default "score"
        A policy of :data:`RANKING_POLICIES` or a numeric column (see :func:`draw_slates`).
    visible_fraction : float, default 1.0
        Share in (0, 1] of each side that is ever shown (the top by the policy's key).
        Hidden profiles still search, but their likes are never shown either, so they
        cannot match.
    market : DatingMarket, optional
        Slate, pool, position bias and like model (default ``DatingMarket()``).
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    MarketOutcome

    Raises
    ------
    TypeError, ValueError
        An empty market (no profiles or one side empty), missing or non-finite columns,
        unknown policy or column, ``visible_fraction`` outside (0, 1].

    See Also
    --------
    draw_slates, group_exposure, simulate_generations

    Notes
    -----
    Searcher i likes profile d with probability

    ``r_id = expit(beta_0 + beta_a (a_d + tau t_id) + beta_s z(score_d))``,

    with appeal ``a_d``, a personal taste ``t_id ~ N(0, 1)`` (compatibility), and the
    displayed score standardised over the market. Taste and the like decision are fixed
    per ordered pair, so a slate and an inbox agree on them. The merit of a profile is
    ``U_d = expit(beta_0 + beta_a a_d + beta_s z(score_d))`` (typical taste).

    1. Both sides search: each searcher examines slate position j with probability
       ``v_j`` (one stopping depth per searcher under the cascade model) and sends a like
       to each examined profile it likes. Only visible searchers' likes are delivered.
    2. A like i -> d is a match at once if d also liked i from d's slate. Otherwise it
       waits in d's inbox, which shows d's first ``slate_size`` received likes ordered by
       d's own ``r_di`` and is examined with the same position bias; d matches if d
       examines it and likes i. This is the apply-and-reply market of Su, Bayoumi &
       Joachims (2022) [SBJ22]_ with both sides applying; its expected number of matches
       from i's side is ``sum_d v(rank_i(d)) r_id v(inbox rank_d(i)) r_di``.
    3. Couples form one-to-one from the matches by greedy matching in a random order: the
       same couples as taking the matches one by one in that order and keeping each whose
       partners are both still single, computed in vectorised rounds of locally first
       pairs ([P99]_). Checked against that sequential loop in ``tests/test_dating.py``.

    The expected exposure of profile d is ``sum_i v(rank_i(d))`` over the searchers.

    References
    ----------
    .. [P99] R. Preis (1999), "Linear time 1/2-approximation algorithm for maximum
       weighted matching in general graphs", Proc. STACS '99, LNCS 1563:259-269.
       https://doi.org/10.1007/3-540-49116-3_24
    .. [SLF14] G. L. Steele Jr., D. Lea and C. H. Flood (2014), "Fast splittable
       pseudorandom number generators", Proc. OOPSLA '14, 453-472.
       https://doi.org/10.1145/2714064.2660195

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> profiles = pd.DataFrame({"side": ["A"] * 500 + ["B"] * 500,
    ...                          "score": rng.uniform(350, 950, 1000),
    ...                          "appeal": rng.normal(size=1000)})
    >>> outcome = match_market(profiles, ranking="score", rng=4)
    >>> outcome.slates["A"].shape
    (500, 20)
    >>> couples = outcome.couples
    >>> bool(couples["A"].is_unique and couples["B"].is_unique)
    True
    >>> bool(profiles.loc[couples["A"], "side"].eq("A").all())
    True
    """
    market = _check_market(market)
    visible_fraction = _check_visible_fraction(visible_fraction)
    rng = np.random.default_rng(rng)
    prof = _prepare(profiles, ranking, market)
    salt = np.uint64(rng.integers(2**63))
    members = [np.flatnonzero(prof.side == code) for code in (0, 1)]
    visible = [_visible(prof, members[code], visible_fraction, rng) for code in (0, 1)]
    shown = np.zeros(prof.n, dtype=bool)
    shown[np.concatenate(visible)] = True

    slates, sent = [], []
    exposure = np.zeros(prof.n)
    for code in (0, 1):
        searchers, other = members[code], 1 - code
        slate = _slates(prof, searchers, members[other], visible_fraction, market, salt,
                        rng, visible=visible[other])
        slates.append(slate)
        k = slate.shape[1]
        row = np.repeat(np.arange(len(searchers)), k)
        position = np.tile(np.arange(k), len(searchers))
        liker, liked = searchers[row], slate.ravel()
        exposure += np.bincount(
            liked, weights=position_weights(k, market.position_bias,
                                            patience=market.patience)[position],
            minlength=prof.n,
        )
        taste, coin = _pair_draws(liker, liked, prof.n_hash, salt)
        likes = coin < _like_probability(prof, market, liked, taste)
        likes &= _examined(position, row, len(searchers), market, rng) & shown[liker]
        sent.append((liker[likes], liked[likes]))

    first, second = _matches(prof, market, sent, salt, rng)
    pairs = _greedy_couples(first, second, prof.n, rng)
    ids = prof.index.to_numpy()
    labels = prof.labels
    return MarketOutcome(
        sides=labels,
        slates={labels[code]: ids[slates[code]] for code in (0, 1)},
        searchers={labels[code]: ids[members[code]] for code in (0, 1)},
        couples=pd.DataFrame({labels[0]: ids[first[pairs]], labels[1]: ids[second[pairs]]}),
        mutual_likes=pd.DataFrame({labels[0]: ids[first], labels[1]: ids[second]}),
        exposure=pd.Series(exposure, index=prof.index, name="exposure"),
        merit=pd.Series(prof.merit, index=prof.index, name="merit"),
        visible=pd.Series(shown, index=prof.index, name="visible"),
        likes_sent=int(len(sent[0][0]) + len(sent[1][0])),
    )


def _in_sorted(values, ordered):
    """Whether each value occurs in the sorted array ``ordered``."""
    if not ordered.size:
        return np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[position] == values


def _matches(prof, market, sent, salt, rng):
    """Mutual likes as (side-0 position, side-1 position) arrays, sorted by pair key."""
    n = np.int64(prof.n)
    # pair keys oriented side 0 -> side 1, so both directions meet on the same key
    keys = [np.sort(sent[0][0] * n + sent[0][1]), np.sort(sent[1][1] * n + sent[1][0])]
    liked_back = [_in_sorted(keys[0], keys[1]), _in_sorted(keys[1], keys[0])]
    mutual = [keys[0][liked_back[0]]]
    for code in (0, 1):
        side0, side1 = np.divmod(keys[code][~liked_back[code]], n)
        sender, receiver = (side0, side1) if code == 0 else (side1, side0)
        if not sender.size:
            continue
        taste, coin = _pair_draws(receiver, sender, prof.n_hash, salt)
        relevance = _like_probability(prof, market, sender, taste)
        # inbox order: by receiver, then the receiver's relevance, highest first
        inbox = receiver << np.int64(31)
        inbox += ((1.0 - relevance) * (2**31 - 1)).astype(np.int64)
        order = np.argsort(inbox)
        receiver, sender, relevance, coin = (
            receiver[order], sender[order], relevance[order], coin[order])
        new_owner = np.empty(len(receiver), dtype=bool)
        new_owner[0] = True
        np.not_equal(receiver[1:], receiver[:-1], out=new_owner[1:])
        start = np.flatnonzero(new_owner)
        owner = np.cumsum(new_owner) - 1
        position = np.arange(len(receiver)) - start[owner]
        shown = position < market.slate_size
        accepted = shown & (coin < relevance)
        accepted[shown] &= _examined(position[shown], owner[shown], len(start), market, rng)
        first, second = (sender, receiver) if code == 0 else (receiver, sender)
        mutual.append(first[accepted] * n + second[accepted])
    keys = np.sort(np.concatenate(mutual))
    return np.divmod(keys, n)


def _greedy_couples(first, second, n, rng):
    """Mask of the pairs kept by greedy one-to-one matching in a random order.

    In each round every live pair that comes first (in the random order) among the live
    pairs of both its partners is kept; pairs touching a kept partner die. The globally
    first live pair is always kept, and each kept pair is exactly the one the sequential
    greedy loop would keep, so the result equals the sequential greedy matching.
    """
    n_pairs = len(first)
    chosen = np.zeros(n_pairs, dtype=bool)
    if not n_pairs:
        return chosen
    rank = np.empty(n_pairs, dtype=np.int64)
    rank[rng.permutation(n_pairs)] = np.arange(n_pairs)
    live = np.arange(n_pairs)
    while live.size:
        best_first = np.full(n, n_pairs, dtype=np.int64)
        best_second = np.full(n, n_pairs, dtype=np.int64)
        np.minimum.at(best_first, first[live], rank[live])
        np.minimum.at(best_second, second[live], rank[live])
        wins = live[(best_first[first[live]] == rank[live])
                    & (best_second[second[live]] == rank[live])]
        chosen[wins] = True
        taken = np.zeros(n, dtype=bool)
        taken[first[wins]] = True
        taken[second[wins]] = True
        live = live[~(taken[first[live]] | taken[second[live]])]
    return chosen


# --------------------------------------------------------------------------- generations


def simulate_generations(
    society_or_size,
    *,
    generations,
    ranking,
    heritability,
    visible_fraction=1.0,
    cultural_transmission=0.0,
    market=None,
    policy=None,
    n_acts=20,
    mean_degree=10.0,
    homophily=0.5,
    profiles=None,
    rng=None,
):
    """Run the dating market over generations and track selection on disposition.

    Parameters
    ----------
    society_or_size : Society or int
        The founding generation, or its size (>= 4) for
        ``homophilous_sbm(n, mean_degree=mean_degree, homophily=homophily)``. Every
        generation keeps this size.
    generations : int
        Number of generations of children (>= 0); statistics cover generations
        ``0..generations``.
    ranking : str
        A policy of :data:`RANKING_POLICIES` or a column to rank by (higher first):
        ``disposition``, ``responsiveness``, ``wealth``, ``liability`` (the latent trait
        below), ``score`` or ``appeal``.
    heritability : float
        Narrow-sense heritability ``h^2`` in [0, 1] of the liability (Notes).
    visible_fraction : float, default 1.0
        Share in (0, 1] of each side ever shown (see :func:`match_market`).
    cultural_transmission : float, default 0.0
        Share ``c^2`` in [0, 1 - h^2] of the liability variance passed on culturally from
        both parents.
    market : DatingMarket, optional
        The dating site and the like model (default ``DatingMarket()``).
    policy : scorelab.scoring.ScoringPolicy, optional
        Scoring rule; its ``association_weight`` is the alpha of the displayed score
        (default ``ScoringPolicy()``).
    n_acts : int, default 20
        Acts per citizen and domain behind each generation's score (>= 1).
    mean_degree, homophily : float, default 10.0 and 0.5
        Ties of every new generation (and of the founders when a size is given).
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions of the founders' groups when a size is given (see
        :func:`scorelab.society.homophilous_sbm`); ignored for a Society.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7). Replicates: pass the children of ``rng.spawn(r)``.

    Returns
    -------
    pandas.DataFrame
        Tidy statistics, one row per value, columns ``generation``, ``measure``, ``by``
        (``"all"``, ``"group"`` or ``"score_decile"``), ``level`` (``"all"``, the group
        label, or the decile ``"1"``..``"10"``, 10 = highest scores) and ``value``.
        Measures: ``size``, ``couples``; ``disposition_mean``, ``disposition_sd``,
        ``liability_mean``, ``liability_sd`` (by all and group); ``group_share``;
        ``match_rate`` (share in a couple; by all, group and decile); ``exposure_share``
        (share of all slate attention; by group and decile); ``selection_differential``
        (coupled citizens' mean liability minus everyone's). ``frame.attrs["parameters"]``
        holds every parameter, for :func:`scorelab.reporting.save_table`.

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or out of range (heritability or fractions outside
        [0, 1], ``h^2 + c^2 > 1``), an unknown ranking; a generation that forms no couple
        (it can have no children).

    See Also
    --------
    match_market, selection_intensity

    Notes
    -----
    **Liability scale.** Disposition lives on [0, 1]; inheritance acts on the liability
    ``z = Phi^-1(disposition)`` (probit; Falconer's liability model [F65]_), so
    ``disposition = Phi(z)``. Founders' liabilities come from their dispositions. With
    ``mu_g`` the founders' mean liability in group g (a group environment that stays with
    the group) and ``sigma^2`` the pooled within-group variance,
    ``z = mu_g + A + C + E`` with independent breeding value ``A ~ N(0, h^2 sigma^2)``,
    cultural value ``C ~ N(0, c^2 sigma^2)`` and noise ``E ~ N(0, (1 - h^2 - c^2) sigma^2)``,
    drawn for the founders conditionally on their z (exact Gaussian conditioning).

    **Children.** Each child picks a couple uniformly at random (the generation size stays
    fixed; unmatched citizens have no children), takes group, responsiveness and wealth
    from one parent at random and gets, by the infinitesimal model [BEV17]_ and vertical
    cultural transmission [CF81]_,

    ``A' = (A_1 + A_2) / 2 + N(0, h^2 sigma^2 / 2)``,
    ``C' = (C_1 + C_2) / 2 + N(0, c^2 sigma^2 / 2)``, a fresh ``E'``, and
    ``z' = mu_g' + A' + C' + E'``. Other columns of the founders' table are not passed on.

    Without selection and with random mating the variance of z stays ``sigma^2``.
    Siblings are tied as family; other ties come from :func:`homophilous_sbm`. Appeal is
    redrawn ``N(0, 1)`` every generation, independent of disposition; sides are
    assigned at random in equal halves.

    **Breeder's equation.** On the liability scale the expected response to a selection
    differential S (coupled minus all, equal offspring per couple) is
    ``R = (h^2 + c^2) S``. If the ranking is by the liability itself, only the top
    fraction p of each side can match, and matching among the visible is blind to z
    (``position_bias="uniform"``, ``pool_size <= slate_size``, ``score_weight=0``), then
    ``S = i(p) sigma`` and ``R = h^2 i(p) sigma`` for ``c^2 = 0`` [FM96]_. This is checked
    in ``tests/test_dating.py`` against :func:`selection_intensity`, as is the absence of
    any shift under random ranking.

    **Scores.** Every generation acts once (:func:`scorelab.scoring.draw_acts` with
    ``n_acts``), is scored by :func:`scorelab.scoring.own_score` and, if the policy's
    association weight is positive, associated along its ties
    (:func:`scorelab.propagate`): a score ranking selects on disposition only through this
    noisy record.

    References
    ----------
    .. [F65] D. S. Falconer (1965), "The inheritance of liability to certain diseases,
       estimated from the incidence among relatives", Annals of Human Genetics
       29(1):51-76. https://doi.org/10.1111/j.1469-1809.1965.tb00500.x
    .. [BEV17] N. H. Barton, A. M. Etheridge and A. Véber (2017), "The infinitesimal
       model: definition, derivation, and implications", Theoretical Population Biology
       118:50-73. https://doi.org/10.1016/j.tpb.2017.06.001
    .. [CF81] L. L. Cavalli-Sforza and M. W. Feldman (1981), Cultural Transmission and
       Evolution: A Quantitative Approach, Princeton University Press.
       https://doi.org/10.1515/9780691209357

    Examples
    --------
    >>> frame = simulate_generations(600, generations=2, ranking="score",
    ...                              heritability=0.5, rng=1)
    >>> frame.columns.tolist()
    ['generation', 'measure', 'by', 'level', 'value']
    >>> frame.query("measure == 'size'")["value"].tolist()
    [600.0, 600.0, 600.0]
    """
    generations = check_integer("generations", generations, minimum=0)
    heritability = check_probability("heritability", heritability)
    cultural_transmission = check_probability("cultural_transmission", cultural_transmission)
    if heritability + cultural_transmission > 1.0 + 1e-12:
        raise ValueError(
            "heritability + cultural_transmission must be <= 1 (shares of one variance), "
            f"got {heritability} + {cultural_transmission}"
        )
    visible_fraction = _check_visible_fraction(visible_fraction)
    market = _check_market(market)
    if policy is None:
        policy = ScoringPolicy()
    elif not isinstance(policy, ScoringPolicy):
        raise TypeError(f"policy must be a ScoringPolicy, got {type(policy).__name__}")
    n_acts = check_integer("n_acts", n_acts, minimum=1)
    mean_degree = check_real("mean_degree", mean_degree, minimum=0.0)
    homophily = check_probability("homophily", homophily)
    rng = np.random.default_rng(rng)

    if isinstance(society_or_size, Society):
        society = society_or_size
    elif isinstance(society_or_size, numbers.Integral) and not isinstance(society_or_size, bool):
        size = check_integer("society_or_size", society_or_size, minimum=4)
        society = homophilous_sbm(size, mean_degree=mean_degree, homophily=homophily,
                                  profiles=profiles, rng=rng)
    else:
        raise TypeError(
            f"society_or_size must be a Society or an int, got {type(society_or_size).__name__}"
        )
    n = society.n_citizens
    if n < 4:
        raise ValueError(f"society must have at least 4 citizens (two per side), got {n}")
    ranking = _check_ranking_name(ranking, _RANKABLE)

    lineage = _Lineage.found(society.citizens, heritability, cultural_transmission, rng)
    parameters = {
        "n": n, "generations": generations, "ranking": ranking,
        "heritability": heritability, "visible_fraction": visible_fraction,
        "cultural_transmission": cultural_transmission, "market": market.to_dict(),
        "policy": policy.to_dict(), "n_acts": n_acts, "mean_degree": mean_degree,
        "homophily": homophily,
        "profiles": {str(label): dataclasses.asdict(profile)
                     for label, profile in (profiles or {}).items()},
    }
    records = []
    for generation in range(generations + 1):
        citizens = lineage.citizens()
        if generation:
            society = _next_society(citizens, lineage.couple, mean_degree, homophily, rng)
        acts = draw_acts(citizens, n_acts=n_acts, rng=rng)
        score = own_score(acts, policy)
        if policy.association_weight > 0:
            score = propagate(society, score, alpha=policy.association_weight)
        sides = np.zeros(n, dtype=np.int64)
        sides[rng.permutation(n)[: n // 2]] = 1
        shown = citizens.assign(
            score=score.to_numpy(),
            appeal=rng.standard_normal(n),
            side=pd.Categorical.from_codes(sides, categories=list(SIDES)),
        )
        outcome = match_market(shown, ranking=ranking, visible_fraction=visible_fraction,
                               market=market, rng=rng)
        records.append(_generation_records(generation, shown, outcome))
        if generation < generations:
            couples = outcome.couples.to_numpy()
            if not len(couples):
                raise ValueError(
                    f"generation {generation} formed no couple, so it has no children; "
                    f"show more profiles (visible_fraction = {visible_fraction}, "
                    f"slate_size = {market.slate_size}) or make likes likelier "
                    f"(like_intercept = {market.like_intercept})"
                )
            lineage = lineage.children(couples, rng)
    frame = pd.DataFrame(
        [row for rows in records for row in rows],
        columns=["generation", "measure", "by", "level", "value"],
    )
    frame.attrs["parameters"] = parameters
    return frame


@dataclasses.dataclass
class _Lineage:
    """One generation's citizens as arrays: group, liability parts, other attributes."""

    group: pd.Categorical
    environment: np.ndarray  # mu_g per group code
    breeding: np.ndarray  # A
    cultural: np.ndarray  # C
    noise: np.ndarray  # E
    responsiveness: np.ndarray
    wealth: np.ndarray
    sigma2: float
    heritability: float
    cultural_share: float
    couple: np.ndarray | None = None  # each citizen's parents' couple number

    @classmethod
    def found(cls, citizens, heritability, cultural_share, rng):
        group = pd.Categorical(citizens["group"])
        codes = group.codes
        disposition = np.clip(citizens["disposition"].to_numpy(np.float64), _DISPOSITION_EPS,
                              1.0 - _DISPOSITION_EPS)
        z = ndtri(disposition)
        counts = np.bincount(codes, minlength=len(group.categories))
        sums = np.bincount(codes, weights=z, minlength=len(group.categories))
        environment = np.divide(sums, counts, out=np.zeros(len(counts)), where=counts > 0)
        deviation = z - environment[codes]
        sigma2 = float(np.mean(deviation**2))
        shares = np.array([heritability, cultural_share, 1.0 - heritability - cultural_share])
        shares = np.clip(shares, 0.0, None)
        parts = rng.standard_normal((3, len(z))) * np.sqrt(shares * sigma2)[:, None]
        # Gaussian conditioning on the observed sum: parts + shares * (deviation - sum)
        parts += shares[:, None] * (deviation - parts.sum(axis=0))
        return cls(group, environment, parts[0], parts[1], parts[2],
                   citizens["responsiveness"].to_numpy(np.float64),
                   citizens["wealth"].to_numpy(np.float64), sigma2, heritability,
                   cultural_share)

    @property
    def liability(self):
        return self.environment[self.group.codes] + self.breeding + self.cultural + self.noise

    def citizens(self):
        n = len(self.breeding)
        liability = self.liability
        return pd.DataFrame(
            {
                "group": self.group,
                "disposition": ndtr(liability),
                "responsiveness": self.responsiveness,
                "wealth": self.wealth,
                "liability": liability,
            },
            index=pd.RangeIndex(n, name="citizen"),
        )

    def children(self, couples, rng):
        """The next generation (same size), sorted by group so groups form id blocks."""
        n = len(self.breeding)
        couple = rng.integers(len(couples), size=n)
        parents = couples[couple]
        lineage_parent = parents[np.arange(n), rng.integers(2, size=n)]
        h2, c2, sigma2 = self.heritability, self.cultural_share, self.sigma2
        breeding = self.breeding[parents].mean(axis=1) + rng.normal(
            0.0, math.sqrt(h2 * sigma2 / 2.0), n)
        cultural = self.cultural[parents].mean(axis=1) + rng.normal(
            0.0, math.sqrt(c2 * sigma2 / 2.0), n)
        noise = rng.normal(0.0, math.sqrt(max(1.0 - h2 - c2, 0.0) * sigma2), n)
        codes = self.group.codes[lineage_parent]
        order = np.lexsort((couple, codes))
        group = pd.Categorical.from_codes(codes[order], dtype=self.group.dtype)
        return dataclasses.replace(
            self, group=group, breeding=breeding[order], cultural=cultural[order],
            noise=noise[order], responsiveness=self.responsiveness[lineage_parent][order],
            wealth=self.wealth[lineage_parent][order], couple=couple[order],
        )


def _next_society(citizens, couple, mean_degree, homophily, rng):
    """Ties of a new generation: homophilous random ties plus family ties of siblings."""
    n = len(citizens)
    group = citizens["group"]
    counts = group.value_counts(sort=False).to_numpy()
    ties = homophilous_sbm(
        n, group_shares=tuple(counts / n), group_names=tuple(group.cat.categories),
        mean_degree=min(mean_degree, n - 1), homophily=homophily, rng=rng,
    )
    if not np.array_equal(ties.groups.cat.codes.to_numpy(), group.cat.codes.to_numpy()):
        raise RuntimeError("homophilous_sbm did not lay the groups out in id blocks")
    # each child is tied to the eldest (lowest id) sibling of the same couple
    eldest = np.full(couple.max() + 1, n, dtype=np.int64)
    np.minimum.at(eldest, couple, np.arange(n))
    sibling = np.flatnonzero(eldest[couple] != np.arange(n))
    source = np.concatenate((eldest[couple[sibling]], ties.ties["source"].to_numpy()))
    target = np.concatenate((sibling, ties.ties["target"].to_numpy()))
    kind = np.concatenate((np.full(len(sibling), "family", dtype=object),
                           ties.ties["kind"].astype(str).to_numpy(dtype=object)))
    return from_edges(citizens, source, target, kind=kind)


def _generation_records(generation, profiles, outcome):
    """Tidy rows (generation, measure, by, level, value) of one generation."""
    n = len(profiles)
    group = profiles["group"].array
    labels = [str(label) for label in group.categories]
    codes = group.codes
    liability = profiles["liability"].to_numpy()
    matched = outcome.matched.to_numpy()
    exposure = outcome.exposure.to_numpy()
    decile = np.empty(n, dtype=np.int64)
    decile[np.argsort(profiles["score"].to_numpy(), kind="stable")] = np.arange(n) * 10 // n
    size = np.bincount(codes, minlength=len(labels)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # empty groups give NaN
        rows = [
            (generation, "size", "all", "all", float(n)),
            (generation, "couples", "all", "all", float(len(outcome.couples))),
            (generation, "match_rate", "all", "all", float(matched.mean())),
            (generation, "selection_differential", "all", "all",
             float(liability[matched].mean() - liability.mean()) if matched.any() else np.nan),
        ]
        for column in ("disposition", "liability"):
            values = profiles[column].to_numpy()
            mean = _sums(codes, values, len(labels)) / size
            spread = np.sqrt(np.maximum(_sums(codes, values**2, len(labels)) / size - mean**2, 0.0))
            rows.append((generation, f"{column}_mean", "all", "all", float(values.mean())))
            rows.append((generation, f"{column}_sd", "all", "all", float(values.std())))
            rows += [(generation, f"{column}_mean", "group", label, float(value))
                     for label, value in zip(labels, mean)]
            rows += [(generation, f"{column}_sd", "group", label, float(value))
                     for label, value in zip(labels, spread)]
        rows += [(generation, "group_share", "group", label, float(value))
                 for label, value in zip(labels, size / n)]
        total = exposure.sum()
        deciles = [str(d) for d in range(1, 11)]
        for by, level, key, count in (
            ("group", labels, codes, size),
            ("score_decile", deciles, decile, np.bincount(decile, minlength=10)),
        ):
            rate = _sums(key, matched.astype(np.float64), len(level)) / count
            share = _sums(key, exposure, len(level)) / total
            rows += [(generation, "match_rate", by, label, float(value))
                     for label, value in zip(level, rate)]
            rows += [(generation, "exposure_share", by, label, float(value))
                     for label, value in zip(level, share)]
    return rows


def _sums(codes, values, n_levels):
    return np.bincount(codes, weights=values, minlength=n_levels)

"""The dating site: its settings, the like model and the ranking policies that fill slates.

Every searcher gets a *pool* of the other side's visible profiles (those online today, say)
and sees the top ``slate_size`` of it, ordered by displayed score, by the searcher's own
perceived appeal, by a mixture of the two, at random, by any numeric column, or by an
exposure-fair stochastic policy (:data:`RANKING_POLICIES`, :func:`draw_slates`).
:class:`DatingMarket` holds the site's settings and the like model shared with
:func:`scorelab.dating.match_market`.

References
----------
.. [SJ18] A. Singh and T. Joachims (2018), "Fairness of exposure in rankings", Proc. 24th
   ACM SIGKDD, 2219-2228. https://doi.org/10.1145/3219819.3220088
.. [SBJ22] Y. Su, M. Bayoumi and T. Joachims (2022), "Optimizing rankings for
   recommendation in matching markets", Proc. ACM Web Conference (WWW '22), 328-338.
   https://doi.org/10.1145/3485447.3511977
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri

from scorelab._validation import (
    check_finite_array,
    check_integer,
    check_probability,
    check_real,
    check_rng,
)
from scorelab.dating.exposure import _check_position_bias, position_weights

__all__ = ["RANKING_POLICIES", "DatingMarket", "draw_slates"]

RANKING_POLICIES = ("score", "appeal", "mixture", "random", "fair")
"""Named ranking policies; any numeric profile column may be used as well."""

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
    rng = np.random.default_rng(check_rng(rng))
    prof = _prepare(candidates, ranking, market, sides_required=False, name="candidates")
    salt = np.uint64(rng.integers(2**63))
    # the searchers are outside the candidates: their taste is hashed from row numbers
    # placed after the candidates' positions
    rows = prof.n + np.arange(n_searchers, dtype=np.int64)
    prof = dataclasses.replace(prof, n_hash=prof.n + n_searchers)
    slates = _slates(prof, rows, np.arange(prof.n), visible_fraction, market, salt, rng)
    return prof.index.to_numpy()[slates]

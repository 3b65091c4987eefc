"""Two-sided matching: likes from slates and inboxes, mutual matches, one-to-one couples.

Searchers examine their slate with position bias and like with a probability from appeal
and score; each like lands in the receiver's inbox, which is examined the same way; a
match needs both to like (the apply-and-reply market of Su, Bayoumi & Joachims 2022);
matches become couples one-to-one (:func:`match_market`).

References
----------
.. [SBJ22] Y. Su, M. Bayoumi and T. Joachims (2022), "Optimizing rankings for
   recommendation in matching markets", Proc. ACM Web Conference (WWW '22), 328-338.
   https://doi.org/10.1145/3485447.3511977
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from scorelab._graph import in_sorted
from scorelab._validation import check_rng
from scorelab.dating.exposure import position_weights
from scorelab.dating.rankings import (
    _check_market,
    _check_visible_fraction,
    _examined,
    _like_probability,
    _pair_draws,
    _prepare,
    _slates,
    _visible,
)

__all__ = ["MarketOutcome", "match_market"]

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
    rng = np.random.default_rng(check_rng(rng))
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


def _matches(prof, market, sent, salt, rng):
    """Mutual likes as (side-0 position, side-1 position) arrays, sorted by pair key."""
    n = np.int64(prof.n)
    # pair keys oriented side 0 -> side 1, so both directions meet on the same key
    keys = [np.sort(sent[0][0] * n + sent[0][1]), np.sort(sent[1][1] * n + sent[1][0])]
    liked_back = [in_sorted(keys[0], keys[1]), in_sorted(keys[1], keys[0])]
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

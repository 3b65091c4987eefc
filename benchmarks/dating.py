"""Benchmark: rank and match a dating market of 10^5 profiles per side.

Times :func:`scorelab.match_market` (pools, ranking, slates, likes, inboxes, couples) for
each ranking policy at full size, and :func:`scorelab.group_exposure` on the slates it
returns. The baseline is a straightforward per-searcher Python implementation of the same
market (``random.sample`` pools, ``sorted`` slates, dict inboxes, a sequential greedy
matching loop), run on a subsample of searchers and extrapolated linearly: every step of
it costs the same per searcher. Both run in the same process and report the best of
``--repeats`` runs, so the ratio is meaningful even on a shared machine (read absolute
seconds as +-30-50 %).

Run: ``.venv/bin/python benchmarks/dating.py [--per-side 100000] [--sample 2000]``
"""

from __future__ import annotations

import argparse
import math
import random
import time

import numpy as np
import pandas as pd

from scorelab.dating import (
    RANKING_POLICIES,
    DatingMarket,
    group_exposure,
    match_market,
    position_weights,
)


def make_profiles(per_side, rng):
    n = 2 * per_side
    return pd.DataFrame(
        {
            "side": pd.Categorical(np.repeat(["A", "B"], per_side)),
            "score": rng.uniform(350.0, 950.0, n),
            "appeal": rng.standard_normal(n),
            "group": pd.Categorical(rng.choice(["majority", "minority"], n, p=[0.8, 0.2])),
        },
        index=pd.RangeIndex(n, name="citizen"),
    )


def loop_market(profiles, n_searchers, market, seed):
    """The same market, one searcher and one like at a time (score ranking).

    Searchers are the first ``n_searchers`` of each side; they browse the whole other
    side, so the per-searcher work is that of the full market.
    """
    draw = random.Random(seed)
    side = profiles["side"].to_numpy()
    score = profiles["score"].to_numpy()
    appeal = profiles["appeal"].to_numpy()
    z = (score - score.mean()) / score.std()
    members = {label: np.flatnonzero(side == label).tolist() for label in ("A", "B")}
    weights = position_weights(market.slate_size, market.position_bias)
    taste = {}

    def likes(liker, liked):
        if (liker, liked) not in taste:
            taste[liker, liked] = (draw.gauss(0.0, 1.0), draw.random())
        t, coin = taste[liker, liked]
        logit = (market.like_intercept + market.appeal_weight * (appeal[liked]
                 + market.taste_sd * t) + market.score_weight * z[liked])
        return coin < 1.0 / (1.0 + math.exp(-logit)), logit

    sent, inbox = set(), {}
    for mine, other in (("A", "B"), ("B", "A")):
        for searcher in members[mine][:n_searchers]:
            pool = draw.sample(members[other], market.pool_size)
            slate = sorted(pool, key=lambda d: -score[d])[: market.slate_size]
            for position, candidate in enumerate(slate):
                if draw.random() < weights[position] and likes(searcher, candidate)[0]:
                    sent.add((searcher, candidate))
                    inbox.setdefault(candidate, []).append(searcher)
    mutual = {tuple(sorted(pair)) for pair in sent if pair[::-1] in sent}
    for receiver, senders in inbox.items():
        senders = [s for s in senders if (receiver, s) not in sent]
        senders.sort(key=lambda s: -likes(receiver, s)[1])
        for position, sender in enumerate(senders[: market.slate_size]):
            if draw.random() < weights[position] and likes(receiver, sender)[0]:
                mutual.add(tuple(sorted((receiver, sender))))
    mutual = list(mutual)
    draw.shuffle(mutual)
    taken, couples = set(), []
    for a, b in mutual:
        if a not in taken and b not in taken:
            taken.update((a, b))
            couples.append((a, b))
    return couples


def best_of(repeats, function):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-side", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000,
                        help="searchers per side for the Python-loop baseline")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    profiles = make_profiles(args.per_side, rng)
    market = DatingMarket()
    print(f"dating market: {args.per_side:,} profiles per side, slate {market.slate_size}, "
          f"pool {market.pool_size}, position bias {market.position_bias}")

    seconds = {}
    for ranking in RANKING_POLICIES:
        elapsed, outcome = best_of(args.repeats, lambda: match_market(
            profiles, ranking=ranking, market=market, rng=rng))
        seconds[ranking] = elapsed
        print(f"  match_market ranking={ranking:8s} {elapsed:6.2f} s   "
              f"couples {len(outcome.couples):,}, likes {outcome.likes_sent:,}, "
              f"matched {outcome.matched.mean():.1%}")
    elapsed, _ = best_of(args.repeats, lambda: group_exposure(
        outcome.slates["A"], profiles["group"]))
    print(f"  group_exposure on {outcome.slates['A'].shape} slates {elapsed:6.2f} s")

    loop_seconds, couples = best_of(args.repeats, lambda: loop_market(
        profiles, args.sample, market, seed=1))
    extrapolated = loop_seconds * args.per_side / args.sample
    print(f"  Python loop, {args.sample:,} searchers per side: {loop_seconds:.2f} s "
          f"({len(couples):,} couples) -> {extrapolated:.0f} s extrapolated to "
          f"{args.per_side:,} per side")
    print(f"  speed-up of match_market (score ranking) over the loop: "
          f"{extrapolated / seconds['score']:.0f}x")


if __name__ == "__main__":
    main()

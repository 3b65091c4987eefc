"""Benchmark one step of the citizen game against a per-citizen implementation of it.

Targets (issue "The citizen game"): one full step at 10^5 citizens (~10^6 ties) in at most
0.2 s and at 10^6 citizens (~10^7 ties, ~1 % of ties rewired per step) in at most 2 s on a
2-core machine; at least 50x faster than a straightforward per-citizen implementation of
the same step on the same society, measured in the same run.

The per-citizen version below does the same work with Python loops over citizens and ties
(acts, self-censorship, scoring against the standard, association by Jacobi sweeps over
neighbour lists, gates, ostracism, rewiring), drawing its random numbers one at a time.

Run ``python benchmarks/dynamics.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from scorelab.dynamics import GameConfig, simulate
from scorelab.reporting import versions
from scorelab.scoring import DOMAINS
from scorelab.society import TIE_KINDS, homophilous_sbm

# ostracism at which about 1 % of ties are cut (and replaced) per step
OSTRACISM = 0.03


def per_citizen_step(society, config, rng, displayed_before):
    """One step with per-citizen Python loops: the straightforward implementation."""
    citizens = society.citizens
    n = society.n_citizens
    kinds = list(TIE_KINDS)
    ties = list(zip(society.ties["source"].tolist(), society.ties["target"].tolist(),
                    society.ties["kind"].cat.codes.tolist(), society.ties["weight"].tolist()))
    neighbours = [[] for _ in range(n)]
    for u, v, _, w in ties:
        neighbours[u].append((v, w))
        neighbours[v].append((u, w))
    disposition = citizens["disposition"].tolist()
    responsiveness = citizens["responsiveness"].tolist()
    wealth = citizens["wealth"].tolist()
    expressed = disposition[:]
    policy = config.policy
    weights = dict(policy.weights)
    total_weight = sum(weights.values())
    rates, private, shown = [], [], []
    for i in range(n):
        total = sum(w for _, w in neighbours[i])
        mean = sum(expressed[j] * w for j, w in neighbours[i]) / total if total else expressed[i]
        p = min(1.0, max(0.0, disposition[i] + config.incentive * responsiveness[i]
                         + config.peer_pressure * (mean - expressed[i])))
        rate = 0.0
        hidden_total = disapproved_total = 0
        for domain in DOMAINS:
            chance = p * wealth[i] / (wealth[i] + 0.5) if domain == "finance" else p
            approved = int(rng.binomial(config.n_acts, chance))
            disapproved = config.n_acts - approved
            hide = config.censorship * responsiveness[i] * config.visibility
            hidden = int(rng.binomial(disapproved, hide))
            detected = int(rng.binomial(hidden, config.detection))
            observed = int(rng.binomial(disapproved - hidden, config.visibility)) + detected
            k = policy.prior_strength
            rate += weights[domain] * (approved + k / 2) / (approved + observed + k)
            hidden_total += hidden
            disapproved_total += disapproved
        rates.append(rate / total_weight)
        private.append(disapproved_total)
        shown.append(disapproved_total - hidden_total)
    mean_rate = sum(rates) / n
    spread = max(math.sqrt(sum((r - mean_rate) ** 2 for r in rates) / n), policy.standard_spread_floor)
    span = policy.score_max - policy.score_min
    own = [policy.score_min + span * 0.5 * (1 + math.erf((r - mean_rate) / spread / math.sqrt(2)))
           for r in rates]
    alpha = policy.association_weight
    x = list(displayed_before)
    threshold = 1e-8 * max(abs(v) for v in own) * (1 - alpha)
    while True:
        new = []
        for i in range(n):
            total = sum(w for _, w in neighbours[i])
            mean = sum(x[j] * w for j, w in neighbours[i]) / total if total else own[i]
            new.append(alpha * mean + (1 - alpha) * own[i] if total else own[i])
        change = max(abs(a - b) for a, b in zip(new, x))
        x = new
        if change <= threshold:
            break
    for i in range(n):
        growth = 0.0
        growth += config.credit_return if x[i] >= config.thresholds["credit"] else 0.0
        growth += config.travel_return if x[i] >= config.thresholds["travel"] else 0.0
        growth -= config.utilities_loss if x[i] < config.thresholds["utilities"] else 0.0
        wealth[i] *= math.exp(growth + config.wealth_noise * rng.standard_normal())
    kept, seekers = [], []
    for u, v, kind, w in ties:
        gap = abs(x[u] - x[v])
        chance = config.ostracism * (1 - TIE_KINDS[kinds[kind]].cut_cost) * (1 - math.exp(-gap / config.gap_scale))
        if rng.random() < chance:
            seekers.append(u if x[u] >= x[v] else v)
        else:
            kept.append((u, v, kind, w))
    existing = {(u, v) for u, v, _, _ in kept}
    order = sorted(range(n), key=lambda i: x[i])
    rank = {c: r for r, c in enumerate(order)}
    for s in seekers:
        if rng.random() < config.triadic_share and neighbours[s]:
            friend = neighbours[s][int(rng.integers(len(neighbours[s])))][0]
            target = neighbours[friend][int(rng.integers(len(neighbours[friend])))][0]
        else:
            low = min(rank[s] + 1, n - max(1, n // 10))
            target = order[low + int(rng.random() * (n - low))]
        pair = (min(s, target), max(s, target))
        if pair[0] != pair[1] and pair not in existing:
            existing.add(pair)
            kept.append((*pair, kinds.index("friend"), TIE_KINDS["friend"].weight))
    return x, kept


def time_vectorised(society, config, steps, *, measure, repeats=2):
    """Seconds per step of ``simulate``, set-up excluded.

    Runs of ``2`` and ``2 + steps`` steps differ by ``steps`` steps and nothing else (both
    build the state, measure the first and last step and return the final society), so
    the difference of their times over ``steps`` is the cost of a step. Each length runs
    ``repeats`` times and keeps its fastest time (the quietest moment of a shared
    machine) before the difference is taken. ``measure=False`` times the six stages of
    the step alone (history only at the first and last step); ``measure=True`` adds the
    history row of every step.
    """
    every = 1 if measure else 10**9
    short = long = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        simulate(society, config, n_steps=2, rng=1, history_every=every)
        short = min(short, time.perf_counter() - start)
        start = time.perf_counter()
        result = simulate(society, config, n_steps=2 + steps, rng=1, history_every=every)
        long = min(long, time.perf_counter() - start)
    cut_share = result.history["ties_cut"].iloc[-1] / society.n_ties
    return max((long - short) / steps, 1e-9), short, cut_share


def product_seconds(society, repeats=5):
    """Best time of one 2-thread product ``W @ x`` over the society's ties (calibration)."""
    from scorelab._graph import ParallelProduct
    from scorelab.society import _symmetric_csr

    ties = society.ties
    matrix = _symmetric_csr(society.n_citizens, ties["source"].to_numpy().astype(np.int64),
                            ties["target"].to_numpy().astype(np.int64),
                            ties["weight"].to_numpy())
    product = ParallelProduct(matrix)
    x = np.random.default_rng(0).random(society.n_citizens)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        product(x)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    config = GameConfig(ostracism=OSTRACISM)
    results = {"versions": versions(), "config": config.to_dict(), "runs": []}
    for n, target in ((100_000 // scale, 0.2), (1_000_000 // scale, 2.0)):
        society = homophilous_sbm(n, mean_degree=20, homophily=0.5, rng=1)
        steps = 10 if n == 100_000 // scale else 4
        per_step, first, cut_share = time_vectorised(society, config, steps=steps,
                                                     measure=False)
        measured, _, _ = time_vectorised(society, config, steps=steps // 2, measure=True,
                                         repeats=1)
        spmv = product_seconds(society)
        row = {"n": n, "ties": int(society.n_ties), "seconds_per_step": per_step,
               "seconds_per_step_with_history": measured,
               "seconds_two_steps_with_set_up": first, "share_of_ties_cut_per_step": cut_share,
               "seconds_per_product": spmv, "step_in_products": per_step / spmv,
               "target_seconds": target}
        print(f"{n:,} citizens, {society.n_ties:,} ties: {per_step:.2f} s per step (target <= "
              f"{target} s), {measured:.2f} s measuring every step; 2 steps with set-up "
              f"{first:.2f} s; {cut_share:.2%} of ties cut")
        print(f"  calibration: one 2-thread product W @ x takes {spmv * 1e3:.0f} ms here, so a "
              f"step costs {per_step / spmv:.0f} products (the machine's speed drifts +-50 %)")
        if n == 100_000 // scale:
            own_start = np.full(n, 650.0)
            start = time.perf_counter()
            per_citizen_step(society, config, np.random.default_rng(1), own_start)
            slow = time.perf_counter() - start
            row["seconds_per_citizen_step"] = slow
            row["speedup"] = slow / per_step
            print(f"  per-citizen implementation: {slow:.1f} s per step -> {slow / per_step:.0f}x "
                  f"(target >= 50)")
        results["runs"].append(row)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "dynamics.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()

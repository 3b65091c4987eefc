"""Benchmark one step of the citizen game against a per-citizen implementation of it.

Targets (issue "The citizen game"): one full step at 10^5 citizens (~10^6 ties) in at most
0.2 s and at 10^6 citizens (~10^7 ties, ~1 % of ties rewired per step) in at most 2 s on a
2-core machine; at least 50x faster than a straightforward per-citizen implementation of
the same step on the same society, measured in the same run.

The per-citizen version below does the same work with Python loops over citizens and ties
(acts, self-censorship, scoring against the standard, association by Jacobi sweeps over
neighbour lists, gates, ostracism, rewiring), drawing its random numbers one at a time.

The same targets hold with strategic unfriending and norm drift on (``MECHANISMS``: each tie
end reconsidered with chance 0.05 per step, internalisation 0.1); its per-citizen version
adds the loops of those two mechanisms (first-order tie effects from neighbour lists, the
logit cut, the norm update per citizen and domain). The machine is shared: every time is
also printed in units of one 2-thread sparse product ``W @ x`` measured just before.

History cost (issue "Scale"): with the history measured every step, a step may cost at most
1.3x the step without it, at 10^6 and at 10^7. ``step_clock`` times every step of one run
from inside it: a measure that reads the clock, alone (the step without history) or first
of the default measures (the step with the history of the step before it).
``measure_costs`` times each measure inside a run, and the components kept by the
spanning forest against a breadth-first search of the same ties on the same states.

``--large`` times the game at 10^7 citizens with mean degree 10 (5 * 10^7 ties, 10^8 stored
entries): the society's generation, ``simulate``'s set-up, every step with and without the
history, and the peak resident memory (target: a step in at most 20 s, peak at most 16 GB).
Never run two of these at once on a 24 GB machine.

Run ``python benchmarks/dynamics.py [--quick] [--small-only] [--history-only] [--large]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import time
from pathlib import Path

import numpy as np

from scorelab import metrics
from scorelab.dynamics import GameConfig, simulate
from scorelab.reporting import versions
from scorelab.scoring import DOMAINS
from scorelab.society import TIE_KINDS, homophilous_sbm

# ostracism at which about 1 % of ties are cut (and replaced) per step
OSTRACISM = 0.03
MECHANISMS = dict(strategic_rate=0.05, internalisation=0.1)


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
    alpha = policy.alpha
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
    if config.strategic_rate > 0:
        ties = per_citizen_strategic(ties, neighbours, own, x, config, rng)
    if config.internalisation > 0:
        per_citizen_norms(neighbours, disposition, config, rng)
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


def per_citizen_strategic(ties, neighbours, own, x, config, rng):
    """Strategic unfriending tie end by tie end: first-order effect, value, logit."""
    n = len(x)
    lam = config.policy.alpha
    degree = [sum(w for _, w in neighbours[i]) for i in range(n)]
    kinds = list(TIE_KINDS)
    kind_of = {(u, v): kind for u, v, kind, _ in ties}
    thresholds = [config.thresholds[g] for g in config.gates]
    stakes = [config.stakes[g] for g in config.gates]
    cut = set()
    for i in range(n):
        if not neighbours[i]:
            continue
        mean = sum(w * x[k] for k, w in neighbours[i]) / degree[i]
        echo = sum((w / degree[i]) * lam * (w / degree[k]) for k, w in neighbours[i])
        local = 1.0 / (1.0 - lam * echo)
        slope = 0.0
        for t, stake in zip(thresholds, stakes):
            sig = 1.0 / (1.0 + math.exp(-(x[i] - t) / config.softness))
            slope += stake / config.softness * sig * (1 - sig)
        best = []
        for j, a in neighbours[i]:
            if rng.random() >= config.strategic_rate:
                continue
            left = degree[i] - a
            effect = local * lam * a / left * (mean - x[j]) if left > 0 else own[i] - x[i]
            pair = (min(i, j), max(i, j))
            net = slope * effect - config.tie_values[kinds[kind_of[pair]]]
            if rng.random() < 1.0 / (1.0 + math.exp(-config.rationality * net)):
                best.append((net, pair))
        for _, pair in sorted(best, reverse=True)[: config.max_cuts]:
            cut.add(pair)
    return [t for t in ties if (t[0], t[1]) not in cut]


def per_citizen_norms(neighbours, disposition, config, rng):
    """Norm drift citizen by citizen and domain by domain: the same arithmetic as the game's
    update, with a fixed authority standard (0.6) standing in for the relative standard's
    mean, and ties seen at their private approval (the work per citizen is the same)."""
    norm = [[d] * len(DOMAINS) for d in disposition]
    new = []
    rate, anchor = config.internalisation, config.norm_anchor
    for i in range(len(norm)):
        total = sum(w for _, w in neighbours[i])
        row = []
        for d in range(len(DOMAINS)):
            seen = sum(w * norm[j][d] for j, w in neighbours[i]) / total if total else norm[i][d]
            a = norm[i][d]
            change = (1 - config.authority_pull - anchor) * (seen - a) + anchor * (disposition[i] - a)
            change += config.authority_pull * (0.6 - a)
            row.append(min(1.0, max(0.0, a + rate * change)))
        new.append(row)
    return new


def time_vectorised(society, config, steps, *, measure, repeats=2):
    """Seconds per step of ``simulate``, set-up excluded.

    Runs of ``2`` and ``2 + steps`` steps differ by ``steps`` steps and nothing else (both
    build the state, measure the first and last step and return the final society), so
    the difference of their times over ``steps`` is the cost of a step. Each length runs
    ``repeats`` times and keeps its fastest time (the quietest moment of a shared
    machine) before the difference is taken. ``measure=False`` times the six stages of
    the step alone (history only at the start, step 0, and after the last step);
    ``measure=True`` adds the history of every step.
    """
    every = 1 if measure else 10**9
    short = long = np.inf
    cpu_short = cpu_long = np.inf
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        simulate(society, config, n_steps=2, rng=1, history_every=every)
        short = min(short, time.perf_counter() - start)
        cpu_short = min(cpu_short, time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        result = simulate(society, config, n_steps=2 + steps, rng=1, history_every=every)
        long = min(long, time.perf_counter() - start)
        cpu_long = min(cpu_long, time.process_time() - cpu)
    cut_share = result.wide()["ties_cut"].iloc[-1] / society.n_ties
    time_vectorised.cpu_per_step = max((cpu_long - cpu_short) / steps, 1e-9)
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


def peak_gb():
    """Peak resident memory of this process so far, in GB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def step_clock(society, config, n_steps, *, history):
    """Set-up, per-step and wind-up seconds of one ``simulate`` run, timed from inside it.

    The history holds a measure that reads the clock: alone (``history=False``: the
    step without any measure but the clock's own, which costs nothing), or first of the
    default measures (``history=True``: a step's time then includes the history of the
    step before it, so every timed step carries one measured step). Returns
    ``(set_up, steps, wind_up)``: the seconds from the call to step 0's clock (the state
    built), between the clocks of consecutive steps, and from the last clock to the
    return (the last history and the final society).
    """
    clock = metrics.Measure("clock", lambda state: time.perf_counter())
    peak = metrics.Measure("peak_gb", lambda state: peak_gb())
    chosen = [clock, peak]
    if history:
        chosen += list(metrics.GAME_MEASURES)
        if config.mechanisms_on:
            chosen += list(metrics.MECHANISM_MEASURES)
    start = time.perf_counter()
    result = simulate(society, config, n_steps=n_steps, rng=1, measures=chosen)
    end = time.perf_counter()
    wide = result.wide()
    ticks = wide["clock"].to_numpy()
    step_clock.peaks = wide["peak_gb"].tolist()  # peak RSS so far at each step's clock
    return ticks[0] - start, np.diff(ticks), end - ticks[-1]


def history_ratio(society, config, n_steps, spmv, label, repeats=1):
    """Step time without and with the history (medians over the steps after the first,
    whose association solve has no warm start), their ratio, and the machine's state.
    With ``repeats`` > 1 the runs without and with the history alternate, so that a
    shared machine's slow phases fall on both."""
    load = os.getloadavg()[0]
    plain, measured, peak_plain = [], [], 0.0
    for _ in range(repeats):
        set_up, steps, wind_up = step_clock(society, config, n_steps, history=False)
        plain += list(steps[1:])
        peak_plain = max(peak_plain, peak_gb())
        peaks = step_clock.peaks
        _, steps, wind_up_measured = step_clock(society, config, n_steps, history=True)
        measured += list(steps[1:])
    plain, measured = np.array(plain), np.array(measured)
    row = {"rules": label, "n": society.n_citizens, "ties": int(society.n_ties),
           "seconds_set_up": set_up, "seconds_per_step": list(plain),
           "seconds_per_step_with_history": list(measured),
           "seconds_wind_up": wind_up, "seconds_wind_up_with_history": wind_up_measured,
           "median_step": float(np.median(plain)),
           "median_step_with_history": float(np.median(measured)),
           "seconds_per_product": spmv, "load_average_1min": load,
           "load_average_1min_after": os.getloadavg()[0],
           "peak_rss_gb_without_history": peak_plain, "peak_rss_gb": peak_gb(),
           "peak_rss_gb_at_each_step_without_history": peaks}
    row["history_ratio"] = row["median_step_with_history"] / row["median_step"]
    print(f"{society.n_citizens:,} citizens ({label}): set-up {set_up:.1f} s; step "
          f"{row['median_step']:.2f} s without history, {row['median_step_with_history']:.2f} "
          f"s with it (medians of the steps after the first) -> ratio {row['history_ratio']:.2f} (target <= 1.3); steps "
          f"{', '.join(f'{t:.2f}' for t in plain)} / {', '.join(f'{t:.2f}' for t in measured)}"
          f" s; wind-up {wind_up:.1f} / {wind_up_measured:.1f} s")
    print(f"  calibration: product W @ x {spmv * 1e3:.0f} ms (step = "
          f"{row['median_step'] / spmv:.0f} products); load average {load:.1f} -> "
          f"{row['load_average_1min_after']:.1f}; peak RSS {row['peak_rss_gb']:.1f} GB (at each "
          f"step of the first run: {', '.join(f'{p:.1f}' for p in peaks)})")
    return row


def measure_costs(society, config, n_steps=6):
    """Seconds each history measure takes per measured step, timed inside one run (median
    over the steps after the first two: step 0 builds the components' spanning forest and
    step 1 is its first update), beside a breadth-first search of the same components on
    the same states (SciPy's, :func:`scorelab._graph.symmetric_components`: what the
    history ran before the forest). Returns ``{measure key: seconds}`` and prints the
    costliest and the forest against the search."""
    from scorelab._graph import symmetric_components

    times = {}

    def timed(measure):
        def function(state):
            start = time.perf_counter()
            value = measure.function(state)
            times.setdefault(measure.key, []).append(time.perf_counter() - start)
            return value
        return metrics.Measure(measure.name, function, by_group=measure.by_group,
                               acts=measure.acts)

    def search(state):
        sizes = np.bincount(symmetric_components(state.matrix))
        return len(sizes)

    chosen = list(metrics.GAME_MEASURES)
    if config.mechanisms_on:
        chosen += list(metrics.MECHANISM_MEASURES)
    chosen = [timed(m) for m in chosen]
    chosen.append(timed(metrics.Measure("components_by_search", search)))
    wide = simulate(society, config, n_steps=n_steps, rng=1, measures=chosen).wide()
    if not (wide["components"] == wide["components_by_search"]).all():
        raise AssertionError("the forest's components differ from the search's")
    costs = {key: float(np.median(values[2:])) for key, values in times.items()
             if len(values) > 2}
    search_seconds = costs.pop("components_by_search")
    total = sum(costs.values())
    top = sorted(costs.items(), key=lambda item: -item[1])[:8]
    print(f"  history per measured step: {total:.3f} s in all (load "
          f"{os.getloadavg()[0]:.1f}); "
          + ", ".join(f"{key} {seconds * 1e3:.0f} ms" for key, seconds in top))
    print(f"  components: spanning forest kept through the edits {costs['components'] * 1e3:.0f}"
          f" ms, breadth-first search of the same ties {search_seconds * 1e3:.0f} ms "
          f"(x{search_seconds / costs['components']:.1f})")
    return {"seconds_per_measure": costs, "seconds_history": total,
            "seconds_components_by_search": search_seconds}


def run_large(n=10_000_000, mean_degree=10, n_steps=5):
    """The game at 10^7 citizens: generation, set-up, steps, history, peak memory."""
    start = time.perf_counter()
    society = homophilous_sbm(n, mean_degree=mean_degree, homophily=0.5, rng=1)
    generated = time.perf_counter() - start
    print(f"{n:,} citizens, {society.n_ties:,} ties generated in {generated:.1f} s "
          f"(peak RSS {peak_gb():.1f} GB)")
    spmv = product_seconds(society, repeats=3)
    rows = []
    for label, config in (("original rules", GameConfig(ostracism=OSTRACISM)),):
        row = history_ratio(society, config, n_steps, spmv, label)
        row.update(measure_costs(society, config, n_steps=n_steps))
        row["seconds_to_generate"] = generated
        row["target_seconds"], row["target_peak_gb"] = 20.0, 16.0
        rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes")
    parser.add_argument("--small-only", action="store_true",
                        help="only the smaller society (10^5 citizens, or 10^4 with --quick)")
    parser.add_argument("--history-only", action="store_true",
                        help="only the history's cost at 10^6 (10^5 with --quick)")
    parser.add_argument("--large", action="store_true",
                        help="only the game at 10^7 citizens (about 10 minutes, ~13 GB)")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    if args.large or args.history_only:
        results = {"versions": versions(), "runs": []}
        if args.large:
            results["runs"] = run_large()
            name = "dynamics-large.json"
        else:
            n = 1_000_000 // scale
            society = homophilous_sbm(n, mean_degree=20, homophily=0.5, rng=1)
            spmv = product_seconds(society)
            for label, config in (("original rules", GameConfig(ostracism=OSTRACISM)),
                                  ("strategic unfriending and norm drift",
                                   GameConfig(ostracism=OSTRACISM, **MECHANISMS))):
                row = history_ratio(society, config, 5, spmv, label, repeats=3)
                row.update(measure_costs(society, config))
                results["runs"].append(row)
            name = "dynamics-history.json"
        (out / name).write_text(json.dumps(results, indent=2, default=str) + "\n")
        return
    results = {"versions": versions(), "runs": []}
    sizes = ((100_000 // scale, 0.2), (1_000_000 // scale, 2.0))
    for label, config in (("original rules", GameConfig(ostracism=OSTRACISM)),
                          ("strategic unfriending and norm drift",
                           GameConfig(ostracism=OSTRACISM, **MECHANISMS))):
        print(f"-- {label}")
        results["runs"] += run_sizes(sizes[:1] if args.small_only else sizes, config, scale,
                                     label)
    (out / "dynamics.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def run_sizes(sizes, config, scale, label):
    rows = []
    for n, target in sizes:
        society = homophilous_sbm(n, mean_degree=20, homophily=0.5, rng=1)
        steps = 10 if n == 100_000 // scale else 4
        per_step, first, cut_share = time_vectorised(society, config, steps=steps,
                                                     measure=False)
        measured, _, _ = time_vectorised(society, config, steps=steps // 2, measure=True,
                                         repeats=1)
        cpu = time_vectorised.cpu_per_step
        spmv = product_seconds(society)
        row = {"rules": label, "cpu_seconds_per_step": cpu, "config": config.to_dict(), "n": n, "ties": int(society.n_ties), "seconds_per_step": per_step,
               "seconds_per_step_with_history": measured,
               "seconds_two_steps_with_set_up": first, "share_of_ties_cut_per_step": cut_share,
               "seconds_per_product": spmv, "step_in_products": per_step / spmv,
               "target_seconds": target}
        print(f"{n:,} citizens, {society.n_ties:,} ties: {per_step:.2f} s per step (target <= "
              f"{target} s), {measured:.2f} s measuring every step; 2 steps with set-up "
              f"{first:.2f} s; {cut_share:.2%} of ties cut")
        print(f"  calibration: one 2-thread product W @ x takes {spmv * 1e3:.0f} ms here, so a "
              f"step costs {per_step / spmv:.0f} products (the machine's speed drifts +-50 %); "
              f"{cpu:.2f} CPU seconds per step over both cores (less sensitive to a shared "
              f"machine than the wall time)")
        if n == 100_000 // scale:
            own_start = np.full(n, 650.0)
            start = time.perf_counter()
            per_citizen_step(society, config, np.random.default_rng(1), own_start)
            slow = time.perf_counter() - start
            row["seconds_per_citizen_step"] = slow
            row["speedup"] = slow / per_step
            print(f"  per-citizen implementation: {slow:.1f} s per step -> {slow / per_step:.0f}x "
                  f"(target >= 50); {slow / spmv:.0f} products")
        rows.append(row)
    return rows


if __name__ == "__main__":
    main()

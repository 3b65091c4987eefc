"""Benchmark ``scorelab.decompose`` and ``scorelab.contributions`` at scale.

Part 1, a society small enough for the exact method (10,000 citizens, 5,000 quick;
Barabasi-Albert m = 10): the probing estimate of every own-record weight ``M_ii`` against
the exact block solves in the same run. Prints the largest error, the largest stated
bound, whether every error is within its bound, and the time ratio exact / probing.

Part 2, 10^6 citizens / 10^7 ties (Barabasi-Albert m = 10): ``decompose(method="probing")``
and ``contributions`` for one citizen, each as a ratio to one ``propagate`` call on the
same matrix in the same run (the machine is shared: absolute seconds are noisy, ratios
less so). Targets: ``decompose`` within 60 s (on a quiet machine ``propagate`` takes
~0.6 s, so a ratio of about 100 or less), ``contributions`` well under a second (a ratio
of about 1.5 or less). Also the distribution of the per-citizen error bound.

Run ``python benchmarks/decomposition.py [--quick] [--alpha 0.5]``; results are printed
and saved with the versions to ``benchmarks/results/decomposition.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

import scorelab
from scorelab.reporting import versions
from scorelab.society import barabasi_albert


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def against_exact(n, alpha, probes):
    print(f"\n== probing against exact, {n:,} citizens, alpha={alpha}, {probes} probes ==")
    A = barabasi_albert(n, 10, rng=5).adjacency(weight=None)
    s = np.random.default_rng(6).uniform(350, 950, n)
    t_exact, exact = timed(lambda: scorelab.decompose(A, s, alpha=alpha, method="exact"))
    t_probe, probe = timed(
        lambda: scorelab.decompose(A, s, alpha=alpha, method="probing", probes=probes, rng=1)
    )
    error = np.abs(probe["self_weight"] - exact["self_weight"]).to_numpy()
    bound = probe["self_weight_error"].to_numpy()
    row = {
        "n": n,
        "alpha": alpha,
        "probes": probes,
        "seconds_exact": t_exact,
        "seconds_probing": t_probe,
        "speedup": t_exact / t_probe,
        "max_error": float(error.max()),
        "mean_error": float(error.mean()),
        "max_bound": float(bound.max()),
        "mean_bound": float(bound.mean()),
        "all_within_bound": bool(np.all(error <= bound)),
        "neumann_tail_bound": alpha**3 / 2,
    }
    print(
        f"exact {t_exact:.1f} s | probing {t_probe:.1f} s -> {row['speedup']:.0f}x faster | "
        f"|error| max {row['max_error']:.1e} mean {row['mean_error']:.1e} | stated bound max "
        f"{row['max_bound']:.1e} mean {row['mean_bound']:.1e} (worst case alpha^3/2 = "
        f"{alpha**3 / 2:.1e}) | all within bound: {row['all_within_bound']}"
    )
    return row


def at_scale(n, alpha, probes):
    print(f"\n== {n:,} citizens, Barabasi-Albert m=10, alpha={alpha}, {probes} probes ==")
    A = barabasi_albert(n, 10, rng=1).adjacency(weight=None)
    s = np.random.default_rng(2).uniform(350, 950, n)
    citizen = int(np.argmax(np.diff(A.indptr)))  # the best-connected citizen
    t_prop, x = timed(lambda: scorelab.propagate(A, s, alpha=alpha))
    t_contrib, c = timed(lambda: scorelab.contributions(A, s, citizen, alpha=alpha))
    t_dec, parts = timed(
        lambda: scorelab.decompose(A, s, alpha=alpha, method="probing", probes=probes, rng=1)
    )
    bound = parts["self_weight_error"].to_numpy()
    row = {
        "n": n,
        "ties": int(A.nnz // 2),
        "alpha": alpha,
        "probes": probes,
        "seconds_propagate": t_prop,
        "seconds_contributions": t_contrib,
        "seconds_decompose": t_dec,
        "contributions_over_propagate": t_contrib / t_prop,
        "decompose_over_propagate": t_dec / t_prop,
        "contributions_sum_error": float(abs(c.sum() - x.iloc[citizen]) / np.abs(s).max()),
        "bound_mean": float(bound.mean()),
        "bound_p99": float(np.quantile(bound, 0.99)),
        "bound_max": float(bound.max()),
        "self_weight_mean": float(parts["self_weight"].mean()),
        "max_rss_GB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }
    print(
        f"propagate {t_prop:.2f} s | contributions {t_contrib:.2f} s "
        f"({row['contributions_over_propagate']:.1f}x propagate; sums to x_i within "
        f"{row['contributions_sum_error']:.1e} of max|s|) | decompose {t_dec:.1f} s "
        f"({row['decompose_over_propagate']:.0f}x propagate; target 60 s) | M_ii mean "
        f"{row['self_weight_mean']:.3f}, stated error bound mean {row['bound_mean']:.1e}, "
        f"99% {row['bound_p99']:.1e}, max {row['bound_max']:.1e} | peak RSS "
        f"{row['max_rss_GB']:.1f} GB"
    )
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes")
    parser.add_argument("--alpha", type=float, nargs="+", default=[0.3, 0.5])
    parser.add_argument("--probes", type=int, default=32)
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    results = {"versions": versions(), "exact": [], "large": []}
    for alpha in args.alpha:
        results["exact"].append(against_exact(5_000 if args.quick else 10_000, alpha, args.probes))
    for alpha in args.alpha:
        results["large"].append(at_scale(1_000_000 // scale, alpha, args.probes))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "decomposition.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nsaved to {out / 'decomposition.json'}")


if __name__ == "__main__":
    main()

"""Benchmark ``scorelab.tie_effects``: the exact method against the first-order one.

Part 1, a small society (Barabasi-Albert, 2,000 citizens, m = 5): both methods on the same
graph, their times and the ratio, and the first-order error against the exact effects
(largest absolute error over the largest effect, median relative error of effects above
5 % of the largest, sign agreement).

Part 2, 10^5 and 10^6 citizens (m = 10, ~10^6 / ~10^7 ties): the first-order method as the
game would call it (ties held as a ``WeightMatrix`` whose symmetry and degrees are known,
displayed scores given), its time per stored tie and the ratio to one ``propagate`` solve on
the same input; and from a bare matrix, solve included. The exact
method is not run there: it needs one solve per citizen (extrapolated from part 1).

Run ``python benchmarks/tie_effects.py [--quick]`` (``--quick`` stops at 10^5); results
are printed and saved with the versions to ``benchmarks/results/tie_effects.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from propagation import timed  # best wall time of a few runs (benchmarks/propagation.py)

import scorelab
from scorelab._graph import WeightMatrix
from scorelab.reporting import versions
from scorelab.society import barabasi_albert


def small(n, m, alpha):
    print(f"\n== {n:,} citizens, Barabasi-Albert m={m}, alpha={alpha}: exact vs first order ==")
    A = barabasi_albert(n, m, rng=1).adjacency(weight=None)
    s = np.random.default_rng(2).uniform(350, 950, n)
    t_exact, exact = timed(lambda: scorelab.tie_effects(A, s, alpha=alpha), 1)
    t_first, first = timed(lambda: scorelab.tie_effects(A, s, alpha=alpha, method="first_order"),
                           3)
    exact, first = exact["effect"].to_numpy(), first["effect"].to_numpy()
    largest = np.abs(exact).max()
    clear = np.abs(exact) > 0.05 * largest
    row = {
        "n": n, "stored_ties": int(A.nnz), "alpha": alpha,
        "seconds_exact": t_exact, "seconds_first_order": t_first,
        "speedup_first_order": t_exact / t_first,
        "max_error_over_max_effect": float(np.abs(first - exact).max() / largest),
        "median_relative_error": float(np.median(np.abs(first - exact)[clear]
                                                 / np.abs(exact[clear]))),
        "sign_agreement": float(np.mean(np.sign(first[clear]) == np.sign(exact[clear]))),
    }
    print(f"exact {t_exact:.2f} s | first order {t_first:.3f} s -> {row['speedup_first_order']:.0f}x "
          f"faster | max error {row['max_error_over_max_effect']:.4f} of the largest effect, "
          f"median relative error {row['median_relative_error']:.4f}, signs agree on "
          f"{row['sign_agreement']:.3f}")
    return row


def large(n, m, alpha):
    print(f"\n== {n:,} citizens, Barabasi-Albert m={m}, alpha={alpha}: first order ==")
    A = barabasi_albert(n, m, rng=1).adjacency(weight=None)
    # as the citizen game holds its ties: symmetry, degrees and the absence of loops known
    ties = WeightMatrix(A, pd.RangeIndex(n, name="citizen"), symmetric=True,
                        degree=np.asarray(A.sum(axis=1)).ravel(), loopless=True)
    s = np.random.default_rng(2).uniform(350, 950, n)
    t_solve, x = timed(lambda: scorelab.propagate(ties, s, alpha=alpha).to_numpy(), 2)
    t_given, _ = timed(lambda: scorelab.tie_effects(ties, s, alpha=alpha, method="first_order",
                                                    displayed=x), 2)
    t_full, frame = timed(lambda: scorelab.tie_effects(A, s, alpha=alpha, method="first_order"), 1)
    row = {
        "n": n, "stored_ties": int(A.nnz), "alpha": alpha,
        "seconds_propagate": t_solve,
        "seconds_first_order_given_displayed": t_given,
        "seconds_first_order_bare_matrix_with_solve": t_full,
        "ratio_to_propagate": t_given / t_solve,
        "nanoseconds_per_stored_tie": 1e9 * t_given / A.nnz,
    }
    print(f"stored ties {A.nnz:,} | propagate {t_solve:.2f} s | first order {t_given:.2f} s given "
          f"the displayed scores ({row['ratio_to_propagate']:.2f}x a solve, "
          f"{row['nanoseconds_per_stored_tie']:.0f} ns per stored tie); from a bare matrix, "
          f"solve included, {t_full:.2f} s | {len(frame):,} rows")
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 10^5 citizens")
    args = parser.parse_args()
    alpha = 0.5
    small_row = small(2_000, 5, alpha)
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    large_rows = [large(n, 10, alpha) for n in sizes]
    per_citizen = small_row["seconds_exact"] / small_row["n"]
    for row in large_rows:
        # the exact method's cost is one block solve per batch of citizens: at least linear
        # in n solves of a system of size n (extrapolated, not measured)
        row["exact_extrapolated_seconds_lower_bound"] = per_citizen * row["n"] ** 2 / small_row["n"]
        print(f"{row['n']:,}: exact extrapolated >= {row['exact_extrapolated_seconds_lower_bound']:.3g} s "
              f"-> first order >= {row['exact_extrapolated_seconds_lower_bound'] / row['seconds_first_order_given_displayed']:.3g}x faster")
    out = Path(__file__).parent / "results" / "tie_effects.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"small": small_row, "large": large_rows, "versions": versions()},
                              indent=2))
    print(f"\nsaved {out}")


if __name__ == "__main__":
    main()

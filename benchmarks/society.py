"""Time and peak memory of scorelab's society generators, beside NetworkX's generators.

Every generator builds a society of mean degree 20 (at 10^6 citizens, ~10^7 ties). Our
time includes drawing the citizens' attributes and the tie kinds and building both tables;
NetworkX's time is the bare graph. At 10^5 citizens the NetworkX generator runs in the
same process and the ratio NetworkX / scorelab is printed (NetworkX takes a minute or
more per generator at 10^6, see docs/performance.md, so it is not run there).

Time is one wall-clock run without tracing; peak memory is the tracemalloc peak of a
second run (NumPy, SciPy and pandas report their buffers to tracemalloc).

``--large`` builds 10^7 citizens with mean degree 10 (10^8 stored tie entries) with the
Barabasi-Albert and Erdos-Renyi generators, each in a fresh process, and prints the time
(target: at most 60 s) and the process's peak resident memory, beside the same generator
at 10^6 in the same run (the ratio shows how close to linear the cost is).

Usage::

    python benchmarks/society.py            # 10^5 and 10^6 citizens
    python benchmarks/society.py --quick    # 10^5 only
    python benchmarks/society.py --large    # 10^6 and 10^7, mean degree 10
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time
import tracemalloc

import networkx as nx
import numpy as np
import pandas as pd
import scipy

from scorelab import society as so

MEAN_DEGREE = 20
SEED = 2024


def scorelab_generators(n):
    """Name -> zero-argument call building a society of ``n`` citizens."""
    return {
        "homophilous_sbm": lambda: so.homophilous_sbm(n, mean_degree=MEAN_DEGREE, rng=SEED),
        "barabasi_albert": lambda: so.barabasi_albert(n, MEAN_DEGREE // 2, rng=SEED),
        "watts_strogatz": lambda: so.watts_strogatz(n, MEAN_DEGREE, 0.1, rng=SEED),
        "erdos_renyi": lambda: so.erdos_renyi(n, MEAN_DEGREE, rng=SEED),
        "triadic_closure": lambda: so.triadic_closure(n, MEAN_DEGREE, rng=SEED),
    }


def networkx_generators(n):
    """Name -> the NetworkX generator of the same model.

    None for triadic closure (no NetworkX equivalent) and for the block model:
    ``nx.stochastic_block_model`` draws one random number per pair inside a block even with
    ``sparse=True``, ~3 * 10^9 pairs for the majority block at 10^5 citizens (hours).
    """
    return {
        "barabasi_albert": lambda: nx.barabasi_albert_graph(n, MEAN_DEGREE // 2, seed=SEED),
        "watts_strogatz": lambda: nx.watts_strogatz_graph(n, MEAN_DEGREE, 0.1, seed=SEED),
        "erdos_renyi": lambda: nx.fast_gnp_random_graph(n, MEAN_DEGREE / (n - 1), seed=SEED),
    }


def wall_time(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def peak_memory(call):
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def table_bytes(society):
    return sum(
        int(frame.memory_usage(index=True, deep=False).sum())
        for frame in (society.citizens, society.ties)
    )


def run(sizes):
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"pandas {pd.__version__}, NetworkX {nx.__version__}; mean degree {MEAN_DEGREE}"
    )
    so.erdos_renyi(1000, 5.0, rng=0)  # warm-up: imports and first-call costs
    header = (
        f"{'generator':<16} {'n':>9} {'ties':>10} {'time s':>8} {'peak MB':>8} "
        f"{'tables MB':>9} {'networkx s':>10} {'nx/ours':>8}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        theirs = networkx_generators(n) if n <= 10**5 else {}
        for name, call in scorelab_generators(n).items():
            seconds, society = wall_time(call)
            ties, tables = society.n_ties, table_bytes(society)
            del society  # not to count it in the traced run's baseline
            peak = peak_memory(call)
            nx_seconds = ratio = "-"
            if name in theirs:
                nx_time, _ = wall_time(theirs[name])
                nx_seconds, ratio = f"{nx_time:.2f}", f"{nx_time / seconds:.0f}x"
            print(
                f"{name:<16} {n:>9,} {ties:>10,} {seconds:8.2f} {peak / 2**20:8.0f} "
                f"{tables / 2**20:9.0f} {nx_seconds:>10} {ratio:>8}",
                flush=True,
            )


def large_generators(n):
    """The generators timed at 10^7: mean degree 10, so 10^8 stored tie entries."""
    return {
        "barabasi_albert": lambda: so.barabasi_albert(n, 5, rng=SEED),
        "erdos_renyi": lambda: so.erdos_renyi(n, 10.0, rng=SEED),
    }


def one_large(name, n):
    """Build one society in this (fresh) process; print seconds, ties and peak RSS in GB."""
    seconds, society = wall_time(large_generators(n)[name])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{seconds} {society.n_ties} {peak}")


def run_large():
    print(f"{'generator':<16} {'n':>11} {'ties':>11} {'time s':>8} {'peak RSS GB':>11} "
          f"{'x 10^6 time':>11}")
    for name in large_generators(1):
        base = None
        for n in (10**6, 10**7):
            output = subprocess.run(
                [sys.executable, __file__, "--one", name, str(n)],
                check=True, capture_output=True, text=True,
            ).stdout.split()
            seconds, ties, peak = float(output[0]), int(output[1]), float(output[2])
            base = base or seconds
            print(f"{name:<16} {n:>11,} {ties:>11,} {seconds:8.1f} {peak:11.1f} "
                  f"{seconds / base:11.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10^5 citizens only")
    parser.add_argument("--large", action="store_true", help="10^6 and 10^7 citizens")
    parser.add_argument("--one", nargs=2, metavar=("GENERATOR", "N"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        one_large(arguments.one[0], int(arguments.one[1]))
    elif arguments.large:
        run_large()
    else:
        run([10**5] if arguments.quick else [10**5, 10**6])


if __name__ == "__main__":
    main()

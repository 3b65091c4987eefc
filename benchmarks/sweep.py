"""Benchmark ``scorelab.experiments.sweep`` on a Dask ``LocalCluster`` against serial.

The sweep of notebook 01 (:func:`scorelab.studies.guilt_by_association` over homophily x
alpha, with replicates) runs three ways in one session: serially in this process, on
local processes (``n_jobs``), and on a ``dask.distributed.LocalCluster`` with as many
single-threaded workers. Prints each time and the speed-up over serial, and checks that
the three frames are identical (the seeds do not depend on where a run executes).

On a 2-core machine the ideal speed-up is below 2: a serial run already multiplies its
sparse matrices on two threads. What a cluster adds over local processes is the start-up
of its workers (timed separately, not counted) and the scheduler's overhead per task.

Run ``python benchmarks/sweep.py [--quick] [--workers 2]`` (needs ``scorelab[dask]``);
results are printed and saved with the versions to ``benchmarks/results/sweep.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from scorelab.experiments import sweep
from scorelab.reporting import versions
from scorelab.studies import guilt_by_association


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller societies and grid")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    n = 20_000 if args.quick else 100_000
    grid = {"homophily": [0.0, 0.5, 0.9], "alpha": [0.3, 0.6]}
    replicates = 2 if args.quick else 4
    fixed = {"n_citizens": n}
    runs = replicates * len(grid["homophily"]) * len(grid["alpha"])
    print(f"sweep of guilt_by_association: {runs} runs of {n:,} citizens, "
          f"{args.workers} workers")

    def run(**where):
        return sweep(guilt_by_association, grid, n_replicates=replicates, fixed=fixed,
                     rng=2026, **where)

    t_serial, serial = timed(run)
    t_local, local = timed(lambda: run(n_jobs=args.workers))
    t_start, cluster = timed(lambda: LocalCluster(n_workers=args.workers,
                                                  threads_per_worker=1, processes=True,
                                                  dashboard_address=None))
    with cluster, Client(cluster) as client:
        run(client=client)  # warm-up: the workers import scorelab
        t_dask, on_dask = timed(lambda: run(client=client))
    for name, frame in (("local processes", local), ("Dask", on_dask)):
        pd.testing.assert_frame_equal(frame, serial, obj=f"sweep on {name}")
    result = {
        "versions": versions(),
        "runs": runs,
        "n_citizens": n,
        "workers": args.workers,
        "seconds_serial": t_serial,
        "seconds_local_processes": t_local,
        "seconds_dask": t_dask,
        "seconds_cluster_start": t_start,
        "speedup_local_processes": t_serial / t_local,
        "speedup_dask": t_serial / t_dask,
    }
    print(
        f"serial {t_serial:.1f} s | local processes {t_local:.1f} s "
        f"({result['speedup_local_processes']:.2f}x) | Dask LocalCluster {t_dask:.1f} s "
        f"({result['speedup_dask']:.2f}x; cluster start {t_start:.1f} s, not counted) | "
        "frames identical"
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "sweep.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"saved to {out / 'sweep.json'}")


if __name__ == "__main__":
    main()

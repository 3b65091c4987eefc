"""Run every notebook that declares full-scale parameters at full scale: ``make full``.

A notebook takes part when its metadata holds ``scorelab.full_parameters`` (a dict of
parameter -> value). Each is executed with papermill in ``notebooks/`` (kernel ``python3``)
with ``scale="full"`` and those parameters, into a temporary copy (the committed notebook,
executed at its default size, is left alone), with

* ``SCORELAB_FINDINGS_DIR=<results>``, so that the notebook's
  ``save_findings(register, findings_dir("<notebook>"), ...)`` writes
  ``results/<notebook>/findings.csv`` and its JSON sidecar;
* ``SCORELAB_REPORTS`` set to a temporary folder, so that its figures and tables do not
  overwrite those of the default report.

After each run the sidecar is completed with what the notebook did not record: the wall
time measured here (``wall_time_seconds``), the parameters papermill passed (when the
notebook passed none) and a ``make_full`` entry (parameters, wall time, date). A notebook
fails when it raises or writes no findings register. Files listed in :data:`PACKAGE_COPIES`
are copied from ``results/`` into the package after a successful run (the committed
sensitivity table that :func:`scorelab.studies.sensitivity.rests_on` reads).

Progress is printed per notebook with its time, then a summary; ``results/make_full.json``
records it. The exit status is 1 if any notebook failed, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_COPIES = {
    "09-sensitivity/rests_on.csv": ROOT / "scorelab" / "studies" / "data" / "rests_on.csv",
}
"""Files of ``results/`` the package reads, and where its copy lives."""


@dataclass
class Run:
    """What running one notebook at full scale gave."""

    notebook: str
    status: str = "done"  # "done" or "failed"
    seconds: float = 0.0
    parameters: dict | None = None
    message: str = ""


def full_parameters(path):
    """The notebook's ``metadata.scorelab.full_parameters``, or None if it has none."""
    notebook = nbformat.read(path, as_version=4)
    parameters = notebook.metadata.get("scorelab", {}).get("full_parameters")
    if parameters is None:
        return None
    if not isinstance(parameters, dict):
        raise ValueError(f"{path.name}: metadata.scorelab.full_parameters must be a dict of "
                         f"parameter -> value, got {type(parameters).__name__}")
    return dict(parameters)


def complete_sidecar(csv, *, seconds, parameters):
    """Fill what the notebook's ``save_findings`` call left empty; return the sidecar."""
    path = csv.with_suffix(".json")
    sidecar = json.loads(path.read_text())
    if not isinstance(sidecar.get("wall_time_seconds"), (int, float)):
        sidecar["wall_time_seconds"] = round(seconds, 1)
    if not sidecar.get("parameters"):
        sidecar["parameters"] = dict(parameters)
    sidecar["make_full"] = {"parameters": dict(parameters), "wall_time_seconds": round(seconds, 1),
                            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    path.write_text(json.dumps(sidecar, indent=2, default=str) + "\n")
    return sidecar


def run_one(path, results, reports, *, timeout, kernel="python3"):
    """Execute one notebook at full scale with papermill; return its :class:`Run`."""
    import papermill

    parameters = {"scale": "full", **full_parameters(path)}
    run = Run(path.stem, parameters=parameters)
    findings = results / path.stem / "findings.csv"
    before = findings.stat().st_mtime_ns if findings.is_file() else None
    previous = {key: os.environ.get(key) for key in ("SCORELAB_FINDINGS_DIR", "SCORELAB_REPORTS")}
    os.environ["SCORELAB_FINDINGS_DIR"] = str(results)
    os.environ["SCORELAB_REPORTS"] = str(reports)
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            papermill.execute_notebook(
                str(path), str(Path(scratch) / path.name), parameters=parameters,
                cwd=str(path.parent), kernel_name=kernel, progress_bar=False,
                execution_timeout=timeout, log_output=False)
    except Exception as error:  # papermill wraps the cell's error; report it, go on
        run.status = "failed"
        run.message = f"{type(error).__name__}: {' '.join(str(error).split())[:400]}"
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    run.seconds = time.perf_counter() - start
    if run.status == "done":
        if not findings.is_file() or findings.stat().st_mtime_ns == before:
            run.status = "failed"
            run.message = (f"wrote no findings register ({findings.relative_to(results.parent)}"
                           f"): call save_findings(register, findings_dir({path.stem!r}), ...)")
        else:
            complete_sidecar(findings, seconds=run.seconds, parameters=parameters)
    return run


def copy_into_package(results, copies=None):
    """Copy the result files the package reads (:data:`PACKAGE_COPIES`) into it."""
    copied = []
    for relative, target in (PACKAGE_COPIES if copies is None else copies).items():
        source = results / relative
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.append(target)
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    parser.add_argument("--only", nargs="*", default=None,
                        help="notebook stems or numbers to run (default: all that declare "
                             "full parameters)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args(argv)
    results = args.results.resolve()
    paths = []
    for path in sorted(args.notebooks.resolve().glob("[0-9]*.ipynb")):
        if args.only and not any(path.stem == o or path.stem.split("-")[0] == o
                                 for o in args.only):
            continue
        if full_parameters(path) is not None:
            paths.append(path)
    if not paths:
        print(f"no notebook in {args.notebooks} declares metadata.scorelab.full_parameters",
              file=sys.stderr)
        return 1
    results.mkdir(parents=True, exist_ok=True)
    runs = []
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scorelab-full-reports-") as reports:
        for k, path in enumerate(paths, 1):
            print(f"[{k}/{len(paths)}] {path.name} at full scale: "
                  f"{json.dumps(full_parameters(path))} ...", flush=True)
            run = run_one(path, results, Path(reports), timeout=args.timeout,
                          kernel=args.kernel)
            runs.append(run)
            print(f"  {run.status} in {run.seconds / 60:.1f} min"
                  + (f": {run.message}" if run.message else ""), flush=True)
    if all(run.status == "done" for run in runs):
        for target in copy_into_package(results):
            print(f"copied into the package: {target.relative_to(ROOT)}")
    seconds = time.perf_counter() - total
    summary = {"total_seconds": round(seconds, 1), "runs": [asdict(run) for run in runs]}
    (results / "make_full.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print("\nsummary:")
    for run in runs:
        print(f"  {run.notebook:<32} {run.status:<7} {run.seconds / 60:6.1f} min")
    print(f"  {'total':<32} {'':<7} {seconds / 60:6.1f} min")
    failed = [run.notebook for run in runs if run.status == "failed"]
    if failed:
        print(f"notebooks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

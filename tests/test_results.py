"""The committed full-scale results, ``make full`` on tiny notebooks, and the report's findings
page.

Every ``results/<notebook>/findings.csv`` must carry complete provenance and agree with its
notebook's default-scale register: the same sign, or unresolved at the default size. The
default-scale register is read back from the committed notebook's stored output (the text
:func:`scorelab.findings.format_findings` prints), which states every column of every row, so
the test runs no model.
"""

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from tool_scripts import tool

from scorelab.findings import (
    check_provenance,
    compare_scales,
    finding,
    findings_frame,
    format_findings,
    load_findings,
    save_findings,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted((ROOT / "results").glob("*/findings.csv"))
INTERVAL_NAMES = {"Student t": "t", "percentile bootstrap": "bootstrap"}
ROW = re.compile(r"^- (?P<id>\S+) \((?P<notebook>[^)]+)\): (?P<statement>.*)$")
NUMBERS = re.compile(
    r"^  (?:unresolved: )?estimate (?P<estimate>\S+) \[(?P<ci_low>\S+), (?P<ci_high>\S+)\] "
    r"(?:vs|includes) null (?P<null>\S+); (?P<n_citizens>[\d,]+) citizens x "
    r"(?P<replicates>\d+) replicates, seed (?P<seed>\d+), (?P<scale>\w+) scale, "
    r"(?P<interval>.+) interval; rests on: (?P<rests_on>.*)$")


make_full = tool("make_full")
make_report = tool("make_report")


def parse_findings(text):
    """The register that :func:`format_findings` printed as ``text`` (to 3 digits)."""
    rows, resolved = [], None
    lines = text.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("Resolved ("):
            resolved = True
        elif line.startswith("Unresolved ("):
            resolved = False
        elif (head := ROW.match(line)) and k + 1 < len(lines):
            numbers = NUMBERS.match(lines[k + 1])
            assert numbers, f"cannot read the line after {line!r}: {lines[k + 1]!r}"
            values = numbers.groupdict()
            rests_on = "" if values["rests_on"] == "not analysed" else values["rests_on"]
            rows.append(head.groupdict() | {
                **{c: float(values[c]) for c in ("estimate", "ci_low", "ci_high", "null")},
                "resolved": resolved,
                "n_citizens": int(values["n_citizens"].replace(",", "")),
                "replicates": int(values["replicates"]), "seed": int(values["seed"]),
                "scale": values["scale"], "rests_on": rests_on,
                "interval": INTERVAL_NAMES[values["interval"]]})
    return findings_frame(rows)


def notebook_register(stem):
    """The default-scale register the committed notebook ``stem`` printed."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if output.get("name") == "stdout" and re.search(r"^(Un)?[Rr]esolved \(", text, re.M):
                return parse_findings(text)
    raise AssertionError(f"notebooks/{stem}.ipynb prints no findings register")


def test_the_parser_reads_back_what_format_findings_prints():
    register = findings_frame([
        finding("demo.effect", [1.0, 1.2, 0.9], notebook="00-demo", statement="An effect.",
                n_citizens=1200, seed=1, rests_on=["alpha", "h2"]),
        finding("demo.nothing", [0.3, -0.4, 0.2], notebook="00-demo", interval="bootstrap",
                statement="No effect (yet).", n_citizens=10, seed=1, rng=1)])
    again = parse_findings(format_findings(register))
    assert again["id"].tolist() == register["id"].tolist()
    assert again["resolved"].tolist() == [True, False]
    assert again.drop(columns=["estimate", "ci_low", "ci_high"]).equals(
        register.drop(columns=["estimate", "ci_low", "ci_high"]))
    assert (again["estimate"] - register["estimate"]).abs().max() < 0.01


@pytest.mark.skipif(not RESULTS, reason="no full-scale results are committed")
@pytest.mark.parametrize("path", RESULTS, ids=[p.parent.name for p in RESULTS])
def test_committed_full_scale_findings_have_provenance_and_agree_with_the_default(path):
    sidecar = check_provenance(path)
    full = load_findings(path)
    assert (full["scale"] == "full").all()
    assert (full["notebook"] == path.parent.name).all()
    assert sidecar["parameters"].get("scale", "full") == "full"
    comparison = compare_scales(notebook_register(path.parent.name), full)
    disagree = comparison.index[~comparison["agrees"]].tolist()
    assert not disagree, f"full and default scale resolve opposite signs for {disagree}"


def test_the_package_reads_the_committed_sensitivity_table():
    from scorelab.studies.sensitivity import OUTPUTS

    results = ROOT / "results" / "09-sensitivity" / "rests_on.csv"
    package = ROOT / "scorelab" / "studies" / "data" / "rests_on.csv"
    if results.is_file():
        assert package.read_text() == results.read_text()
    table = pd.read_csv(package, keep_default_na=False)
    assert list(table.columns) == ["output", "rests_on", "method", "reading"]
    assert table["output"].tolist() == list(OUTPUTS)  # every output the studies may read


def test_the_committed_sensitivity_table_is_what_notebook_09_computed():
    """The table is computed from the indices notebook 09 wrote beside it, not written by hand,
    and it was written by a full-scale run with provenance."""
    from scorelab.studies.sensitivity import rests_on_table

    folder = ROOT / "results" / "09-sensitivity"
    morris, sobol = pd.read_csv(folder / "morris.csv"), pd.read_csv(folder / "sobol.csv")
    table = pd.read_csv(folder / "rests_on.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(rests_on_table(morris, sobol), table)
    sidecar = check_provenance(folder / "findings.csv")
    assert sidecar["parameters"]["scale"] == "full"
    assert morris["output"].unique().tolist() == table["output"].tolist()


# --- make full on tiny notebooks -------------------------------------------------------------

SAVES = ('from scorelab.findings import finding, findings_dir, findings_frame, save_findings\n'
         'register = findings_frame([finding("fake.effect", [1.0, 1.1, 0.9 + n / 100],\n'
         '    notebook="98-fake", statement="An effect.", n_citizens=n, seed=1, scale=scale)])\n'
         'save_findings(register, findings_dir("98-fake"), seed=1)')


def notebook(cells, full_parameters=None):
    book = new_notebook(cells=cells)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    if full_parameters is not None:
        book.metadata["scorelab"] = {"full_parameters": full_parameters}
    return book


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("full")
    books = folder / "notebooks"
    books.mkdir()
    parameters = new_code_cell('scale = "default"\nn = 2', metadata={"tags": ["parameters"]})
    nbformat.write(notebook([parameters, new_code_cell(SAVES)], {"n": 50}),
                   books / "98-fake.ipynb")
    nbformat.write(notebook([parameters, new_code_cell("1 / 0")], {"n": 3}),
                   books / "97-broken.ipynb")
    nbformat.write(notebook([new_code_cell("raise RuntimeError('must not run')")]),
                   books / "96-default-only.ipynb")
    nbformat.write(notebook([parameters, new_code_cell("x = n")], {"n": 4}),
                   books / "95-no-register.ipynb")
    results = folder / "results"
    status = make_full.main(["--notebooks", str(books), "--results", str(results),
                             "--timeout", "120"])
    return status, results


def test_make_full_runs_each_declared_notebook_at_full_scale_with_provenance(full_run):
    status, results = full_run
    csv = results / "98-fake" / "findings.csv"
    sidecar = check_provenance(csv)  # wall time and parameters filled in by make_full
    register = load_findings(csv)
    assert register["scale"].tolist() == ["full"] and register["n_citizens"].tolist() == [50]
    assert sidecar["parameters"] == {"scale": "full", "n": 50}
    assert sidecar["make_full"]["wall_time_seconds"] == sidecar["wall_time_seconds"] > 0


def test_make_full_fails_on_an_error_or_a_missing_register_and_skips_undeclared(full_run):
    status, results = full_run
    assert status == 1
    summary = json.loads((results / "make_full.json").read_text())
    outcomes = {run["notebook"]: run["status"] for run in summary["runs"]}
    assert outcomes == {"95-no-register": "failed", "97-broken": "failed", "98-fake": "done"}
    messages = {run["notebook"]: run["message"] for run in summary["runs"]}
    assert "ZeroDivisionError" in messages["97-broken"]
    assert "wrote no findings register" in messages["95-no-register"]
    assert not (results / "96-default-only").exists()


def test_a_sidecar_keeps_the_wall_time_and_parameters_the_notebook_recorded(tmp_path):
    register = findings_frame([finding("fake.effect", [1.0, 1.1, 0.9], notebook="98-fake",
                                       statement="An effect.", n_citizens=5, seed=1)])
    csv = save_findings(register, tmp_path, parameters={"n": 5}, seed=1, wall_time=2.5)
    sidecar = make_full.complete_sidecar(csv, seconds=9.0, parameters={"n": 50})
    assert sidecar["wall_time_seconds"] == 2.5 and sidecar["parameters"] == {"n": 5}
    assert sidecar["make_full"]["wall_time_seconds"] == 9.0


# --- make report gathers every notebook's register ------------------------------------------

def test_make_report_gathers_the_registers_onto_one_findings_page(tmp_path):
    rows = [finding("fake.effect", [1.0, 1.1, 0.9], notebook="98-fake", n_citizens=5, seed=1,
                    statement="An effect."),
            finding("fake.nothing", [0.3, -0.4, 0.2], notebook="98-fake", n_citizens=5, seed=1,
                    statement="No effect.")]
    save_findings(findings_frame(rows), tmp_path / "findings" / "98-fake", seed=1)
    outcome = make_report.Outcome(Path("98-fake.ipynb"), "Is there a fake effect?")
    findings = make_report.read_findings(tmp_path, 0, {})
    assert findings["id"].tolist() == ["fake.effect", "fake.nothing"]
    make_report.write_findings_page(tmp_path, [outcome], findings)
    page = (tmp_path / "findings.html").read_text()
    assert "Is there a fake effect?" in page and "An effect." in page
    assert page.count("unresolved: the interval includes the null") == 1
    assert page.count("<td>resolved</td>") == 1


def test_rewriting_committed_results_does_not_make_the_code_dirty(tmp_path):
    import subprocess

    from scorelab._provenance import git_state

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "results" / "01-x").mkdir(parents=True)
    (tmp_path / "results" / "01-x" / "findings.csv").write_text("one\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    (tmp_path / "results" / "01-x" / "findings.csv").write_text("two\n")  # make full's run
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_state(tmp_path)["dirty"] is True

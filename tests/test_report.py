"""``make report`` on three tiny notebooks, read as a person would, then in a real browser.

One notebook runs (an equation, a figure, a table and a findings table), one raises
DataUnavailableError (the FICO case offline: skipped, not failed) and one fails with a
ZeroDivisionError. The report is then opened in headless Chromium by tools/check_report.py.
"""

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from tool_scripts import tool

ROOT = Path(__file__).resolve().parents[1]

make_report = tool("make_report")
check_report = tool("check_report")

RUNS = [
    new_markdown_cell("# What does a tiny run show?\n\nThe equilibrium "
                      "$$x = \\alpha W x + (1 - \\alpha)\\, s$$ with weight $\\alpha$, "
                      "and `code with $dollars$`."),
    new_code_cell("import matplotlib.pyplot as plt\nimport pandas as pd\n"
                  "from scorelab.reporting import save_figure, save_table"),
    new_markdown_cell("## A rising line\n\nThe line rises with $x$ at slope one. "
                      "It says nothing else."),
    new_code_cell('fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([0, 1], [0, 1])\n'
                  'ax.set(title="Slope one")\nsave_figure(fig, "tiny-rising-line")'),
    new_markdown_cell("That was the line. A second figure, untitled, under the same heading."),
    new_code_cell('fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([0, 1], [1, 0])\n'
                  'save_figure(fig, "tiny-falling-line")'),
    new_code_cell('save_table(pd.DataFrame({"x": [0, 1]}), "tiny-points")\n'
                  'save_table(pd.DataFrame({"id": ["tiny.slope", "tiny.noise"],\n'
                  '    "notebook": ["01-runs", "01-runs"],\n'
                  '    "statement": ["The slope is one.", "Noise moves the slope."],\n'
                  '    "estimate": [1.0, 0.01], "ci_low": [0.98, -0.02],\n'
                  '    "ci_high": [1.02, 0.04], "null": [0.0, 0.0],\n'
                  '    "resolved": [True, False]}), "tiny-findings")\n'
                  'save_table(pd.DataFrame({"statement": ["A finding without columns to spare."],'
                  ' "estimate": [2.0]}), "tiny-more-findings")'),
]
SKIPS = [
    new_markdown_cell("# Which data is missing?"),
    new_code_cell("from scorelab.lending import DataUnavailableError\n"
                  'raise DataUnavailableError("Set SOME_DIR to a folder holding the tables.")'),
]
FAILS = [
    new_markdown_cell("# Does a failure read plainly?"),
    new_code_cell("x = 1"),
    new_code_cell("ratio = x / 0"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    for name, cells in [("01-runs", RUNS), ("02-skips", SKIPS), ("03-fails", FAILS)]:
        nbformat.write(new_notebook(cells=cells), notebooks / f"{name}.ipynb")
    out = folder / "reports"
    previous = os.environ.get("SCORELAB_REPORTS")
    status = make_report.main(["--notebooks", str(notebooks), "--out", str(out),
                               "--timeout", "120"])
    if previous is None:
        os.environ.pop("SCORELAB_REPORTS", None)
    else:
        os.environ["SCORELAB_REPORTS"] = previous
    return out, status, notebooks


def test_a_failed_notebook_fails_the_report(report):
    assert report[1] == 1


def test_sections_follow_the_notebooks_with_question_findings_figures_and_link(report):
    out = report[0]
    index = (out / "index.html").read_text()
    questions = ["What does a tiny run show?", "Which data is missing?",
                 "Does a failure read plainly?"]
    positions = [index.index(q) for q in questions]
    assert positions == sorted(positions)
    first = index[index.index('<section id="01-runs">'):index.index('<section id="02-skips">')]
    assert '<img src="figures/tiny-rising-line.png"' in first
    # captions: the section's heading and the figure's own title, else the heading alone
    assert "<figcaption>A rising line: Slope one (" in first
    assert "<figcaption>A rising line (" in first
    assert "That was the line" not in first
    assert "The slope is one." in first and "[0.98, 1.02]" in first
    assert "unresolved: the interval includes the null" in first
    assert first.count("<td>resolved</td>") == 1
    assert 'href="tables/tiny-points.csv"' in first
    assert '<a href="notebooks/01-runs.html">Read the full notebook</a>' in first
    # a findings table that does not name its notebook belongs to the one that wrote it
    assert "A finding without columns to spare." in first
    findings = pd.read_csv(out / "findings.csv")
    assert findings["statement"].tolist() == ["The slope is one.", "Noise moves the slope.",
                                              "A finding without columns to spare."]
    assert findings["notebook"].tolist() == ["01-runs"] * 3


def test_skipped_and_failed_notebooks_are_reported_in_words(report):
    out = report[0]
    index = (out / "index.html").read_text()
    assert "<strong>Skipped:</strong> Set SOME_DIR to a folder holding the tables." in index
    assert ("<strong>Failed:</strong> cell 3 (which starts `ratio = x / 0`) raised "
            "ZeroDivisionError: division by zero") in index
    assert "\x1b[" not in index and "[31m" not in index
    assert "1 ran, 1 skipped, 1 failed" in " ".join(index.split())


def test_equations_are_mathml_and_dollars_in_code_stay(report):
    page = (report[0] / "notebooks" / "01-runs.html").read_text()
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in page
    assert "$$" not in page.replace("$dollars$", "")
    assert "<code>code with $dollars$</code>" in page
    assert not re.search(r"<script[^>]*src=[\"']https?://", page)


def test_skip_alone_passes_unless_strict(report, tmp_path):
    notebooks = report[2]
    only_skip = tmp_path / "notebooks"
    only_skip.mkdir()
    (only_skip / "02-skips.ipynb").write_text((notebooks / "02-skips.ipynb").read_text())
    out = tmp_path / "reports"
    assert make_report.main(["--notebooks", str(only_skip), "--out", str(out)]) == 0
    assert make_report.main(["--notebooks", str(only_skip), "--out", str(out), "--strict"]) == 1


@pytest.mark.skipif(check_report.chromium() is None and not os.environ.get("CI"),
                    reason="no Chromium here (CI installs it: .ci/run)")
def test_report_reads_whole_in_a_headless_browser(report):
    out = report[0]
    assert check_report.check(out) == []
    assert (out / "index.png").stat().st_size > 10_000


def test_the_browser_check_finds_broken_pages(report, tmp_path):
    if check_report.chromium() is None and not os.environ.get("CI"):
        pytest.skip("no Chromium here (CI installs it: .ci/run)")
    broken = tmp_path / "broken"
    (broken / "notebooks").mkdir(parents=True)
    (broken / "index.html").write_text(
        '<!DOCTYPE html><html><body><p>$$x$$</p><a href="missing.html">gone</a>'
        '<img src="figures/missing.png"><script>console.error("boom")</script>'
        '<a href="#nowhere">no such anchor</a>'
        # nbconvert writes ids percent-encoded; a browser finds them, so must the check
        '<h2 id="A-%C3%97-B">A × B</h2><a href="#A-%C3%97-B">fine</a></body></html>')
    problems = "\n".join(check_report.check(broken, screenshot=False))
    for expected in ("broken link", "broken image", "raw TeX", "console error: boom",
                     "no rendered equation", "broken anchor: #nowhere"):
        assert expected in problems
    assert "C3%97" not in problems


def test_offline_pages_drop_the_widget_loader_and_remote_scripts():
    page = (
        "<html><head><script src=\"https://cdn.example/require.js\"></script></head><body>"
        "<script>var widgetRendererSrc = 'https://unpkg.com/@jupyter-widgets/html-manager@*/"
        "dist/embed-amd.js';</script><script>var local = 1;</script>"
        "<img src=\"data:image/png;base64,AAAA\"></body></html>"
    )
    out = make_report.offline(page)
    assert "https://" not in out
    assert "var local = 1;" in out and "data:image/png" in out


def test_links_to_the_model_pages_point_at_offline_copies(tmp_path):
    wanted = set()
    page = make_report.link_model_pages(
        '<a href="../docs/odd.md">ODD</a> <a href="../docs/odd.md#parameters">x</a>', wanted)
    assert page == '<a href="../docs/odd.html">ODD</a> <a href="../docs/odd.html#parameters">x</a>'
    assert wanted == {"odd"}
    make_report.write_model_pages(tmp_path, wanted)
    odd = (tmp_path / "docs" / "odd.html").read_text()
    assert "{include}" not in odd  # the generated parameter tables are pasted in
    assert "memory" in odd and "<table>" in odd

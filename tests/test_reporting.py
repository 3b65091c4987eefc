import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scorelab import reporting  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_save_figure_and_table(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORELAB_REPORTS", str(tmp_path))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    assert reporting.save_figure(fig, "a-line-going-down") is None
    plt.close(fig)
    paths = [tmp_path / "figures" / f"a-line-going-down.{fmt}" for fmt in ("png", "pdf")]
    assert all(p.stat().st_size > 0 for p in paths)
    path = reporting.save_table(pd.DataFrame({"x": [1, 2]}), "two-rows", parameters={"n": 2}, seed=7)
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["parameters"] == {"n": 2} and sidecar["seed"] == 7
    assert sidecar["versions"]["scorelab"] == reporting.versions()["scorelab"]


def test_names_must_say_what_is_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORELAB_REPORTS", str(tmp_path))
    with pytest.raises(ValueError, match="name must be"):
        reporting.save_table(pd.DataFrame(), "Fig 3")
    with pytest.raises(TypeError, match="table must be"):
        reporting.save_table([1, 2], "a-list")


def test_project_root_found_from_a_subfolder():
    assert reporting.project_root(ROOT / "notebooks") == ROOT


def test_make_report_writes_an_offline_index(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A tiny notebook\n\nWith $x^2$ maths."),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nfrom scorelab.reporting import save_figure\n"
            "fig, ax = plt.subplots()\nax.plot([1, 2]);\nsave_figure(fig, 'tiny-line');"
        ),
    ]
    nbformat.write(nb, notebooks / "01-tiny.ipynb")
    out = tmp_path / "reports"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_report.py"), "--notebooks", str(notebooks),
         "--out", str(out)],
        check=True, capture_output=True, text=True,
    )
    index = (out / "index.html").read_text()
    assert 'href="notebooks/01-tiny.html"' in index and "A tiny notebook" in index
    assert (out / "figures" / "tiny-line.png").is_file()
    page = (out / "notebooks" / "01-tiny.html").read_text()
    assert "data:image/png;base64" in page
    for html in (index, page):
        assert 'src="http' not in html and "src='http" not in html


def test_sidecars_are_strict_json_with_lossless_numbers_and_the_commit(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORELAB_REPORTS", str(tmp_path))
    import numpy as np

    parameters = {"ids": np.arange(2000), "missing": float("nan"), "n": np.int64(7),
                  "share": np.float64(0.1)}
    path = reporting.save_table(pd.DataFrame({"x": [1.0]}), "strict-json", parameters=parameters,
                                seed=np.int64(3))
    text = path.with_suffix(".json").read_text()
    sidecar = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert sidecar["parameters"]["ids"] == list(range(2000))
    assert sidecar["parameters"]["missing"] == "nan"
    assert sidecar["parameters"]["n"] == 7 and sidecar["parameters"]["share"] == 0.1
    assert sidecar["seed"] == 3
    git = reporting.git_state(ROOT)
    assert sidecar["git"]["commit"] == git["commit"] and sidecar["git"]["dirty"] == git["dirty"]
    assert git["commit"] is None or len(git["commit"]) == 40
    fig, ax = plt.subplots()
    reporting.save_figure(fig, "with-sidecar", formats=("png",), parameters={"n": np.int64(2)})
    plt.close(fig)
    figure_sidecar = json.loads((tmp_path / "figures" / "with-sidecar.json").read_text())
    assert figure_sidecar["parameters"] == {"n": 2} and "git" in figure_sidecar
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "strict-json.csv", "strict-json.json", "with-sidecar.json", "with-sidecar.png"]


def test_git_state_outside_a_checkout(tmp_path):
    assert reporting.git_state(tmp_path) == {"commit": None, "dirty": None}


def test_saved_figures_carry_their_title_for_captions(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("SCORELAB_REPORTS", str(tmp_path))
    fig, axes = plt.subplots(1, 2)
    axes[0].set_title("Scores   by group")
    axes[1].set_title("Ties cut")
    reporting.save_figure(fig, "two-panels")
    fig.suptitle("Both panels\nat once")
    reporting.save_figure(fig, "with-suptitle")
    plt.close(fig)
    with Image.open(tmp_path / "figures" / "two-panels.png") as image:
        assert image.text["Title"] == "Scores by group; Ties cut"
    with Image.open(tmp_path / "figures" / "with-suptitle.png") as image:
        assert image.text["Title"] == "Both panels at once"
    assert b"Both panels at once" in (tmp_path / "figures" / "with-suptitle.pdf").read_bytes()

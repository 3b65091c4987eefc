"""The project's set-up files stay in step: pyproject.toml is the source of truth."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_dev_extra_is_union_of_the_other_extras():
    extras = pyproject()["project"]["optional-dependencies"]
    others = set().union(*(set(deps) for name, deps in extras.items() if name != "dev"))
    assert set(extras["dev"]) == others


def test_runtime_dependencies_cover_the_stack():
    names = {re.split(r"[<>=!~ \[]", d)[0].lower() for d in pyproject()["project"]["dependencies"]}
    assert {"numpy", "pandas", "scipy", "networkx", "matplotlib", "seaborn"} <= names


def test_environment_yml_in_step_with_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    version = python.split("=")[1]
    minimum = pyproject()["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))
    assert "pip" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    # every dependency comes from pyproject.toml through the editable install with all extras
    assert pip == ["-e .[dev]"]
    pinned_here = [d for d in deps if isinstance(d, str) and d not in ("pip", python)]
    assert pinned_here == [], f"declare these in pyproject.toml instead: {pinned_here}"


def test_readme_commands_are_make_targets():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("test", "report", "lab", "bench", "docs"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_python_example_runs():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})

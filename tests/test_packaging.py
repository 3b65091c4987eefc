"""The project's set-up files stay in step: pyproject.toml is the source of truth."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


LOCK = ROOT / "requirements-dev.lock"


def name_of(requirement):
    """The normalised distribution name of a requirement (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~ \[;]", requirement.strip())[0]).lower()


def locked():
    """``{name: version}`` of every requirement pinned in the lock file."""
    return {name_of(m[0]): m[1]
            for m in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", LOCK.read_text(), re.M)}


def test_dev_extra_is_union_of_the_other_extras():
    extras = pyproject()["project"]["optional-dependencies"]
    others = set().union(*(set(v) for k, v in extras.items() if k != "dev"))
    assert set(extras["dev"]) == others
    assert {"notebooks", "test", "docs", "dask"} <= set(extras)


def test_lock_pins_every_dependency_with_hashes():
    project = pyproject()["project"]
    wanted = {name_of(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}
    pins = locked()
    assert wanted <= set(pins), f"not in the lock (run make lock): {wanted - set(pins)}"
    # every pinned requirement carries at least one sha256 hash, and nothing floats
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text().split("\n", 2)[2])
    for block in blocks:
        assert "==" in block.splitlines()[0]
        assert "--hash=sha256:" in block, block.splitlines()[0]
    assert "make lock" in LOCK.read_text().splitlines()[1]


def test_make_installs_the_locked_versions():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile
    assert "--no-deps -e ." in makefile
    assert re.search(r"^LOCK := requirements-dev.lock$", makefile, re.M)
    assert "--extra dev --generate-hashes" in makefile and "--python-version 3.11" in makefile


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
    # every dependency comes from pyproject.toml through the lock it is pinned in
    assert pip == ["-r requirements-dev.lock"]
    assert version == re.search(r"--python-version (\S+)", (ROOT / "Makefile").read_text())[1]
    pinned_here = [d for d in deps if isinstance(d, str) and d not in ("pip", python)]
    assert pinned_here == [], f"declare these in pyproject.toml instead: {pinned_here}"


def test_readme_commands_are_make_targets():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("test", "report", "report-check", "lock", "lab", "bench", "docs"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "make report-check" in ci
    assert "SCORELAB_FICO_DIR" in ci and "apt-get install" in ci


def test_readme_python_example_runs():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})

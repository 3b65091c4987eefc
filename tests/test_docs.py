"""The documentation site's sources cover the public API (CI builds the site: make docs)."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import scorelab
import scorelab.studies

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def api_modules():
    """The modules listed in the API reference's autosummary tables."""
    text = (DOCS / "api" / "index.rst").read_text()
    return re.findall(r"^\s+(scorelab(?:\.\w+)+)\s*$", text, re.M)


def api_names():
    """The top-level names the API reference documents on their own."""
    text = (DOCS / "api" / "index.rst").read_text()
    return re.findall(r"^\s+([A-Z]\w+)\s*$", text, re.M)


def public_modules():
    """Every importable public module of scorelab, subpackages included."""
    found = []
    for info in pkgutil.walk_packages(scorelab.__path__, "scorelab."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        found.append(info.name)
    return found


def exported(module):
    """What the module's page lists: its __all__, else its public functions and classes."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [name for name, value in vars(module).items()
            if not name.startswith("_") and callable(value)
            and getattr(value, "__module__", None) == module.__name__]


def test_every_public_module_has_an_api_page():
    listed = set(api_modules())
    assert listed, "docs/api/index.rst lists no module"
    for name in listed:
        importlib.import_module(name)  # a listed module that no longer exists breaks the build
        # autosummary finds a module by attribute access: a function of the same name
        # re-exported by the package would hide it (scorelab.explore is a function)
        found = scorelab
        for part in name.split(".")[1:]:
            found = getattr(found, part)
        assert inspect.ismodule(found), f"{name} is hidden by {found!r}"
    packages = {name for name in public_modules()
                if hasattr(importlib.import_module(name), "__path__")}

    def covered(name):
        # a listed package's page shows what its __all__ gathers from its modules
        parts = name.split(".")
        return any(".".join(parts[:k]) in listed for k in range(2, len(parts) + 1))

    # a package that is not listed (scorelab.studies) has its modules listed instead
    missing = {name for name in public_modules() if not covered(name)} - packages
    assert not missing, f"add these modules to docs/api/index.rst: {sorted(missing)}"


def test_every_exported_name_appears_in_the_api_pages():
    documented = {}
    for name in api_modules():
        module = importlib.import_module(name)
        for item in exported(module):
            documented.setdefault(item, name)
    alone = set(api_names())
    listed = set(api_modules())
    for item in scorelab.__all__:
        if item.startswith("__"):
            continue
        value = getattr(scorelab, item)
        if hasattr(value, "__path__") or getattr(value, "__spec__", None) is not None:
            assert value.__name__ in listed, f"scorelab.{item} has no API page"
        else:
            assert item in documented or item in alone, f"scorelab.{item} is on no API page"
    # the module template shows constants named in capitals (docs/_templates/autosummary)
    for name in api_modules():
        module = importlib.import_module(name)
        for item in exported(module):
            value = getattr(module, item)
            if not (callable(value) or inspect.ismodule(value)):
                assert item == item.upper(), f"{name}.{item}: name constants in capitals"
    for package in ("scorelab.studies",):
        for item in importlib.import_module(package).__all__:
            assert item in documented, f"{package}.{item} is on no API page"
    for item in ("ConvergenceError",):
        assert item in alone


def test_the_pages_the_docstrings_cite_exist():
    for page in ("model.md", "performance.md"):
        assert (DOCS / page).is_file()
    model = (DOCS / "model.md").read_text()
    for heading in ("Vocabulary", "Association", "Feedback loops", "What makes a result citable",
                    "References"):
        assert re.search(rf"^## {heading}", model, re.M), heading
    assert "(I - \\Lambda W)^{-1}" in model  # the association formula, as LaTeX


def test_every_notebook_is_on_the_site_and_every_page_in_a_toctree():
    conf = (DOCS / "conf.py").read_text()
    pattern = re.search(r'glob\("([^"]+)"\)', conf).group(1)
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    assert notebooks == sorted(p.name for p in (ROOT / "notebooks").glob(pattern))
    tree = (DOCS / "index.md").read_text() + (DOCS / "howto" / "index.md").read_text()
    for page in ("model", "recipes", "notebooks", "howto/index", "api/index", "performance",
                 "install",
                 "full-scale", "dask", "cite"):
        assert re.search(rf"^{re.escape(page)}$", tree, re.M), page


def test_make_docs_builds_offline_with_warnings_as_errors_and_ci_runs_it():
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(r"^docs: .*\n((?:\t.*\n)+)", makefile, re.M)
    assert rule, "no docs target"
    assert "-W" in rule.group(1) and "--keep-going" in rule.group(1)
    assert "docs/_build" in (ROOT / ".gitignore").read_text()
    conf = (DOCS / "conf.py").read_text()
    assert "intersphinx" not in conf  # would fetch inventories from the network
    assert 'nb_execution_mode = "off"' in conf  # stored outputs, no re-execution
    assert 'html_theme = "pydata_sphinx_theme"' in conf
    assert 'html_math_renderer = "mathml"' in conf  # equations need no script from a CDN
    assert re.search(r"^make docs$", (ROOT / ".ci" / "run").read_text(), re.M)


def study_functions():
    found = []
    for info in pkgutil.iter_modules(scorelab.studies.__path__, "scorelab.studies."):
        if info.name.split(".")[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        found += [f"{info.name}.{name}" for name in getattr(module, "__all__", [])
                  if inspect.isfunction(getattr(module, name))]
    return found


def test_every_public_study_function_documents_its_parameters_and_returns():
    """numpydoc's own checks: every parameter documented with a description (PR01, PR02,
    PR07) and a Returns section (RT01)."""
    from numpydoc.validate import validate

    functions = study_functions()
    assert len(functions) > 40
    problems = {name: [(code, message) for code, message in validate(name)["errors"]
                       if code in {"PR01", "PR02", "PR07", "RT01"}]
                for name in functions}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_package_docstring_maps_modules_and_notebooks():
    text = scorelab.__doc__
    for module in ("dynamics", "association", "experiments", "defaults", "findings",
                   "studies"):
        assert f"scorelab.{module}" in text, module
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert notebook.stem in text, notebook.name
    for line in text.splitlines():  # every module the map names exists
        for name in re.findall(r"``(scorelab(?:\.\w+)+)``", line):
            importlib.import_module(name)

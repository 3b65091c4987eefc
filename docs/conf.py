"""Sphinx configuration of the scorelab documentation (built by ``make docs``, offline)."""

import importlib
import inspect
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

import scorelab  # noqa: E402

project = "scorelab"
author = "The scorelab developers"
copyright = "The scorelab developers"
release = scorelab.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "mathml",
    "numpydoc",
    "myst_nb",
]

# -- API reference: autosummary stubs from each module's __all__, numpydoc docstrings ----
autosummary_generate = True
autosummary_ignore_module_all = False
# a package (scorelab.dating, say) documents the names its __all__ re-exports from its modules
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
templates_path = ["_templates"]

# -- Notebooks: rendered from their stored outputs, never re-executed --------------------
# The notebooks live in notebooks/ (where nbval and papermill run them); a copy is taken
# into the source tree at each build so that the site shows exactly what is committed.
nb_execution_mode = "off"
nb_output_stderr = "show"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
NOTEBOOKS = DOCS / "notebooks"
if NOTEBOOKS.exists():
    shutil.rmtree(NOTEBOOKS)
NOTEBOOKS.mkdir()
for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
    # a notebook links the model pages as ../docs/<page>.md (right beside notebooks/);
    # from docs/notebooks/ the same pages are ../<page>.md
    text = notebook.read_text().replace("](../docs/", "](../")
    (NOTEBOOKS / notebook.name).write_text(text)

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "odd-parameters.md"]
# a widget needs a live kernel: the site shows its text instead (the panel's one-line state)
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
suppress_warnings = [
    # a module's References list its reading, which its functions cite (not always the
    # module text itself)
    "ref.citation",
]

# Math as MathML written at build time (docs/_ext/mathml.py): the pages need no script and
# no network to show the equations.
html_math_renderer = "mathml"

# -- HTML: pydata-sphinx-theme (the NumPy, SciPy, pandas, NetworkX look) ------------------
html_theme = "pydata_sphinx_theme"
html_title = f"scorelab {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = ["_static"]
html_css_files = ["mathml.css"]
html_last_updated_fmt = None

# -- References shared within a module ----------------------------------------------------
# A module lists its references once, in its docstring, and its functions cite them from
# there ("[SJ18]_"). numpydoc makes every docstring's citations local to that docstring, so
# before it runs, a citation a docstring uses without defining is copied in from its
# module (or from another docstring of the module) into the docstring's References.
CITED = re.compile(r"\[([A-Za-z][\w.-]*)\]_")
DEFINED = re.compile(r"^\.\. \[([A-Za-z][\w.-]*)\]")


def _definitions(text):
    """``{label: [lines]}`` of the ``.. [label]`` entries in a docstring."""
    lines = inspect.cleandoc(text or "").splitlines()
    entries, label = {}, None
    for line in lines:
        match = DEFINED.match(line)
        if match:
            label = match.group(1)
            entries[label] = [line]
        elif label is not None and line.startswith(" ") and line.strip():
            entries[label].append(line)
        else:
            label = None
    return entries


def _module_definitions(module_name):
    module = importlib.import_module(module_name)
    entries = {}
    for name in getattr(module, "__all__", []):
        entries.update(_definitions(getattr(getattr(module, name, None), "__doc__", "")))
    entries.update(_definitions(module.__doc__))
    return entries


def copy_module_references(app, what, name, obj, options, lines):
    text = "\n".join(lines)
    defined = {m.group(1) for line in lines if (m := DEFINED.match(line.strip()))}
    missing = [label for label in dict.fromkeys(CITED.findall(text)) if label not in defined]
    if not missing:
        return
    module_name = name if what == "module" else getattr(obj, "__module__", None)
    if not module_name:
        return
    found = _module_definitions(module_name)
    entries = [line for label in missing if label in found for line in found[label]]
    if not entries:
        return
    headers = [i for i in range(len(lines) - 1)
               if lines[i + 1].strip() and set(lines[i + 1].strip()) == {"-"}
               and len(lines[i + 1].strip()) == len(lines[i].strip())]
    references = [i for i in headers if lines[i].strip() == "References"]
    if references:
        after = [i for i in headers if i > references[0]]
        at = after[0] if after else len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        lines[at:at] = entries
    else:
        examples = [i for i in headers if lines[i].strip() == "Examples"]
        at = examples[0] if examples else len(lines)
        lines[at:at] = ["References", "----------", *entries, ""]


def skip_foreign(app, what, name, obj, skip, options):
    """Document scorelab's own functions and classes only (not ``pathlib.Path`` that a
    module without ``__all__`` happens to import)."""
    if what in ("function", "class", "exception"):
        module = getattr(obj, "__module__", None) or ""
        if module != "scorelab" and not module.startswith("scorelab."):
            return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_foreign)
    # before numpydoc (priority 500) renames the citations of each docstring
    app.connect("autodoc-process-docstring", copy_module_references, priority=400)

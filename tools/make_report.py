"""Run every notebook headless at its default parameters and write an offline HTML report.

``make report`` calls this. It executes ``notebooks/*.ipynb`` in one process with nbclient
(a separate ``jupyter nbconvert`` per notebook costs ~5 s of start-up each), exports each to
``reports/notebooks/<name>.html`` and writes ``reports/index.html`` linking them together
with the figures (PNG, PDF) and tables (CSV) the notebooks saved. The committed notebooks
are not modified. Scripts that nbconvert would load from a CDN (MathJax, require.js) are
dropped, so the report reads offline; images are embedded in the pages.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)
REMOTE_LINK = re.compile(r"<link[^>]*\bhref=[\"']https?://[^>]*>", re.I)


def offline(page):
    """Drop scripts and stylesheets that would be fetched from the network."""
    return REMOTE_LINK.sub("", REMOTE_SCRIPT.sub("", page))


def run_notebook(notebook, folder, *, timeout):
    """Execute ``notebook`` in place, with ``folder`` as the kernel's working directory."""
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()


def title_of(notebook, fallback):
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def write_index(out, entries):
    figures = sorted((out / "figures").glob("*.png")) if (out / "figures").is_dir() else []
    tables = sorted((out / "tables").glob("*.csv")) if (out / "tables").is_dir() else []
    rows = "\n".join(
        f'<li><a href="notebooks/{html.escape(name)}.html">{html.escape(title)}</a> '
        f"<small>({html.escape(name)}.ipynb, {seconds:.0f} s)</small></li>"
        for name, title, seconds in entries
    )
    figure_rows = "\n".join(
        f'<figure><a href="figures/{p.name}"><img src="figures/{p.name}" width="420"></a>'
        f'<figcaption>{p.stem} (<a href="figures/{p.stem}.pdf">PDF</a>)</figcaption></figure>'
        for p in figures
    )
    table_rows = "\n".join(
        f'<li><a href="tables/{p.name}">{p.name}</a> (parameters, seed and versions in '
        f'<a href="tables/{p.stem}.json">{p.stem}.json</a>)</li>'
        for p in tables
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>scorelab report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}}
figure{{display:inline-block;margin:0.5em}}figcaption{{font-size:small}}</style></head>
<body><h1>scorelab report</h1>
<p>Every notebook executed headless at its default parameters on {time.strftime('%Y-%m-%d')}.
A stylised model of the social-scoring system of the essay "Credit Sesame: the citizen
game", not of any real programme.</p>
<h2>Notebooks</h2><ul>{rows}</ul>
<h2>Figures</h2>{figure_rows or '<p>none</p>'}
<h2>Tables</h2><ul>{table_rows or '<li>none</li>'}</ul>
</body></html>
"""
    (out / "index.html").write_text(page)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    # the notebooks save their figures and tables through scorelab.reporting, which reads it
    os.environ["SCORELAB_REPORTS"] = str(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    entries = []
    paths = sorted(args.notebooks.glob("[0-9]*.ipynb"))
    if not paths:
        print(f"no notebooks found in {args.notebooks}", file=sys.stderr)
        return 1
    failed = []
    for path in paths:
        start = time.perf_counter()
        print(f"running {path.name} ...", flush=True)
        notebook = nbformat.read(path, as_version=4)
        title = title_of(notebook, path.stem)
        try:
            run_notebook(notebook, path.resolve().parent, timeout=args.timeout)
        except CellExecutionError as error:
            # keep going: the page shows the executed cells and the error, the index says so
            failed.append(path.name)
            title = f"FAILED: {title} ({str(error).strip().splitlines()[-1][:200]})"
        seconds = time.perf_counter() - start
        page, _ = exporter.from_notebook_node(notebook)
        (out / "notebooks" / f"{path.stem}.html").write_text(offline(page))
        entries.append((path.stem, title, seconds))
        print(f"  {'FAILED' if path.name in failed else 'done'} in {seconds:.0f} s", flush=True)
    write_index(out, entries)
    print(f"report written to {out / 'index.html'}")
    if failed:
        print(f"notebooks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

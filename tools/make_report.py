"""Run every notebook headless at its default parameters and write an offline HTML report.

``make report`` calls this. It executes ``notebooks/*.ipynb`` in one process with nbclient
(a separate ``jupyter nbconvert`` per notebook costs ~5 s of start-up each), exports each to
``reports/notebooks/<name>.html`` and writes ``reports/index.html``: one section per
notebook, in notebook order, with the notebook's question, its findings (from the findings
register, where the notebook writes one), the figures it saved, each captioned from the
notebook's text, and a link to the full page. The committed notebooks are not modified.

The pages read offline: scripts nbconvert would load from a CDN (MathJax, require.js) are
dropped, images are embedded, and the TeX in markdown cells is rendered at build time to
MathML (latex2mathml), which browsers display natively.

A notebook that raises :class:`scorelab.lending.DataUnavailableError` (data kept outside the
repository that cannot be fetched, e.g. the FICO tables offline) is reported as *skipped*
with the error's one-sentence advice; a notebook that raises anything else as *failed*,
naming the cell and the error in plain words. The exit status is 1 if a notebook failed,
and with ``--strict`` also if one was skipped; otherwise 0.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd
from latex2mathml.converter import convert as tex_to_mathml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)
REMOTE_LINK = re.compile(r"<link[^>]*\bhref=[\"']https?://[^>]*>", re.I)
# the MathJax configuration nbconvert writes for the renderer it would load from a CDN
MATHJAX_CONFIG = re.compile(r"<script type=\"text/x-mathjax-config\">.*?</script>", re.S)
# the loader nbconvert writes for notebooks with widget outputs: it fetches the widget
# manager from a CDN at view time (a static page shows the outputs' image or text instead)
WIDGET_LOADER = re.compile(r"<script>(?:(?!</script>).)*?widgetRendererSrc.*?</script>", re.S)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# fenced code and inline code spans hold dollars that are not math
CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$", re.S)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)
SKIPPED_ERRORS = ("DataUnavailableError",)
FINDING_COLUMNS = {"statement", "estimate"}


@dataclass
class Outcome:
    """What running one notebook gave."""

    path: Path
    title: str
    status: str = "done"  # "done", "skipped" or "failed"
    message: str = ""
    seconds: float = 0.0
    figures: list = field(default_factory=list)  # (file stem, caption)
    tables: list = field(default_factory=list)  # file stems

    @property
    def name(self):
        return self.path.stem


DOCS_LINK = re.compile(r'href="\.\./docs/([a-z0-9-]+)\.md(#[^"]*)?"')
MYST_INCLUDE = re.compile(r"```\{include\} (\S+)\n(?::[^\n]*\n)*```")


def link_model_pages(page, wanted):
    """Point the notebooks' links to ``../docs/<name>.md`` at the report's HTML copies."""
    def to_html(match):
        wanted.add(match.group(1))
        return f'href="../docs/{match.group(1)}.html{match.group(2) or ""}"'
    return DOCS_LINK.sub(to_html, page)


def write_model_pages(out, wanted, docs=ROOT / "docs"):
    """The model pages the notebooks link to (e.g. the ODD description), as offline HTML in
    ``reports/docs/``; a page the repository lacks is reported, never linked dead."""
    (out / "docs").mkdir(exist_ok=True)
    for name in sorted(wanted):
        source = docs / f"{name}.md"
        if not source.is_file():
            print(f"a notebook links to docs/{name}.md, which does not exist", file=sys.stderr)
            continue
        text = MYST_INCLUDE.sub(lambda m: (docs / m.group(1)).read_text(), source.read_text())
        body = markdown_html(text)
        (out / "docs" / f"{name}.html").write_text(
            f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{html.escape(name)}</title>"
            f"<style>body{{max-width:60em;margin:2em auto;font-family:sans-serif;line-height:1.45}}"
            f"table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:0.2em 0.4em}}"
            f"</style></head><body>{body}<p><a href=\"../index.html\">back to the report</a>"
            f"</p></body></html>")


def offline(page):
    """Drop scripts and stylesheets that would be fetched from the network."""
    page = WIDGET_LOADER.sub("", page)
    return MATHJAX_CONFIG.sub("", REMOTE_LINK.sub("", REMOTE_SCRIPT.sub("", page)))


def plain(text):
    """``text`` without terminal colour codes."""
    return ANSI.sub("", text)


def math_to_tokens(source, rendered, prefix="scorelabmath"):
    """Replace the TeX in markdown ``source`` by tokens; MathML for each goes into ``rendered``.

    Tokens are plain letters and digits, so the markdown renderer passes them through
    untouched; :func:`tokens_to_math` puts the MathML in after rendering.
    """

    def replace(match):
        display = match.group(1) is not None
        tex = (match.group(1) if display else match.group(2)).strip()
        token = f"{prefix}{len(rendered):04d}x"
        rendered[token] = tex_to_mathml(tex, display="block" if display else "inline")
        return token

    parts = CODE.split(source)
    # CODE has one group: the odd parts are code, left as they are
    return "".join(part if i % 2 else MATH.sub(replace, part) for i, part in enumerate(parts))


def tokens_to_math(page, rendered):
    for token, mathml in rendered.items():
        page = page.replace(token, mathml)
    return page


def markdown_html(source):
    """Markdown with TeX to HTML with MathML (for the index page)."""
    rendered = {}
    return tokens_to_math(markdown2html_mistune(math_to_tokens(source, rendered)), rendered)


def inline_html(source):
    """Like :func:`markdown_html` for one line: without the enclosing paragraph."""
    page = markdown_html(source).strip()
    if page.startswith("<p>") and page.endswith("</p>") and page.count("<p>") == 1:
        page = page[3:-4]
    return page


def belongs_to(label, name):
    """Whether a findings row's ``notebook`` label (``"01-guilt-by-association"``, ``"01"``
    or ``"guilt-by-association"``) names the notebook ``name``."""
    label = str(label)
    number, _, topic = name.partition("-")
    return label in (name, topic) or (label.isdigit() and label.zfill(2) == number) or (
        label.split("-")[0].isdigit() and label.split("-")[0].zfill(2) == number)


def notebook_page(notebook, exporter):
    """The executed notebook as one offline HTML page with its equations as MathML."""
    notebook = nbformat.from_dict(notebook)  # a copy: the markdown cells are rewritten
    rendered = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = math_to_tokens(cell.source, rendered)
    page, _ = exporter.from_notebook_node(notebook)
    return tokens_to_math(offline(page), rendered)


def title_and_lead(notebook, fallback):
    """The notebook's first ``#`` heading (its question) and the text after it, up to the
    first paragraph that ends a sentence (so that a displayed equation and the sentence
    around it stay together), at most three paragraphs."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        match = re.search(r"^# (.+)$", cell.source, re.M)
        if match:
            lead = []
            for paragraph in re.split(r"\n\s*\n", cell.source[match.end():].strip())[:3]:
                if not paragraph or paragraph.lstrip().startswith("#"):
                    break
                lead.append(paragraph)
                if re.search(r"[.!?]\)?$", paragraph.strip()):
                    break
            return match.group(1).strip(), "\n\n".join(lead)
    return fallback, ""


def first_sentence(text):
    text = " ".join(HEADING.sub("", text).split())
    match = re.search(r"^(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def caption_for(notebook, cell_index, title=""):
    """A one-line caption for a figure saved by cell ``cell_index``.

    The figure's own title (``title``: its suptitle or panel titles, which
    :func:`scorelab.reporting.save_figure` stores in the PNG), after the heading of the
    notebook section it sits in. Text just above a figure cell often comments on the
    previous output, so it serves only when there is neither title nor heading.
    """
    heading, sentence = "", ""
    for cell in reversed(notebook.cells[:cell_index]):
        if cell.cell_type != "markdown":
            continue
        if not sentence:
            sentence = first_sentence(cell.source)
        headings = HEADING.findall(cell.source)
        if headings:
            heading = headings[-1][1].strip()
            break
    if title and heading:
        return f"{heading.rstrip(':')}: {title}"
    return title or heading or sentence


def png_title(path):
    """The ``Title`` text chunk of a PNG ("" when it has none)."""
    with Image.open(path) as image:
        return " ".join(str(image.text.get("Title", "")).split())


def snapshot(folder, suffix):
    if not folder.is_dir():
        return {}
    return {p.stem: p.stat().st_mtime_ns for p in folder.glob(f"*.{suffix}")}


def run_notebook(path, out, *, timeout):
    """Execute the notebook at ``path``; return it (executed) and its :class:`Outcome`."""
    notebook = nbformat.read(path, as_version=4)
    title, _ = title_and_lead(notebook, path.stem)
    outcome = Outcome(path, title)
    figures_dir, tables_dir = out / "figures", out / "tables"
    seen = {"png": snapshot(figures_dir, "png"), "csv": snapshot(tables_dir, "csv")}

    def written(folder, suffix):
        now = snapshot(folder, suffix)
        new = sorted(stem for stem, mtime in now.items() if seen[suffix].get(stem) != mtime)
        seen[suffix] = now
        return new

    def on_cell_executed(cell, cell_index, **_):
        for stem in written(figures_dir, "png"):
            title = png_title(figures_dir / f"{stem}.png")
            outcome.figures.append((stem, caption_for(notebook, cell_index, title)))
        outcome.tables.extend(written(tables_dir, "csv"))

    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.resolve().parent)}},
        on_cell_executed=on_cell_executed,
        # the kernel's start-up warnings (e.g. about its TCP transport) are not the reader's
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        outcome.status = "skipped" if error.ename in SKIPPED_ERRORS else "failed"
        outcome.message = describe_error(notebook, error)
    outcome.seconds = time.perf_counter() - start
    return notebook, outcome


def describe_error(notebook, error):
    """The failing cell and the error in plain words (no colour codes, no traceback)."""
    evalue = plain(error.evalue).strip()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.outputs):
            lines = [line for line in cell.source.splitlines() if line.strip()]
            where = f"cell {index + 1}"
            if lines:
                where += f" (which starts `{lines[0].strip()[:80]}`)"
            break
    else:
        where = "a cell"
    if error.ename in SKIPPED_ERRORS:
        return evalue
    return f"{where} raised {error.ename}: {evalue}"


def read_findings(out, since_ns, owners):
    """Findings written during this run: ``reports/findings.csv`` and any table saved with
    the findings register's columns (statement, estimate, ...), one row per finding.
    ``owners`` maps a table's name to the notebook that wrote it, for rows that do not name
    their notebook."""
    frames = []
    candidates = [out / "findings.csv", *sorted((out / "tables").glob("*.csv")),
                  # each notebook's register: findings_dir(notebook) -> findings/<notebook>/
                  *sorted((out / "findings").glob("*/findings.csv"))]
    for path in candidates:
        if not path.is_file() or path.stat().st_mtime_ns < since_ns:
            continue
        try:
            columns = set(pd.read_csv(path, nrows=0).columns)  # the header only, at first
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            continue
        if FINDING_COLUMNS <= columns:
            frame = pd.read_csv(path)
            if "notebook" not in frame.columns:
                frame["notebook"] = owners.get(path.stem, "")
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["notebook", "statement", "estimate"])
    findings = pd.concat(frames, ignore_index=True)
    # the same finding read from findings.csv and from its notebook's table counts once
    return findings.drop_duplicates(["notebook", "statement"], keep="last")


def number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return html.escape(str(value))
    return "" if pd.isna(value) else f"{value:.3g}"


def findings_html(findings):
    if findings.empty:
        return ""
    rows = []
    for _, row in findings.iterrows():
        interval = ""
        if {"ci_low", "ci_high"} <= set(row.index) and number(row["ci_low"]):
            interval = f"[{number(row['ci_low'])}, {number(row['ci_high'])}]"
        resolved = row.get("resolved")
        if isinstance(resolved, str):
            resolved = resolved.strip().lower() == "true"
        verdict = ("" if resolved is None or pd.isna(resolved)
                   else "resolved" if resolved else "unresolved: the interval includes the null")
        rows.append(
            f"<tr><td>{markdown_html(str(row['statement']))}</td>"
            f"<td class=num>{number(row['estimate'])}</td><td class=num>{interval}</td>"
            f"<td>{verdict}</td></tr>"
        )
    return ("<h3>Findings</h3><table class=findings><thead><tr><th>statement</th>"
            "<th>estimate</th><th>95 % interval</th><th></th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def write_findings_page(out, outcomes, findings):
    """``findings.html``: every notebook's findings register on one page, in notebook order,
    unresolved findings printed as unresolved and nothing ranked."""
    parts = []
    for outcome in outcomes:
        mine = findings[findings["notebook"].map(lambda label: belongs_to(label, outcome.name))]
        if not mine.empty:
            parts.append(f'<h2><a href="index.html#{html.escape(outcome.name)}">'
                         f"{inline_html(outcome.title)}</a></h2>"
                         + findings_html(mine).replace("<h3>Findings</h3>", ""))
    body = "\n".join(parts) or "<p>No notebook wrote a findings register.</p>"
    (out / "findings.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>scorelab findings</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head>
<body><h1>scorelab findings</h1>
<p>Every headline claim of the notebooks with its 95 % interval, at the notebooks' default
(small) size; a finding whose interval includes its null is marked unresolved and claims no
direction. The table is also <a href="findings.csv">findings.csv</a>; the full-scale
registers are under <code>results/</code> (<code>make full</code>).
<a href="index.html">Back to the report</a>.</p>
{body}
</body></html>
""")


def section_html(number_, outcome, lead, findings, out):
    name = html.escape(outcome.name)
    parts = [f'<section id="{name}"><h2>{number_}. {inline_html(outcome.title)}</h2>']
    if outcome.status != "done":
        parts.append(f'<p class="{outcome.status}"><strong>{outcome.status.capitalize()}'
                     f':</strong> {html.escape(outcome.message)}</p>')
    if lead:
        parts.append(f'<div class="lead">{markdown_html(lead)}</div>')
    mine = findings[findings["notebook"].map(lambda label: belongs_to(label, outcome.name))]
    parts.append(findings_html(mine))
    if outcome.figures:
        parts.append("<h3>Figures</h3>")
        for stem, caption in outcome.figures:
            pdf = (f' (<a href="figures/{stem}.pdf">PDF</a>)'
                   if (out / "figures" / f"{stem}.pdf").is_file() else "")
            parts.append(
                f'<figure><a href="figures/{stem}.png"><img src="figures/{stem}.png" '
                f'alt="{html.escape((caption or stem).replace("$", ""))}"></a><figcaption>'
                f"{inline_html(caption) if caption else html.escape(stem)}{pdf}"
                f"</figcaption></figure>"
            )
    if outcome.tables:
        links = ", ".join(f'<a href="tables/{t}.csv">{t}</a>' for t in outcome.tables)
        parts.append(f"<p class=tables>Tables (each with a JSON sidecar of parameters, seed "
                     f"and versions): {links}</p>")
    parts.append(f'<p><a href="notebooks/{name}.html">Read the full notebook</a> '
                 f"<small>({name}.ipynb, {outcome.seconds:.0f} s)</small></p></section>")
    return "\n".join(p for p in parts if p)


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


STYLE = """body{font-family:system-ui,sans-serif;max-width:62em;margin:2em auto;padding:0 1em;
line-height:1.5;color:#222}h2{border-top:1px solid #ccc;padding-top:1em;margin-top:2em}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:0.92em;color:#444}table.findings{border-collapse:collapse;width:100%}
table.findings td,table.findings th{border-bottom:1px solid #ddd;padding:0.3em;text-align:left;
vertical-align:top}td.num{white-space:nowrap;font-variant-numeric:tabular-nums}
p.skipped{background:#fff6dd;padding:0.5em}p.failed{background:#fde2e2;padding:0.5em}
.lead p{margin:0.5em 0}"""


def write_index(out, outcomes, leads, findings):
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    contents = "".join(
        f'<li><a href="#{html.escape(o.name)}">{inline_html(o.title)}</a>'
        f"{'' if o.status == 'done' else f' <em>({o.status})</em>'}</li>"
        for o in outcomes
    )
    sections = "\n".join(section_html(i + 1, o, leads[o.name], findings, out)
                         for i, o in enumerate(outcomes))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>scorelab report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head>
<body><h1>scorelab report</h1>
<p>A stylised model of the social-scoring system of the essay "Credit Sesame: the citizen
game", not of any real programme. Each section below asks one question and gives what the
notebook found, its figures and a link to the notebook itself. Every notebook was executed
headless at its default (small) parameters on {time.strftime('%Y-%m-%d')} from commit
{git_commit()}: {counts['done']} ran, {counts['skipped']} skipped, {counts['failed']}
failed.</p>
<p><a href="findings.html">All findings on one page</a> (with their intervals).</p>
<ol>{contents}</ol>
{sections}
</body></html>
"""
    (out / "index.html").write_text(page)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 if any notebook was skipped, not only if one failed")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    # the notebooks save their figures and tables through scorelab.reporting, which reads it
    os.environ["SCORELAB_REPORTS"] = str(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    paths = sorted(args.notebooks.glob("[0-9]*.ipynb"))
    if not paths:
        print(f"no notebooks found in {args.notebooks}", file=sys.stderr)
        return 1
    exporter = HTMLExporter(template_name="lab")
    since = time.time_ns() - 10**9  # file times come from a coarser clock
    outcomes, leads, model_pages = [], {}, set()
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        notebook, outcome = run_notebook(path, out, timeout=args.timeout)
        leads[outcome.name] = title_and_lead(notebook, outcome.name)[1]
        (out / "notebooks" / f"{path.stem}.html").write_text(
            link_model_pages(notebook_page(notebook, exporter), model_pages))
        outcomes.append(outcome)
        print(f"  {outcome.status} in {outcome.seconds:.0f} s"
              + (f": {outcome.message}" if outcome.message else ""), flush=True)
    owners = {table: o.name for o in outcomes for table in o.tables}
    findings = read_findings(out, since, owners)
    if not findings.empty:
        findings.to_csv(out / "findings.csv", index=False)
    write_model_pages(out, model_pages)
    write_index(out, outcomes, leads, findings)
    write_findings_page(out, outcomes, findings)
    print(f"report written to {out / 'index.html'}")
    skipped = [o.path.name for o in outcomes if o.status == "skipped"]
    failed = [o.path.name for o in outcomes if o.status == "failed"]
    if skipped:
        print(f"notebooks skipped: {', '.join(skipped)}"
              + (" (--strict: this fails the report)" if args.strict else ""), file=sys.stderr)
    if failed:
        print(f"notebooks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed or (args.strict and skipped) else 0


if __name__ == "__main__":
    sys.exit(main())

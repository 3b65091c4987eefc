"""Open the report in a real headless browser and check that a reader would see it whole.

``make report-check`` calls this after ``make report``. Chromium (Debian's ``chromium``
package, or ``$SCORELAB_CHROMIUM``) is driven by Playwright's Python package over a pipe,
with no network: every page must load without console errors or failed requests, every
link and image must resolve (local files exist, images decode), every equation must be
rendered (MathML elements, no ``$$`` left in the text), and a screenshot of the index is
saved as ``reports/index.png``. Exit status 1 lists every problem found.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def chromium():
    """Path of the Chromium binary to drive, or None."""
    for candidate in (os.environ.get("SCORELAB_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def page_problems(page, url):
    """Load ``url`` and return the problems a reader would meet on it."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    response = page.goto(url, wait_until="load")
    if response is not None and not response.ok:
        problems.append(f"status {response.status}")
    # links to files: the target must exist (fragments: the anchor must exist)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        target = urlparse(href)
        # references to the web are not followed offline
        if target.scheme != "file":
            continue
        if not Path(unquote(target.path)).exists():
            problems.append(f"broken link: {href}")
        elif target.fragment and unquote(target.path) == urlparse(url).path and not (
                # as a browser does: the fragment as written, then percent-decoded
                page.evaluate("ids => ids.some(id => document.getElementById(id))",
                              [target.fragment, unquote(target.fragment)])):
            problems.append(f"broken anchor: #{target.fragment}")
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(e => !e.complete || e.naturalWidth === 0).map(e => e.src)")
    problems.extend(f"broken image: {src[:120]}" for src in broken)
    text = page.inner_text("body")
    if "$$" in text:
        problems.append("raw TeX ($$) in the text: an equation was not rendered")
    if "\x1b[" in text or "[0;31m" in text or "[31m" in text:
        problems.append("terminal colour codes in the text")
    return problems


def check(report, *, screenshot=True, expect_math=True):
    """Check every page of ``report``; return the list of problems (empty when all is well)."""
    from playwright.sync_api import sync_playwright

    report = Path(report).resolve()
    index = report / "index.html"
    if not index.is_file():
        return [f"no report at {index}: run make report first"]
    binary = chromium()
    if binary is None:
        return ["no Chromium found (apt-get install chromium, or set SCORELAB_CHROMIUM)"]
    pages = [index, *sorted((report / "notebooks").glob("*.html"))]
    problems = []
    math_elements = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            # offline: any request that leaves the machine fails, and is reported
            context.route("http*://**", lambda route: route.abort())
            for path in pages:
                page = context.new_page()
                problems.extend(f"{path.relative_to(report)}: {p}"
                                for p in page_problems(page, path.as_uri()))
                math_elements += page.eval_on_selector_all("math", "els => els.length")
                if path == index and screenshot:
                    page.screenshot(path=str(report / "index.png"), full_page=False)
                page.close()
        finally:
            browser.close()
    if expect_math and math_elements == 0:
        problems.append("no rendered equation (MathML) on any page")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=ROOT / "reports")
    args = parser.parse_args(argv)
    problems = check(args.report)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"report check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"report check: every page of {args.report} loads cleanly; screenshot in "
          f"{args.report / 'index.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

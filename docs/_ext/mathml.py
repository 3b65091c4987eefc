"""Render the site's math as MathML when the site is built: no script, no network to read it.

Browsers draw MathML themselves (Chromium 109+, Firefox, Safari), so the equations of the
model page, the docstrings and the notebooks show offline. The LaTeX is converted by
latex2mathml; a formula it cannot convert is a build warning (an error under ``-W``).
"""

import html

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


def _mathml(node, latex, display):
    try:
        return convert(latex.strip(), display=display)
    except Exception as error:  # latex2mathml raises many kinds of error on bad input
        logger.warning("cannot render this math as MathML (%s): %s", error, latex,
                       location=node, type="mathml")
        return f'<code class="math-source">{html.escape(latex)}</code>'


def visit_inline(self, node):
    self.body.append(f'<span class="math notranslate">{_mathml(node, node.astext(), "inline")}'
                     f"</span>")
    raise nodes.SkipNode


def visit_block(self, node):
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    # several equations of one block are separated by blank lines, as for MathJax
    for part in node.astext().split("\n\n"):
        if part.strip():
            self.body.append(_mathml(node, part, "block"))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_inline, None), (visit_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}

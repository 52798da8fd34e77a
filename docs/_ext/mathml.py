"""Sphinx HTML math renderer that writes MathML at build time (no MathJax, no network).

Browsers render MathML natively (Chromium since version 109, Firefox, Safari), so the
book's formulas need no JavaScript and no CDN. A formula that latex2mathml cannot
convert stops the build with the formula in the message.
"""
from docutils import nodes
from sphinx.errors import ExtensionError


def _mathml(latex, display):
    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display=display)
    except Exception as err:  # latex2mathml raises its own exception types
        raise ExtensionError(f"cannot convert the formula {latex!r} to MathML: {err}") from err


def visit_math(self, node):
    self.body.append(f'<span class="math notranslate">{_mathml(node.astext(), "inline")}</span>')
    raise nodes.SkipNode


def visit_math_block(self, node):
    self.body.append(f'<div class="math notranslate">{_mathml(node.astext(), "block")}</div>\n')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}

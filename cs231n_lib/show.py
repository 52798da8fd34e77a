"""Library code shown in a notebook: the lines that teach, not the whole file.

``show.magnitude(x)`` prints a small measured number (a gradient check's relative
error, the difference of two routes) as the power of ten just above it, which stays
the same from machine to machine where the last digits do not.

``show.source(func)`` returns the ``def`` line and body of ``func`` without its
docstring and without its input checks (top-level ``if ...: raise ...``
blocks, and statements that only run the input contract,
``contract.check_...(...)``, alone or assigned), so a notebook can show the twelve lines of a layer instead of copying
them or dumping fifty.  The result displays as highlighted Python in Jupyter
and as plain text everywhere else::

    from cs231n_lib import layers, show
    show.source(layers.max_pool_forward_naive)
"""
from __future__ import annotations

import ast
import inspect
import textwrap

__all__ = ["Source", "source", "magnitude"]


class Source(str):
    """Python source text that Jupyter shows as a highlighted code block."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return f"```python\n{self}\n```"


def _only_raises(node) -> bool:
    """True for ``if ...: raise ...`` (no else): an input check."""
    return (isinstance(node, ast.If) and not node.orelse and bool(node.body)
            and isinstance(node.body[-1], ast.Raise))


def _only_contract(node) -> bool:
    """True for a statement that only calls the input contract: ``contract.check_...(...)``, alone or
    assigned (``X = contract.check_images(net, X)``): an input check that returns its checked input."""
    if isinstance(node, (ast.Expr, ast.Assign)):
        value = node.value
        return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and isinstance(value.func.value, ast.Name) and value.func.value.id == "contract"
                and value.func.attr.startswith("check_"))
    return False


def source(func, docstring: bool = False, checks: bool = False) -> Source:
    """The source of ``func`` as it teaches.

    Parameters
    ----------
    func : a function or class defined in a file.
    docstring : keep the docstring (default: drop it).
    checks : keep the input checks, i.e. top-level statements of the form
        ``if <condition>: raise ...`` and calls of the input contract
        ``contract.check_...(...)`` (default: drop them).

    Returns a :class:`Source` (a str): the dedented lines, comments kept.
    """
    try:
        text = textwrap.dedent(inspect.getsource(func))
    except (TypeError, OSError) as err:
        raise ValueError(f"cannot show the source of {func!r}: {err}") from None
    tree = ast.parse(text)
    node = tree.body[0]
    lines = text.splitlines()
    drop = set()
    body = getattr(node, "body", [])
    for i, stmt in enumerate(body):
        is_doc = (i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                  and isinstance(stmt.value.value, str))
        if (is_doc and not docstring) or ((_only_raises(stmt) or _only_contract(stmt)) and not checks):
            drop.update(range(stmt.lineno - 1, stmt.end_lineno))
            # a blank line left behind by the dropped block goes too
            if stmt.end_lineno < len(lines) and not lines[stmt.end_lineno].strip():
                drop.add(stmt.end_lineno)
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return Source("\n".join(kept).rstrip())


def magnitude(value) -> str:
    """A small measured number (a rounding error, a gradient check's relative error) as the
    power of ten just above it, for printing: ``3e-12 -> '< 1e-11'``, ``1e-13 -> '< 1e-12'``,
    and ``'0'`` for exactly zero.  The last digits of such a number vary from machine to
    machine; the power of ten above it does not, unless the number sits right at a power
    of ten.
    """
    import math

    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"magnitude needs a finite number >= 0, got {value!r}.")
    if x == 0:
        return "0"
    return f"< 1e{math.floor(math.log10(x)) + 1}"

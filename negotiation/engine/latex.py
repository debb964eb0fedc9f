"""LaTeX tables for papers, rendered by pandas' ``Styler.to_latex`` (booktabs rules)."""

from __future__ import annotations

from collections.abc import Sequence

_SPECIAL = {c: "\\" + c for c in "&%$#_{}"}
_SPECIAL.update({"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"})


def escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text (for cells that mix text and maths)."""
    return "".join(_SPECIAL.get(c, c) for c in text)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str,
    caption: str | None = None,
    label: str | None = None,
    raw: bool = False,
) -> str:
    """A ``table`` environment holding a ``tabular`` with booktabs rules (``\\usepackage{booktabs}``).

    Header and cells are escaped unless ``raw`` (then they are LaTeX already).  Rendered by
    :meth:`pandas.io.formats.style.Styler.to_latex`.
    """
    import pandas as pd

    cell = (lambda s: s) if raw else escape
    frame = pd.DataFrame([[cell(str(c)) for c in row] for row in rows], columns=[cell(h) for h in header])
    styler = frame.style.hide(axis="index")
    return styler.to_latex(column_format=align, position="ht", position_float="centering", hrules=True,
                           caption=escape(caption) if caption else None, label=label)

"""Small LaTeX helpers for tables in papers (no template engine needed)."""

from __future__ import annotations

from collections.abc import Sequence

_SPECIAL = {c: "\\" + c for c in "&%$#_{}"}
_SPECIAL.update({"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"})


def escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return "".join(_SPECIAL.get(c, c) for c in text)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str,
    caption: str | None = None,
    label: str | None = None,
    raw: bool = False,
) -> str:
    """A ``table`` environment holding a ``tabular``; header and cells are escaped unless ``raw``."""
    cell = (lambda s: s) if raw else escape
    lines = [r"\begin{table}[ht]", r"\centering", rf"\begin{{tabular}}{{{align}}}"]
    lines.append(" & ".join(cell(h) for h in header) + r" \\")
    lines.append(r"\hline")
    lines += [" & ".join(cell(str(c)) for c in row) + r" \\" for row in rows]
    lines.append(r"\end{tabular}")
    if caption:
        lines.append(rf"\caption{{{escape(caption)}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"

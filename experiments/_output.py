"""Helpers shared by the experiment scripts: where outputs go, and atomic writes."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from negotiation.io.atomic import atomic_write_bytes, atomic_write_text

OUTPUT = Path(__file__).resolve().parent / "output"


def write_text(name: str, text: str) -> Path:
    path = OUTPUT / name
    atomic_write_text(path, text)
    print(f"wrote {path.relative_to(OUTPUT.parent.parent)}")
    return path


def write_figure(name: str, fig: object) -> Path:
    """Save a matplotlib figure as PNG without timestamps, so reruns are byte-identical."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})  # type: ignore[attr-defined]
    path = OUTPUT / name
    atomic_write_bytes(path, buf.getvalue())
    print(f"wrote {path.relative_to(OUTPUT.parent.parent)}")
    return path

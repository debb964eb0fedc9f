"""Helpers shared by the experiment scripts: where outputs go, atomic writes, and the manifest.

Every output is recorded in ``experiments/output/MANIFEST.json`` with its SHA-256, the script
that made it and the script's settings (its upper-case constants: seeds, draws, grids), beside
the versions of the packages it ran with, so that a figure in a paper can be traced to the
command and the inputs behind it.  Figures are written as vector PDF (fonts embedded, no
time stamps) and PNG at 300 dpi, both byte-identical across runs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from negotiation import style
from negotiation.io.atomic import atomic_write_bytes, atomic_write_text
from negotiation.plot import figure_bytes

OUTPUT = Path(__file__).resolve().parent / "output"
MANIFEST = OUTPUT / "MANIFEST.json"
PACKAGES = ("negotiation", "numpy", "scipy", "sympy", "pandas", "matplotlib", "SALib")

style.apply()


def _script() -> tuple[str, dict[str, Any]]:
    main = sys.modules.get("__main__")
    name = Path(getattr(main, "__file__", "interactive")).name
    settings = {k: v for k, v in vars(main).items() if k.isupper() and isinstance(v, (int, float, str, tuple, list))}
    return name, json.loads(json.dumps(settings, default=str))


def _record(path: Path, data: bytes) -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.is_file() else {}
    script, settings = _script()
    manifest.setdefault("outputs", {})[path.name] = {
        "sha256": hashlib.sha256(data).hexdigest(), "script": script, "settings": settings}
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    manifest["packages"] = versions
    manifest["python"] = sys.version.split()[0]
    atomic_write_text(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def write_text(name: str, text: str) -> Path:
    path = OUTPUT / name
    atomic_write_text(path, text)
    _record(path, text.encode("utf-8"))
    print(f"wrote {path.relative_to(OUTPUT.parent.parent)}")
    return path


def write_figure(name: str, fig: object) -> Path:
    """Save a figure as PDF and as PNG at 300 dpi (``name`` ends in .png), without time stamps."""
    stem = name.rsplit(".", 1)[0]
    for fmt in ("png", "pdf"):
        data = figure_bytes(fig, fmt)
        path = OUTPUT / f"{stem}.{fmt}"
        atomic_write_bytes(path, data)
        _record(path, data)
        print(f"wrote {path.relative_to(OUTPUT.parent.parent)}")
    return OUTPUT / name


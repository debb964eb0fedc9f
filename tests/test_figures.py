"""The house style: every figure palette stays apart for colourblind readers and in greyscale, and the
figure files are vector PDF and 300 dpi PNG, byte-identical across runs, recorded in a manifest."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import first_idlib

from negotiation import style

ROOT = Path(__file__).resolve().parent.parent


def _views(hex_colour: str) -> dict[str, np.ndarray]:
    """CIELab of a colour as seen normally, with deuteranopia and protanopia (Machado, Oliveira and
    Fernandes 2009, severity 1, via colour-science) and in greyscale (its luminance)."""
    colour = pytest.importorskip("colour")
    space = colour.RGB_COLOURSPACES["sRGB"]
    srgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = colour.models.eotf_sRGB(srgb)

    def lab(rgb: np.ndarray) -> np.ndarray:
        return colour.XYZ_to_Lab(colour.RGB_to_XYZ(rgb, space, apply_cctf_decoding=False))

    out = {"normal": lab(linear)}
    for view, kind in (("deuteranopia", "Deuteranomaly"), ("protanopia", "Protanomaly")):
        out[view] = lab(np.clip(colour.blindness.matrix_cvd_Machado2009(kind, 1.0) @ linear, 0, 1))
    luminance = colour.RGB_to_XYZ(linear, space, apply_cctf_decoding=False)[1]
    out["greyscale"] = lab(np.full(3, luminance))
    return out


@pytest.mark.parametrize("name", sorted(style.PALETTES))
def test_every_palette_separates_for_colourblind_readers_and_in_greyscale(name):
    colour = pytest.importorskip("colour")
    palette = style.PALETTES[name]
    views = [_views(c) for c in palette]
    for view, bound in style.MIN_DELTA_E.items():
        least = min(float(colour.delta_E(a[view], b[view], method="CIE 2000"))
                    for a, b in itertools.combinations(views, 2))
        assert least >= bound, f"palette {name!r} under {view}: min CIEDE2000 {least:.1f} < {bound}"


def test_the_old_palette_would_have_failed():
    """The palette the figures used before (seaborn's deep palette in the regime map) has two colours
    closer than the greyscale bound, so the test can fail."""
    colour = pytest.importorskip("colour")
    old = [_views("#4c72b0"), _views("#55a868"), _views("#c44e52"), _views("#dd8452")]
    least = min(float(colour.delta_E(a["greyscale"], b["greyscale"], method="CIE 2000"))
                for a, b in itertools.combinations(old, 2))
    assert least < style.MIN_DELTA_E["greyscale"]


def test_figures_are_pdf_and_png_byte_identical_and_in_the_manifest(tmp_path):
    script = ROOT / "experiments" / "degenerate_continuum.py"
    out = ROOT / "experiments" / "output"
    digests = []
    for _ in range(2):
        subprocess.run([sys.executable, str(script)], check=True, capture_output=True, cwd=ROOT / "experiments")
        digests.append({p.name: p.read_bytes() for p in out.glob("degenerate_continuum.*")})
    assert digests[0] == digests[1] and {"degenerate_continuum.pdf", "degenerate_continuum.png"} <= set(digests[0])
    pdf = digests[0]["degenerate_continuum.pdf"]
    assert pdf.startswith(b"%PDF") and b"/CreationDate" not in pdf and b"/FontFile2" in pdf  # TrueType embedded
    png = digests[0]["degenerate_continuum.png"]
    assert b"pHYs" in png  # the 300 dpi resolution is recorded
    manifest = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))
    entry = manifest["outputs"]["degenerate_continuum.pdf"]
    import hashlib

    assert entry["sha256"] == hashlib.sha256(pdf).hexdigest() and entry["script"] == "degenerate_continuum.py"
    assert "numpy" in manifest["packages"]


def test_plotting_api_draws_the_analysis_figures():
    """negotiation.plot draws a sweep's regime map, a stress test's sensitivity and durability curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from negotiation import plot, sweep
    from negotiation.domain.case import durability
    from negotiation.domain.stress import stress_test

    idlib = first_idlib()
    xs, ys = np.linspace(0, 1, 9), np.linspace(0, 1, 7)
    swept = sweep(idlib, {"monitoring": ys, "nato_support": xs}, game="escalation")
    labels = plot.regimes(swept, idlib.game("escalation")).to_numpy().reshape(len(ys), len(xs))
    ax, handles, names = plot.regime_map(xs, ys, labels, xlabel=style.parameter_label(idlib, "nato_support"))
    assert len(handles) == len(names) == len(set(labels.ravel())) and "accept/halt" in names
    assert ax.get_xlabel().startswith("Share of Russian and regime air power")
    fig = plot.stress(stress_test(idlib, "ceasefire", n=400, rng=1, sobol=64))
    assert len(fig.axes) == 2
    ax = plot.durability({"baseline": durability(idlib, "ceasefire_holds", horizons=(1, 6, 12), n=200)})
    assert ax.get_legend() is not None and ax.get_ylabel().startswith("probability")
    plt.close("all")

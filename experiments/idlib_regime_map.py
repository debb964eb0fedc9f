"""Figure 2: regime map of the Idlib ceasefire stage game over two pairs of leverage parameters.

Each cell is solved (all extreme equilibria, verified, by the batched solver of
:func:`negotiation.sweep`) at the scenario's baseline with the two parameters varied;
the colour says which equilibria exist there.  The dashed lines are
the symbolic boundaries of the ceasefire's two Nash conditions
(:func:`negotiation.region`), drawn independently of the numeric solves.
Regions are coloured from the house palette for touching areas and hatched, so that they
separate in greyscale and for colourblind readers.  Writes
``experiments/output/idlib_regime_map.pdf``, ``.png`` and ``idlib_regime_map.csv``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from _output import write_figure, write_text

from negotiation import catalog, conditions, plot, region, style, sweep

PANELS = [("resolve_prior", "revealed"), ("stake", "press_cost")]
POINTS = 81


def main() -> None:
    idlib = catalog.load("idlib-2020")
    game = idlib.game("ceasefire_stage")
    base = idlib.baseline()
    ceasefire = conditions(game, idlib.outcome("ceasefire").profiles[0])
    frames = []
    for x_name, y_name in PANELS:
        xs = np.linspace(*(float(b) for b in idlib.parameters[x_name].bounds), POINTS)
        ys = np.linspace(*(float(b) for b in idlib.parameters[y_name].bounds), POINTS)
        swept = sweep(idlib, {y_name: ys, x_name: xs}, game="ceasefire_stage")  # batched: every point solved
        points = pd.DataFrame({"y": np.repeat(ys, POINTS), "x": np.tile(xs, POINTS)})
        frames.append(points.assign(panel=f"{x_name} x {y_name}", regime=plot.regimes(swept, game).to_numpy())
                      [["panel", "x", "y", "regime"]])
    frame = pd.concat(frames, ignore_index=True)
    write_text("idlib_regime_map.csv", frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))

    order = list(frame["regime"].value_counts().index)  # the largest regions get the distinct colours
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.6))
    for ax, (x_name, y_name) in zip(axes, PANELS, strict=True):
        sub = frame[frame["panel"] == f"{x_name} x {y_name}"]
        xs, ys = np.unique(sub["x"].to_numpy()), np.unique(sub["y"].to_numpy())
        extent = (xs.min(), xs.max(), ys.min(), ys.max())
        _, handles, labels = plot.regime_map(xs, ys, sub["regime"].to_numpy().reshape(POINTS, POINTS), ax=ax,
                                             order=order, xlabel=style.parameter_label(idlib, x_name),
                                             ylabel=style.parameter_label(idlib, y_name))
        reg = region(ceasefire, (x_name, y_name), base)
        gx, gy = np.meshgrid(np.linspace(extent[0], extent[1], 400), np.linspace(extent[2], extent[3], 400))
        for margin in reg.margins(gx, gy):
            if margin.min() < 0 < margin.max():
                ax.contour(gx, gy, margin, levels=[0], colors="k", linestyles="--", linewidths=1)
        ax.plot([float(base[x_name])], [float(base[y_name])], "w*", ms=13, mec="k", label="baseline (March 2020)")
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.legend(loc="upper right", fontsize=8)
    fig.legend(handles, [f"equilibria: {lab} (Turkey/Russia)" for lab in labels], loc="lower center",
               ncol=2, fontsize=8, frameon=False)
    fig.suptitle("One month of the Idlib ceasefire: which equilibria exist where (dashed: ceasefire conditions)")
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    write_figure("idlib_regime_map.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()

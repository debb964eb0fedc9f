"""Figure 1: a continuum of equilibria in von Stengel's (2007) degenerate game (3.18).

Row's expected payoff from each pure strategy against Column's mixture; the shaded
interval is where T is a best response and Column's mixtures form one component of
equilibria with Row playing T.  Writes ``experiments/output/degenerate_continuum.png``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _output import write_figure

from negotiation import catalog, solve


def main() -> None:
    game = catalog.load("stengel-degenerate")
    result = solve(game, "all", exact=True)
    a, _ = game.bimatrix()
    q = np.linspace(0.0, 1.0, 201)  # probability that Column plays l
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for i, name in enumerate(game.strategies[0]):
        ax.plot(q, float(a[i, 0]) * q + float(a[i, 1]) * (1 - q), label=f"Row plays {name}")
    component = max(result.components, key=len)
    ends = sorted(float(result.equilibria[k].profile["Column"]["l"]) for k in component)
    ax.axvspan(ends[0], ends[-1], color="0.85", label="equilibrium component (Row plays T)")
    for k, eq in enumerate(result.equilibria):
        x = float(eq.profile["Column"]["l"])
        ax.plot([x], [float(eq.payoffs["Row"])], "ko", ms=5)
        ax.annotate(f"E{k + 1}", (x, float(eq.payoffs["Row"])), textcoords="offset points", xytext=(4, 4))
    ax.set_xlabel("probability that Column plays l")
    ax.set_ylabel("Row's expected payoff")
    ax.set_title("Extreme equilibria and a continuum (von Stengel 2007, eq. 3.18)")
    ax.legend(fontsize=8, loc="upper center")
    fig.tight_layout()
    write_figure("degenerate_continuum.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()

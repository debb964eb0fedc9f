"""Figure 4: game trees with their subgame-perfect equilibria highlighted.

Selten's entry-deterrence stage game (the threat to fight is not credible) and the
four-move centipede (backward induction unravels), from the catalog; thick red
branches are the equilibrium path, grey ones the equilibrium's choices off the path.
Writes ``experiments/output/game_trees.png``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from _output import write_figure

from negotiation import catalog, plot, solve_tree


def main() -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.6]})
    for ax, name in zip(axes, ("entry-deterrence", "centipede"), strict=True):
        game = catalog.load(name)
        (spe,) = solve_tree(game, "spe").equilibria
        plot.tree(game, spe, ax=ax)
    fig.tight_layout()
    write_figure("game_trees.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()

"""Figures: game trees and payoff regions drawn with matplotlib.

:func:`tree` draws an :class:`~negotiation.engine.extensive.ExtensiveFormGame` top-down:
decision nodes coloured by player, chance nodes hollow with their probabilities on the
branches, payoffs under the leaves, information sets as dashed lines joining their
nodes, and, given an equilibrium, the actions it plays drawn thick (the equilibrium path
in the accent colour, choices off the path in grey, mixed probabilities written on the
branch).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from negotiation.engine.extensive import CHANCE, ExtensiveFormGame, Path
from negotiation.style import GREY, OKABE_ITO, PLAYERS

PLAYER_COLORS = PLAYERS
PATH_COLOR = OKABE_ITO["vermillion"]


def _fmt(v: Any) -> str:
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        if Fraction(f"{float(v):.4g}") == v:  # a short terminating decimal reads better
            return f"{float(v):.4g}"
        return f"{v.numerator}/{v.denominator}"
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:.3g}"


def _layout(game: ExtensiveFormGame) -> dict[Path, tuple[float, float]]:
    pos: dict[Path, tuple[float, float]] = {}
    counter = [0]

    def place(path: Path, depth: int) -> float:
        node = game.node(path)
        if node.is_leaf:
            x = float(counter[0])
            counter[0] += 1
        else:
            xs = [place((*path, k), depth + 1) for k in range(len(node.children))]
            x = sum(xs) / len(xs)
        pos[path] = (x, -float(depth))
        return x

    place((), 0)
    return pos


def tree(game: ExtensiveFormGame, equilibrium: Any = None, ax: Any = None, title: str | None = None) -> Any:
    """Draw a game tree; returns the matplotlib Axes.

    Parameters
    ----------
    game : ExtensiveFormGame
    equilibrium : BehaviorEquilibrium or mapping, optional
        A behaviour profile (``infoset key -> probabilities``, or an object with a
        ``behavior`` attribute) whose actions are highlighted.
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the game's title.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.9 * sum(1 for _, n in game.walk() if n.is_leaf)), 3.6))
    behavior = getattr(equilibrium, "behavior", equilibrium)
    reached = set()
    if behavior is not None:
        dist = game.outcome_distribution(behavior)
        for leaf_path, prob in dist.items():
            if prob:
                reached.update(leaf_path[:k] for k in range(len(leaf_path) + 1))
    pos = _layout(game)
    for path, node in game.walk():
        x, y = pos[path]
        for k, (action, child) in enumerate(zip(node.actions, node.children, strict=True)):
            cx, cy = pos[(*path, k)]
            label = action
            color, width = "0.35", 1.0
            if node.player == CHANCE:
                label = f"{action} ({_fmt(node.probs[k])})"
            elif behavior is not None:
                prob = behavior[game.infoset_of(path)][k]
                if prob:
                    on_path = (*path, k) in reached
                    color, width = (PATH_COLOR, 3.0) if on_path else ("0.55", 2.4)
                    if prob != 1:
                        label = f"{action} [{_fmt(prob)}]"
            del child
            ax.plot([x, cx], [y, cy], color=color, lw=width, zorder=1, solid_capstyle="round")
            ax.annotate(label, ((x + cx) / 2, (y + cy) / 2), fontsize=8, ha="center", va="center",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}, zorder=3)
        if node.is_leaf:
            ax.annotate("(" + ", ".join(_fmt(v) for v in node.payoffs) + ")", (x, y), xytext=(0, -12),
                        textcoords="offset points", ha="center", va="top", fontsize=8)
            ax.plot([x], [y], "k.", ms=4, zorder=2)
        elif node.player == CHANCE:
            ax.plot([x], [y], "o", ms=10, mfc="white", mec="k", zorder=2)
            ax.annotate("chance", (x, y), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=8)
        else:
            i = game.players.index(node.player)
            ax.plot([x], [y], "o", ms=10, color=PLAYER_COLORS[i % len(PLAYER_COLORS)], zorder=2)
            ax.annotate(node.player, (x, y), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=8)
    for key in game.infosets:
        members = sorted(pos[p] for p in game.members(key))
        if len(members) > 1:
            xs, ys = zip(*members, strict=True)
            ax.plot(xs, ys, ls="--", color=PLAYER_COLORS[key[0] % len(PLAYER_COLORS)], lw=1.2, zorder=0)
    ax.set_title(game.title if title is None else title, fontsize=10)
    ax.axis("off")
    ax.margins(0.08, 0.15)
    return ax


def payoff_region(stage: Any, ax: Any = None, title: str | None = None, mark: Any = None) -> Any:
    """Draw the feasible payoff set of a two-player stage game and its individually rational part.

    The convex hull of the pure payoff pairs is outlined, the part where both players get
    at least their minmax value (the folk theorem's region; Fudenberg and Maskin 1986) is
    shaded, the minmax point is marked, and so is each ``mark`` (a profile of strategy
    names, e.g. the ceasefire).  Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from negotiation.engine.repeated import feasible_set

    region = feasible_set(stage)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    hull = [(float(x), float(y)) for x, y in region.feasible]
    ax.fill(*zip(*hull, strict=True), facecolor="none", edgecolor="#555555", lw=1.2, label="feasible")
    if len(region.rational) >= 3:
        ax.fill(*zip(*[(float(x), float(y)) for x, y in region.rational], strict=True), facecolor=PLAYER_COLORS[0],
                alpha=0.25, edgecolor=PLAYER_COLORS[0], label="individually rational")
    v1, v2 = (float(v) for v in region.minmax)
    ax.axvline(v1, color=GREY, lw=0.8, ls=":")
    ax.axhline(v2, color=GREY, lw=0.8, ls=":")
    ax.plot([v1], [v2], "o", color="black", ms=5, label="minmax")
    for cell in np.ndindex(*stage.shape):
        x, y = float(stage.payoffs[(0, *cell)]), float(stage.payoffs[(1, *cell)])
        label = ", ".join(stage.strategies[i][k] for i, k in enumerate(cell))
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    for profile in mark or ():
        cell = tuple(stage.strategies[i].index(s) for i, s in enumerate(profile))
        ax.plot([float(stage.payoffs[(0, *cell)])], [float(stage.payoffs[(1, *cell)])], "*", color=PATH_COLOR, ms=12)
    ax.set_xlabel(f"{stage.players[0]}'s payoff")
    ax.set_ylabel(f"{stage.players[1]}'s payoff")
    ax.set_title(title if title is not None else (stage.title or "Feasible and individually rational payoffs"))
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    return ax

"""Figures in the house style (:mod:`negotiation.style`): game trees, payoff regions, regime maps,
stress-test sensitivity and durability curves, each returning matplotlib objects.

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


def tree(game: ExtensiveFormGame, equilibrium: Any = None, ax: Any = None, title: str | None = None,
         digits: int | None = None) -> Any:
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
    digits : int, optional
        Show payoffs to this many significant digits (default: exactly); with more than two
        players a leaf's payoffs are stacked, one line per player in order.
    """
    import matplotlib.pyplot as plt

    def payoff(v: Any) -> str:
        return _fmt(v) if digits is None else f"{float(v):.{digits}g}"

    stacked = len(game.players) > 2
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
            text = "\n".join(payoff(v) for v in node.payoffs) if stacked else \
                "(" + ", ".join(payoff(v) for v in node.payoffs) + ")"
            ax.annotate(text, (x, y), xytext=(0, -12),
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


# ------------------------------------------------------------------- analysis figures
def regimes(swept: Any, game: Any) -> Any:
    """For each point of a :func:`negotiation.sweep` frame, its equilibria as one label: pure profiles
    by their strategies (``"accept/halt"``), ``"mixed"`` for the others, joined by ``" + "``."""
    import pandas as pd

    cols = [[f"{p}: {s}" for s in game.strategies[i]] for i, p in enumerate(game.players)]

    def name(row: Any) -> str:
        probs = [row[c].to_numpy(dtype=float) for c in cols]
        if all(v.max() == 1 for v in probs):
            return "/".join(game.strategies[i][int(v.argmax())] for i, v in enumerate(probs))
        return "mixed"

    labels = [name(row) for _, row in swept.iterrows()]
    return pd.Series(labels, index=swept.index).groupby(swept["point"]).agg(lambda s: " + ".join(sorted(s)))


def regime_map(x: Any, y: Any, labels: Any, ax: Any = None, order: Any = None, xlabel: str = "",
               ylabel: str = "") -> tuple[Any, list[Any], list[str]]:
    """Draw which equilibria exist where on a grid, in the house style (colours and hatches).

    Parameters
    ----------
    x, y : 1-D arrays
        The grid's axes.
    labels : array of shape (len(y), len(x))
        Each point's regime label (e.g. from :func:`regimes`, reshaped).
    order : sequence of str, optional
        The labels in the order their colours are given (default: largest region first).

    Returns
    -------
    (ax, handles, names)
        The axes and legend handles for the regimes.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from negotiation.style import AREAS, HATCHES

    grid = np.asarray(labels, dtype=object)
    names = list(order) if order is not None else list(pd.Series(grid.ravel()).value_counts().index)
    codes = np.vectorize({lab: k for k, lab in enumerate(names)}.__getitem__)(grid).astype(float)
    fills = [AREAS[k % len(AREAS)] for k in range(len(names))]
    hatches = [HATCHES[k % len(HATCHES)] for k in range(len(names))]
    if ax is None:
        _, ax = plt.subplots()
    ax.contourf(np.asarray(x, dtype=float), np.asarray(y, dtype=float), codes, levels=np.arange(-0.5, len(names)),
                colors=fills, hatches=hatches)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=f, hatch=h, edgecolor="k", lw=0.3)
               for f, h in zip(fills, hatches, strict=True)]
    return ax, handles, names


def stress(result: Any, title: str | None = None) -> Any:
    """A stress test's sensitivity: rank correlations beside the total Sobol indices (bars with their
    intervals, first-order indices dark), coloured by whether a baseline is sourced or assumed."""
    import matplotlib.pyplot as plt

    from negotiation.style import SIGN, SOURCED

    frame = result.sensitivity.iloc[::-1]
    has_sobol = "ST" in frame
    fig, axes = plt.subplots(1, 2 if has_sobol else 1, figsize=(10.0, 4.4) if has_sobol else (6.4, 4.4),
                             sharey=True, squeeze=False)
    ax = axes[0, 0]
    ax.barh(frame["parameter"], frame["rank_correlation"],
            color=[SIGN[0] if r > 0 else SIGN[1] for r in frame["rank_correlation"]])
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(f"rank correlation with '{result.outcome}' holding\n(blue: helps, orange: hurts)")
    if has_sobol:
        sob = axes[0, 1]
        sourced = frame["baseline"].eq("source")
        sob.barh(frame["parameter"], frame["ST"], xerr=frame["ST_conf"], error_kw={"lw": 0.8},
                 color=[SOURCED[0] if s else SOURCED[1] for s in sourced], hatch=["" if s else "///" for s in sourced])
        sob.barh(frame["parameter"], frame["S1"].clip(lower=0), height=0.35, color="k", alpha=0.6)
        sob.set_xlabel("total Sobol index (bars, 95% CI) and first-order (dark)\n"
                       "blue: baseline read off a source; grey, hatched: an assumption")
        sob.set_xlim(left=0)
    lo, hi = result.interval
    fig.suptitle(title or f"'{result.outcome}' holds in {result.probability:.1%} of {result.n:,} draws "
                 f"({result.confidence:.0%} CI {lo:.1%} to {hi:.1%})", fontsize=10)
    fig.tight_layout()
    return fig


def durability(results: Any, ax: Any = None, title: str | None = None) -> Any:
    """Survival curves of several ceasefires (a mapping of name to
    :class:`~negotiation.domain.case.Durability`), with their Monte Carlo intervals."""
    import matplotlib.pyplot as plt

    from negotiation.style import LINES

    if ax is None:
        _, ax = plt.subplots()
    for k, (name, d) in enumerate(results.items()):
        s = d.survival
        colour, dash = LINES[k % len(LINES)], ("-", "--", ":", "-.")[k % 4]
        ax.plot(s["horizon"], s["survival"], dash, marker="o", ms=3, color=colour, label=name)
        ax.fill_between(s["horizon"], s["low"], s["high"], color=colour, alpha=0.15)
    first = next(iter(results.values()))
    ax.set_xlabel(f"horizon ({first.period or 'period'}s)")
    ax.set_ylabel("probability the ceasefire still holds")
    ax.set_ylim(0, 1.02)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def tornado(result: Any, title: str | None = None, top: int | None = 15) -> Any:
    """A tornado diagram of a :class:`~negotiation.domain.stress.Tornado`: for each parameter, a bar
    from the outcome's slack with it at its low quantile to the slack at its high one, widest on
    top, about the baseline slack; the zero line is where the outcome stops holding.  Returns the
    Figure."""
    import matplotlib.pyplot as plt

    from negotiation.style import SIGN

    frame = result.frame if top is None else result.frame.head(top)
    frame = frame.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.0, 0.9 + 0.32 * max(len(frame), 1)))
    y = np.arange(len(frame))
    base = result.baseline
    for name, colour, hatch in (("slack_low", SIGN[1], "///"), ("slack_high", SIGN[0], "")):
        ax.barh(y, frame[name] - base, left=base, color=colour, hatch=hatch, edgecolor="white", lw=0.4,
                label=f"parameter at its {'low' if name == 'slack_low' else 'high'} quantile "
                      f"({result.quantiles[0 if name == 'slack_low' else 1]:g})")
    ax.set_yticks(y, frame["parameter"])
    ax.axvline(base, color="k", lw=0.8)
    ax.axvline(0, color="k", lw=1.2, ls="--")
    ax.margins(x=0.05)
    ax.set_xlabel(f"slack of '{result.outcome}' (utility; below the dashed zero it no longer holds)")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_title(title or f"'{result.outcome}': one parameter at a time", fontsize=10)
    fig.tight_layout()
    return fig


#: savefig metadata that leaves out time stamps and versions, so that two runs write the same bytes
FIGURE_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                   "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}


def figure_bytes(fig: Any, fmt: str, dpi: int = 300) -> bytes:
    """A figure as PDF (vector, fonts embedded), PNG (``dpi``) or SVG, byte-identical across runs."""
    import io

    if fmt not in FIGURE_METADATA:
        raise ValueError(f"a figure is written as {', '.join(FIGURE_METADATA)}, not {fmt!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=FIGURE_METADATA[fmt])
    return buf.getvalue()


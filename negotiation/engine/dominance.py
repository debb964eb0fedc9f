"""Iterated elimination of strictly dominated strategies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from negotiation.engine.game import NormalFormGame
from negotiation.engine.numbers import float_array


@dataclass(frozen=True)
class Elimination:
    """The reduced game and the order in which strategies were removed.

    Attributes
    ----------
    game : NormalFormGame
        The game that survives.
    removed : tuple of (player, strategy, dominator)
        ``dominator`` names the dominating pure strategy, or describes the mixture.
    """

    game: NormalFormGame
    removed: tuple[tuple[str, str, str], ...]


def _rows(payoffs: np.ndarray, player: int) -> np.ndarray:
    """Player's payoff matrix: one row per own strategy, one column per opponents' profile."""
    own = np.moveaxis(payoffs[player], player, 0)
    return own.reshape(own.shape[0], -1)


def _pure_dominator(rows: np.ndarray, s: int) -> int | None:
    for t in range(rows.shape[0]):
        if t != s and all(rows[t] > rows[s]):
            return t
    return None


def _mixed_dominator(rows: np.ndarray, s: int, tol: float) -> np.ndarray | None:
    """A mixture of the other strategies that strictly dominates ``s``, by LP.

    Maximise ``eps`` s.t. ``sum_t p_t rows[t, c] >= rows[s, c] + eps`` for every
    column ``c``, ``p`` a distribution over ``t != s``.  ``s`` is dominated iff the
    optimum exceeds ``tol`` (Myerson 1991, *Game Theory*, Theorem 1.6).
    """
    others = [t for t in range(rows.shape[0]) if t != s]
    if not others:
        return None
    r = float_array(rows)
    k = len(others)
    cost = np.zeros(k + 1)
    cost[-1] = -1.0
    a_ub = np.hstack([-r[others].T, np.ones((r.shape[1], 1))])
    b_ub = -r[s]
    a_eq = np.hstack([np.ones((1, k)), np.zeros((1, 1))])
    res = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0],
        bounds=[(0, None)] * k + [(None, None)], method="highs",
    )
    scale = max(1.0, float(np.abs(r).max()))
    if res.success and res.x[-1] > tol * scale:
        full = np.zeros(rows.shape[0])
        full[others] = res.x[:k]
        return full
    return None


def iterated_elimination(game: NormalFormGame, mixed: bool = False, tol: float = 1e-9) -> Elimination:
    """Remove strictly dominated strategies until none is left.

    Parameters
    ----------
    game : NormalFormGame
    mixed : bool
        Also remove strategies strictly dominated by a mixed strategy (found by LP).
        Pure-strategy dominance is compared exactly when the payoffs are exact.
    tol : float
        Margin the LP must exceed, relative to the payoff scale.

    Returns
    -------
    Elimination

    Notes
    -----
    The order of elimination of *strictly* dominated strategies does not change the
    surviving game (Gilboa, Kalai and Zemel 1990).
    """
    keep = [list(range(s)) for s in game.shape]
    removed: list[tuple[str, str, str]] = []
    changed = True
    while changed:
        changed = False
        for i in range(game.n_players):
            if len(keep[i]) == 1:
                continue
            sub = game.restrict(keep)
            rows = _rows(sub.payoffs, i)
            for local in range(rows.shape[0]):
                t = _pure_dominator(rows, local)
                label = None
                if t is not None:
                    label = sub.strategies[i][t]
                elif mixed:
                    mix = _mixed_dominator(rows, local, tol)
                    if mix is not None:
                        label = " + ".join(
                            f"{p:.4g}*{sub.strategies[i][k]}" for k, p in enumerate(mix) if p > 1e-12
                        )
                if label is not None:
                    removed.append((game.players[i], sub.strategies[i][local], label))
                    del keep[i][local]
                    changed = True
                    break
            if changed:
                break
    return Elimination(game.restrict(keep), tuple(removed))

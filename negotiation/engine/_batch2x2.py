"""Compiled kernels (numba) of :func:`negotiation.engine.batch.equilibria_2x2`: one pass over
the games finds the extreme equilibria, a second, separate pass checks each one's regret."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def find(arr, tol):
    """Extreme equilibria (game, p, q) of each 2x2 game; p and q are the first strategies' weights.

    A game without ties has its pure equilibria and, when each player's gain from its first
    strategy changes sign across the other's strategies, the completely mixed one; a game with
    ties keeps those of the 3 x 3 candidate pairs (each player's two pure strategies and the mix
    that makes the other indifferent) at which both regrets are at most ``tol`` times its range.
    """
    n = arr.shape[0]
    game = np.empty(9 * n, dtype=np.int64)
    ps = np.empty(9 * n)
    qs = np.empty(9 * n)
    k = 0
    pc = np.empty(3)
    qc = np.empty(3)
    for g in range(n):
        a00, a01, a10, a11 = arr[g, 0, 0, 0], arr[g, 0, 0, 1], arr[g, 0, 1, 0], arr[g, 0, 1, 1]
        b00, b01, b10, b11 = arr[g, 1, 0, 0], arr[g, 1, 0, 1], arr[g, 1, 1, 0], arr[g, 1, 1, 1]
        ra = max(max(a00, a01), max(a10, a11)) - min(min(a00, a01), min(a10, a11))
        rb = max(max(b00, b01), max(b10, b11)) - min(min(b00, b01), min(b10, b11))
        scale = max(ra, rb)
        if scale == 0:
            scale = 1.0
        eps = tol * scale
        da0, da1 = a00 - a10, a01 - a11
        db0, db1 = b00 - b01, b10 - b11
        if abs(da0) > eps and abs(da1) > eps and abs(db0) > eps and abs(db1) > eps:
            if da0 > 0 and db0 > 0:
                game[k], ps[k], qs[k] = g, 1.0, 1.0
                k += 1
            if da1 > 0 and db0 < 0:
                game[k], ps[k], qs[k] = g, 1.0, 0.0
                k += 1
            if da0 < 0 and db1 > 0:
                game[k], ps[k], qs[k] = g, 0.0, 1.0
                k += 1
            if da1 < 0 and db1 < 0:
                game[k], ps[k], qs[k] = g, 0.0, 0.0
                k += 1
            if da0 * da1 < 0 and db0 * db1 < 0:
                game[k], ps[k], qs[k] = g, db1 / (db1 - db0), da1 / (da1 - da0)
                k += 1
            continue
        den_p = b00 - b10 - b01 + b11
        den_q = a00 - a01 - a10 + a11
        pc[0], pc[1], qc[0], qc[1] = 1.0, 0.0, 1.0, 0.0
        pc[2] = np.nan
        qc[2] = np.nan
        if abs(den_p) > eps:
            p_star = (b11 - b10) / den_p
            if 0 < p_star < 1:
                pc[2] = p_star
        if abs(den_q) > eps:
            q_star = (a11 - a01) / den_q
            if 0 < q_star < 1:
                qc[2] = q_star
        for i in range(3):
            p = pc[i]
            if np.isnan(p):
                continue
            for j in range(3):
                q = qc[j]
                if np.isnan(q):
                    continue
                row0 = a00 * q + a01 * (1 - q)
                row1 = a10 * q + a11 * (1 - q)
                col0 = b00 * p + b10 * (1 - p)
                col1 = b01 * p + b11 * (1 - p)
                regret_row = max(row0, row1) - (p * row0 + (1 - p) * row1)
                regret_col = max(col0, col1) - (q * col0 + (1 - q) * col1)
                if max(regret_row, regret_col) <= eps:
                    game[k], ps[k], qs[k] = g, p, q
                    k += 1
    return game[:k], ps[:k], qs[:k]


@njit(cache=True)
def _range(m):
    return max(max(m[0, 0], m[0, 1]), max(m[1, 0], m[1, 1])) - min(min(m[0, 0], m[0, 1]), min(m[1, 0], m[1, 1]))


@njit(cache=True)
def check(arr, game, ps, qs):
    """Both players' mixed strategies, payoffs and regret at each profile, from the payoff
    tensor alone, and the larger of the two payoff ranges of its game."""
    m = game.shape[0]
    x = np.empty((m, 2))
    y = np.empty((m, 2))
    pays = np.empty((m, 2))
    regret = np.empty(m)
    scale = np.empty(m)
    for k in range(m):
        g, p, q = game[k], ps[k], qs[k]
        x[k, 0], x[k, 1], y[k, 0], y[k, 1] = p, 1 - p, q, 1 - q
        a, b = arr[g, 0], arr[g, 1]
        row0 = a[0, 0] * q + a[0, 1] * (1 - q)
        row1 = a[1, 0] * q + a[1, 1] * (1 - q)
        col0 = b[0, 0] * p + b[1, 0] * (1 - p)
        col1 = b[0, 1] * p + b[1, 1] * (1 - p)
        u_row = p * row0 + (1 - p) * row1
        u_col = q * col0 + (1 - q) * col1
        pays[k, 0], pays[k, 1] = u_row, u_col
        regret[k] = max(max(row0, row1) - u_row, max(col0, col1) - u_col)
        high = max(_range(a), _range(b))
        scale[k] = high if high > 0 else 1.0
    return x, y, pays, regret, scale

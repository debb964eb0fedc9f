"""The compiled kernel (numba) of the batched vertex enumeration of
:func:`negotiation.engine.batch.bimatrix_equilibria`: every vertex of each small polytope
``{z >= 0 : c^T z <= 1}`` of a batch, one game at a time, with no temporaries per game."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def polytope_vertices(c, tol, subsets):
    """For each game g and each choice ``subsets[s]`` of d tight constraints (``i < d`` for
    ``z_i = 0``, ``d + j`` for ``(c^T z)_j = 1``): the point where they are tight, by Gaussian
    elimination with partial pivoting; its label mask (bit ``i`` for ``z_i = 0``, bit ``d + j``
    for ``(c^T z)_j = 1``, within ``tol[g]``), or -1; and whether it is a vertex: the choice
    is nonsingular (``|det| > 1e-12``), the point is feasible and nonzero, and no earlier
    choice gave the same labels (a repeat of the vertex)."""
    n_games, d, k = c.shape
    count = len(subsets)
    z = np.zeros((n_games, count, d))
    labels = np.full((n_games, count), -1, dtype=np.int64)
    ok = np.zeros((n_games, count), dtype=np.bool_)
    a = np.zeros((d, d))
    r = np.zeros(d)
    x = np.zeros(d)
    for g in range(n_games):
        t = tol[g]
        for s in range(count):
            for row in range(d):
                con = subsets[s, row]
                for q in range(d):
                    a[row, q] = (1.0 if q == con else 0.0) if con < d else c[g, q, con - d]
                r[row] = 0.0 if con < d else 1.0
            det = 1.0
            for col in range(d):  # elimination with partial pivoting; det is the product of the pivots
                piv = col
                for row in range(col + 1, d):
                    if abs(a[row, col]) > abs(a[piv, col]):
                        piv = row
                if piv != col:
                    det = -det
                    for q in range(d):
                        a[col, q], a[piv, q] = a[piv, q], a[col, q]
                    r[col], r[piv] = r[piv], r[col]
                det *= a[col, col]
                if a[col, col] == 0.0:
                    break
                for row in range(col + 1, d):
                    f = a[row, col] / a[col, col]
                    if f != 0.0:
                        for q in range(col, d):
                            a[row, q] -= f * a[col, q]
                        r[row] -= f * r[col]
            if not abs(det) > 1e-12:
                continue
            for col in range(d - 1, -1, -1):
                acc = r[col]
                for q in range(col + 1, d):
                    acc -= a[col, q] * x[q]
                x[col] = acc / a[col, col]
            good = False
            mask = 0
            for i in range(d):
                z[g, s, i] = x[i]
                if x[i] < -t:
                    break
                good = good or x[i] > t
                if abs(x[i]) <= t:
                    mask |= 1 << i
            else:
                for j in range(k):
                    value = 0.0
                    for i in range(d):
                        value += x[i] * c[g, i, j]
                    if value > 1 + t:
                        good = False
                        break
                    if abs(value - 1) <= t:
                        mask |= 1 << (d + j)
                if good:
                    labels[g, s] = mask
                    seen = False
                    for e in range(s):
                        if labels[g, e] == mask:
                            seen = True
                            break
                    ok[g, s] = not seen
    return z, labels, ok


@njit(cache=True)
def completely_labelled(x_labels, x_ok, y_labels, y_ok, full):
    """Every pair of vertices (game, i, j), one of each polytope, whose labels together are
    ``full``: the extreme equilibria, game by game and in order."""
    n_games, nx = x_labels.shape
    ny = y_labels.shape[1]
    total = 0
    for phase in range(2):  # count, then fill
        if phase == 1:
            game = np.empty(total, dtype=np.int64)
            vi = np.empty(total, dtype=np.int64)
            vj = np.empty(total, dtype=np.int64)
        at = 0
        for g in range(n_games):
            for i in range(nx):
                if not x_ok[g, i]:
                    continue
                for j in range(ny):
                    if y_ok[g, j] and (x_labels[g, i] | y_labels[g, j]) == full:
                        if phase == 1:
                            game[at], vi[at], vj[at] = g, i, j
                        at += 1
        total = at
    return game, vi, vj

"""Maximin strategies of two-player constant-sum games by linear programming."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def maximin(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Optimal (maximin) strategies and the value of the zero-sum game ``A``.

    The row player solves ``max v`` s.t. ``A^T x >= v 1, 1^T x = 1, x >= 0``; the
    column player the dual ``min w`` s.t. ``A y <= w 1``.  Solved by HiGHS.

    References
    ----------
    von Neumann, J. (1928). Zur Theorie der Gesellschaftsspiele. *Math. Annalen* 100.
    Dantzig, G. B. (1951). A proof of the equivalence of the programming problem and
    the game problem. In Koopmans (ed.), *Activity Analysis of Production and
    Allocation*, 330-335.
    """
    a = np.asarray(a, dtype=float)
    x, v = _solve(a)
    y, w = _solve(-a.T)
    return x, y, (v - w) / 2


def _solve(a: np.ndarray) -> tuple[np.ndarray, float]:
    m, n = a.shape
    cost = np.zeros(m + 1)
    cost[-1] = -1.0
    a_ub = np.hstack([-a.T, np.ones((n, 1))])
    a_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    bounds = [(0, None)] * m + [(None, None)]
    res = linprog(cost, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if not res.success:  # pragma: no cover - a finite matrix game always has a value
        raise ArithmeticError(f"maximin LP failed: {res.message}")
    x = np.clip(res.x[:m], 0.0, None)
    return x / x.sum(), float(res.x[-1])

"""Lemke's complementary pivoting algorithm for linear complementarity problems.

Find ``z >= 0`` with ``w = q + M z >= 0`` and ``z^T w = 0``.  An artificial variable
``z0`` with covering vector ``d > 0`` makes ``w = q + M z + d z0`` feasible at ``z = 0``;
the algorithm then follows the unique path of almost-complementary basic solutions
until ``z0`` leaves the basis (a solution) or the path runs off along a ray
(Lemke 1965, *Management Science* 11, 681-689; Cottle, Pang and Stone 1992,
*The Linear Complementarity Problem*, Section 4.4).  Degenerate problems are handled by
the lexicographic minimum-ratio test, which makes every step unique and so rules out
cycling (Cottle, Pang and Stone 1992, Section 4.9).

Pivoting is in floating point on a dense tableau; :func:`basic_solution_exact`
recomputes the final basic solution exactly from the basis when the data are rational.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from negotiation.deadline import checkpoint
from negotiation.engine.numbers import reduced_row_echelon
from negotiation.errors import BudgetError, SolverError


class RayTermination(SolverError):
    """Lemke's path ended on an unbounded ray without reaching a solution."""


def lemke(m: np.ndarray, q: np.ndarray, d: np.ndarray | None = None, max_pivots: int = 100_000,
          tol: float = 1e-10) -> tuple[np.ndarray, list[int]]:
    """Solve the LCP ``(q, M)`` by Lemke's algorithm.

    Parameters
    ----------
    m : ndarray, shape (n, n)
    q : ndarray, shape (n,)
    d : ndarray, shape (n,), optional
        The covering vector, positive; all ones by default.
    max_pivots : int
        Budget on pivot steps.

    Returns
    -------
    z : ndarray, shape (n,)
        The solution.
    basis : list of int
        The final basic variables, numbered ``0..n-1`` for ``w``, ``n..2n-1`` for ``z``
        (``z0`` is ``2n`` and never in a returned basis).

    Raises
    ------
    RayTermination
        If the path ends on a ray (the LCP may then have no solution).
    BudgetError
        If more than ``max_pivots`` pivots are needed.
    """
    m = np.asarray(m, dtype=float)
    q = np.asarray(q, dtype=float)
    n = len(q)
    d = np.ones(n) if d is None else np.asarray(d, dtype=float)
    if np.any(d <= 0):
        raise SolverError("the covering vector must be positive")
    if np.all(q >= 0):
        return np.zeros(n), list(range(n))
    # Columns: w (0..n-1), z (n..2n-1), z0 (2n), right-hand side (2n+1):  I w - M z - d z0 = q.
    tab = np.hstack([np.eye(n), -m, -d[:, None], q[:, None]])
    basis = list(range(n))
    z0 = 2 * n
    # z0 enters where q_i / d_i is most negative (lexicographically, so the step is unique).
    keys = np.column_stack([q / d, np.eye(n) / d[:, None]])
    row = min(range(n), key=lambda i: tuple(keys[i]))
    entering = z0
    for count in range(max_pivots):
        checkpoint(lambda count=count: f"{count:,} Lemke pivots")
        _pivot(tab, row, entering)
        leaving, basis[row] = basis[row], entering
        if leaving == z0:
            z = np.zeros(n)
            for r, var in enumerate(basis):
                if n <= var < 2 * n:
                    z[var - n] = tab[r, -1]
            return np.maximum(z, 0.0), basis
        entering = leaving + n if leaving < n else leaving - n
        row = _lex_ratio_row(tab, entering, n, tol)
        if row is None:
            raise RayTermination("Lemke's algorithm ended on a ray")
    raise BudgetError(f"Lemke's algorithm needed more than {max_pivots:,} pivots")


def _pivot(tab: np.ndarray, row: int, col: int) -> None:
    tab[row] /= tab[row, col]
    factors = tab[:, col].copy()
    factors[row] = 0.0
    tab -= np.outer(factors, tab[row])


def _lex_ratio_row(tab: np.ndarray, col: int, n: int, tol: float) -> int | None:
    """The row leaving when ``col`` enters: the lexicographic minimum of ``(rhs, B^-1 row) / entry``."""
    column = tab[:, col]
    rows = np.flatnonzero(column > tol)
    if rows.size == 0:
        return None
    ratios = tab[rows, -1] / column[rows]
    scale = max(1.0, float(np.abs(ratios).max()))
    best = rows[ratios <= ratios.min() + tol * scale]
    for k in range(n):  # the columns of w hold B^-1
        if best.size == 1:
            break
        vals = tab[best, k] / column[best]
        best = best[vals <= vals.min() + tol]
    return int(best[0])


def basic_solution_exact(m: Sequence[Sequence[Any]], q: Sequence[Any], basis: Sequence[int]) -> list[Fraction]:
    """The exact ``z`` of the basic solution with the given basis (``z0`` out of it).

    Solves ``B v = q`` in rationals, where ``B`` holds the basic columns of ``[I, -M]``.
    """
    n = len(q)
    cols = []
    for var in basis:
        if var < n:
            cols.append([Fraction(int(i == var)) for i in range(n)])
        else:
            cols.append([-Fraction(m[i][var - n]) for i in range(n)])
    aug = [[cols[j][i] for j in range(n)] + [Fraction(q[i])] for i in range(n)]
    reduced, pivots = reduced_row_echelon(aug)
    if len(pivots) < n:
        raise SolverError("the final basis of Lemke's algorithm is singular")
    z = [Fraction(0)] * n
    for j, var in enumerate(basis):
        if var >= n:
            z[var - n] = reduced[j][-1]
    return z

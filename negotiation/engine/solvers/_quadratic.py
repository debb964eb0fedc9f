"""Closed-form roots of the support systems with three mixed players of two strategies each
(numba), for :mod:`negotiation.engine.solvers.homotopy`.

With ``x_i`` player i's probability of its second support strategy, each mixed player's
indifference condition is bilinear in the other two's:

    e_1 = a_1 + b_1 x_2 + c_1 x_3 + d_1 x_2 x_3,
    e_2 = a_2 + b_2 x_1 + c_2 x_3 + d_2 x_1 x_3,
    e_3 = a_3 + b_3 x_1 + c_3 x_2 + d_3 x_1 x_2.

``e_2`` gives ``x_1 = N_1 / D_1`` and then ``e_3`` gives ``x_2 = N_2 / D_2``, with ``N``, ``D``
linear in ``x_3``; ``e_1`` times ``D_2`` is a quadratic ``Q(x_3)``.  Where ``D_1`` and ``N_1``
have no common root (``a_2 d_2 != b_2 c_2``) and neither do ``c_3 + d_3 x_1`` and
``a_3 + b_3 x_1`` (``a_3 d_3 != b_3 c_3``), every solution of the system gives a root of
``Q``, and each root of ``Q`` with ``D_1, D_2 != 0`` gives one solution: when ``Q`` has degree
two, the system has exactly its two roots, the Bezout number of the profile (McKelvey and
McLennan 1997 count at most two totally mixed equilibria in a 2x2x2 game).  A profile where
any of these conditions is close to failing (relative size below ``DEGENERATE``) is left to
the path tracker.  Each root is polished by two Newton steps on the system itself and
reported with the condition number (1-norm) of its Jacobian in multiprojective terms
(:func:`_condition`), as the tracker reports its endpoints in its own chart.

References
----------
McKelvey, R. D. and McLennan, A. (1997). The maximal number of regular totally mixed Nash
equilibria. *Journal of Economic Theory* 72, 411-425.
"""

from __future__ import annotations

import numpy as np
from numba import njit

DEGENERATE = 1e-8
"""Relative size below which a leading coefficient, resultant or denominator counts as zero."""


@njit(cache=True)
def _coefficients(u, n, s, sup, mixed, i, fixed):
    """Player i's condition as (a, b, c, d) in the other two mixed players' probabilities
    (in player order), from its payoff differences over their supports; ``fixed`` holds each
    pure player's strategy."""
    values = np.zeros(4)
    others = np.zeros(2, dtype=np.int64)
    count = 0
    for j in mixed:
        if j != i:
            others[count] = j
            count += 1
    for corner in range(4):
        pick = (corner >> 1, corner & 1)  # the strategies of the two others: 0 first, 1 second
        hi = 0
        lo = 0
        for q in range(n):
            if q == i:
                hi = hi * s + sup[i, 1]
                lo = lo * s + sup[i, 0]
            else:
                t = fixed[q]
                if q == others[0]:
                    t = sup[q, pick[0]]
                elif q == others[1]:
                    t = sup[q, pick[1]]
                hi = hi * s + t
                lo = lo * s + t
        values[corner] = u[i, hi] - u[i, lo]
    d00, d01, d10, d11 = values[0], values[1], values[2], values[3]
    return d00, d10 - d00, d01 - d00, d00 - d01 - d10 + d11


@njit(cache=True)
def _small(value, size):
    return not abs(value) > DEGENERATE * size


@njit(cache=True)
def solve_profiles(u, n, s, sups, ks):
    """Both roots of each profile's system (see the module notes).

    Returns each root as a full (n * s) vector of probability vectors (two rows per profile),
    whether each profile was solved (False: left to the tracker), and each root's condition
    number."""
    count = len(sups)
    ends = np.zeros((2 * count, n * s), dtype=np.complex128)
    solved = np.zeros(count, dtype=np.bool_)
    cond = np.full(2 * count, np.inf)
    mixed = np.zeros(3, dtype=np.int64)
    fixed = np.zeros(n, dtype=np.int64)
    coef = np.zeros((3, 4))
    x = np.zeros(3, dtype=np.complex128)
    jac = np.zeros((3, 3), dtype=np.complex128)
    res = np.zeros(3, dtype=np.complex128)
    for index in range(count):
        sup, k = sups[index], ks[index]
        m = 0
        for j in range(n):
            fixed[j] = sup[j, 0]
            if k[j] == 2:
                mixed[m] = j
                m += 1
        for r in range(3):
            coef[r, 0], coef[r, 1], coef[r, 2], coef[r, 3] = _coefficients(u, n, s, sup, mixed, mixed[r], fixed)
        a1, b1, c1, d1 = coef[0, 0], coef[0, 1], coef[0, 2], coef[0, 3]
        a2, b2, c2, d2 = coef[1, 0], coef[1, 1], coef[1, 2], coef[1, 3]
        a3, b3, c3, d3 = coef[2, 0], coef[2, 1], coef[2, 2], coef[2, 3]
        if _small(a2 * d2 - b2 * c2, abs(a2 * d2) + abs(b2 * c2)) or \
                _small(a3 * d3 - b3 * c3, abs(a3 * d3) + abs(b3 * c3)):
            continue
        e0, e1 = c3 * b2 - d3 * a2, c3 * d2 - d3 * c2  # D_2 = e0 + e1 x_3
        f0, f1 = b3 * a2 - a3 * b2, b3 * c2 - a3 * d2  # N_2 = f0 + f1 x_3
        q0 = a1 * e0 + b1 * f0
        q1 = a1 * e1 + b1 * f1 + c1 * e0 + d1 * f0
        q2 = c1 * e1 + d1 * f1
        if _small(q2, abs(c1 * e1) + abs(d1 * f1) + abs(q1) + abs(q0)):
            continue
        root = np.sqrt(complex(q1 * q1 - 4 * q2 * q0))
        big = -(q1 + root) / 2 if q1 >= 0 else -(q1 - root) / 2  # no cancellation
        ok = True
        for r in range(2):
            x3 = big / q2 if r == 0 else (q0 / big if big != 0 else -q1 / q2 - big / q2)
            den1 = b2 + d2 * x3
            den2 = e0 + e1 * x3
            if _small(abs(den1), abs(b2) + abs(d2 * x3)) or _small(abs(den2), abs(e0) + abs(e1 * x3)):
                ok = False
                break
            x[0] = -(a2 + c2 * x3) / den1
            x[1] = (f0 + f1 * x3) / den2
            x[2] = x3
            for it in range(3):  # two Newton steps on the system itself; the Jacobian at the last point
                res[0] = a1 + b1 * x[1] + c1 * x[2] + d1 * x[1] * x[2]
                res[1] = a2 + b2 * x[0] + c2 * x[2] + d2 * x[0] * x[2]
                res[2] = a3 + b3 * x[0] + c3 * x[1] + d3 * x[0] * x[1]
                jac[0, 0], jac[0, 1], jac[0, 2] = 0.0, b1 + d1 * x[2], c1 + d1 * x[1]
                jac[1, 0], jac[1, 1], jac[1, 2] = b2 + d2 * x[2], 0.0, c2 + d2 * x[0]
                jac[2, 0], jac[2, 1], jac[2, 2] = b3 + d3 * x[1], c3 + d3 * x[0], 0.0
                inverse, det = _inverse3(jac)
                if det == 0:
                    ok = False
                    break
                if it == 2:
                    cond[2 * index + r] = _condition(jac, x)
                    break
                for c in range(3):
                    x[c] -= inverse[c, 0] * res[0] + inverse[c, 1] * res[1] + inverse[c, 2] * res[2]
            if not ok:
                break
            row = 2 * index + r
            for j in range(n):
                ends[row, j * s + sup[j, 0]] = 1.0
            for c in range(3):
                j = mixed[c]
                ends[row, j * s + sup[j, 0]] = 1.0 - x[c]
                ends[row, j * s + sup[j, 1]] = x[c]
        solved[index] = ok
    return ends, solved, cond


@njit(cache=True)
def _inverse3(a):
    """The inverse of a 3 x 3 matrix by its adjugate, and its determinant."""
    inverse = np.zeros((3, 3), dtype=np.complex128)
    for r in range(3):
        for c in range(3):
            r1, r2 = (c + 1) % 3, (c + 2) % 3
            c1, c2 = (r + 1) % 3, (r + 2) % 3
            inverse[r, c] = a[r1, c1] * a[r2, c2] - a[r1, c2] * a[r2, c1]
    det = a[0, 0] * inverse[0, 0] + a[0, 1] * inverse[1, 0] + a[0, 2] * inverse[2, 0]
    if det == 0:
        return inverse, det
    scale = 1.0 / det
    for r in range(3):
        for c in range(3):
            inverse[r, c] *= scale
    return inverse, det


@njit(cache=True)
def _condition(jac, x):
    """The condition number (1-norm) of the Jacobian in multiprojective terms: each column
    scaled by the length of its player's vector ``(1 - x, x)`` and each row divided by the
    lengths of the two vectors its bilinear condition is of, so that a root far from the
    simplex (a vector nearly at infinity in these coordinates) is not taken for a singular
    one; near the simplex the scaling is close to one."""
    length = np.zeros(3)
    for c in range(3):
        length[c] = np.sqrt(abs(1.0 - x[c]) ** 2 + abs(x[c]) ** 2)
    scaled = np.zeros((3, 3), dtype=np.complex128)
    for r in range(3):
        for c in range(3):
            if c != r:
                scaled[r, c] = jac[r, c] * length[c] / (length[0] * length[1] * length[2] / length[r])
    inverse, det = _inverse3(scaled)
    if det == 0:
        return np.inf
    return _norm1(scaled) * _norm1(inverse)


@njit(cache=True)
def _norm1(a):
    best = 0.0
    for c in range(a.shape[1]):
        column = 0.0
        for r in range(a.shape[0]):
            column += abs(a[r, c])
        best = max(best, column)
    return best

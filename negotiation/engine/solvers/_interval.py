"""The compiled interval arithmetic of :mod:`negotiation.engine.solvers.certify` (numba).

Every operation rounds outward as the notes of that module say: a product of endpoints by
one unit in the last place and a tiny absolute term for underflow, a sum of ``m`` terms by
``m`` units of roundoff times the sum of magnitudes.  This code shares nothing with the path
tracker: the certificate must not rest on the arithmetic that found the root.

The payoffs are given as the bounds ``lo``, ``hi`` of shape (n, cells) of the flattened game;
``sup[j, :k[j]]`` is player j's support; ``offsets[j]`` is where player j's probabilities start
among the unknowns (-1 for a pure player, whose vector is the constant 1).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_ULP = 2.0**-52
_TINY = 2.0**-1000
RADIUS = 1e-9
"""Relative half-width of the box tested around a point (at least this much absolute)."""


@njit(cache=True)
def _mul(alo, ahi, blo, bhi):
    p1, p2, p3, p4 = alo * blo, alo * bhi, ahi * blo, ahi * bhi
    lo = min(min(p1, p2), min(p3, p4))
    hi = max(max(p1, p2), max(p3, p4))
    return np.nextafter(lo, -np.inf) - _TINY, np.nextafter(hi, np.inf) + _TINY


@njit(cache=True)
def _close(lo_sum, hi_sum, size, count):
    """The enclosure of a sum of ``count`` terms whose magnitudes add up to ``size``."""
    slack = count * _ULP * size + count * _TINY
    return np.nextafter(lo_sum - slack, -np.inf), np.nextafter(hi_sum + slack, np.inf)


@njit(cache=True)
def _sub(alo, ahi, blo, bhi):
    return np.nextafter(alo - bhi, -np.inf), np.nextafter(ahi - blo, np.inf)


@njit(cache=True)
def _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, a, skip, fixed):
    """Player i's payoff to its strategy ``a`` against the others' vectors over the box; with
    ``skip >= 0``, its derivative in player skip's probability of its ``fixed``-th support
    strategy."""
    n = len(k)
    digits = np.zeros(n, dtype=np.int64)
    if skip >= 0:
        digits[skip] = fixed
    lo_sum = 0.0
    hi_sum = 0.0
    size = 0.0
    count = 0
    while True:
        flat = 0
        for q in range(n):
            flat = flat * shape[q] + (a if q == i else sup[q, digits[q]])
        plo, phi = lo[i, flat], hi[i, flat]
        for q in range(n):
            if q != i and q != skip and offsets[q] >= 0:
                plo, phi = _mul(plo, phi, xlo[offsets[q] + digits[q]], xhi[offsets[q] + digits[q]])
        lo_sum += plo
        hi_sum += phi
        size += max(abs(plo), abs(phi))
        count += 1
        q = n - 1
        while q >= 0:  # the next cell of the others' supports, the last player fastest
            if q != i and q != skip:
                digits[q] += 1
                if digits[q] < k[q]:
                    break
                digits[q] = 0
            q -= 1
        if q < 0:
            break
    return _close(lo_sum, hi_sum, size, count)


@njit(cache=True)
def residual(lo, hi, shape, sup, k, offsets, xlo, xhi, out_lo, out_hi):
    """Each mixed player's indifference rows (support strategy against its first) and the
    row of its probabilities summing to one, over the box."""
    row = 0
    for i in range(len(k)):
        if offsets[i] < 0:
            continue
        base_lo, base_hi = _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, sup[i, 0], -1, 0)
        for r in range(1, k[i]):
            v_lo, v_hi = _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, sup[i, r], -1, 0)
            out_lo[row], out_hi[row] = _sub(v_lo, v_hi, base_lo, base_hi)
            row += 1
        lo_sum = 0.0
        hi_sum = 0.0
        size = 0.0
        for b in range(k[i]):
            lo_sum += xlo[offsets[i] + b]
            hi_sum += xhi[offsets[i] + b]
            size += max(abs(xlo[offsets[i] + b]), abs(xhi[offsets[i] + b]))
        s_lo, s_hi = _close(lo_sum, hi_sum, size, k[i])
        out_lo[row], out_hi[row] = _sub(s_lo, s_hi, 1.0, 1.0)
        row += 1


@njit(cache=True)
def jacobian(lo, hi, shape, sup, k, offsets, xlo, xhi, out_lo, out_hi):
    """The Jacobian of :func:`residual` over the box, in the same rows."""
    out_lo[:] = 0.0
    out_hi[:] = 0.0
    row = 0
    for i in range(len(k)):
        if offsets[i] < 0:
            continue
        for r in range(1, k[i]):
            for j in range(len(k)):
                if j == i or offsets[j] < 0:
                    continue
                for b in range(k[j]):
                    d_lo, d_hi = _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, sup[i, r], j, b)
                    e_lo, e_hi = _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, sup[i, 0], j, b)
                    out_lo[row, offsets[j] + b], out_hi[row, offsets[j] + b] = _sub(d_lo, d_hi, e_lo, e_hi)
            row += 1
        for b in range(k[i]):
            out_lo[row, offsets[i] + b] = 1.0
            out_hi[row, offsets[i] + b] = 1.0
        row += 1


@njit(cache=True)
def krawczyk(lo, hi, shape, sup, k, offsets, x, inverse, xlo, xhi, j_lo, j_hi):
    """Whether the Krawczyk operator maps the box [xlo, xhi] around x into its interior, with
    ``[j_lo, j_hi]`` the Jacobian over the box and ``inverse`` any approximation of the inverse
    of its midpoint."""
    m = len(x)
    f_lo = np.zeros(m)
    f_hi = np.zeros(m)
    residual(lo, hi, shape, sup, k, offsets, x, x, f_lo, f_hi)
    for r in range(m):
        # x - Y F(x)
        lo_sum = 0.0
        hi_sum = 0.0
        size = 0.0
        for q in range(m):
            plo, phi = _mul(inverse[r, q], inverse[r, q], f_lo[q], f_hi[q])
            lo_sum += plo
            hi_sum += phi
            size += max(abs(plo), abs(phi))
        s_lo, s_hi = _close(lo_sum, hi_sum, size, m)
        k_lo, k_hi = _sub(x[r], x[r], s_lo, s_hi)
        # + (I - Y F'(X)) (X - x)
        lo_sum = 0.0
        hi_sum = 0.0
        size = 0.0
        for c in range(m):
            yj_lo = 0.0
            yj_hi = 0.0
            yj_size = 0.0
            for q in range(m):
                plo, phi = _mul(inverse[r, q], inverse[r, q], j_lo[q, c], j_hi[q, c])
                yj_lo += plo
                yj_hi += phi
                yj_size += max(abs(plo), abs(phi))
            a_lo, a_hi = _close(yj_lo, yj_hi, yj_size, m)
            eye = 1.0 if r == c else 0.0
            c_lo, c_hi = _sub(eye, eye, a_lo, a_hi)
            d_lo, d_hi = _sub(xlo[c], xhi[c], x[c], x[c])
            plo, phi = _mul(c_lo, c_hi, d_lo, d_hi)
            lo_sum += plo
            hi_sum += phi
            size += max(abs(plo), abs(phi))
        s_lo, s_hi = _close(lo_sum, hi_sum, size, m)
        k_lo = np.nextafter(k_lo + s_lo, -np.inf)
        k_hi = np.nextafter(k_hi + s_hi, np.inf)
        if not (k_lo > xlo[r] and k_hi < xhi[r]):
            return False
    return True


@njit(cache=True)
def _inverse(a):
    """The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting, in
    plain floating point (Krawczyk's test is valid with any matrix in place of the inverse;
    a poor one only makes it fail); all nan when a pivot vanishes."""
    m = a.shape[0]
    work = a.copy()
    out = np.eye(m)
    for c in range(m):
        piv = c
        for r in range(c + 1, m):
            if abs(work[r, c]) > abs(work[piv, c]):
                piv = r
        if work[piv, c] == 0.0:
            out[:] = np.nan
            return out
        for q in range(m):
            work[c, q], work[piv, q] = work[piv, q], work[c, q]
            out[c, q], out[piv, q] = out[piv, q], out[c, q]
        scale = 1.0 / work[c, c]
        for q in range(m):
            work[c, q] *= scale
            out[c, q] *= scale
        for r in range(m):
            if r != c and work[r, c] != 0.0:
                f = work[r, c]
                for q in range(m):
                    work[r, q] -= f * work[c, q]
                    out[r, q] -= f * out[c, q]
    return out


@njit(cache=True)
def certify(lo, hi, shape, sup, k, offsets, x):
    """Whether the box of relative radius ``RADIUS`` around x holds exactly one root of the support
    system (Krawczyk), every point of it a probability vector positive on each support strategy
    under which every strategy outside a support earns strictly less than the support."""
    m = len(x)
    xlo = np.empty(m)
    xhi = np.empty(m)
    for c in range(m):
        radius = RADIUS * max(1.0, abs(x[c]))
        xlo[c] = x[c] - radius
        xhi[c] = x[c] + radius
    j_lo = np.zeros((m, m))
    j_hi = np.zeros((m, m))
    jacobian(lo, hi, shape, sup, k, offsets, xlo, xhi, j_lo, j_hi)
    inverse = _inverse(j_lo / 2 + j_hi / 2)
    if not np.isfinite(inverse).all() or not krawczyk(lo, hi, shape, sup, k, offsets, x, inverse, xlo, xhi,
                                                       j_lo, j_hi):
        return False
    for c in range(m):
        if xlo[c] <= 0:
            return False
    return outside_below(lo, hi, shape, sup, k, offsets, xlo, xhi)


@njit(cache=True)
def certify_all(lo, hi, shape, inside, points):
    """:func:`certify` for each of many points, ``points[p, j, :]`` player j's vector (its
    support ``inside[p, j, :]``; a player with one support strategy is pure)."""
    count, n, s = inside.shape
    ok = np.zeros(count, dtype=np.bool_)
    sup = np.zeros((n, s), dtype=np.int64)
    k = np.zeros(n, dtype=np.int64)
    offsets = np.full(n, -1, dtype=np.int64)
    x = np.zeros(n * s)
    for p in range(count):
        m = 0
        for j in range(n):
            k[j] = 0
            for t in range(shape[j]):
                if inside[p, j, t]:
                    sup[j, k[j]] = t
                    k[j] += 1
            offsets[j] = -1
            if k[j] > 1:
                offsets[j] = m
                for b in range(k[j]):
                    x[m + b] = points[p, j, sup[j, b]]
                m += k[j]
        ok[p] = certify(lo, hi, shape, sup, k, offsets, x[:m].copy())
    return ok


@njit(cache=True)
def outside_below(lo, hi, shape, sup, k, offsets, xlo, xhi):
    """Whether, over the box, every strategy outside each player's support earns strictly less
    than the first strategy of the support."""
    n = len(k)
    for i in range(n):
        base_lo, base_hi = _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, sup[i, 0], -1, 0)
        for t in range(shape[i]):
            inside = False
            for b in range(k[i]):
                inside = inside or sup[i, b] == t
            if inside:
                continue
            v_lo, v_hi = _payoff(lo, hi, shape, sup, k, offsets, xlo, xhi, i, t, -1, 0)
            if _sub(v_lo, v_hi, base_lo, base_hi)[1] >= 0:
                return False
    return True

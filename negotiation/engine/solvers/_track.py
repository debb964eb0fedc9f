"""The compiled path tracker of :mod:`negotiation.engine.solvers.homotopy` (numba).

One path at a time, in complex double precision, in the coordinates of its own support
profile: player i's unknowns are its probabilities ``y_{i,1..f_i}`` of the support strategies
after the first, whose own probability follows from the player's random patch,
``p_{i,0} = c_i + sum_a w_{i,a} y_{i,a}`` (a pure player's vector is the constant 1).  The
system of a path (see :mod:`~negotiation.engine.solvers.homotopy`) is

    H_{i,r}(y, t) = (1 - t) sum_cells D_{i,r}(cell) prod_{j != i} p_{j,cell_j}
                    + gamma t prod_{j != i} (f_{i,r,j} . p_j),

where ``D_{i,r}`` is player i's payoff of its (r+1)-th support strategy less that of its first,
over the cells of the others' supports, and ``f_{i,r,j}`` are the random linear forms of the
start system.  The predictor is a fourth-order Runge-Kutta step along
``dy/dt = -H_y^{-1} H_t``; up to three Newton corrections at the new ``t`` must reach a relative
accuracy of ``TOLERANCE``, the first of them no larger than 5% of the point, or the step is
halved; after a step that is taken the step grows by the factor ``growth``.  At ``t = 0`` three
more Newton steps bring the endpoint to the accuracy of double precision.  A profile with at
most two mixed players has a linear target system: its one path is replaced by those three
Newton steps from the start point.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MAX_STEPS = 2_000
"""Steps (taken or halved) after which a path counts as failed."""

TOLERANCE = 1e-6
"""Relative size of the last Newton correction at which a point along a path is accepted."""


@njit(cache=True)
def _advance(digits, k, skip):
    """The next cell of the others' supports (player ``skip``'s digit stays), last digit
    fastest; False after the last cell."""
    for q in range(len(k) - 1, -1, -1):
        if q != skip:
            digits[q] += 1
            if digits[q] < k[q]:
                return True
            digits[q] = 0
    return False


@njit(cache=True)
def _prepare(u, n, s, sup, k, forms, diff, lin):
    """Per path: each equation's payoff differences over the others' support cells, and its
    start-system forms over the support positions."""
    row = 0
    digits = np.zeros(n, dtype=np.int64)
    for i in range(n):
        for r in range(k[i] - 1):
            for q in range(n):
                digits[q] = 0
            cell = 0
            while True:
                hi = 0
                lo = 0
                stride = 1
                for q in range(n - 1, -1, -1):
                    if q == i:
                        hi += sup[i, r + 1] * stride
                        lo += sup[i, 0] * stride
                    else:
                        hi += sup[q, digits[q]] * stride
                        lo += sup[q, digits[q]] * stride
                    stride *= s
                diff[row, cell] = u[i, hi] - u[i, lo]
                cell += 1
                if not _advance(digits, k, i):
                    break
            for j in range(n):
                for b in range(k[j]):
                    lin[row, j, b] = forms[i, r, j, sup[j, b]] if j != i else 0.0
            row += 1


@njit(cache=True)
def _evaluate(n, k, c0, w, diff, lin, gamma, x, t, p, grad, lin_forms, digits, h, jac, dt):
    """The residual ``h``, Jacobian ``jac`` and t-derivative ``dt`` at (x, t); ``p[j, b]`` is
    player j's probability of its b-th support strategy."""
    off = 0
    for i in range(n):
        base = c0[i]
        for a in range(1, k[i]):
            p[i, a] = x[off + a - 1]
            base += w[i, a] * x[off + a - 1]
        p[i, 0] = base
        off += k[i] - 1
    row = 0
    for i in range(n):
        for _ in range(k[i] - 1):
            for j in range(n):
                for b in range(k[j]):
                    grad[j, b] = 0.0
                digits[j] = 0
            target = 0.0j
            cell = 0
            while True:
                d = diff[row, cell]
                if d != 0.0:
                    prod = d + 0.0j
                    for q in range(n):
                        if q != i:
                            prod *= p[q, digits[q]]
                    target += prod
                    for j in range(n):
                        if j == i or k[j] == 1:
                            continue
                        part = d + 0.0j
                        for q in range(n):
                            if q != i and q != j:
                                part *= p[q, digits[q]]
                        grad[j, digits[j]] += part
                cell += 1
                if not _advance(digits, k, i):
                    break
            start = 1.0 + 0.0j
            for j in range(n):
                if j == i:
                    lin_forms[j] = 1.0
                    continue
                acc = 0.0j
                for b in range(k[j]):
                    acc += lin[row, j, b] * p[j, b]
                lin_forms[j] = acc
                start *= acc
            col = 0
            for j in range(n):
                if j == i:  # player i's equations do not involve its own vector
                    for c in range(col, col + k[j] - 1):
                        jac[row, c] = 0.0
                if j == i or k[j] == 1:
                    col += k[j] - 1
                    continue
                others = 1.0 + 0.0j
                for q in range(n):
                    if q != i and q != j:
                        others *= lin_forms[q]
                gt = gamma * t * others
                d0 = (1.0 - t) * grad[j, 0] + gt * lin[row, j, 0]
                for b in range(1, k[j]):
                    jac[row, col + b - 1] = (1.0 - t) * grad[j, b] + gt * lin[row, j, b] + d0 * w[j, b]
                col += k[j] - 1
            h[row] = (1.0 - t) * target + gamma * t * start
            dt[row] = gamma * start - target
            row += 1


@njit(cache=True)
def _solve(a, b, x, m):
    """x = a^{-1} b on the leading m x m block, by Gaussian elimination with partial pivoting
    (a and b are overwritten); False when a is singular to working precision."""
    for c in range(m):
        piv = c
        best = abs(a[c, c].real) + abs(a[c, c].imag)
        for r in range(c + 1, m):
            size = abs(a[r, c].real) + abs(a[r, c].imag)
            if size > best:
                best = size
                piv = r
        if best == 0.0:
            return False
        if piv != c:
            for q in range(c, m):
                tmp = a[c, q]
                a[c, q] = a[piv, q]
                a[piv, q] = tmp
            tmp = b[c]
            b[c] = b[piv]
            b[piv] = tmp
        inv = 1.0 / a[c, c]
        for r in range(c + 1, m):
            f = a[r, c] * inv
            if f != 0:
                for q in range(c + 1, m):
                    a[r, q] -= f * a[c, q]
                b[r] -= f * b[c]
    for c in range(m - 1, -1, -1):
        acc = b[c]
        for q in range(c + 1, m):
            acc -= a[c, q] * x[q]
        x[c] = acc / a[c, c]
    return True


@njit(cache=True)
def _slope(n, k, c0, w, diff, lin, gamma, x, t, p, grad, lin_forms, digits, h, jac, dt, out, m):
    """The tangent ``dy/dt`` (for a decreasing t) at (x, t) into ``out``; False if singular."""
    _evaluate(n, k, c0, w, diff, lin, gamma, x, t, p, grad, lin_forms, digits, h, jac, dt)
    return _solve(jac, dt, out, m)


@njit(cache=True)
def _start(n, s, sup, k, patch, assigned, forms, c0, w, y, a, b):
    """A path's chart (``c0``, ``w`` from the patches) and its start point: each mixed player's
    vector is where the forms of the equations assigned to it vanish (False if singular)."""
    off = 0
    for j in range(n):
        c0[j] = 1.0
        if k[j] == 1:
            continue
        c0[j] = 1.0 / patch[j, sup[j, 0]]
        for e in range(1, k[j]):
            w[j, e] = -patch[j, sup[j, e]] / patch[j, sup[j, 0]]
        f = k[j] - 1
        for e in range(f):
            i, r = assigned[j, e] // s, assigned[j, e] % s
            lead = forms[i, r, j, sup[j, 0]]
            for c in range(1, k[j]):
                a[e, c - 1] = forms[i, r, j, sup[j, c]] + lead * w[j, c]
            b[e] = -lead * c0[j]
        if not _solve(a, b, y[off:off + f], f):
            return False
        off += f
    return True


@njit(cache=True)
def track_paths(u, n, s, sups, ks, assigned, patch, forms, gamma, size, first_step, max_step, growth):
    """Track every path; returns each endpoint as a full (n * s) vector, whether each reached
    t = 0, and the Jacobian of the target system at each endpoint (padded by the identity)."""
    count = len(sups)
    ends = np.zeros((count, n * s), dtype=np.complex128)
    reached = np.zeros(count, dtype=np.bool_)
    jacs = np.zeros((count, size, size), dtype=np.complex128)
    p = np.zeros((n, s), dtype=np.complex128)
    grad = np.zeros((n, s), dtype=np.complex128)
    cells = s ** (n - 1)
    diff = np.zeros((size, cells))
    lin = np.zeros((size, n, s), dtype=np.complex128)
    lin_forms = np.zeros(n, dtype=np.complex128)
    digits = np.zeros(n, dtype=np.int64)
    h = np.zeros(size, dtype=np.complex128)
    dt = np.zeros(size, dtype=np.complex128)
    jac = np.zeros((size, size), dtype=np.complex128)
    k1 = np.zeros(size, dtype=np.complex128)
    k2 = np.zeros(size, dtype=np.complex128)
    k3 = np.zeros(size, dtype=np.complex128)
    k4 = np.zeros(size, dtype=np.complex128)
    q = np.zeros(size, dtype=np.complex128)
    y = np.zeros(size, dtype=np.complex128)
    delta = np.zeros(size, dtype=np.complex128)
    c0 = np.zeros(n, dtype=np.complex128)
    w = np.zeros((n, s), dtype=np.complex128)
    for path in range(count):
        sup, k = sups[path], ks[path]
        m = 0
        for i in range(n):
            m += k[i] - 1
        if not _start(n, s, sup, k, patch, assigned[path], forms, c0, w, y, jac, h):
            continue
        _prepare(u, n, s, sup, k, forms, diff, lin)
        mixed = 0
        for i in range(n):
            mixed += k[i] > 1
        t = 0.0 if mixed <= 2 else 1.0  # a linear target system: Newton alone solves it
        step = first_step
        attempts = 0
        while t > 0.0 and attempts < MAX_STEPS and step > 1e-14:
            attempts += 1
            dtt = min(step, t)
            tn = 0.0 if dtt >= t else t - dtt
            good = _slope(n, k, c0, w, diff, lin, gamma, y, t, p, grad, lin_forms, digits, h, jac, dt, k1, m)
            for c in range(m):
                q[c] = y[c] + dtt / 2 * k1[c]
            good = good and _slope(n, k, c0, w, diff, lin, gamma, q, t - dtt / 2, p, grad, lin_forms, digits, h,
                                   jac, dt, k2, m)
            for c in range(m):
                q[c] = y[c] + dtt / 2 * k2[c]
            good = good and _slope(n, k, c0, w, diff, lin, gamma, q, t - dtt / 2, p, grad, lin_forms, digits, h,
                                   jac, dt, k3, m)
            for c in range(m):
                q[c] = y[c] + dtt * k3[c]
            good = good and _slope(n, k, c0, w, diff, lin, gamma, q, tn, p, grad, lin_forms, digits, h, jac, dt,
                                   k4, m)
            for c in range(m):
                q[c] = y[c] + dtt / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c])
            first = 0.0
            last = 0.0
            scale0 = 1.0
            for c in range(m):
                scale0 += abs(q[c]) ** 2
            scale0 = np.sqrt(scale0)
            for it in range(3):
                if not good:
                    break
                _evaluate(n, k, c0, w, diff, lin, gamma, q, tn, p, grad, lin_forms, digits, h, jac, dt)
                good = _solve(jac, h, delta, m)
                norm = 0.0
                for c in range(m):
                    q[c] -= delta[c]
                    norm += abs(delta[c]) ** 2
                norm = np.sqrt(norm)
                if it == 0:
                    first = norm
                last = norm
                if norm <= TOLERANCE * scale0:
                    break
            scale = 1.0
            for c in range(m):
                scale += abs(q[c]) ** 2
            scale = np.sqrt(scale)
            if good and np.isfinite(last) and last <= TOLERANCE * scale and first <= 0.05 * scale:
                for c in range(m):
                    y[c] = q[c]
                t = tn
                step = min(step * growth, max_step)
            else:
                step *= 0.5
        if t == 0.0:
            reached[path] = True
            for _ in range(3):  # Newton at t = 0 to the accuracy of double precision
                _evaluate(n, k, c0, w, diff, lin, gamma, y, 0.0, p, grad, lin_forms, digits, h, jac, dt)
                if not _solve(jac, h, delta, m):
                    reached[path] = False
                    break
                for c in range(m):
                    y[c] -= delta[c]
        _evaluate(n, k, c0, w, diff, lin, gamma, y, 0.0, p, grad, lin_forms, digits, h, jac, dt)
        for r in range(size):
            for c in range(size):
                jacs[path, r, c] = jac[r, c] if r < m and c < m else (1.0 if r == c else 0.0)
        for i in range(n):
            for a in range(k[i]):
                ends[path, i * s + sup[i, a]] = p[i, a]
    return ends, reached, jacs

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
accuracy of ``TOLERANCE``, the first of them no larger than ``ACCEPTED_JUMP`` of the point
(a larger one ends the attempt at once), or the step is halved (the tangent at the point it
starts from is kept for the retry); after a step that is taken the step grows by the factor
``growth``, and the next step's first slope is the tangent that the last Newton correction's
elimination gave along with it (at a point within ``TOLERANCE`` of the new one), so that a
step taken costs no evaluation for it.  At ``t = 0`` three more Newton steps bring the
endpoint to the accuracy of double precision, and the condition number of the Jacobian there
is computed.  A profile with at most two mixed players has a linear target system: its one
path is replaced by those three Newton steps from the start point.

The evaluation and the elimination are inlined into the tracker (numba counts a reference
for every array passed to a compiled call, which cost as much as the arithmetic here), at
one call site per stage (the Runge-Kutta slopes, the corrector, the endpoint) to keep the
compile time down; their arrays are passed one by one, since unpacking a tuple of arrays
counts references too.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MAX_STEPS = 2_000
"""Steps (taken or halved) after which a path counts as failed."""

TOLERANCE = 1e-6
"""Relative size of the last Newton correction at which a point along a path is accepted."""

ACCEPTED_JUMP = 0.05
"""Largest first Newton correction, relative to the point, of a step that is taken."""


@njit(cache=True)
def _advance(digits, k, skip):
    """The next cell of the others' supports (player ``skip``'s digit stays; -1 for none),
    last digit fastest; False after the last cell."""
    for q in range(len(k) - 1, -1, -1):
        if q != skip:
            digits[q] += 1
            if digits[q] < k[q]:
                return True
            digits[q] = 0
    return False


@njit(cache=True)
def _prepare(u, n, s, sup, k, forms, diff, mix, lin):
    """Per path: each equation's payoff differences over the cells of the others' supports
    (``diff``, a tensor over the mixed others in player order, flattened last-fastest), each
    player's mixed others (``mix[i, 1:]``, their count in ``mix[i, 0]``), and each equation's
    start-system forms over the support positions (``lin``)."""
    for i in range(n):
        count = 0
        for j in range(n):
            if j != i and k[j] > 1:
                count += 1
                mix[i, count] = j
        mix[i, 0] = count
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


@njit(cache=True, inline="always")
def _evaluate(k, w, diff, mix, lin, gamma, x, t, p, grad, forms, scratch, h, jac, dt):
    """The residual ``h``, Jacobian ``jac`` and t-derivative ``dt`` at (x, t).

    ``w`` is the chart (``w[j, 0]`` the constant ``c_j``); ``p[j, b]`` receives player j's
    probability of its b-th support strategy and ``grad`` the target part's derivatives in
    them.  An equation's target part is its tensor of payoff differences contracted with every
    mixed other's vector.  The contractions are taken from the last player inwards, keeping
    each partial result ``F_l`` (the tensor contracted over the players from l on) in
    ``scratch[0]``; the derivative in player l's vector is ``F_{l+1}`` contracted over the
    players before l with the outer product of their vectors, built in ``scratch[1]`` from the
    first player on: a few operations per cell instead of one product per cell and player.
    ``forms`` holds the start system's linear forms and their prefix and suffix products.
    """
    n = len(k)
    off = 0
    for i in range(n):
        base = w[i, 0]
        for a in range(1, k[i]):
            p[i, a] = x[off + a - 1]
            base += w[i, a] * x[off + a - 1]
        p[i, 0] = base
        off += k[i] - 1
    row = 0
    for i in range(n):
        count = mix[i, 0]
        for _ in range(k[i] - 1):
            target = diff[row, 0] + 0.0j
            if count > 0:
                level = 1  # the size of F_l: the product of the sizes of the players before l
                for c in range(count - 1):
                    level *= k[mix[i, c + 1]]
                j = mix[i, count]
                for a in range(level):  # F_{count-1}, at offset 0
                    acc = 0.0j
                    for b in range(k[j]):
                        acc += diff[row, a * k[j] + b] * p[j, b]
                    scratch[0, a] = acc
                top = 0  # the offset of the last level written
                for c in range(count - 2, -1, -1):
                    j = mix[i, c + 1]
                    below = top + level
                    level //= k[j]
                    for a in range(level):
                        acc = 0.0j
                        for b in range(k[j]):
                            acc += scratch[0, top + a * k[j] + b] * p[j, b]
                        scratch[0, below + a] = acc
                    top = below
                target = scratch[0, top]
                scratch[1, 0] = 1.0
                for c in range(count):  # level is the size of the outer product before player c
                    j = mix[i, c + 1]
                    kj = k[j]
                    last = c == count - 1
                    if not last:
                        top -= level * kj  # the offset of F_{c+1}
                    for b in range(kj):
                        acc = 0.0j
                        for a in range(level):
                            acc += scratch[1, a] * (diff[row, a * kj + b] if last else scratch[0, top + a * kj + b])
                        grad[j, b] = acc
                    if not last:
                        for a in range(level - 1, -1, -1):  # in place: entry a is read before it is written
                            for b in range(kj - 1, -1, -1):
                                scratch[1, a * kj + b] = scratch[1, a] * p[j, b]
                        level *= kj
            forms[1, 0] = 1.0
            for j in range(n):
                form = 1.0 + 0.0j
                if j != i:
                    form = 0.0j
                    for b in range(k[j]):
                        form += lin[row, j, b] * p[j, b]
                forms[0, j] = form
                forms[1, j + 1] = forms[1, j] * form
            forms[2, n] = 1.0
            for j in range(n - 1, -1, -1):
                forms[2, j] = forms[2, j + 1] * forms[0, j]
            start = forms[1, n]
            col = 0
            for j in range(n):
                if j == i:  # player i's equations do not involve its own vector
                    for c in range(col, col + k[j] - 1):
                        jac[row, c] = 0.0
                if j == i or k[j] == 1:
                    col += k[j] - 1
                    continue
                gt = gamma * t * forms[1, j] * forms[2, j + 1]
                d0 = (1.0 - t) * grad[j, 0] + gt * lin[row, j, 0]
                for b in range(1, k[j]):
                    jac[row, col + b - 1] = (1.0 - t) * grad[j, b] + gt * lin[row, j, b] + d0 * w[j, b]
                col += k[j] - 1
            h[row] = (1.0 - t) * target + gamma * t * start
            dt[row] = gamma * start - target
            row += 1


@njit(cache=True, inline="always")
def _solve(a, b, x, m, b2, x2, two):
    """x = a^{-1} b on the leading m x m block, by Gaussian elimination with partial pivoting
    (a and b are overwritten, the pivots by their reciprocals), and with ``two`` also
    x2 = a^{-1} b2 from the same elimination (b2 overwritten); False when a is singular to
    working precision."""
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
            if two:
                tmp = b2[c]
                b2[c] = b2[piv]
                b2[piv] = tmp
        norm = a[c, c].real ** 2 + a[c, c].imag ** 2
        if norm == 0.0:  # underflow
            return False
        inv = complex(a[c, c].real / norm, -a[c, c].imag / norm)  # numba's complex division is a call
        a[c, c] = inv
        for r in range(c + 1, m):
            f = a[r, c] * inv
            if f != 0:
                for q in range(c + 1, m):
                    a[r, q] -= f * a[c, q]
                b[r] -= f * b[c]
                if two:
                    b2[r] -= f * b2[c]
    for c in range(m - 1, -1, -1):
        acc = b[c]
        for q in range(c + 1, m):
            acc -= a[c, q] * x[q]
        x[c] = acc * a[c, c]
        if two:
            acc = b2[c]
            for q in range(c + 1, m):
                acc -= a[c, q] * x2[q]
            x2[c] = acc * a[c, c]
    return True


@njit(cache=True)
def _start(n, s, sup, k, patch, assigned, forms, w, y, a, b):
    """A path's chart ``w`` (from the patches; ``w[j, 0]`` is the constant) and its start
    point: each mixed player's vector is where the forms of the equations assigned to it
    vanish (False if singular)."""
    off = 0
    for j in range(n):
        w[j, 0] = 1.0
        if k[j] == 1:
            continue
        w[j, 0] = 1.0 / patch[j, sup[j, 0]]
        for e in range(1, k[j]):
            w[j, e] = -patch[j, sup[j, e]] / patch[j, sup[j, 0]]
        f = k[j] - 1
        for e in range(f):
            i, r = assigned[j, e] // s, assigned[j, e] % s
            lead = forms[i, r, j, sup[j, 0]]
            for c in range(1, k[j]):
                a[e, c - 1] = forms[i, r, j, sup[j, c]] + lead * w[j, c]
            b[e] = -lead * w[j, 0]
        if not _solve(a, b, y[off:off + f], f, b, b, False):
            return False
        off += f
    return True


@njit(cache=True)
def track_paths(u, n, s, sups, ks, assigned, patch, forms, gamma, size, first_step, max_step, growth):
    """Track every path; returns each endpoint as a full (n * s) vector, whether each reached
    t = 0, and the condition number of the target system's Jacobian at each endpoint."""
    count = len(sups)
    ends = np.zeros((count, n * s), dtype=np.complex128)
    reached = np.zeros(count, dtype=np.bool_)
    cond = np.full(count, np.inf)
    inverse = np.zeros((size, size), dtype=np.complex128)
    cells = s ** (n - 1)
    w = np.zeros((n, s), dtype=np.complex128)
    diff = np.zeros((size, cells))
    mix = np.zeros((n, n), dtype=np.int64)
    lin = np.zeros((size, n, s), dtype=np.complex128)
    p = np.zeros((n, s), dtype=np.complex128)
    grad = np.zeros((n, s), dtype=np.complex128)
    products = np.zeros((3, n + 1), dtype=np.complex128)
    scratch = np.zeros((2, 2 * cells), dtype=np.complex128)
    h = np.zeros(size, dtype=np.complex128)
    jac = np.zeros((size, size), dtype=np.complex128)
    dt = np.zeros(size, dtype=np.complex128)
    slopes = np.zeros((4, size), dtype=np.complex128)
    q = np.zeros(size, dtype=np.complex128)
    y = np.zeros(size, dtype=np.complex128)
    delta = np.zeros(size, dtype=np.complex128)
    tangent = np.zeros(size, dtype=np.complex128)
    for index in range(count):
        sup, k = sups[index], ks[index]
        m = 0
        mixed = 0
        for i in range(n):
            m += k[i] - 1
            mixed += k[i] > 1
        if not _start(n, s, sup, k, patch, assigned[index], forms, w, y, jac, h):
            continue
        _prepare(u, n, s, sup, k, forms, diff, mix, lin)
        t = 0.0 if mixed <= 2 else 1.0  # a linear target system: Newton alone solves it
        step = first_step
        attempts = 0
        fresh = False  # whether slopes[0] holds the tangent at (y, t)
        while t > 0.0 and attempts < MAX_STEPS and step > 1e-14:
            attempts += 1
            dtt = min(step, t)
            tn = 0.0 if dtt >= t else t - dtt
            good = True
            for stage in range(4):  # the Runge-Kutta slopes, at t, t - dtt/2 (twice) and tn
                if stage == 0 and fresh:
                    continue
                lag = 0.0 if stage == 0 else (dtt / 2 if stage < 3 else dtt)
                for c in range(m):
                    q[c] = y[c] + (lag * slopes[stage - 1, c] if stage > 0 else 0.0)
                _evaluate(k, w, diff, mix, lin, gamma, q, tn if stage == 3 else t - lag, p, grad, products, scratch,
                          h, jac, dt)
                good = _solve(jac, dt, delta, m, dt, dt, False)
                if not good:
                    break
                for c in range(m):
                    slopes[stage, c] = delta[c]
                fresh = fresh or stage == 0
            scale = 1.0
            last = np.inf
            if good:
                scale = 0.0
                for c in range(m):
                    q[c] = y[c] + dtt / 6 * (slopes[0, c] + 2 * slopes[1, c] + 2 * slopes[2, c] + slopes[3, c])
                    scale += abs(q[c]) ** 2
                scale = np.sqrt(1.0 + scale)
            for it in range(3):
                if not good:
                    break
                _evaluate(k, w, diff, mix, lin, gamma, q, tn, p, grad, products, scratch, h, jac, dt)
                good = _solve(jac, h, delta, m, dt, tangent, True)  # and the tangent there, for the next step
                last = 0.0
                for c in range(m):
                    q[c] -= delta[c]
                    last += abs(delta[c]) ** 2
                last = np.sqrt(last)
                if it == 0 and not last <= ACCEPTED_JUMP * scale:
                    good = False  # the prediction was too far off: no use correcting it
                if last <= TOLERANCE * scale:
                    break
            if good and last <= TOLERANCE * scale:
                for c in range(m):
                    y[c] = q[c]
                    slopes[0, c] = tangent[c]  # at the point before the last correction, below TOLERANCE
                t = tn
                step = min(step * growth, max_step)
                fresh = True
            else:
                step *= 0.5
        reached[index] = t == 0.0
        for it in range(4):  # at t = 0: Newton to the accuracy of double precision, then the Jacobian
            _evaluate(k, w, diff, mix, lin, gamma, y, 0.0, p, grad, products, scratch, h, jac, dt)
            if it == 3 or not reached[index]:
                break
            if not _solve(jac, h, delta, m, h, h, False):
                reached[index] = False  # (its Jacobian is not looked at)
                break
            for c in range(m):
                y[c] -= delta[c]
        if reached[index]:
            cond[index] = _condition(jac, m, inverse, h, delta)
        for i in range(n):
            for a in range(k[i]):
                ends[index, i * s + sup[i, a]] = p[i, a]
    return ends, reached, cond


@njit(cache=True)
def _condition(a, m, work, b, x):
    """The condition number in the 1-norm of the leading m x m block of ``a`` (left as it is),
    from its inverse column by column; inf when it is singular to working precision."""
    norm = 0.0
    for c in range(m):
        column = 0.0
        for r in range(m):
            column += abs(a[r, c])
        norm = max(norm, column)
    inverse = 0.0
    for c in range(m):
        for r in range(m):
            for q in range(m):
                work[r, q] = a[r, q]
            b[r] = 1.0 if r == c else 0.0
        if not _solve(work, b, x, m, b, b, False):
            return np.inf
        column = 0.0
        for r in range(m):
            column += abs(x[r])
        inverse = max(inverse, column)
    return norm * inverse


@njit(cache=True, error_model="numpy")
def classify(ends, n, s, bounds, ok):
    """Each endpoint scaled to probability vectors, whether its complex conjugate is an
    endpoint of its profile, and each profile's verdict (0 complete, 1 a path failed or ended
    at a singular point, 2 two paths ended at one point); profile r owns the paths
    ``bounds[r]:bounds[r + 1]`` (see :class:`negotiation.engine.solvers.homotopy.Endpoints`)."""
    count = len(ends)
    scaled = np.full((count, n, s), np.nan + 0.0j)
    unit = np.zeros((count, n, s), dtype=np.complex128)
    size = np.ones(count)
    for path in range(count):
        for i in range(n):
            total = 0.0j
            mass = 0.0
            length = 0.0
            for b in range(s):
                v = ends[path, i * s + b]
                total += v
                mass += abs(v)
                length += abs(v) ** 2
            length = np.sqrt(length)
            lead = ends[path, i * s] / length  # the first large entry of the unit vector fixes its phase
            for b in range(s):
                u = ends[path, i * s + b] / length
                if abs(u) > 0.5 / np.sqrt(s):
                    lead = u
                    break
            for b in range(s):
                v = ends[path, i * s + b]
                unit[path, i, b] = v / length * (abs(lead) / lead)
                if abs(total) > 1e-8 * mass:
                    scaled[path, i, b] = v / total
        for i in range(n):
            for b in range(s):
                size[path] = max(size[path], abs(scaled[path, i, b]))  # nan stays nan
                if np.isnan(scaled[path, i, b].real):
                    size[path] = np.nan
    paired = np.zeros(count, dtype=np.bool_)
    verdict = np.zeros(len(bounds) - 1, dtype=np.int64)
    for r in range(len(bounds) - 1):
        lo, hi = bounds[r], bounds[r + 1]
        for path in range(lo, hi):
            if not ok[path]:
                verdict[r] = 1
        if verdict[r] or hi - lo == 1:
            continue
        for a in range(lo, hi):
            for b in range(a + 1, hi):
                gap = 0.0
                for i in range(n):
                    for c in range(s):
                        gap += abs(unit[a, i, c] - unit[b, i, c]) ** 2
                if np.sqrt(gap) < 1e-6:
                    verdict[r] = 2
        if verdict[r]:
            continue
        for a in range(lo, hi):
            for b in range(lo, hi):
                mirror = 0.0
                for i in range(n):
                    for c in range(s):
                        gap = abs(scaled[a, i, c] - np.conj(scaled[b, i, c]))
                        mirror = gap if np.isnan(gap) or gap > mirror else mirror
                if mirror / size[a] <= 1e-6:  # False with a nan
                    paired[a] = True
    return scaled, paired, verdict


@njit(cache=True)
def best_gains(u, shape, real, inside):
    """For each endpoint (``real[path, j, :shape[j]]`` the players' vectors, zero off their
    supports ``inside``), the largest gain of any player from a strategy off its support over
    the first strategy of its support (-inf when every support is full); ``u`` holds the
    payoffs flattened per player, last strategy index fastest."""
    count, n = real.shape[0], len(shape)
    out = np.full(count, -np.inf)
    digits = np.zeros(n, dtype=np.int64)
    values = np.zeros(real.shape[2])
    for path in range(count):
        for i in range(n):
            for a in range(shape[i]):
                values[a] = 0.0
            for q in range(n):
                digits[q] = 0
            for cell in range(u.shape[1]):
                weight = 1.0
                for j in range(n):
                    if j != i:
                        weight *= real[path, j, digits[j]]
                values[digits[i]] += u[i, cell] * weight
                _advance(digits, shape, -1)  # the next cell, no player's digit held
            first = 0
            while not inside[path, i, first]:
                first += 1
            for a in range(shape[i]):
                if not inside[path, i, a]:
                    out[path] = max(out[path], values[a] - values[first])
    return out


@njit(cache=True)
def screen(points, inside, paired, u, shape, scale):
    """Which endpoints are equilibria in floating point (``candidate``) and which cannot be
    classified for sure (``unclear``), by the tests of
    :func:`negotiation.engine.solvers.polynomial._screen` (which documents them), path by path
    (``u`` holds the payoffs flattened per player, as for :func:`best_gains`)."""
    count, n, s = points.shape
    real = np.zeros((count, n, s))
    lowest = np.full(count, np.inf)
    stray = np.zeros(count)
    imag = np.zeros(count)
    finite = np.ones(count, dtype=np.bool_)
    for path in range(count):
        size = 1.0
        for i in range(n):
            for b in range(s):
                v = points[path, i, b]
                if not (np.isfinite(v.real) and np.isfinite(v.imag)):
                    finite[path] = False
                size = max(size, abs(v))
                imag[path] = max(imag[path], abs(v.imag))
        if not finite[path]:
            continue
        imag[path] /= size
        for i in range(n):
            for b in range(s):
                value = points[path, i, b].real
                real[path, i, b] = value
                if inside[path, i, b]:
                    lowest[path] = min(lowest[path], value)
                else:
                    stray[path] = max(stray[path], abs(value))
    regret = best_gains(u, shape, real, inside)
    candidate = np.zeros(count, dtype=np.bool_)
    unclear = np.zeros(count, dtype=np.bool_)
    for path in range(count):
        if not finite[path]:
            continue
        nonreal = imag[path] > 1e-6
        if nonreal:
            unclear[path] = not paired[path]
        else:
            unclear[path] = imag[path] > 1e-9 or (lowest[path] >= -1e-9 and (lowest[path] <= 1e-9
                                                                              or stray[path] > 1e-9))
        if not nonreal and not unclear[path] and lowest[path] > 1e-9 and regret[path] <= 1e-9 * scale:
            if regret[path] > -1e-9 * scale:
                unclear[path] = True
            else:
                candidate[path] = True
    return candidate, unclear

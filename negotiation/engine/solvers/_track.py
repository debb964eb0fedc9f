"""The compiled path tracker of :mod:`negotiation.engine.solvers.homotopy` (numba).

One path at a time, in complex double precision: a fourth-order Runge-Kutta predictor
along ``dp/dt = -H_p^{-1} H_t``, up to three Newton corrections at the new ``t``, and a step that
grows by the factor ``growth`` after a step whose corrections converged and halves after one
that did not.
The padded system of a path (see :mod:`~negotiation.engine.solvers.homotopy`) is

    H_{i,r}(p, t) = (1 - t) (v_i(p)_{top_{i,r}} - v_i(p)_{base_i}) + gamma t g_{i,r}(p)
                    + sum_a L_{i,r,a} p_{i,a} - c_{i,r},

on the indifference rows (``top_{i,r} >= 0``: support strategy against the first of the
support), with ``v_i`` player i's payoff to each pure strategy against the others' vectors and
``g_{i,r}`` the product over ``j != i`` of the random linear forms ``f_{i,r,j} . p_j``; the other
rows are the linear ones only.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MAX_STEPS = 2_000


@njit(cache=True)
def _evaluate(u, n, s, top, base, lin, rhs, forms, gamma, p, t, h, jac, dt):
    size = n * s
    cells = s**n
    v = np.zeros((n, s), dtype=np.complex128)
    dv = np.zeros((n, s, n, s), dtype=np.complex128)
    digits = np.zeros(n, dtype=np.int64)
    lin_forms = np.zeros(n, dtype=np.complex128)
    for cell in range(cells):
        rest = cell
        for k in range(n - 1, -1, -1):
            digits[k] = rest % s
            rest //= s
        for i in range(n):
            pay = u[i, cell]
            if pay == 0.0:
                continue
            prod = 1.0 + 0.0j
            for m in range(n):
                if m != i:
                    prod *= p[m * s + digits[m]]
            v[i, digits[i]] += pay * prod
            for j in range(n):
                if j == i:
                    continue
                part = pay + 0.0j
                for m in range(n):
                    if m != i and m != j:
                        part *= p[m * s + digits[m]]
                dv[i, digits[i], j, digits[j]] += part
    for i in range(n):
        for r in range(s):
            row = i * s + r
            for col in range(size):
                jac[row, col] = 0.0
            target = 0.0j
            start = 0.0j
            hi = top[i, r]
            if hi >= 0:
                lo = base[i]
                target = v[i, hi] - v[i, lo]
                for j in range(n):
                    if j != i:
                        for b in range(s):
                            jac[row, j * s + b] = (1.0 - t) * (dv[i, hi, j, b] - dv[i, lo, j, b])
                start = 1.0 + 0.0j
                for j in range(n):
                    if j == i:
                        lin_forms[j] = 1.0
                        continue
                    acc = 0.0j
                    for b in range(s):
                        acc += forms[i, r, j, b] * p[j * s + b]
                    lin_forms[j] = acc
                    start *= acc
                for j in range(n):
                    if j == i:
                        continue
                    others = 1.0 + 0.0j
                    for m in range(n):
                        if m != i and m != j:
                            others *= lin_forms[m]
                    for b in range(s):
                        jac[row, j * s + b] += gamma * t * forms[i, r, j, b] * others
            linear = 0.0j
            for a in range(s):
                linear += lin[i, r, a] * p[i * s + a]
                jac[row, i * s + a] += lin[i, r, a]
            h[row] = (1.0 - t) * target + gamma * t * start + linear - rhs[i, r]
            dt[row] = gamma * start - target


@njit(cache=True)
def _solve(a, b, x):
    """x = a^{-1} b by Gaussian elimination with partial pivoting (a and b are overwritten);
    False when a is singular to working precision."""
    size = a.shape[0]
    for k in range(size):
        piv = k
        best = abs(a[k, k])
        for r in range(k + 1, size):
            if abs(a[r, k]) > best:
                best = abs(a[r, k])
                piv = r
        if best == 0.0:
            return False
        if piv != k:
            for c in range(size):
                tmp = a[k, c]
                a[k, c] = a[piv, c]
                a[piv, c] = tmp
            tmp = b[k]
            b[k] = b[piv]
            b[piv] = tmp
        for r in range(k + 1, size):
            f = a[r, k] / a[k, k]
            if f != 0:
                for c in range(k, size):
                    a[r, c] -= f * a[k, c]
                b[r] -= f * b[k]
    for k in range(size - 1, -1, -1):
        acc = b[k]
        for c in range(k + 1, size):
            acc -= a[k, c] * x[c]
        x[k] = acc / a[k, k]
    return True


@njit(cache=True)
def _slope(u, n, s, top, base, lin, rhs, forms, gamma, p, t, h, jac, dt, out):
    _evaluate(u, n, s, top, base, lin, rhs, forms, gamma, p, t, h, jac, dt)
    ok = _solve(jac, dt, out)
    for k in range(out.shape[0]):
        out[k] = -out[k]
    return ok


@njit(cache=True)
def track_paths(u, n, s, tops, bases, linear, rhs, forms, gamma, starts, first_step, max_step, growth):
    """Track every path; returns the endpoints, whether each reached t = 0, and the Jacobian
    of the target system at each endpoint."""
    count, size = starts.shape
    ends = starts.copy()
    reached = np.zeros(count, dtype=np.bool_)
    jacs = np.zeros((count, size, size), dtype=np.complex128)
    h = np.zeros(size, dtype=np.complex128)
    dt = np.zeros(size, dtype=np.complex128)
    jac = np.zeros((size, size), dtype=np.complex128)
    k1 = np.zeros(size, dtype=np.complex128)
    k2 = np.zeros(size, dtype=np.complex128)
    k3 = np.zeros(size, dtype=np.complex128)
    k4 = np.zeros(size, dtype=np.complex128)
    q = np.zeros(size, dtype=np.complex128)
    delta = np.zeros(size, dtype=np.complex128)
    for path in range(count):
        top, bas, lin, c = tops[path], bases[path], linear[path], rhs[path]
        p = starts[path].copy()
        t = 1.0
        step = first_step
        attempts = 0
        while t > 0.0 and attempts < MAX_STEPS and step > 1e-14:
            attempts += 1
            dtt = min(step, t)
            tn = 0.0 if dtt >= t else t - dtt
            good = _slope(u, n, s, top, bas, lin, c, forms, gamma, p, t, h, jac, dt, k1)
            for k in range(size):
                q[k] = p[k] - dtt / 2 * k1[k]
            good = good and _slope(u, n, s, top, bas, lin, c, forms, gamma, q, t - dtt / 2, h, jac, dt, k2)
            for k in range(size):
                q[k] = p[k] - dtt / 2 * k2[k]
            good = good and _slope(u, n, s, top, bas, lin, c, forms, gamma, q, t - dtt / 2, h, jac, dt, k3)
            for k in range(size):
                q[k] = p[k] - dtt * k3[k]
            good = good and _slope(u, n, s, top, bas, lin, c, forms, gamma, q, tn, h, jac, dt, k4)
            for k in range(size):
                q[k] = p[k] - dtt / 6 * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k])
            first = 0.0
            last = 0.0
            for it in range(3):
                if not good:
                    break
                _evaluate(u, n, s, top, bas, lin, c, forms, gamma, q, tn, h, jac, dt)
                good = _solve(jac, h, delta)
                norm = 0.0
                for k in range(size):
                    q[k] -= delta[k]
                    norm += abs(delta[k]) ** 2
                norm = np.sqrt(norm)
                if it == 0:
                    first = norm
                last = norm
                if norm <= 1e-9:
                    break
            scale = 1.0
            for k in range(size):
                scale += abs(q[k]) ** 2
            scale = np.sqrt(scale)
            if good and np.isfinite(last) and last <= 1e-9 * scale and first <= 0.05 * scale:
                for k in range(size):
                    p[k] = q[k]
                t = tn
                step = min(step * growth, max_step)
            else:
                step *= 0.5
        if t == 0.0:
            reached[path] = True
            for _ in range(3):  # Newton at t = 0 to the accuracy of double precision
                _evaluate(u, n, s, top, bas, lin, c, forms, gamma, p, 0.0, h, jac, dt)
                if not _solve(jac, h, delta):
                    reached[path] = False
                    break
                for k in range(size):
                    p[k] -= delta[k]
        _evaluate(u, n, s, top, bas, lin, c, forms, gamma, p, 0.0, h, jac, dt)
        jacs[path] = jac
        ends[path] = p
    return ends, reached, jacs

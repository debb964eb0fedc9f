"""The compiled search of :func:`negotiation.engine.solvers.bimatrix.vertices_exact` (numba).

The same depth-first search over lexicographically feasible bases as the Python code there,
on an integer tableau of 64-bit words.  Every integer it computes is exact or the search
stops and says so (``OVERFLOW``), and the caller redoes the polytope with Python integers:

* a pivot entry is the exact quotient ``(p a - f b) / det``.  Its float estimate is within
  ``(|p a| + |f b|) / det * 2^-50`` of it (each of the four roundings is relative and at most
  ``2^-53``, Higham 2002, section 2.2); when that bound is below 1/4 and the quotient below
  ``2^62``, the rounded estimate is the quotient.  Its product with ``det`` is checked against
  ``p a - f b`` modulo ``2^64`` as well;
* products of entries are compared exactly, in 128 bits made of two 64-bit words.

The state lives in arrays that the caller owns, so that a call can stop (to let a time
limit be checked, or to have a buffer grown) and the next one go on where it stopped.
"""

from __future__ import annotations

import numpy as np
from numba import njit

DONE, MORE, BUDGET, OVERFLOW, UNBOUNDED, GROW_STACK, GROW_SEEN, GROW_OUT = range(8)

_M32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_LIMIT = 2.0**62


@njit(cache=True)
def _umul(a, b):
    """The 128-bit product of two unsigned 64-bit words, as (high, low) words."""
    a0, a1 = a & _M32, a >> _S32
    b0, b1 = b & _M32, b >> _S32
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _S32) + (p01 & _M32) + (p10 & _M32)
    return p11 + (p01 >> _S32) + (p10 >> _S32) + (mid >> _S32), (p00 & _M32) | (mid << _S32)


@njit(cache=True)
def _compare(a, b, c, d):
    """The sign of ``a b - c d`` for 64-bit integers of magnitude below 2^63, exactly."""
    lsign = np.sign(a) * np.sign(b)
    rsign = np.sign(c) * np.sign(d)
    if lsign != rsign:
        return 1 if lsign > rsign else -1
    if lsign == 0:
        return 0
    lh, ll = _umul(np.uint64(abs(a)), np.uint64(abs(b)))
    rh, rl = _umul(np.uint64(abs(c)), np.uint64(abs(d)))
    if lh == rh and ll == rl:
        return 0
    bigger = lh > rh or (lh == rh and ll > rl)
    return lsign if bigger else -lsign


@njit(cache=True)
def _lex_row(tab, col, d, k):
    """The lexico-minimum ratio row for entering column ``col``; -1 when it is unbounded."""
    best = -1
    last = tab.shape[1] - 1
    for r in range(k):
        a = tab[r, col]
        if a <= 0:
            continue
        if best < 0:
            best = r
            continue
        b = tab[best, col]
        sign = _compare(tab[r, last], b, tab[best, last], a)  # rhs_r / a against rhs_best / b
        if sign == 0:
            for c in range(d, d + k):  # ties: the rows of the basis inverse, which differ
                sign = _compare(tab[r, c], b, tab[best, c], a)
                if sign != 0:
                    break
        if sign < 0:
            best = r
    return best


@njit(cache=True)
def _pivot(tab, row, col, det):
    """Integer pivot in place (von Stengel 2007, eq. 3.17); False when a value is not exact."""
    p = tab[row, col]
    fp = float(p)
    fdet = float(det)
    width = tab.shape[1]
    for i in range(tab.shape[0]):
        if i == row:
            continue
        f = tab[i, col]
        ff = float(f)
        for c in range(width):
            u = fp * float(tab[i, c])
            v = ff * float(tab[row, c])
            estimate = (u - v) / fdet
            if (abs(u) + abs(v)) / abs(fdet) * 2.0**-50 >= 0.25 or abs(estimate) >= _LIMIT:
                return False
            q = np.int64(np.round(estimate))
            if q * det != p * tab[i, c] - f * tab[row, c]:  # modulo 2^64: a second check
                return False
            tab[i, c] = q
    return True


@njit(cache=True)
def _slot(keys, key):
    """The slot of ``key`` in an open-addressing table (linear probing; 0 marks a free slot)."""
    mask = np.uint64(len(keys) - 1)
    h = (key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)
    i = h & mask
    while keys[i] != 0 and keys[i] != key:
        i = (i + np.uint64(1)) & mask
    return i


@njit(cache=True)
def visit(tab, basis, seen, found, out_mask, out_point, moves_row, moves_col, state):
    """Record the vertex of a new basis and list its moves: every nonbasic column entering
    at its lexico-minimum ratio row, to a basis not seen before (marked seen now); returns
    how many, or -1 when a column is unbounded."""
    k, width = tab.shape
    n_vars = width - 1
    d = n_vars - k
    bmask = np.uint64(0)
    for r in range(k):
        bmask |= np.uint64(1) << np.uint64(basis[r])
    zero = ~bmask & ((np.uint64(1) << np.uint64(n_vars)) - np.uint64(1))
    for r in range(k):
        if tab[r, n_vars] == 0:
            zero |= np.uint64(1) << np.uint64(basis[r])
    i = _slot(found, zero)
    if found[i] == 0:
        found[i] = zero
        at = state[2]
        nonzero = False
        for c in range(d):
            out_point[at, c] = 0
        for r in range(k):
            if basis[r] < d and tab[r, n_vars] != 0:
                out_point[at, basis[r]] = tab[r, n_vars]
                nonzero = True
        if nonzero:
            out_mask[at] = zero
            state[2] = at + 1
    count = 0
    for col in range(n_vars):
        if bmask & (np.uint64(1) << np.uint64(col)):
            continue
        row = _lex_row(tab, col, d, k)
        if row < 0:
            return -1
        key = (bmask & ~(np.uint64(1) << np.uint64(basis[row]))) | (np.uint64(1) << np.uint64(col))
        i = _slot(seen, key)
        if seen[i] != 0:
            continue
        seen[i] = key
        state[1] += 1
        moves_row[count] = row
        moves_col[count] = col
        count += 1
    return count


@njit(cache=True)
def search(tabs, bases, dets, moves_row, moves_col, left, state, seen, found, out_mask, out_point, max_bases, steps):
    """Go on with the depth-first search for up to ``steps`` bases.

    The search path is a stack of frames: a basis (its tableau ``tabs[f]``, basic variables
    ``bases[f]`` and determinant ``dets[f]``) and its moves not yet taken, the first
    ``left[f]`` of ``moves_row[f]``, ``moves_col[f]``, taken last first.  ``state`` holds
    (frames, bases seen, vertices found); the caller has visited the first basis.

    Returns one of the status codes of this module.
    """
    n_vars = tabs.shape[2] - 1
    for _ in range(steps):
        top = state[0] - 1
        if top < 0:
            return DONE
        if left[top] == 0:
            state[0] = top
            continue
        if top + 2 > len(tabs):
            return GROW_STACK
        if 2 * (state[1] + n_vars) > len(seen):
            return GROW_SEEN
        if 2 * (state[2] + 2) > len(found) or state[2] + 1 > len(out_mask):
            return GROW_OUT
        left[top] -= 1
        row, col = moves_row[top, left[top]], moves_col[top, left[top]]
        child = top + 1
        tabs[child] = tabs[top]
        if not _pivot(tabs[child], row, col, dets[top]):
            return OVERFLOW
        bases[child] = bases[top]
        bases[child, row] = col
        dets[child] = tabs[top, row, col]
        count = visit(tabs[child], bases[child], seen, found, out_mask, out_point, moves_row[child],
                       moves_col[child], state)
        if count < 0:
            return UNBOUNDED
        if state[1] > max_bases:
            return BUDGET
        left[child] = count
        state[0] = child + 1
    return MORE


@njit(cache=True)
def rehash(old, size):
    """The keys of ``old`` in a table of ``size`` slots."""
    new = np.zeros(size, dtype=np.uint64)
    for key in old:
        if key != 0:
            new[_slot(new, key)] = key
    return new


@njit(cache=True)
def complete_pairs(xs, ys, labels):
    """Every (i, j) with ``xs[i] | ys[j]`` carrying all ``labels`` labels, in order of i and then
    j: for each x, the y vertices listed under the label missing from x that the fewest y
    vertices carry are checked for all its other missing labels."""
    full = (np.uint64(1) << np.uint64(labels)) - np.uint64(1)
    counts = np.zeros(labels + 1, dtype=np.int64)
    for y in ys:
        for b in range(labels):
            if y & (np.uint64(1) << np.uint64(b)):
                counts[b + 1] += 1
    starts = np.cumsum(counts)
    index = np.zeros(starts[-1], dtype=np.int64)
    fill = starts[:-1].copy()
    for j in range(len(ys)):
        for b in range(labels):
            if ys[j] & (np.uint64(1) << np.uint64(b)):
                index[fill[b]] = j
                fill[b] += 1
    out_i = []
    out_j = []
    for i in range(len(xs)):
        need = full & ~xs[i]
        if need == 0:
            for j in range(len(ys)):
                out_i.append(i)
                out_j.append(j)
            continue
        best = -1
        for b in range(labels):
            if need & (np.uint64(1) << np.uint64(b)):
                if best < 0 or counts[b + 1] < counts[best + 1]:
                    best = b
        for at in range(starts[best], starts[best + 1]):
            j = index[at]
            if ys[j] & need == need:
                out_i.append(i)
                out_j.append(j)
    return out_i, out_j

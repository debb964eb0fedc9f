"""Every isolated equilibrium of small n-player games, and their continua.

Support enumeration over all support profiles, skipping those with a conditionally
dominated support strategy.  On each, the indifference conditions form a square
polynomial system.  The systems of all profiles are solved together by one batched
homotopy (:mod:`~negotiation.engine.solvers.homotopy`), and each equilibrium among the
roots is certified by an interval Newton test (:mod:`~negotiation.engine.solvers.certify`).
A profile the homotopy cannot settle for sure (degenerate games) is solved exactly with a
lexicographic Groebner basis (sympy): rational solutions stay exact, irrational ones are
kept as algebraic numbers and reported to high precision, and a positive-dimensional
solution set is reported as a continuum, with verified sample points, instead of being
dropped.

References
----------
McKelvey, R. D. and McLennan, A. (1996). Computation of equilibria in finite games.
*Handbook of Computational Economics* 1, ch. 2, Section 6 (support enumeration and
polynomial systems).
Porter, R., Nudelman, E. and Shoham, Y. (2008). Simple search methods for finding a
Nash equilibrium. *Games and Economic Behavior* 63, 642-662 (conditional dominance).
Datta, R. S. (2003). Using computer algebra to find Nash equilibria. *Proc. ISSAC*.
McKelvey, R. D. and McLennan, A. (1997). The maximal number of regular totally mixed Nash
equilibria. *Journal of Economic Theory* 72, 411-425.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from negotiation.deadline import steps
from negotiation.engine.numbers import exact_array, float_array, to_fraction
from negotiation.engine.solvers import certify, homotopy, pure
from negotiation.errors import GameError

DIGITS = 50
HOMOTOPY_SEED = 15
"""Seeds the homotopy's random start system, patches and gamma, so that runs repeat; the
answers depend on these numbers only on a set of measure zero."""
_EPS = sp.Rational(1, 10**40)


@dataclass(frozen=True)
class PolySolution:
    """One equilibrium: exact Fractions, or high-precision decimals when irrational."""

    sigma: tuple[tuple[object, ...], ...]  # Fractions, or sympy Floats at DIGITS digits
    exact: bool


@dataclass(frozen=True)
class PolyContinuum:
    supports: tuple[tuple[int, ...], ...]
    equations: tuple[str, ...]
    samples: tuple[tuple[tuple[Fraction, ...], ...], ...]


def support_profiles(shape: tuple[int, ...]) -> int:
    """Number of support profiles, prod(2^s_i - 1)."""
    return math.prod(2**s - 1 for s in shape)


def _supports(size: int) -> list[tuple[int, ...]]:
    return [c for k in range(1, size + 1) for c in itertools.combinations(range(size), k)]


@dataclass(frozen=True)
class _Layout:
    """What support enumeration needs to know of a shape, whatever the payoffs.

    Attributes
    ----------
    choices : list of list of tuple of int
        Each player's supports.
    grid : ndarray of shape (profiles, n), int
        Each support profile as one support index per player, smaller profiles first.
    profiles : list
        Each profile as one support (tuple of strategies) per player, in the order of grid.
    kind : ndarray of shape (profiles,), int
        0 for a pure profile, 1 for one with homotopy paths (a positive Bezout number), 2 for
        one without (a player with more equations than the others have free probabilities).
    others : list of tuple of ndarray
        For player i: ``(cells, combo)``, the cells of each profile of the others' supports (a
        boolean mask over the cells of the others' strategies) and the index of that profile in
        each row of grid: the parts of the conditional dominance test that the payoffs do not
        change.
    members : list of ndarray
        For player i, ``members[i][c, t]``: whether strategy t is in its c-th support.
    pure : dict
        The index of each pure profile, by its cell.
    """

    choices: list[list[tuple[int, ...]]]
    grid: np.ndarray
    profiles: list[tuple[tuple[int, ...], ...]]
    kind: np.ndarray
    others: list[tuple[np.ndarray, np.ndarray]]
    members: list[np.ndarray]
    pure: dict[tuple[int, ...], int]


@lru_cache(maxsize=32)
def _layout(shape: tuple[int, ...]) -> _Layout:
    n = len(shape)
    choices = [_supports(s) for s in shape]
    grid = np.array(list(itertools.product(*(range(len(c)) for c in choices))), dtype=np.int64)
    sizes = sum(np.array([len(sup) for sup in choices[i]])[grid[:, i]] for i in range(n))
    grid = grid[np.argsort(sizes, kind="stable")]
    profiles = [tuple(choices[i][c] for i, c in enumerate(row)) for row in grid.tolist()]
    kind = np.array([0 if all(len(s) == 1 for s in sup) else
                     1 if homotopy.assignments(tuple(len(s) - 1 for s in sup)) else 2 for sup in profiles])
    members = [np.array([[t in sup for t in range(shape[j])] for sup in choices[j]]) for j in range(n)]
    others = []
    for i in range(n):
        cells = np.ones((1, 1), dtype=bool)
        combo = np.zeros(len(grid), dtype=np.int64)
        for j in range(n):
            if j != i:
                cells = (cells[:, None, :, None] & members[j][None, :, None, :]).reshape(
                    len(cells) * len(members[j]), -1)
                combo = combo * len(members[j]) + grid[:, j]
        others.append((cells.T.astype(np.int64), combo))
    for array in (grid, kind, *members, *(a for pair in others for a in pair)):
        array.setflags(write=False)  # shared by every game of the shape
    pure = {tuple(s[0] for s in profiles[k]): k for k in np.flatnonzero(kind == 0).tolist()}
    return _Layout(choices, grid, profiles, kind, others, members, pure)


def _dominated(payoffs: np.ndarray, layout: _Layout) -> np.ndarray:
    """Which support profiles have a support strategy that is strictly dominated, given the
    others' supports (conditional dominance; Porter, Nudelman and Shoham 2008).

    For each player the test is done once for every profile of the others' supports:
    strategy ``a`` is beaten by ``b`` when ``b`` earns strictly more in every cell of those
    supports, that is, when none of those cells is one where ``b`` does not beat ``a``.
    """
    n = payoffs.shape[0]
    out = np.zeros(len(layout.grid), dtype=bool)
    for i in range(n):
        cells, combo = layout.others[i]
        rows = payoffs[i].transpose((i, *(k for k in range(n) if k != i))).reshape(payoffs.shape[i + 1], -1)
        unbeaten = ~np.asarray(rows[None, :, :] > rows[:, None, :], dtype=bool)  # [a, b, cell]: b not above a
        beaten = (unbeaten.reshape(-1, unbeaten.shape[2]).astype(np.int64) @ cells) == 0
        beaten = beaten.reshape(len(rows), len(rows), -1).any(axis=1)  # [a, profile of the others]
        hit = (layout.members[i].astype(np.int64) @ beaten.astype(np.int64)) > 0  # [own support, profile of the others]
        out |= hit[layout.grid[:, i], combo]
    return out


def enumerate_equilibria(
    payoffs: np.ndarray, digits: bool = False, groebner_only: bool = False
) -> tuple[list[PolySolution], list[PolyContinuum], int]:
    """All isolated equilibria, and continua, of an n-player game.

    Pure profiles are checked exactly.  The other support profiles go to one batched
    homotopy (:mod:`~negotiation.engine.solvers.homotopy`); each real endpoint in the
    simplex is proven to lie near exactly one equilibrium with that support by an interval
    Newton (Krawczyk) test (:mod:`~negotiation.engine.solvers.certify`).  A support whose
    answer is not proven complete and certified (a path that failed or ended at a singular
    point, a root on the boundary of the simplex or with a tie for a best reply: a
    degenerate game) is solved exactly with a lexicographic Groebner basis instead, as is
    every support when a payoff does not fit a float.

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n)
        Converted to exact rationals first.
    digits : bool
        Refine each certified irrational equilibrium to ``DIGITS`` digits and try to
        recognise it as a rational (:func:`_refine`); otherwise it is returned in floats.
    groebner_only : bool
        Solve every mixed support profile with Groebner bases (the exact oracle of the tests).

    Returns
    -------
    solutions, continua, exactly
        ``exactly`` is the number of support profiles solved with Groebner bases.
    """
    given = np.asarray(payoffs)
    if given.dtype.kind == "f" and np.isfinite(given).all():  # floats are exact rationals: convert when needed
        floats, lossless, exact = given.astype(float), True, None
    else:
        exact = exact_array(payoffs)
        try:
            floats = float_array(exact)
        except GameError:
            floats = None
        lossless = floats is not None and all(Fraction(f) == v for f, v in zip(floats.flat, exact.flat, strict=True))

    def rationals() -> np.ndarray:
        nonlocal exact
        if exact is None:
            exact = exact_array(given)
        return exact

    n = given.shape[0]
    shape = given.shape[1:]
    layout = _layout(shape)
    profiles = layout.profiles
    compare = floats if lossless else rationals()  # dominance and pure profiles decided on the exact values
    found: dict[int, list[PolySolution]] = {}
    hard: list[int] = []
    tracked: list[int] = []
    for cell in pure.pure_equilibria(compare).tolist():
        found[layout.pure[tuple(cell)]] = [PolySolution(_pure_sigma(tuple(cell), shape), True)]
    candidates = (layout.kind != 0) & ~_dominated(compare, layout)
    if floats is None or groebner_only:
        hard = np.flatnonzero(candidates).tolist()
    else:
        tracked = np.flatnonzero(candidates & (layout.kind == 1)).tolist()
        hard = [k for k in np.flatnonzero(candidates & (layout.kind == 2)).tolist()
                if not _no_root_overdetermined(rationals(), profiles[k])]
    if tracked:
        enclosure = certify.Interval.point(floats) if lossless else certify.enclose(rationals())  # type: ignore[arg-type]
        scale = float(np.abs(floats).max()) or 1.0  # type: ignore[arg-type]
        for careful in (False, True):
            ends = homotopy.track(floats, [profiles[k] for k in tracked], HOMOTOPY_SEED, careful)  # type: ignore[arg-type]
            verdict = _screen(floats, ends, scale)  # type: ignore[arg-type]
            settled = [index for index in range(len(tracked)) if ends.complete[index] and verdict[index] is not None]
            paths = np.concatenate([verdict[index] for index in settled]) if settled else np.zeros(0, dtype=np.int64)
            proven = np.zeros(len(ends.owner), dtype=bool)
            if len(paths):  # the interval test of every candidate in one compiled pass
                proven[paths] = certify.certify_all(enclosure, ends.inside[paths], ends.points[paths].real)
            again = []
            for index, k in enumerate(tracked):
                sols = None
                if ends.complete[index] and verdict[index] is not None:
                    sols = _certified(rationals() if digits else compare, enclosure, profiles[k],
                                      ends.points[verdict[index]].real, proven[verdict[index]], digits)
                if sols is not None:
                    found[k] = sols
                elif careful or ends.complete[index]:  # a path that failed or met gets a second, careful try
                    hard.append(k)
                else:
                    again.append(k)
            tracked = again
            if not tracked:
                break
    rational = None
    continua: list[PolyContinuum] = []
    for k in steps(sorted(hard), "support profiles solved exactly"):
        supports = profiles[k]
        if rational is None:
            rational = np.vectorize(lambda v: sp.Rational(v.numerator, v.denominator), otypes=[object])(rationals())
        found[k], cont = _solve_support(rational, supports, n, shape)
        if cont is not None:
            continua.append(cont)
    solutions = [sol for k in sorted(found) for sol in found[k]]
    return solutions, continua, len(hard)


def _pure_sigma(cell: tuple[int, ...], shape: tuple[int, ...]) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(Fraction(int(t == c)) for t in range(size)) for c, size in zip(cell, shape, strict=True))


def _no_root_overdetermined(exact: np.ndarray, supports: tuple[tuple[int, ...], ...]) -> bool:
    """Whether a support profile with no Bezout paths provably has no equilibrium.

    Such a profile has a player with more indifference equations than the others have free
    probabilities.  With none free its equations are constants, with one free (one other
    player mixing two strategies) they are linear in that probability; both are decided here
    in exact rationals.  False sends the profile to the exact solver (a degenerate game, or
    more free probabilities).
    """
    free = [len(s) - 1 for s in supports]
    n = len(supports)
    i = next(i for i in range(n) if free[i] > sum(free) - free[i])
    mixed = [j for j in range(n) if j != i and free[j] > 0]
    if len(mixed) > 1 or (mixed and free[mixed[0]] > 1):
        return False

    def gaps(j_strategy: int | None) -> list[Fraction]:
        cell = [s[0] for s in supports]
        if mixed:
            cell[mixed[0]] = j_strategy  # type: ignore[call-overload]
        out = []
        for s in supports[i][1:]:
            top = list(cell)
            top[i] = s
            base = list(cell)
            base[i] = supports[i][0]
            out.append(exact[(i, *top)] - exact[(i, *base)])
        return out

    if not mixed:
        return any(g != 0 for g in gaps(None))
    a, b = supports[mixed[0]]
    alpha = gaps(a)
    beta = [gb - ga for ga, gb in zip(alpha, gaps(b), strict=True)]
    pivot = next((r for r, v in enumerate(beta) if v != 0), None)
    if pivot is None:
        return any(v != 0 for v in alpha)
    q = -alpha[pivot] / beta[pivot]
    if not 0 < q < 1:
        return True
    return any(al + be * q != 0 for al, be in zip(alpha, beta, strict=True))


def _screen(floats: np.ndarray, ends: homotopy.Endpoints, scale: float) -> list[np.ndarray | None]:
    """For each profile, the paths whose endpoints are equilibria in floating point, to be
    certified; None where some endpoint cannot be classified for sure: that profile is then
    solved exactly.

    An endpoint (every entry finite) is nonreal when its largest imaginary part exceeds 1e-6
    of its size (its largest entry, at least 1), and then unclear unless its conjugate is an
    endpoint too.  A real one is unclear when that imaginary part exceeds 1e-9 (nearly real),
    or when its smallest support probability is at least -1e-9 and either at most 1e-9 (on
    the boundary of the simplex) or an entry off the support exceeds 1e-9.  It is a candidate
    when its support probabilities exceed 1e-9 and no strategy off a support gains more than
    -1e-9 times ``scale`` over it (a gain within 1e-9 of zero, a near tie for a best reply, is
    unclear).  The tests run in compiled code (:func:`._track.screen`).
    """
    from negotiation.engine.solvers._track import screen  # numba: loaded with the tracker

    n = ends.points.shape[1]
    shape = np.array(floats.shape[1:], dtype=np.int64)
    candidate, unclear = screen(ends.points, ends.inside, ends.paired,
                                np.ascontiguousarray(floats.reshape(n, -1)), shape, scale)
    starts = np.searchsorted(ends.owner, np.arange(len(ends.complete)))  # every profile has a path
    doubt = np.logical_or.reduceat(unclear, starts)
    chosen = np.flatnonzero(candidate)
    cuts = np.searchsorted(chosen, starts).tolist()
    stops = [*cuts[1:], len(chosen)]
    return [None if bad else chosen[lo:hi] for bad, lo, hi in zip(doubt.tolist(), cuts, stops, strict=True)]


def _certified(exact: np.ndarray, enclosure: certify.Interval, supports: tuple[tuple[int, ...], ...],
               points: np.ndarray, proven: np.ndarray, digits: bool) -> list[PolySolution] | None:
    """Each endpoint (real, shape (paths, n, s)) proven to be near exactly one equilibrium
    with these supports; None where the interval test fails for one of them (the support is
    then solved exactly).  ``proven`` says which passed the test already
    (:func:`certify.certify_all`); the others get one more Newton step and a second test.
    ``exact`` holds the payoffs as rationals when ``digits`` (else any array of their shape
    will do)."""
    shape = exact.shape[1:]
    if proven.all() and not digits:  # the endpoint itself, its entries off the support exactly zero
        return [PolySolution(tuple(tuple(v + 0.0 for v in row[:size]) for row, size in
                                   zip(point.tolist(), shape, strict=True)), False) for point in points]
    system = certify.SupportSystem(enclosure, supports)
    out = []
    for point, ok in zip(points, proven, strict=True):
        x = np.concatenate([point[j, list(supports[j])] for j in system.mixed])
        box = certify.around(x) if ok else system.certify(system.newton(x, iterations=1))
        if box is None:
            return None
        out.append(_solution(exact, supports, system, box, digits))
    return out


def _solution(exact: np.ndarray, supports: tuple[tuple[int, ...], ...], system: certify.SupportSystem,
              box: certify.Interval, digits: bool) -> PolySolution:
    """The certified equilibrium in the box: floats, or refined to DIGITS digits (exact Fractions
    when a rational of modest denominator in the box solves the system exactly)."""
    if digits:
        return _refine(exact, supports, system, box)
    return PolySolution(_embed(exact.shape[1:], supports, system, [float(v) for v in box.mid], 0.0, 1.0), False)


def _refine(exact: np.ndarray, supports: tuple[tuple[int, ...], ...], system: certify.SupportSystem,
            box: certify.Interval) -> PolySolution:
    """Newton's method in DIGITS + 10 digits (mpmath) from the certified box's midpoint; then a
    rational reconstruction (continued fractions) checked exactly on the support system."""
    import mpmath

    shape = exact.shape[1:]
    with mpmath.workdps(DIGITS + 10):
        pay = np.vectorize(lambda v: mpmath.mpf(v.numerator) / v.denominator, otypes=[object])(exact)
        x = [mpmath.mpf(float(v)) for v in box.mid]
        for _ in range(8):
            res, jac = _mp_system(pay, supports, system, x)
            step = mpmath.lu_solve(mpmath.matrix(jac), mpmath.matrix(res))
            x = [a - b for a, b in zip(x, step, strict=True)]
            if max(abs(v) for v in step) < mpmath.mpf(10) ** -(DIGITS + 5):
                break
        guess = [Fraction(mpmath.nstr(v, DIGITS + 5)).limit_denominator(10**20) for v in x]
        if _exact_root(exact, supports, system, guess):
            return PolySolution(_embed(shape, supports, system, guess, Fraction(0), Fraction(1)), True)
        values = [sp.Float(mpmath.nstr(v, DIGITS + 5), DIGITS) for v in x]
        return PolySolution(_embed(shape, supports, system, values, sp.Float(0, DIGITS), sp.Float(1, DIGITS)), False)


def _embed(shape: tuple[int, ...], supports: tuple[tuple[int, ...], ...], system: certify.SupportSystem,
           values: list, zero: object, one: object) -> tuple[tuple[object, ...], ...]:
    out = []
    for j, size in enumerate(shape):
        row = [zero] * size
        if j in system.mixed:
            k = system.mixed.index(j)
            for t, v in zip(supports[j], values[system.offsets[k]:system.offsets[k + 1]], strict=True):
                row[t] = v
        else:
            row[supports[j][0]] = one
        out.append(tuple(row))
    return tuple(out)


def _payoff_vectors(pay: np.ndarray, supports: tuple[tuple[int, ...], ...], blocks: list[list[object]], i: int,
                    skip: int | None = None) -> dict[tuple[int, ...], object]:
    """Player i's payoff to each of its strategies (and, with ``skip``, its derivative in each of
    player skip's support probabilities), summed over the others' supports in any arithmetic."""
    n = len(supports)
    others = [j for j in range(n) if j != i]
    out: dict[tuple[int, ...], object] = {}
    for a in range(pay.shape[i + 1]):
        for rest in itertools.product(*(range(len(supports[j])) for j in others)):
            cell = [0] * n
            cell[i] = a
            weight: object = 1
            for j, r in zip(others, rest, strict=True):
                cell[j] = supports[j][r]
                if j != skip:
                    weight = weight * blocks[j][r]
            key = (a, rest[others.index(skip)]) if skip is not None else (a,)
            out[key] = out.get(key, 0) + pay[(i, *cell)] * weight
    return out


def _mp_system(pay: np.ndarray, supports: tuple[tuple[int, ...], ...], system: certify.SupportSystem,
               x: list) -> tuple[list, list[list]]:
    """The support system's residual and Jacobian at x, in the arithmetic of x."""
    blocks = [x[system.offsets[k]:system.offsets[k + 1]] for k in range(len(system.mixed))]
    full = [blocks[system.mixed.index(j)] if j in system.mixed else [1] for j in range(len(supports))]
    res: list = []
    jac: list[list] = []
    for i in system.mixed:
        sup = supports[i]
        v = _payoff_vectors(pay, supports, full, i)
        rows = [[0] * system.size for _ in sup]
        for j in system.mixed:
            k = system.mixed.index(j)
            if j == i:
                for c in range(len(sup)):
                    rows[-1][system.offsets[k] + c] = 1
                continue
            d = _payoff_vectors(pay, supports, full, i, skip=j)
            for r, s in enumerate(sup[1:]):
                for c in range(len(supports[j])):
                    rows[r][system.offsets[k] + c] = d[(s, c)] - d[(sup[0], c)]
        res += [v[(s,)] - v[(sup[0],)] for s in sup[1:]] + [sum(full[i]) - 1]
        jac += rows
    return res, jac


def _exact_root(exact: np.ndarray, supports: tuple[tuple[int, ...], ...], system: certify.SupportSystem,
                guess: list[Fraction]) -> bool:
    res, _ = _mp_system(exact, supports, system, guess)
    return all(r == 0 for r in res)


def _solve_support(
    payoffs: np.ndarray, supports: tuple[tuple[int, ...], ...], n: int, shape: tuple[int, ...]
) -> tuple[list[PolySolution], PolyContinuum | None]:
    symbols: list[sp.Symbol] = []
    probs: list[list[sp.Expr]] = []
    for j, sup in enumerate(supports):
        free = [sp.Symbol(f"p{j + 1}_{s + 1}") for s in sup[1:]]
        symbols += free
        vec: list[sp.Expr] = [sp.Integer(0)] * shape[j]
        vec[sup[0]] = 1 - sum(free, sp.Integer(0))
        for s, v in zip(sup[1:], free, strict=True):
            vec[s] = v
        probs.append(vec)

    def dev(i: int) -> list[sp.Expr]:
        """Player i's payoff to each pure strategy against the others' supports."""
        out = []
        for s in range(shape[i]):
            total = sp.Integer(0)
            for rest in itertools.product(*(supports[j] for j in range(n) if j != i)):
                cell = list(rest)
                cell.insert(i, s)
                weight = sp.Integer(1)
                for j in range(n):
                    if j != i:
                        weight *= probs[j][cell[j]]
                total += payoffs[(i, *cell)] * weight
            out.append(sp.expand(total))
        return out

    devs = [dev(i) for i in range(n)]
    equations = [devs[i][s] - devs[i][supports[i][0]] for i in range(n) for s in supports[i][1:]]
    equations = [e for e in equations if e != 0]
    if not symbols:
        return _check([], symbols, probs, devs, supports, shape), None
    if not equations:
        return [], _continuum(symbols, [], probs, devs, supports, shape)
    basis = sp.groebner(equations, *symbols, order="lex")
    if list(basis.exprs) == [1]:
        return [], None
    if not basis.is_zero_dimensional:
        return [], _continuum(symbols, list(basis.exprs), probs, devs, supports, shape)
    roots = list(_triangular_roots(list(basis.exprs), symbols, len(symbols) - 1, {}))
    return _check(roots, symbols, probs, devs, supports, shape), None


def _triangular_roots(
    basis: list[sp.Expr], symbols: list[sp.Symbol], k: int, known: dict[sp.Symbol, sp.Expr]
) -> Iterator[dict[sp.Symbol, sp.Expr]]:
    """Real roots of a zero-dimensional lexicographic Groebner basis, last variable first.

    Rational roots come exactly from the linear factors over Q; the other real roots are
    computed to ``DIGITS + 10`` digits and propagated numerically.
    """
    if k < 0:
        yield dict(known)
        return
    var = symbols[k]
    later = set(symbols[k:])
    numeric = any(not v.is_Rational for v in known.values())
    polys = []
    for g in basis:
        if var in g.free_symbols and g.free_symbols <= later:
            h = sp.expand(g.subs(known))
            if numeric:
                h = sp.expand(sp.N(h, DIGITS + 10))
            if h.free_symbols == {var}:
                polys.append(h)
    if not polys:  # pragma: no cover - a zero-dimensional basis always has one
        raise ArithmeticError(f"no univariate polynomial for {var}")
    polys.sort(key=lambda h: sp.degree(h, var))
    for root in _real_roots(polys[0], var, numeric):
        if all(abs(sp.N(h.subs(var, root), DIGITS)) <= _EPS * 1e10 for h in polys[1:]):
            yield from _triangular_roots(basis, symbols, k - 1, {**known, var: root})


def _real_roots(poly: sp.Expr, var: sp.Symbol, numeric: bool) -> list[sp.Expr]:
    if numeric:
        roots = sp.Poly(poly, var).nroots(n=DIGITS + 10, maxsteps=500)
        return [sp.re(r) for r in roots if abs(sp.im(r)) <= _EPS]
    out: list[sp.Expr] = []
    for factor, _ in sp.factor_list(poly, var)[1]:
        fpoly = sp.Poly(factor, var)
        if fpoly.degree() == 1:
            a, b = fpoly.all_coeffs()
            out.append(-b / a)
        elif fpoly.degree() > 1:
            roots = fpoly.nroots(n=DIGITS + 10, maxsteps=500)
            out += [sp.re(r) for r in roots if abs(sp.im(r)) <= _EPS]
    return out


def _check(
    points: list[dict[sp.Symbol, sp.Expr]],
    symbols: list[sp.Symbol],
    probs: list[list[sp.Expr]],
    devs: list[list[sp.Expr]],
    supports: tuple[tuple[int, ...], ...],
    shape: tuple[int, ...],
) -> list[PolySolution]:
    """Keep the points that are equilibria with exactly these supports."""
    if not symbols:
        points = [{}]
    out = []
    for point in points:
        values = dict(point)
        rational = all(v.is_Rational for v in values.values())
        if not rational:
            values = {k: sp.N(v, DIGITS + 10) for k, v in values.items()}
            if any(abs(sp.im(v)) > _EPS for v in values.values()):
                continue
            values = {k: sp.re(v) for k, v in values.items()}
        sigma = [[sp.sympify(p).subs(values) for p in vec] for vec in probs]
        ok = True
        for j, sup in enumerate(supports):
            for s in range(shape[j]):
                if (s in sup and not sigma[j][s] > (0 if rational else _EPS)) or (
                    s not in sup and sigma[j][s] != 0
                ):
                    ok = False
        if not ok:
            continue
        for i, sup in enumerate(supports):
            pay = [d.subs(values) for d in devs[i]]
            top = pay[sup[0]]
            slack = 0 if rational else _EPS
            if any(pay[s] > top + slack for s in range(shape[i])):
                ok = False
                break
        if not ok:
            continue
        if rational:
            vec = tuple(tuple(to_fraction(v) for v in row) for row in sigma)
            out.append(PolySolution(vec, True))
        else:
            vec = tuple(tuple(sp.Float(v, DIGITS) for v in row) for row in sigma)
            out.append(PolySolution(vec, False))
    return out


def _continuum(
    symbols: list[sp.Symbol],
    basis: list[sp.Expr],
    probs: list[list[sp.Expr]],
    devs: list[list[sp.Expr]],
    supports: tuple[tuple[int, ...], ...],
    shape: tuple[int, ...],
    grid: int = 8,
) -> PolyContinuum | None:
    """Sample a positive-dimensional solution set on a rational grid; keep it if any
    sampled point is an equilibrium with these supports."""
    param_sets = sp.solve(basis, symbols, dict=True) if basis else [{}]
    samples: list[tuple[tuple[Fraction, ...], ...]] = []
    for sol in param_sets:
        free = [s for s in symbols if s not in sol]
        if not free or len(free) > 3:
            continue
        ticks = [sp.Rational(k, grid) for k in range(1, grid)]
        for combo in itertools.product(ticks, repeat=len(free)):
            assign = dict(zip(free, combo, strict=True))
            point = {s: sp.nsimplify(sp.sympify(sol.get(s, s)).subs(assign)) for s in symbols}
            if not all(v.is_Rational for v in point.values()):
                continue
            for good in _check([point], symbols, probs, devs, supports, shape):
                samples.append(good.sigma)  # type: ignore[arg-type]
            if len(samples) >= 3:
                break
        if len(samples) >= 3:
            break
    if not samples:
        return None
    equations = tuple(f"{sp.sstr(e)} = 0" for e in basis) or ("every point of the support simplex",)
    return PolyContinuum(supports, equations, tuple(samples))

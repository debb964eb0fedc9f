"""Every isolated equilibrium of small n-player games, and their continua.

Support enumeration over all support profiles; on each, the indifference conditions
form a square polynomial system that is solved exactly with a lexicographic Groebner
basis (sympy).  Rational solutions stay exact; irrational ones are kept as algebraic
numbers and reported to high precision.  A positive-dimensional solution set is
reported as a continuum, with verified sample points, instead of being dropped.

References
----------
McKelvey, R. D. and McLennan, A. (1996). Computation of equilibria in finite games.
*Handbook of Computational Economics* 1, ch. 2, Section 6 (support enumeration and
polynomial systems).
Porter, R., Nudelman, E. and Shoham, Y. (2008). Simple search methods for finding a
Nash equilibrium. *Games and Economic Behavior* 63, 642-662 (conditional dominance).
Datta, R. S. (2003). Using computer algebra to find Nash equilibria. *Proc. ISSAC*.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from negotiation.deadline import steps
from negotiation.engine.numbers import exact_array, to_fraction

DIGITS = 50
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
    return int(np.prod([2**s - 1 for s in shape], dtype=object))


def _supports(size: int) -> list[tuple[int, ...]]:
    return [c for k in range(1, size + 1) for c in itertools.combinations(range(size), k)]


def _dominated(payoffs: np.ndarray, supports: tuple[tuple[int, ...], ...]) -> bool:
    """Whether some support strategy is strictly dominated, given the others' supports."""
    n = len(supports)
    for i in range(n):
        idx = [list(s) for s in supports]
        idx[i] = list(range(payoffs.shape[i + 1]))
        sub = payoffs[i][np.ix_(*idx)]
        rows = np.moveaxis(sub, i, 0).reshape(sub.shape[i], -1)
        for s in supports[i]:
            if any(all(rows[t] > rows[s]) for t in range(rows.shape[0]) if t != s):
                return True
    return False


def enumerate_equilibria(payoffs: np.ndarray) -> tuple[list[PolySolution], list[PolyContinuum]]:
    """All isolated equilibria, and continua, of an n-player game.

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n)
        Converted to exact rationals first.
    """
    exact = exact_array(payoffs)
    n = exact.shape[0]
    shape = exact.shape[1:]
    rational = np.vectorize(lambda v: sp.Rational(v.numerator, v.denominator), otypes=[object])(exact)
    solutions: list[PolySolution] = []
    continua: list[PolyContinuum] = []
    profiles = sorted(
        itertools.product(*(_supports(s) for s in shape)), key=lambda sp_: sum(len(s) for s in sp_)
    )
    for supports in steps(profiles, "support profiles"):
        if _dominated(exact, supports):
            continue
        sols, cont = _solve_support(rational, supports, n, shape)
        solutions += sols
        if cont is not None:
            continua.append(cont)
    return solutions, continua


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

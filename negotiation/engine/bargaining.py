"""Bargaining: axiomatic solutions, alternating offers, and the bargaining model of war.

- :class:`BargainingProblem`: a two-player feasible set, given as points (its convex
  hull, with free disposal) or as the split of a pie with utility functions of the
  shares, and a disagreement point.  Solutions: the (asymmetric) Nash solution (Nash
  1950, *Econometrica* 18, 155-162; Kalai 1977), Kalai-Smorodinsky (Kalai and
  Smorodinsky 1975, *Econometrica* 43, 513-518) and egalitarian (Kalai 1977,
  *Econometrica* 45, 1623-1630).  On point sets they are exact (Fractions).
- :func:`rubinstein` and :func:`rubinstein_finite`: alternating offers (Rubinstein 1982,
  *Econometrica* 50, 97-109), with outside options the responder may take after
  rejecting (Osborne and Rubinstein 1990, *Bargaining and Markets*, Section 3.12) and an
  exogenous risk that talks break down after a rejection (Binmore, Rubinstein and
  Wolinsky 1986, *RAND Journal of Economics* 17, 176-188).
- :func:`crisis_bargaining` and :func:`optimal_demand`: the bargaining model of war
  (Fearon 1995, *International Organization* 49, 379-414) with complete and with
  private information about the other side's cost of war.
- :func:`shifting_power`: shifting power as a commitment problem (Powell 2006,
  *International Organization* 60, 169-203).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import sympy
from scipy import optimize

from negotiation.engine.expressions import ExpressionError, parse_expression
from negotiation.engine.geometry import Point, clip, convex_hull
from negotiation.engine.numbers import decimal_fraction
from negotiation.errors import GameError

SHARE = "x"


def _exact(name: str, value: Any) -> Any:
    try:
        return decimal_fraction(value)
    except (TypeError, ValueError) as err:
        raise GameError(f"{name}: {err}") from None


@dataclass(frozen=True)
class BargainingSolution:
    """A point of a bargaining problem chosen by a solution concept.

    Attributes
    ----------
    concept : str
    utilities : (u1, u2)
        Exact (Fractions or sympy numbers) where the problem allows.
    share : number or None
        For a split, the first player's share of the pie.
    """

    concept: str
    utilities: tuple[Any, Any]
    share: Any = None


@dataclass(frozen=True)
class BargainingProblem:
    """A two-player bargaining problem.

    Build it with :meth:`from_points` or :meth:`split`.

    Attributes
    ----------
    disagreement : (d1, d2)
    players : (str, str)
    points : tuple of points, or None
        For a point set: the vertices of the feasible set's individually rational part.
    utilities : (sympy.Expr, sympy.Expr) or None
        For a split: each player's utility as a function of the first player's share
        ``x`` in [0, 1] (the second gets ``1 - x``).
    """

    disagreement: tuple[Any, Any]
    players: tuple[str, str] = ("P1", "P2")
    points: tuple[Point, ...] | None = None
    utilities: tuple[sympy.Expr, sympy.Expr] | None = None

    # ------------------------------------------------------------------ building
    @classmethod
    def from_points(cls, points: Sequence[Sequence[Any]], disagreement: Sequence[Any],
                    players: Sequence[str] = ("P1", "P2")) -> BargainingProblem:
        """The convex hull of ``points`` (and of the disagreement point), with free disposal.

        Examples
        --------
        >>> BargainingProblem.from_points([(0, 1), (1, 0)], (0, 0)).nash().utilities
        (Fraction(1, 2), Fraction(1, 2))
        """
        d = tuple(_exact(f"disagreement[{i}]", v) for i, v in enumerate(disagreement))
        pts = [tuple(_exact(f"points[{k}][{i}]", v) for i, v in enumerate(pt)) for k, pt in enumerate(points)]
        if len(d) != 2 or any(len(pt) != 2 for pt in pts):
            raise GameError("a bargaining problem here has two players: points and disagreement need 2 coordinates")
        hull = convex_hull([*pts, d])
        rational = clip(clip(hull, 0, d[0]), 1, d[1])
        front = _frontier(rational)
        probes = front + [((p[0] + q[0]) / 2, (p[1] + q[1]) / 2) for p, q in itertools.pairwise(front)]
        if not any(pt[0] > d[0] and pt[1] > d[1] for pt in probes):
            raise GameError(f"no feasible point gives both players more than the disagreement point {d}")
        return cls(d, tuple(players), points=tuple(rational))  # type: ignore[arg-type]

    @classmethod
    def split(cls, u1: str | sympy.Expr = "x", u2: str | sympy.Expr = "x", disagreement: Sequence[Any] = (0, 0),
              players: Sequence[str] = ("P1", "P2")) -> BargainingProblem:
        """Split a pie: ``u1`` is the first player's utility of its share ``x``, ``u2`` the
        second's of *its* share (also written in ``x``); utilities must increase in the share.

        Examples
        --------
        >>> BargainingProblem.split("x", "sqrt(x)").nash().share
        2/3
        """
        x = sympy.Symbol(SHARE)
        exprs = []
        for name, u in (("u1", u1), ("u2", u2)):
            try:
                expr = u if isinstance(u, sympy.Expr) else parse_expression(str(u), [SHARE])
            except ExpressionError as err:
                raise GameError(f"{name}: {err}") from None
            stray = sorted(s.name for s in expr.free_symbols if s.name != SHARE)
            if stray:
                raise GameError(f"{name}: a utility may depend only on the share x, not on {stray}; "
                                "substitute parameter values first")
            exprs.append(expr.xreplace({s: x for s in expr.free_symbols}))
        f, g = exprs[0], exprs[1].xreplace({x: 1 - x})
        d = tuple(_exact(f"disagreement[{i}]", v) for i, v in enumerate(disagreement))
        ff, gg = sympy.lambdify(x, f), sympy.lambdify(x, g)
        grid = np.linspace(0, 1, 201)
        v1, v2 = np.array([float(ff(t)) for t in grid]), np.array([float(gg(t)) for t in grid])
        if np.any(np.diff(v1) < -1e-12) or np.any(np.diff(v2) > 1e-12):
            raise GameError("each utility must increase in the player's own share")
        if not np.any((v1 > float(d[0])) & (v2 > float(d[1]))):
            raise GameError(f"no split gives both players more than the disagreement point {d}")
        return cls(d, tuple(players), utilities=(f, g))  # type: ignore[arg-type]

    # ----------------------------------------------------------------- solutions
    def nash(self, weights: Sequence[Any] = (1, 1)) -> BargainingSolution:
        """The (asymmetric) Nash solution: maximise ``(u1 - d1)^w1 (u2 - d2)^w2``."""
        w = tuple(_exact(f"weights[{i}]", v) for i, v in enumerate(weights))
        if len(w) != 2 or min(w) <= 0:
            raise GameError("weights must be two positive numbers")
        d = self.disagreement
        name = "Nash" if w[0] == w[1] else f"asymmetric Nash (weights {w[0]}, {w[1]})"
        if self.points is not None:
            front = _frontier(list(self.points))
            candidates = list(front)
            for p, q in itertools.pairwise(front):
                a1, a2, e1, e2 = p[0] - d[0], p[1] - d[1], q[0] - p[0], q[1] - p[1]
                if e1 and e2:
                    t = -(w[0] * e1 * a2 + w[1] * e2 * a1) / ((w[0] + w[1]) * e1 * e2)
                    if 0 < t < 1:
                        candidates.append((p[0] + t * e1, p[1] + t * e2))
            best = max((c for c in candidates if c[0] > d[0] and c[1] > d[1]), key=lambda c: _nash_key(c, d, w))
            return BargainingSolution(name, best)
        f, g = self.utilities  # type: ignore[misc]
        x = sympy.Symbol(SHARE)
        foc = sympy.simplify(w[0] * sympy.diff(f, x) * (g - d[1]) + w[1] * sympy.diff(g, x) * (f - d[0]))
        return self._at(name, self._best_split(foc, lambda u1, u2: _nash_key((u1, u2), d, w)
                                               if u1 > d[0] and u2 > d[1] else -math.inf))

    def kalai_smorodinsky(self) -> BargainingSolution:
        """The maximal feasible point on the segment from the disagreement point to the ideal point."""
        d = self.disagreement
        ideal = self.ideal()
        if self.points is not None:
            direction = (ideal[0] - d[0], ideal[1] - d[1])
            return BargainingSolution("Kalai-Smorodinsky", _ray(list(self.points), d, direction))
        f, g = self.utilities  # type: ignore[misc]
        share = self._best_split((f - d[0]) * (ideal[1] - d[1]) - (g - d[1]) * (ideal[0] - d[0]),
                                 lambda u1, u2: min((u1 - d[0]) / (ideal[0] - d[0]), (u2 - d[1]) / (ideal[1] - d[1])))
        return self._at("Kalai-Smorodinsky", share)

    def egalitarian(self) -> BargainingSolution:
        """The maximal feasible point with equal gains over the disagreement point."""
        d = self.disagreement
        if self.points is not None:
            return BargainingSolution("egalitarian", _ray(list(self.points), d, (1, 1)))
        f, g = self.utilities  # type: ignore[misc]
        return self._at("egalitarian", self._best_split((f - d[0]) - (g - d[1]),
                                                        lambda u1, u2: min(u1 - d[0], u2 - d[1])))

    def ideal(self) -> tuple[Any, Any]:
        """Each player's best individually rational payoff (the utopia point)."""
        if self.points is not None:
            return (max(p[0] for p in self.points), max(p[1] for p in self.points))
        f, g = self.utilities  # type: ignore[misc]
        lo, hi = self._rational_shares()
        x = sympy.Symbol(SHARE)
        return (f.xreplace({x: hi}), g.xreplace({x: lo}))

    def solutions(self) -> pd.DataFrame:
        """Nash, Kalai-Smorodinsky and egalitarian solutions side by side (a tidy frame)."""
        rows = []
        for sol in (self.nash(), self.kalai_smorodinsky(), self.egalitarian()):
            row = {"concept": sol.concept, f"u_{self.players[0]}": sol.utilities[0],
                   f"u_{self.players[1]}": sol.utilities[1]}
            if sol.share is not None:
                row["share"] = sol.share
            rows.append(row)
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------- helpers
    def _rational_shares(self) -> tuple[Any, Any]:
        """The interval of the first player's share in which both do at least as well as disagreeing."""
        f, g = self.utilities  # type: ignore[misc]
        d = self.disagreement
        lo = 0 if f.xreplace({sympy.Symbol(SHARE): 0}) >= d[0] else _root(f - d[0], 0, 1)
        hi = 1 if g.xreplace({sympy.Symbol(SHARE): 1}) >= d[1] else _root(g - d[1], 0, 1)
        return lo, hi

    def _best_split(self, equation: sympy.Expr, key: Callable[[Any, Any], Any]) -> Any:
        """The share maximising ``key(u1, u2)``: a root of ``equation`` (its first-order or
        balance condition) or, when the maximum is at a corner, an end of the rational splits."""
        f, g = self.utilities  # type: ignore[misc]
        x = sympy.Symbol(SHARE)
        lo, hi = self._rational_shares()
        candidates = [*_roots(equation, lo, hi), lo, hi]
        values = [key(float(f.xreplace({x: c})), float(g.xreplace({x: c}))) for c in candidates]
        return candidates[max(range(len(candidates)), key=lambda k: (values[k], -k))]

    def _at(self, concept: str, share: Any) -> BargainingSolution:
        f, g = self.utilities  # type: ignore[misc]
        x = sympy.Symbol(SHARE)
        return BargainingSolution(concept, (sympy.simplify(f.xreplace({x: share})),
                                            sympy.simplify(g.xreplace({x: share}))), share)


def _nash_key(c: Point, d: Point, w: tuple[Any, Any]) -> Any:
    if w[0] == w[1]:
        return (c[0] - d[0]) * (c[1] - d[1])
    return float(w[0]) * math.log(c[0] - d[0]) + float(w[1]) * math.log(c[1] - d[1])


def _frontier(poly: list[Point]) -> list[Point]:
    """The Pareto frontier of a convex polygon, by increasing first coordinate."""
    if not poly:
        return []
    start = max(range(len(poly)), key=lambda k: (poly[k][0], poly[k][1]))  # most to the right, then up
    stop = max(range(len(poly)), key=lambda k: (poly[k][1], poly[k][0]))  # highest, then right
    chain = [poly[start]]
    k = start
    while k != stop:
        k = (k + 1) % len(poly)
        chain.append(poly[k])
    return chain[::-1]


def _ray(poly: list[Point], d: Point, direction: tuple[Any, Any]) -> Point:
    """The farthest point of ``d + s * direction`` (s >= 0) inside the polygon, exactly."""
    best_s = None
    front = _frontier(poly)
    for p, q in itertools.pairwise(front):
        e = (q[0] - p[0], q[1] - p[1])
        det = direction[0] * (-e[1]) + e[0] * direction[1]
        if det == 0:
            continue
        rhs = (p[0] - d[0], p[1] - d[1])
        s = (rhs[0] * (-e[1]) + e[0] * rhs[1]) / det
        t = (direction[0] * rhs[1] - direction[1] * rhs[0]) / det
        if 0 <= t <= 1 and s >= 0 and (best_s is None or s > best_s):
            best_s = s
    if best_s is None:  # a single frontier point
        best_s = min((pt[i] - d[i]) / direction[i] for pt in front for i in range(2) if direction[i])
    return (d[0] + best_s * direction[0], d[1] + best_s * direction[1])


def _roots(expr: sympy.Expr, lo: Any, hi: Any) -> list[Any]:
    """The roots of ``expr`` (in the share ``x``) in [lo, hi]: exact when sympy finds them,
    else sign changes on a grid refined by Brent's method."""
    x = sympy.Symbol(SHARE)
    try:
        found = sympy.solveset(expr, x, sympy.Interval(lo, hi))
    except (NotImplementedError, TypeError, ValueError):
        found = None
    if isinstance(found, sympy.FiniteSet):
        real = [r for r in found if r.is_real]
        if real:
            return sorted(real, key=float)
    fn: Callable[[float], float] = sympy.lambdify(x, expr)
    grid = np.linspace(float(lo), float(hi), 401)
    values = np.array([float(fn(t)) for t in grid])
    roots = [float(t) for t, v in zip(grid, values, strict=True) if v == 0]
    for k in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        roots.append(float(optimize.brentq(fn, grid[k], grid[k + 1], xtol=1e-14)))
    return sorted(roots)


def _root(expr: sympy.Expr, lo: Any, hi: Any) -> Any:
    roots = _roots(expr, lo, hi)
    if not roots:
        raise GameError("the solution's equation has no root among the individually rational splits")
    return roots[0]


# ---------------------------------------------------------------- alternating offers
@dataclass(frozen=True)
class AlternatingOffers:
    """The subgame-perfect outcome of alternating offers over a pie of size 1.

    Attributes
    ----------
    first_share : Fraction
        What the first proposer gets (its offer is accepted at once).
    second_share : Fraction
        What the second player gets when it is the proposer.
    binding : tuple of str
        Which outside options bind (the responder takes the option rather than wait).
    """

    first_share: Fraction
    second_share: Fraction
    binding: tuple[str, ...]

    @property
    def split(self) -> tuple[Fraction, Fraction]:
        """The agreed shares: (first proposer, second player)."""
        return (self.first_share, 1 - self.first_share)


def _offers_inputs(delta1, delta2, outside, breakdown, breakdown_payoffs):
    d1, d2 = _exact("delta1", delta1), _exact("delta2", delta2)
    w = tuple(_exact(f"outside[{i}]", v) for i, v in enumerate(outside))
    pi = _exact("breakdown", breakdown)
    b = tuple(_exact(f"breakdown_payoffs[{i}]", v) for i, v in enumerate(breakdown_payoffs))
    if not (0 < d1 <= 1 and 0 < d2 <= 1):
        raise GameError("discount factors must lie in (0, 1]")
    if not 0 <= pi < 1:
        raise GameError("the breakdown probability must lie in [0, 1)")
    c = ((1 - pi) * d1, (1 - pi) * d2)
    if c[0] * c[1] >= 1:
        raise GameError("with no discounting and no risk of breakdown the game has no unique equilibrium")
    return c, (pi * b[0], pi * b[1]), w


def rubinstein(delta1: Any, delta2: Any, outside: Sequence[Any] = (0, 0), breakdown: Any = 0,
               breakdown_payoffs: Sequence[Any] = (0, 0)) -> AlternatingOffers:
    """The unique subgame-perfect equilibrium of infinite alternating offers.

    Without options or breakdown the first proposer gets ``(1 - delta2) / (1 - delta1
    delta2)`` (Rubinstein 1982).  A responder who rejects may take its outside option
    ``outside[j]`` instead of waiting; after a rejection, talks break down with
    probability ``breakdown`` and the players get ``breakdown_payoffs``.  Each proposer
    ``i`` then gets ``M_i = 1 - max(w_j, (1 - breakdown) delta_j M_j + breakdown b_j)``,
    solved exactly (the map is piecewise linear with slope below 1).

    Examples
    --------
    >>> rubinstein(0.9, 0.9).first_share
    Fraction(10, 19)
    """
    c, k, w = _offers_inputs(delta1, delta2, outside, breakdown, breakdown_payoffs)

    def step(m1: Fraction) -> tuple[Fraction, tuple[str, ...]]:
        wait1 = c[0] * m1 + k[0]
        m2 = 1 - max(w[0], wait1)
        wait2 = c[1] * m2 + k[1]
        binding = tuple(n for n, (opt, wait) in (("first", (w[0], wait1)), ("second", (w[1], wait2))) if opt > wait)
        return 1 - max(w[1], wait2), binding

    # Each piece of m1 -> step(m1) is a + s*m1 with s in {0, c1*c2}; try them all.
    for opt1 in (False, True):
        for opt2 in (False, True):
            if opt2:
                m1 = 1 - w[1]
            elif opt1:
                m1 = 1 - (c[1] * (1 - w[0]) + k[1])
            else:
                m1 = (1 - c[1] + c[1] * k[0] - k[1]) / (1 - c[0] * c[1])
            value, binding = step(m1)
            if value == m1:
                m2 = 1 - max(w[0], c[0] * m1 + k[0])
                return AlternatingOffers(m1, m2, binding)
    raise AssertionError("no fixed point found")  # pragma: no cover - the contraction has one


def rubinstein_finite(delta1: Any, delta2: Any, rounds: int, outside: Sequence[Any] = (0, 0),
                      breakdown: Any = 0, breakdown_payoffs: Sequence[Any] = (0, 0)) -> Fraction:
    """The first proposer's share when at most ``rounds`` offers are made (backward induction).

    After the last rejection each player gets its outside option (or its breakdown
    payoff, if larger; zero by default).  As ``rounds`` grows the share converges to
    :func:`rubinstein`'s (Ståhl 1972; Osborne and Rubinstein 1990, Section 3.4).
    """
    if rounds < 1:
        raise GameError("rounds must be at least 1")
    c, k, w = _offers_inputs(delta1, delta2, outside, breakdown, breakdown_payoffs)
    b = tuple(_exact(f"breakdown_payoffs[{i}]", v) for i, v in enumerate(breakdown_payoffs))
    # The proposer in the last round is player (rounds - 1) % 2; the responder then gets max(w, b).
    proposer = (rounds - 1) % 2
    share = 1 - max(w[1 - proposer], b[1 - proposer])
    for r in range(rounds - 1, 0, -1):
        proposer = (r - 1) % 2
        responder = 1 - proposer
        share = 1 - max(w[responder], c[responder] * share + k[responder])
    return share


# ------------------------------------------------------------ the bargaining model of war
@dataclass(frozen=True)
class CrisisBargaining:
    """Fearon's (1995) bargaining model of war over a good of size 1.

    ``p`` is the first side's (A's) chance of winning a war, and ``cost_a``, ``cost_b``
    the costs of war in units of the good.  War gives A ``p - cost_a`` and B ``1 - p -
    cost_b`` in expectation, so every split giving A a share in the bargaining range
    ``(p - cost_a, p + cost_b)`` is better for both than war.
    """

    p: Any
    cost_a: Any
    cost_b: Any

    @property
    def range(self) -> tuple[Any, Any]:
        """The bargaining range of A's share, within the pie ``[0, 1]``: the splits both prefer to war.

        ``(p - cost_a, p + cost_b)`` cut at 0 and 1: a share above 1 or below 0 is no split.
        """
        zero = self.p * 0
        return (max(zero, self.p - self.cost_a), min(zero + 1, self.p + self.cost_b))

    @property
    def war_payoffs(self) -> tuple[Any, Any]:
        return (self.p - self.cost_a, 1 - self.p - self.cost_b)

    def problem(self) -> BargainingProblem:
        """The split with linear utilities and war as the disagreement point."""
        return BargainingProblem.split("x", "x", self.war_payoffs, players=("A", "B"))


def crisis_bargaining(p: Any, cost_a: Any, cost_b: Any) -> CrisisBargaining:
    """Fearon's crisis bargaining with complete information (exact).

    Examples
    --------
    >>> crisis_bargaining(0.6, 0.1, 0.2).range
    (Fraction(1, 2), Fraction(4, 5))
    """
    values = [_exact(n, v) for n, v in (("p", p), ("cost_a", cost_a), ("cost_b", cost_b))]
    if not 0 <= values[0] <= 1 or min(values[1:]) < 0:
        raise GameError("p must lie in [0, 1] and the costs of war be non-negative")
    return CrisisBargaining(*values)


@dataclass(frozen=True)
class OptimalDemand:
    """A's best take-it-or-leave-it demand when B's cost of war is private.

    Attributes
    ----------
    demand : A's share demanded.
    war_probability : the chance that B rejects and fights.
    expected_payoff : A's expected payoff.
    """

    demand: Any
    war_probability: Any
    expected_payoff: Any


def optimal_demand(p: Any, cost_a: Any, cost_b_low: Any, cost_b_high: Any) -> OptimalDemand:
    """Fearon's risk-return trade-off with B's cost of war uniform on ``[low, high]``.

    B accepts a demand ``x`` iff ``1 - x >= 1 - p - c_B``, i.e. ``c_B >= x - p``.  A
    maximises ``x P(accept) + (p - c_A) P(war)``; with ``z = x - p`` the first-order
    condition gives ``z* = (high - c_A) / 2``, clipped to ``[low, high]``: a lower own
    cost of war makes A demand more and risk war more (Fearon 1995, Section 4).  Exact.
    """
    p, ca, lo, hi = (_exact(n, v) for n, v in (("p", p), ("cost_a", cost_a), ("cost_b_low", cost_b_low),
                                                ("cost_b_high", cost_b_high)))
    if not 0 <= lo < hi:
        raise GameError("need 0 <= cost_b_low < cost_b_high")
    z = min(max((hi - ca) / 2, lo), hi)
    z = min(z, 1 - p)  # A cannot demand more than everything
    war = (z - lo) / (hi - lo)
    return OptimalDemand(p + z, war, (p + z) * (1 - war) + (p - ca) * war)


@dataclass(frozen=True)
class ShiftingPower:
    """Powell's commitment problem: whether the declining state fights now.

    Attributes
    ----------
    war : bool
    war_value : the declining state's value of fighting now.
    best_peace : the most the rising state can credibly give it (all of today's good
        plus, from tomorrow, only its war value then).
    """

    war: bool
    war_value: Any
    best_peace: Any

    @property
    def margin(self) -> Any:
        """``best_peace - war_value``: the slack of peace (negative means war)."""
        return self.best_peace - self.war_value


def shifting_power(p_now: Any, p_next: Any, cost: Any, delta: Any) -> ShiftingPower:
    """Whether a large, rapid shift of power causes war (Powell 2006).

    Each period a good of size 1 is divided; a war is fought once and for all, giving
    the declining state ``p / (1 - delta) - cost`` when its chance of winning is ``p``.
    Its power falls from ``p_now`` to ``p_next`` (for ever).  Tomorrow the rising state
    will concede it no more than its war value then; so the most it can be promised now
    is ``1 + delta (p_next / (1 - delta) - cost)``, and it fights iff its war value now,
    ``p_now / (1 - delta) - cost``, exceeds that.  Exact.
    """
    pn, pl, c, d = (_exact(n, v) for n, v in (("p_now", p_now), ("p_next", p_next), ("cost", cost), ("delta", delta)))
    if not (0 < d < 1):
        raise GameError("delta must lie in (0, 1)")
    war_value = pn / (1 - d) - c
    best_peace = 1 + d * (pl / (1 - d) - c)
    return ShiftingPower(war_value > best_peace, war_value, best_peace)

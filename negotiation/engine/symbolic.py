"""Symbolic equilibrium conditions of parametric games.

A pure profile ``a`` is a Nash equilibrium exactly when, for every player ``i`` and
every alternative strategy ``s`` of ``i``,

    u_i(a) - u_i(s, a_{-i}) >= 0.

Each such inequality is a :class:`Condition` whose *margin* (the left-hand side) is a
sympy expression in the leverage parameters.  From the conditions follow the
threshold of one parameter (:func:`threshold`), the region of two parameters where the
profile is an equilibrium (:func:`region`), and, for 2x2 games, the closed-form
completely mixed equilibrium (:func:`mixed_2x2`) from the indifference conditions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from negotiation.engine.expressions import symbol
from negotiation.engine.numbers import substitute, to_fraction
from negotiation.engine.parametric import ParametricGame, exact_value, symbol_values
from negotiation.errors import GameError


@dataclass(frozen=True)
class Condition:
    """One Nash condition of a pure profile: a player does not gain by one deviation.

    Attributes
    ----------
    player : str
    strategy : str
        What the player plays in the profile.
    deviation : str
        The alternative it is compared with.
    margin : sympy.Expr
        ``u(profile) - u(deviation)``, simplified; the condition holds where it is >= 0.
    at : str
        In a game tree, the information set (``""`` in a normal-form game).
    on_path : bool or None
        In a game tree, whether the profile reaches the information set.
    """

    player: str
    strategy: str
    deviation: str
    margin: sympy.Expr
    at: str = ""
    on_path: bool | None = None

    @property
    def label(self) -> str:
        """E.g. ``"Turkey prefers accept to escalate"`` (in a tree: ``"... at <information set>"``)."""
        where = f" at {self.at}" if self.at else ""
        off = " (off the path)" if self.on_path is False else ""
        return f"{self.player} prefers {self.strategy} to {self.deviation}{where}{off}"

    @property
    def inequality(self) -> sympy.Rel:
        """The condition as a sympy inequality ``margin >= 0``."""
        return sympy.Ge(self.margin, 0, evaluate=False)

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameters the margin depends on, sorted."""
        return tuple(sorted(str(s) for s in self.margin.free_symbols))

    def slack(self, values: Mapping[str, Any]) -> Fraction | float:
        """The margin at a parameter point: exact when it is rational."""
        subs = symbol_values(values)
        value = substitute(self.margin, subs)
        if value.free_symbols:
            missing = sorted(str(s) for s in value.free_symbols)
            raise GameError(f"condition {self.label!r} needs values for {missing}")
        if value.is_Rational:
            return to_fraction(value)
        return float(sympy.N(value, 30))

    def holds(self, values: Mapping[str, Any]) -> bool:
        """Whether the condition holds at a parameter point."""
        return self.slack(values) >= 0

    def __str__(self) -> str:
        return f"{self.label}: {self.margin} >= 0"


def conditions(game: ParametricGame, profile: Mapping[str, str] | Sequence[str | int]) -> tuple[Condition, ...]:
    """The Nash conditions of a pure profile, one per unilateral deviation.

    Parameters
    ----------
    game : ParametricGame
    profile : mapping or sequence
        ``{player: strategy}`` or one strategy (name or index) per player.

    Returns
    -------
    tuple of Condition
        In player order, then in the order of the deviating strategies.
    """
    cell = game.profile_index(profile)
    out = []
    for i, player in enumerate(game.players):
        here = game.payoff(i, cell)
        for k, name in enumerate(game.strategies[i]):
            if k == cell[i]:
                continue
            dev = (*cell[:i], k, *cell[i + 1 :])
            margin = sympy.simplify(here - game.payoff(i, dev))
            out.append(Condition(player, game.strategies[i][cell[i]], name, margin))
    return tuple(out)


# ----------------------------------------------------------------------- thresholds
@dataclass(frozen=True)
class Threshold:
    """Where one condition holds as a function of one parameter.

    Attributes
    ----------
    parameter : str
    boundary : tuple of sympy.Expr
        The values of the parameter where the margin is zero (in the other parameters
        when they are left symbolic).
    holds : sympy.Set or sympy.Rel or sympy.Piecewise
        With every other parameter fixed: the set of parameter values (within the
        bounds, if given) where the condition holds.  With others symbolic and a margin
        linear in the parameter: the inequality, case by case on the sign of the
        coefficient.
    coefficient : sympy.Expr or None
        The margin's slope in the parameter when it is linear, else ``None``.
    """

    parameter: str
    boundary: tuple[sympy.Expr, ...]
    holds: Any
    coefficient: sympy.Expr | None


def threshold(
    condition: Condition | sympy.Expr,
    parameter: str,
    values: Mapping[str, Any] | None = None,
    bounds: tuple[Any, Any] | None = None,
) -> Threshold:
    """The threshold of ``parameter`` beyond which ``condition`` fails.

    Parameters
    ----------
    condition : Condition or sympy.Expr
        A condition (or a margin, held where it is >= 0).
    parameter : str
    values : mapping, optional
        Values of the other parameters; those not given stay symbolic.
    bounds : (low, high), optional
        The parameter's range; with every other parameter fixed, ``holds`` is
        intersected with it.

    Examples
    --------
    >>> a, b = symbol("a"), symbol("b")
    >>> threshold(2*a - b, "a", {"b": 1}).holds
    Interval(1/2, oo)
    >>> threshold(2*a - b, "a").boundary
    (b/2,)
    """
    margin = condition.margin if isinstance(condition, Condition) else condition
    if not isinstance(margin, sympy.Expr):
        raise GameError(f"threshold() needs a Condition or a sympy expression, not {type(condition).__name__}")
    x = symbol(parameter)
    subs = {symbol(k): exact_value(k, v) for k, v in (values or {}).items() if k != parameter}
    expr = substitute(margin, subs)
    domain = sympy.Interval(*(exact_value(parameter, b) for b in bounds)) if bounds else sympy.S.Reals
    if x in expr.free_symbols:
        poly = expr.as_poly(x)  # None unless polynomial in x (coefficients may hold other symbols)
        coefficient = sympy.simplify(poly.LC()) if poly is not None and poly.degree() == 1 else None
    else:
        coefficient = sympy.Integer(0)
    others = expr.free_symbols - {x}
    if not others:
        holds = _holding_set(expr, x, domain)
        boundary = tuple(sorted(b for b in holds.boundary if b not in (domain.inf, domain.sup) and b.is_finite))
        return Threshold(parameter, boundary, holds, coefficient)
    if coefficient is None:
        roots = sympy.solve(sympy.Eq(expr, 0), x)
        return Threshold(parameter, tuple(roots), sympy.Ge(expr, 0), None)
    if coefficient == 0:
        return Threshold(parameter, (), sympy.Ge(expr, 0), coefficient)
    cut = sympy.simplify(-(expr - coefficient * x) / coefficient)
    holds = sympy.Piecewise(
        (sympy.Ge(x, cut), coefficient > 0),
        (sympy.Le(x, cut), coefficient < 0),
        (sympy.Ge(expr.xreplace({x: 0}), 0), True),
    )
    return Threshold(parameter, (cut,), holds, coefficient)


def _holding_set(expr: sympy.Expr, x: sympy.Symbol, domain: sympy.Set) -> sympy.Set:
    """The set of ``x`` in ``domain`` where ``expr >= 0`` (exact, numeric fallback)."""
    if x not in expr.free_symbols:
        return domain if expr >= 0 else sympy.S.EmptySet
    try:
        exact = sympy.solve_univariate_inequality(sympy.Ge(expr, 0), x, relational=False, domain=domain)
    except (NotImplementedError, TypeError, ValueError):
        exact = None
    if isinstance(exact, (sympy.Interval, sympy.Union, sympy.FiniteSet)) or exact is sympy.S.EmptySet:
        return exact
    return _numeric_holding_set(expr, x, domain)


def _numeric_holding_set(expr: sympy.Expr, x: sympy.Symbol, domain: sympy.Set, points: int = 4001) -> sympy.Set:
    """Sign changes on a grid refined by bisection; endpoints are floats (1e-12)."""
    lo = float(domain.inf) if domain.inf.is_finite else -1e6
    hi = float(domain.sup) if domain.sup.is_finite else 1e6
    f = sympy.lambdify(x, expr, modules="numpy")
    grid = np.linspace(lo, hi, points)
    with np.errstate(all="ignore"):
        ok = np.broadcast_to(np.asarray(f(grid)) >= 0, grid.shape)
    pieces = []
    start = grid[0] if ok[0] else None
    for k in range(1, points):
        if ok[k] != ok[k - 1]:
            a, b = grid[k - 1], grid[k]
            for _ in range(60):
                mid = 0.5 * (a + b)
                if (f(mid) >= 0) == ok[k - 1]:
                    a = mid
                else:
                    b = mid
            cut = 0.5 * (a + b)
            if ok[k]:
                start = cut
            else:
                pieces.append(sympy.Interval(sympy.Float(start), sympy.Float(cut)))
                start = None
    if start is not None:
        pieces.append(sympy.Interval(sympy.Float(start), sympy.Float(hi)))
    return sympy.Union(*pieces) if pieces else sympy.S.EmptySet


# --------------------------------------------------------------------------- regions
@dataclass(frozen=True)
class Region:
    """The set of two parameters' values where all of some conditions hold.

    Attributes
    ----------
    parameters : (str, str)
    inequalities : tuple of sympy.Rel
        ``margin >= 0`` for each condition, with every other parameter fixed.
    conditions : tuple of Condition
    """

    parameters: tuple[str, str]
    inequalities: tuple[sympy.Rel, ...]
    conditions: tuple[Condition, ...]

    @property
    def expression(self) -> sympy.Basic:
        """The conjunction of the inequalities."""
        return sympy.And(*self.inequalities)

    def margins(self, x: Any, y: Any) -> np.ndarray:
        """Each condition's margin over arrays of the two parameters, shape ``(n_conditions, *broadcast)``.

        The zero level set of each margin is that condition's boundary (e.g. for
        :func:`matplotlib.pyplot.contour`).
        """
        sx, sy = (symbol(p) for p in self.parameters)
        xs, ys = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        out = np.empty((len(self.inequalities), *xs.shape))
        for k, ineq in enumerate(self.inequalities):
            f = sympy.lambdify((sx, sy), ineq.lhs, modules="numpy")
            with np.errstate(all="ignore"):
                out[k] = np.broadcast_to(np.asarray(f(xs, ys), dtype=float), xs.shape)
        return out

    def contains(self, x: Any, y: Any) -> np.ndarray:
        """Vectorised membership test over arrays of the two parameters."""
        return np.all(self.margins(x, y) >= 0, axis=0)


def region(
    conds: Sequence[Condition], parameters: tuple[str, str], values: Mapping[str, Any] | None = None
) -> Region:
    """The region of two ``parameters`` where every condition holds, others fixed at ``values``."""
    if len(parameters) != 2 or parameters[0] == parameters[1]:
        raise GameError(f"a region needs two different parameters, got {parameters}")
    subs = {symbol(k): exact_value(k, v) for k, v in (values or {}).items() if k not in parameters}
    ineqs = []
    for c in conds:
        lhs = sympy.simplify(c.margin.xreplace(subs))
        stray = lhs.free_symbols - {symbol(p) for p in parameters}
        if stray:
            raise GameError(f"condition {c.label!r} needs values for {sorted(str(s) for s in stray)}")
        ineqs.append(sympy.Ge(lhs, 0, evaluate=False))
    return Region(tuple(parameters), tuple(ineqs), tuple(conds))  # type: ignore[arg-type]


# ---------------------------------------------------------------------- mixed 2x2
@dataclass(frozen=True)
class Mixed2x2:
    """The closed-form completely mixed equilibrium of a 2x2 game.

    Attributes
    ----------
    p : sympy.Expr
        Probability that the row player plays its first strategy (it makes the column
        player indifferent).
    q : sympy.Expr
        Probability that the column player plays its first strategy.
    payoffs : tuple of sympy.Expr
        The players' equilibrium payoffs.
    validity : sympy.Basic
        Where the formulas give a completely mixed equilibrium:
        nonzero denominators and ``0 < p < 1``, ``0 < q < 1``.
    """

    p: sympy.Expr
    q: sympy.Expr
    payoffs: tuple[sympy.Expr, sympy.Expr]
    validity: sympy.Basic


def mixed_2x2(game: ParametricGame) -> Mixed2x2:
    """Closed-form completely mixed equilibrium of a 2x2 parametric game.

    From the indifference conditions (e.g. Osborne, *An Introduction to Game Theory*,
    2004, sec. 4.3): the row player's mix ``p`` makes the column player indifferent,

        p = (B22 - B21) / (B11 - B21 - B12 + B22),

    and symmetrically ``q = (A22 - A12) / (A11 - A12 - A21 + A22)``.
    """
    if game.shape != (2, 2):
        raise GameError(f"mixed_2x2 needs a 2x2 game, this one is {game.shape}")
    a = [[game.payoffs[0, i, j] for j in range(2)] for i in range(2)]
    b = [[game.payoffs[1, i, j] for j in range(2)] for i in range(2)]
    den_p = sympy.simplify(b[0][0] - b[1][0] - b[0][1] + b[1][1])
    den_q = sympy.simplify(a[0][0] - a[0][1] - a[1][0] + a[1][1])
    if den_p == 0 or den_q == 0:
        raise GameError("a player is indifferent identically: no isolated completely mixed equilibrium")
    p = sympy.simplify((b[1][1] - b[1][0]) / den_p)
    q = sympy.simplify((a[1][1] - a[0][1]) / den_q)
    u_row = sympy.simplify(q * a[0][0] + (1 - q) * a[0][1])
    u_col = sympy.simplify(p * b[0][0] + (1 - p) * b[1][0])
    validity = sympy.And(sympy.Ne(den_p, 0), sympy.Ne(den_q, 0), p > 0, p < 1, q > 0, q < 1)
    return Mixed2x2(p, q, (u_row, u_col), validity)


# ------------------------------------------------------------ vectorised fast path
def regime_masks(game: ParametricGame, values: Mapping[str, Any], tol: float = 1e-9) -> dict[str, np.ndarray]:
    """Which equilibria exist at each parameter point, from the symbolic conditions alone.

    Nothing is solved: the Nash conditions of every pure profile (and, for 2x2 games,
    the validity conditions of the closed-form mixed equilibrium) are compiled to numpy
    once and evaluated over the arrays in ``values``.

    Parameters
    ----------
    game : ParametricGame
    values : mapping of parameter name to array_like
        Broadcast together, as in :meth:`ParametricGame.tensor`.
    tol : float
        A margin counts as non-negative when it is at least ``-tol``.

    Returns
    -------
    dict
        ``"s_1/s_2/..."`` (a pure profile's strategy names) maps to a boolean array of
        the broadcast shape; for 2x2 games, ``"mixed"`` marks where the completely mixed
        equilibrium exists (the game being nondegenerate there).
    """
    labels, owners, f, g = _regime_functions(game)
    arrays = np.broadcast_arrays(*(np.asarray(values[p], dtype=float) for p in game.parameters))
    shape = arrays[0].shape if arrays else ()
    with np.errstate(all="ignore"):
        evaluated = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in f(*arrays)]
    out = {lab: np.ones(shape, dtype=bool) for lab in labels}
    for owner, value in zip(owners, evaluated, strict=True):
        out[labels[owner]] &= value >= -tol
    if game.shape == (2, 2):
        if g is None:
            out["mixed"] = np.zeros(shape, dtype=bool)
        else:
            with np.errstate(all="ignore"):
                p, q = (np.broadcast_to(np.asarray(v, dtype=float), shape) for v in g(*arrays))
            out["mixed"] = (p > tol) & (1 - tol - p > 0) & (q > tol) & (1 - tol - q > 0)
    return out


def _regime_functions(game: ParametricGame) -> tuple[list[str], list[int], Any, Any]:
    """The conditions behind :func:`regime_masks`, derived once per game and compiled once per process.

    The derived (simplified) margins are kept on the game and travel with it to worker
    processes; the compiled functions are rebuilt there (they do not pickle).
    """
    derived = game.__dict__.get("_regime_conditions")
    if derived is None:
        labels, margins, owners = [], [], []
        for cell in game.profiles():
            labels.append("/".join(game.strategies[i][k] for i, k in enumerate(cell)))
            for c in conditions(game, cell):
                margins.append(c.margin)
                owners.append(len(labels) - 1)
        mixed = None
        if game.shape == (2, 2):
            try:
                m = mixed_2x2(game)
                mixed = [m.p, m.q]
            except GameError:
                mixed = None
        derived = (labels, owners, margins, mixed)
        game.__dict__["_regime_conditions"] = derived
    compiled = game.__dict__.get("_compiled_regime")
    if compiled is None:
        labels, owners, margins, mixed = derived
        syms = [symbol(p) for p in game.parameters]
        f = sympy.lambdify(syms, margins, modules="numpy", cse=True)
        g = sympy.lambdify(syms, mixed, modules="numpy") if mixed is not None else None
        compiled = (f, g)
        game.__dict__["_compiled_regime"] = compiled
    return derived[0], derived[1], compiled[0], compiled[1]

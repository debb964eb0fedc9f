"""Parametric games and their symbolic conditions, checked against numeric solving at sampled points."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy
from conftest import first_idlib

from negotiation import ParametricGame, conditions, mixed_2x2, region, solve, threshold
from negotiation.engine.expressions import symbol
from negotiation.errors import GameError

# Hawk-dove (Maynard Smith 1982, Evolution and the Theory of Games, ch. 2): contest value V,
# cost of injury C.  For C > V the evolutionarily stable mix plays hawk with probability V/C.
HAWK_DOVE = ParametricGame.from_expressions(
    [[["(V - C)/2", "V"], ["0", "V/2"]], [["(V - C)/2", "0"], ["V", "V/2"]]],
    parameters=["V", "C"], players=("P1", "P2"), strategies=(("hawk", "dove"),) * 2,
)

IDLIB = first_idlib()


def _draws(scenario, n, seed):
    """Parameter points drawn uniformly within the bounds, as exact rationals."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        point = {}
        for name, p in scenario.parameters.items():
            lo, hi = float(p.bounds[0]), float(p.bounds[1])
            point[name] = F(round(rng.uniform(lo, hi) * 1000), 1000)
        yield point


def test_at_is_exact_for_rational_payoffs_and_float_otherwise():
    g = HAWK_DOVE.at(V=2, C=F(1, 3))
    assert g.exact and g.payoffs[0, 0, 0] == F(5, 6)
    h = ParametricGame.from_expressions([[["sqrt(a)", "0"]], [["0", "1"]]], ["a"]).at(a=2)
    assert not h.exact and h.payoffs[0, 0, 0] == pytest.approx(2**0.5)
    assert HAWK_DOVE.at(V=0.1, C=1).payoffs[1, 1, 1] == F(1, 20)  # a float is read as its decimal


def test_tensor_matches_at_over_a_batch():
    v = np.linspace(0.5, 3, 7)[:, None]
    c = np.linspace(1, 4, 5)[None, :]
    tensor = HAWK_DOVE.tensor(V=v, C=c)
    assert tensor.shape == (7, 5, 2, 2, 2)
    for i, j in itertools.product(range(7), range(5)):
        direct = HAWK_DOVE.at(V=float(v[i, 0]), C=float(c[0, j])).as_float().payoffs
        np.testing.assert_allclose(tensor[i, j], direct, rtol=1e-12)


def test_piecewise_and_min_payoffs_evaluate_vectorised():
    g = ParametricGame.from_expressions([[["min(a, 1)", "a if a > 2 else -a"]], [["max(a, 0)", "3"]]], ["a"])
    t = g.tensor(a=np.array([-1.0, 0.5, 3.0]))
    np.testing.assert_allclose(t[:, 0, 0, 0], [-1, 0.5, 1])
    np.testing.assert_allclose(t[:, 0, 0, 1], [1, -0.5, 3])
    np.testing.assert_allclose(t[:, 1, 0, 1], [3, 3, 3])


def test_values_are_checked():
    with pytest.raises(GameError, match=r"unknown parameter 'c' \(did you mean 'C'\?\)"):
        HAWK_DOVE.at(V=1, c=2)
    with pytest.raises(GameError, match="no value given for parameter"):
        HAWK_DOVE.at(V=1)
    with pytest.raises(GameError, match="undeclared parameter"):
        ParametricGame(np.array([[[symbol("z")]], [[sympy.Integer(0)]]], dtype=object), ("a",))


def test_conditions_are_named_and_simplified():
    conds = conditions(HAWK_DOVE, {"P1": "hawk", "P2": "dove"})
    assert [c.label for c in conds] == ["P1 prefers hawk to dove", "P2 prefers dove to hawk"]
    v, c = symbol("V"), symbol("C")
    assert sympy.simplify(conds[0].margin - v / 2) == 0
    assert sympy.simplify(conds[1].margin - (c - v) / 2) == 0


def test_hawk_dove_closed_form_mixed_equilibrium_is_v_over_c():
    """Maynard Smith (1982), ch. 2: hawk with probability V/C when C > V."""
    mixed = mixed_2x2(HAWK_DOVE)
    v, c = symbol("V"), symbol("C")
    assert sympy.simplify(mixed.p - v / c) == 0 and sympy.simplify(mixed.q - v / c) == 0
    assert sympy.simplify(mixed.payoffs[0] - (v / 2) * (1 - v / c)) == 0


@pytest.mark.parametrize("game_name", ["escalation", "refugee"])
def test_conditions_agree_with_numeric_solving_at_sampled_points(game_name):
    game = IDLIB.game(game_name)
    for point in _draws(IDLIB, 40, seed=3):
        numeric = game.at(point)
        pure = {tuple(np.argmax(v) for v in eq.profile.probabilities) for eq in solve(numeric, "all", exact=True)
                if all(max(v) == 1 for v in eq.profile.probabilities)}
        for cell in game.profiles():
            symbolic = all(c.holds(point) for c in conditions(game, cell))
            assert symbolic == (cell in pure), (point, cell)


def test_threshold_with_others_fixed_separates_holding_from_failing():
    game = IDLIB.game("escalation")
    base = IDLIB.baseline()
    for cond in conditions(game, {"Turkey": "accept", "Russia/Syria": "halt"}):
        for name in cond.parameters:
            p = IDLIB.parameters[name]
            th = threshold(cond, name, base, bounds=p.bounds)
            for x in np.linspace(float(p.bounds[0]), float(p.bounds[1]), 41):
                value = F(x).limit_denominator(10**6)
                at_x = {**base, name: value}
                inside = bool(th.holds.contains(sympy.Rational(value.numerator, value.denominator)))
                assert inside == cond.holds(at_x)
                numeric = game.at(at_x)
                deviated = numeric.payoff({"Turkey": "accept", "Russia/Syria": "halt"})[cond.player]
                alt = numeric.deviation_payoffs({"Turkey": "accept", "Russia/Syria": "halt"}, cond.player)
                assert inside == (deviated >= alt[cond.deviation])


def test_threshold_left_symbolic_specialises_to_the_numeric_one():
    cond = conditions(IDLIB.game("escalation"), ("accept", "halt"))[0]  # Turkey's condition
    base = IDLIB.baseline()
    general = threshold(cond, "nato_support")  # every other parameter symbolic
    (cut,) = general.boundary
    subs = {symbol(k): sympy.Rational(v.numerator, v.denominator) for k, v in base.items()}
    numeric = threshold(cond, "nato_support", base, bounds=IDLIB.parameters["nato_support"].bounds)
    assert cut.xreplace(subs) == numeric.boundary[0]
    # Hand derivation: Turkey accepts while p(1 + 0.4) <= 33*0.015, p = 0.2 + 0.8n, so n <= (99/280 - 1/5)/(4/5).
    assert numeric.boundary[0] == (sympy.Rational(99, 280) - sympy.Rational(1, 5)) / sympy.Rational(4, 5)


def test_region_matches_numeric_equilibrium_checks_on_a_grid():
    game = IDLIB.game("escalation")
    base = IDLIB.baseline()
    conds = conditions(game, ("accept", "halt"))
    reg = region(conds, ("nato_support", "monitoring"), base)
    xs, ys = np.meshgrid(np.linspace(0, 1, 21), np.linspace(0, 1, 21))
    mask = reg.contains(xs, ys)
    for x, y, inside in zip(xs.flat, ys.flat, mask.flat, strict=True):
        numeric = game.at({**base, "nato_support": x, "monitoring": y})
        assert inside == numeric.is_nash(numeric.profile({"Turkey": "accept", "Russia/Syria": "halt"}))
    assert mask.any() and not mask.all()


def test_mixed_closed_form_agrees_with_numeric_solving_at_sampled_points():
    game = IDLIB.game("escalation")
    mixed = mixed_2x2(game)
    seen_valid = 0
    for point in _draws(IDLIB, 60, seed=11):
        subs = {symbol(k): sympy.Rational(v.numerator, v.denominator) for k, v in point.items()}
        valid = bool(mixed.validity.xreplace(subs))
        eqs = solve(game.at(point), "all", exact=True)
        interior = [eq for eq in eqs if all(0 < x < 1 for v in eq.profile.probabilities for x in v)]
        if valid:
            seen_valid += 1
            (eq,) = interior
            assert eq.profile.probabilities[0][0] == mixed.p.xreplace(subs)
            assert eq.profile.probabilities[1][0] == mixed.q.xreplace(subs)
            assert eq.payoffs["Turkey"] == mixed.payoffs[0].xreplace(subs)
        else:
            assert not interior
    assert seen_valid > 0


@pytest.mark.parametrize(
    "text", ["min(x, 1) - 0.5", "(x if x < 2 else 4 - x) - 1", "exp(x) - 2", "x**3 - x", "sqrt(x) - 0.5*x",
             "max(x - 4, 1 - x)"],
)
def test_threshold_sets_of_nonlinear_and_piecewise_margins(text):
    """The holding set (exact, or by bisection where sympy cannot solve) matches direct evaluation."""
    from negotiation.engine.expressions import parse_expression

    margin = parse_expression(text, ["x"])
    holds = threshold(margin, "x", {}, bounds=(0, 5)).holds
    for value in np.linspace(0, 5, 101):
        direct = float(margin.subs(symbol("x"), value)) >= 0
        near_edge = any(abs(float(b) - value) < 1e-9 for b in holds.boundary)
        assert near_edge or bool(holds.contains(sympy.Float(value))) == direct, (text, value)

"""Bargaining: axiomatic solutions, alternating offers, Fearon and Powell, with published values."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from negotiation.engine.bargaining import (
    BargainingProblem,
    crisis_bargaining,
    optimal_demand,
    rubinstein,
    rubinstein_finite,
    shifting_power,
)
from negotiation.engine.geometry import clip
from negotiation.errors import GameError


def test_rubinstein_split():
    """Rubinstein (1982), Theorem: the first proposer gets (1 - d2) / (1 - d1 d2), at once."""
    for d1, d2 in ((F(9, 10), F(9, 10)), (F(9, 10), F(4, 5)), (F(1, 2), F(99, 100))):
        result = rubinstein(d1, d2)
        assert result.first_share == (1 - d2) / (1 - d1 * d2)
        assert result.second_share == (1 - d1) / (1 - d1 * d2)
        assert result.binding == ()
    assert rubinstein(0.9, 0.9).first_share == F(10, 19)  # floats are read as their decimals


def test_finite_horizon_converges_to_rubinstein():
    """Ståhl (1972): backward induction over N rounds; each two more rounds shrink the gap to
    Rubinstein's share by exactly d1 d2, so the shares converge to it."""
    assert rubinstein_finite(F(9, 10), F(9, 10), 1) == 1  # the ultimatum game
    assert rubinstein_finite(F(9, 10), F(9, 10), 2) == F(1, 10)
    limit = rubinstein(F(9, 10), F(4, 5)).first_share
    for n in (1, 2, 7, 30):
        gap = rubinstein_finite(F(9, 10), F(4, 5), n) - limit
        assert rubinstein_finite(F(9, 10), F(4, 5), n + 2) - limit == F(9, 10) * F(4, 5) * gap


def test_outside_option_principle():
    """Osborne and Rubinstein (1990), *Bargaining and Markets*, Section 3.12: an outside option b
    for the responder matters only if b > delta / (1 + delta); then the responder gets exactly b."""
    delta = F(9, 10)
    assert rubinstein(delta, delta, outside=(0, F(2, 5))).first_share == F(10, 19)  # 2/5 < 9/19
    binding = rubinstein(delta, delta, outside=(0, F(3, 5)))
    assert binding.first_share == F(2, 5) and binding.binding == ("second",)


def test_risk_of_breakdown_approaches_the_nash_solution():
    """Binmore, Rubinstein and Wolinsky (1986): with no impatience and a breakdown probability p
    after each rejection, the first proposer gets 1/(2 - p) -> 1/2, the Nash solution."""
    for p in (F(1, 10), F(1, 100), F(1, 1000)):
        assert rubinstein(1, 1, breakdown=p).first_share == 1 / (2 - p)
    with pytest.raises(GameError, match="no unique equilibrium"):
        rubinstein(1, 1)


def test_nash_solution_is_the_midpoint_of_fearons_range():
    """Fearon (1995): war leaves A with p - c_A and B with 1 - p - c_B, so A's share in any
    peaceful split lies in (p - c_A, p + c_B); with linear utilities the Nash solution splits
    the surplus of peace equally: the midpoint of the range."""
    for p, ca, cb in ((F(3, 5), F(1, 10), F(1, 5)), (F(1, 4), F(1, 20), F(1, 10)), (F(1, 2), F(1, 3), F(1, 3))):
        crisis = crisis_bargaining(p, ca, cb)
        assert crisis.range == (p - ca, p + cb)
        assert crisis.problem().nash().share == (crisis.range[0] + crisis.range[1]) / 2


def test_kalai_smorodinsky_monotonicity_example():
    """Kalai and Smorodinsky (1975), Section 1: enlarging the feasible set from
    conv{(0,0),(1,0),(0,1),(3/4,3/4)} to conv{(0,0),(1,0),(0,1),(1,7/10)} raises what player 2
    could get at every level of player 1's utility, yet the Nash solution gives player 2 less
    (7/10 instead of 3/4); the Kalai-Smorodinsky solution gives it more (10/13)."""
    small = BargainingProblem.from_points([(0, 1), (1, 0), (F(3, 4), F(3, 4))], (0, 0))
    large = BargainingProblem.from_points([(0, 1), (1, 0), (1, F(7, 10))], (0, 0))
    assert small.nash().utilities == (F(3, 4), F(3, 4))
    assert large.nash().utilities == (1, F(7, 10))
    assert small.kalai_smorodinsky().utilities == (F(3, 4), F(3, 4))
    assert large.kalai_smorodinsky().utilities == (F(10, 13), F(10, 13))
    assert large.egalitarian().utilities == (F(10, 13), F(10, 13))


def test_split_with_concave_utility():
    """A risk-averse second player (u = sqrt of its share) concedes more: Nash gives x = 2/3
    (maximise x sqrt(1 - x)); Kalai-Smorodinsky solves x = sqrt(1 - x)."""
    problem = BargainingProblem.split("x", "sqrt(x)")
    assert problem.nash().share == sympy.Rational(2, 3)
    ks = problem.kalai_smorodinsky().share
    assert sympy.simplify(ks - sympy.sqrt(1 - ks)) == 0
    # When war is worse for one side than losing everything, the Nash split is a corner.
    corner = BargainingProblem.split("x", "x", (F(2, 5), F(-7, 10)))
    assert corner.nash().share == 1 and corner.nash().utilities == (1, 0)
    assert corner.egalitarian().share == 1
    frame = problem.solutions()
    assert list(frame.concept) == ["Nash", "Kalai-Smorodinsky", "egalitarian"]
    with pytest.raises(GameError, match="increase"):
        BargainingProblem.split("1 - x", "x")
    with pytest.raises(GameError, match="u1"):
        BargainingProblem.split("__import__('os')", "x")
    with pytest.raises(GameError, match="only on the share x"):
        BargainingProblem.split(sympy.Symbol("x") * sympy.Symbol("k"), "x")


_points = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=2, max_size=6)


def _maximal(problem: BargainingProblem, u) -> bool:
    poly = list(problem.points)
    return (max(p[0] for p in clip(poly, 1, u[1])) == u[0]) and (max(p[1] for p in clip(poly, 0, u[0])) == u[1])


@settings(max_examples=80, deadline=None)
@given(_points, st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_nash_solution_axioms(points, d):
    """Nash (1950): Pareto optimality, symmetry, invariance to positive affine rescaling and
    independence of irrelevant alternatives, on random polygons (exact arithmetic)."""
    assume(any(x > d[0] and y > d[1] for x, y in points))
    problem = BargainingProblem.from_points(points, d)
    u = problem.nash().utilities
    assert _maximal(problem, u)  # Pareto
    # Symmetry: the set and its mirror image, with a symmetric disagreement point.
    sym = BargainingProblem.from_points(points + [(y, x) for x, y in points], (d[0], d[0]))
    if any(x > d[0] and y > d[0] for x, y in sym.points):
        v = sym.nash().utilities
        assert v[0] == v[1]
    # Affine invariance.
    a, b = (F(3), F(-2)), (F(1, 2), F(5))
    scaled = BargainingProblem.from_points([(a[0] * x + a[1], b[0] * y + b[1]) for x, y in points],
                                           (a[0] * d[0] + a[1], b[0] * d[1] + b[1]))
    assert scaled.nash().utilities == (a[0] * u[0] + a[1], b[0] * u[1] + b[1])
    # IIA: drop every vertex but the disagreement point's neighbours of the solution.
    smaller = BargainingProblem.from_points([u, d], d)
    assert smaller.nash().utilities == u


def test_private_information_risk_return_trade_off():
    """Fearon (1995): with B's cost uniform on [0, h] A demands p + (h - c_A)/2 and war follows
    with probability (h - c_A)/(2h); the demand beats every other on a fine grid."""
    p, ca, h = F(1, 2), F(1, 10), F(2, 5)
    best = optimal_demand(p, ca, 0, h)
    assert best.demand == p + (h - ca) / 2 and best.war_probability == (h - ca) / (2 * h)

    def payoff(x):
        accept = min(max((h - (x - p)) / h, 0), 1)
        return x * accept + (p - ca) * (1 - accept)

    grid = [F(k, 1000) for k in range(1001)]
    assert max(payoff(x) for x in grid) <= best.expected_payoff == payoff(best.demand)
    assert optimal_demand(p, F(1, 2), 0, h).war_probability == 0  # a costly war: A demands only p


def test_shifting_power_commitment_problem():
    """Powell (2006): a large, rapid shift of power makes the declining state fight; without
    the shift the rising state's promises suffice."""
    assert shifting_power(F(3, 5), F(1, 5), F(1, 2), F(9, 10)).war
    calm = shifting_power(F(3, 5), F(3, 5), F(1, 2), F(9, 10))
    assert not calm.war and calm.margin == F(9, 20)
    with pytest.raises(GameError, match="delta"):
        shifting_power(0.6, 0.2, 0.5, 1)

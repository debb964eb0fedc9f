"""Repeated games: critical discount factors in closed form, checked by one-shot deviations."""

from __future__ import annotations

from fractions import Fraction as F

import matplotlib
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation import NormalFormGame, ParametricGame, solve_tree
from negotiation.engine.repeated import feasible_set, finitely_repeated, minmax, simulate, sustainability
from negotiation.errors import GameError

matplotlib.use("Agg")

CD = (("C", "D"), ("C", "D"))


def _pd(t=5, r=3, p=1, s=0) -> NormalFormGame:
    return NormalFormGame.from_arrays([[r, s], [t, p]], [[r, t], [s, p]], players=("A", "B"), strategies=CD)


def test_grim_trigger_threshold_on_axelrods_payoffs():
    """Axelrod (1984), *The Evolution of Cooperation*, Figure 1 (p. 8): T=5, R=3, P=1, S=0.
    Grim trigger sustains mutual cooperation iff delta >= (T - R)/(T - P) = 1/2 (Friedman 1971)."""
    result = sustainability(_pd(), ("C", "C"))
    assert result.delta_star == sympy.Rational(1, 2)
    assert result.holds(F(1, 2)) and not result.holds(F(49, 100))
    assert result.punishment == "D, D"
    gains = result.one_shot_gains(0.51)
    assert (gains.gain <= 1e-12).all()
    assert result.one_shot_gains(0.49).query("state == 'cooperate'").gain.min() > 0


def test_symbolic_grim_threshold_is_the_textbook_formula():
    game = ParametricGame.from_expressions([[["R", "S"], ["T", "P"]], [["R", "T"], ["S", "P"]]],
                                           parameters=["R", "S", "T", "P"], strategies=CD)
    result = sustainability(game, ("C", "C"), punishment=("D", "D"))
    crit = result.critical["P1"]
    for values in ({"T": 5, "R": 3, "P": 1, "S": 0}, {"T": 7, "R": 4, "P": 2, "S": -1}):
        got = crit.xreplace({sym: values[sym.name] for sym in crit.free_symbols})
        assert got == sympy.Rational(values["T"] - values["R"], values["T"] - values["P"])


def test_two_period_punishment_needs_the_golden_ratio():
    """With a two-period punishment the condition is R + (R - P)(delta + delta^2) >= T, i.e.
    delta + delta^2 >= 1 on Axelrod's payoffs: delta* = (sqrt 5 - 1)/2.  One period never suffices."""
    two = sustainability(_pd(), ("C", "C"), periods=2)
    assert sympy.simplify(two.delta_star - (sympy.sqrt(5) - 1) / 2) == 0
    d = float(two.delta_star)
    assert two.one_shot_gains(d + 1e-6).gain.max() <= 1e-12
    assert two.one_shot_gains(d - 1e-6).gain.max() > 0
    assert sustainability(_pd(), ("C", "C"), periods=1).delta_star is None


_ranks = st.lists(st.integers(-20, 20), min_size=4, max_size=4, unique=True).map(sorted)


@settings(max_examples=50, deadline=None)
@given(_ranks, _ranks, st.sampled_from([None, 1, 2, 3]),
       st.sampled_from([(1, 0), (F(4, 5), 0), (F(9, 10), F(1, 10)), (F(1, 2), F(1, 5))]))
def test_closed_form_agrees_with_one_shot_deviations(first, second, periods, monitoring):
    """Property, on asymmetric prisoner's dilemmas (S < P < R < T for each player): just above
    the closed-form delta* no one-shot deviation gains, just below it one does."""
    (s1, p1, r1, t1), (s2, p2, r2, t2) = first, second
    game = NormalFormGame.from_arrays([[r1, s1], [t1, p1]], [[r2, t2], [s2, p2]], strategies=CD)
    detection, false_alarm = monitoring
    result = sustainability(game, ("C", "C"), periods=periods, detection=detection, false_alarm=false_alarm)
    star = result.delta_star
    cooperative = "state == 'cooperate'"
    if star is None:
        for delta in (0.3, 0.9, 0.999):
            assert result.one_shot_gains(delta).query(cooperative).gain.max() > -1e-12
        return
    star = float(star)
    assert 0 < star < 1
    if star < 0.9999:
        assert result.one_shot_gains(min(star + 1e-7, 0.99999)).gain.max() <= 1e-9
    assert result.one_shot_gains(star - 1e-7).query(cooperative).gain.max() > 0


def test_imperfect_monitoring_raises_the_bar():
    """Detection q and false alarms a: delta* = (T-R) / ((q-a)(R-P) + (1-a)(T-R)) (Green and Porter 1984)."""
    noisy = sustainability(_pd(), ("C", "C"), detection=0.8, false_alarm=0.1)
    assert noisy.delta_star == sympy.Rational(2, F(7, 10) * 2 + F(9, 10) * 2)
    assert noisy.delta_star > sustainability(_pd(), ("C", "C")).delta_star
    # Too many false alarms: cooperation cannot be sustained at any delta.
    assert sustainability(_pd(), ("C", "C"), detection=0.3, false_alarm=0.25).delta_star is None
    with pytest.raises(GameError, match="false_alarm < detection"):
        sustainability(_pd(), ("C", "C"), detection=0.1, false_alarm=0.2)


def test_symbolic_monitoring_parameter():
    game = ParametricGame.from_expressions([[[3, 0], [5, 1]], [[3, 5], [0, 1]]], parameters=["q"], strategies=CD)
    result = sustainability(game, ("C", "C"), punishment=("D", "D"), detection="q")
    crit = result.critical["P1"]
    q = next(iter(crit.free_symbols))
    for value in (F(1, 4), F(1, 2), 1):  # (T-R) / (q (R-P) + (T-R))
        assert crit.xreplace({q: value}) == sympy.Rational(2) / (2 * value + 2)
    assert crit.xreplace({q: 0}) == sympy.oo  # never seen, never deterred
    assert result.holds(0.6, {"q": F(1, 2)}) is False and result.holds(0.7, {"q": F(1, 2)})


def test_minmax_values_and_the_folk_theorem_region():
    """Matching pennies: minmax 0, by mixing (von Neumann 1928); in the prisoner's dilemma the
    minmax is the mutual-defection payoff and the region is the hull cut at (1, 1)."""
    pennies = NormalFormGame.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    value, strategies = minmax(pennies, 0)
    assert value == 0 and list(strategies[1]) == [F(1, 2), F(1, 2)]
    region = feasible_set(_pd())
    assert region.minmax == (1, 1)
    assert set(region.rational) == {(1, 1), (1, F(13, 3)), (F(13, 3), 1), (3, 3)}
    minmax_grim = sustainability(_pd(), ("C", "C"), punishment="minmax")
    assert minmax_grim.delta_star == sympy.Rational(1, 2)
    from negotiation import plot

    ax = plot.payoff_region(_pd(), mark=[("C", "C")])
    assert ax.get_xlabel() == "A's payoff"


def test_finite_horizon_unravels():
    """Luce and Raiffa (1957, ch. 5): with a unique stage equilibrium, the finitely repeated
    prisoner's dilemma has a unique subgame-perfect equilibrium, defection in every period."""
    tree = finitely_repeated(_pd(), 3)
    result = solve_tree(tree, "spe")
    assert len(result) == 1
    (path,) = result.path(result.equilibria[0])
    assert path["actions"] == ["D"] * 6 and result.equilibria[0].payoffs == (3, 3)


def test_simulation_is_seeded_and_sensible():
    pd_ = _pd()
    one = simulate(pd_, ["tit-for-tat", "grim"], ("C", "C"), ("D", "D"), noise=0.02, runs=400, rng=7)
    two = simulate(pd_, ["tit-for-tat", "grim"], ("C", "C"), ("D", "D"), noise=0.02, runs=400, rng=7)
    assert one.equals(two)
    assert (one.first_breach <= one.breakdown).all()
    calm = simulate(pd_, ["grim", "grim"], ("C", "C"), ("D", "D"), noise=0.0, runs=10, periods=50, rng=1)
    assert (calm.first_breach == 50).all() and (calm.payoff_A == 3).all()
    # Forgiveness keeps a noisy ceasefire alive longer than grim trigger does (Nowak and Sigmund 1992).
    grim = simulate(pd_, ["grim", "grim"], ("C", "C"), ("D", "D"), noise=0.02, runs=2000, rng=3)
    kind = simulate(pd_, ["forgiving", "forgiving"], ("C", "C"), ("D", "D"), noise=0.02, runs=2000, rng=3)
    assert kind.payoff_A.mean() > grim.payoff_A.mean()
    with pytest.raises(GameError, match="unknown strategy"):
        simulate(pd_, ["tft", "grim"], ("C", "C"), ("D", "D"))

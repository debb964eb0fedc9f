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


# ------------------------------------------------------------ subgame perfection
def _cournot(quantities) -> NormalFormGame:
    """Cournot duopoly with inverse demand P = 1 - Q and no costs, on a grid of quantities that
    holds every best response the strategies below need (so the finite game's deviations are the
    continuous game's)."""
    qs = [F(q) for q in quantities]
    names = tuple(str(q) for q in qs)
    a = [[q1 * (1 - q1 - q2) for q2 in qs] for q1 in qs]
    b = [[q2 * (1 - q1 - q2) for q2 in qs] for q1 in qs]
    return NormalFormGame.from_arrays(a, b, strategies=(names, names))


COURNOT = _cournot(["1/4", "1/3", "3/8", "5/12", "7/24", "1/2"])
HALF_MONOPOLY = ("1/4", "1/4")


def test_stick_and_carrot_threshold_in_the_linear_cournot_duopoly():
    """Collusion on half the monopoly output (1/4 each, profit 1/8; best deviation 3/8, profit 9/64).
    Reverting to Cournot (1/3 each, profit 1/9) for ever needs delta >= 9/17 (Friedman 1971; Gibbons
    1992, *A Primer in Game Theory*, section 2.3.C).  Abreu's (1986, *J. Econ. Theory* 39, 191-225)
    two-phase punishment, one period of a high output x each then back to collusion, a deviation
    from the stick restarting it, needs delta >= (1/64) / (1/8 - x(1 - 2x)) on the path and
    delta >= ((3x - 1)^2 / 4) / (1/8 - x(1 - 2x)) in the stick; at the best stick, x = 5/12
    (best response 7/24), both bind at delta* = 9/32."""
    grim = sustainability(COURNOT, HALF_MONOPOLY, punishment=("1/3", "1/3"))
    assert grim.delta_star == sympy.Rational(9, 17) and grim.enforce == "restart"
    stick = sustainability(COURNOT, HALF_MONOPOLY, punishment=("5/12", "5/12"), periods=1)
    assert stick.delta_star == sympy.Rational(9, 32)
    assert {c.state for c in stick.constraints} == {"cooperate", "punish 1"}
    d = float(stick.delta_star)
    assert stick.one_shot_gains(d + 1e-6).gain.max() <= 1e-12
    assert stick.one_shot_gains(d - 1e-6).gain.max() > 0
    assert stick.classify(0.3) == "sustained by a credible punishment" and stick.holds(F(9, 32))
    assert not stick.holds(F(9, 33))


def test_a_harsher_stick_binds_in_the_punishment_not_on_the_path():
    """x = 1/2 (profit 0, best response 1/4 earning 1/16): the path needs only delta >= 1/8, but
    the stick itself needs (1/16) / (1/8) = 1/2.  A check of the cooperative state alone (the old
    formula) would report 1/8; between 1/8 and 1/2 the threat is not credible."""
    harsh = sustainability(COURNOT, HALF_MONOPOLY, punishment=("1/2", "1/2"), periods=1)
    assert harsh.cooperative_delta_star == sympy.Rational(1, 8)
    assert harsh.delta_star == sympy.Rational(1, 2)
    gains = harsh.one_shot_gains(0.3)
    assert gains.query("state == 'cooperate'").gain.max() <= 0
    assert gains.query("state == 'punish 1'").gain.min() > 0
    assert harsh.classify(0.3) == "sustained only by a non-credible threat"
    assert harsh.one_shot_gains(0.5 + 1e-6).gain.max() <= 1e-12
    # Enforced by reverting to Cournot for ever instead of restarting: in the stick,
    # delta/8 >= (1 - delta)/16 + delta/9, i.e. delta >= 9/11.
    reverting = sustainability(COURNOT, HALF_MONOPOLY, punishment=("1/2", "1/2"), periods=1, enforce=("1/3", "1/3"))
    assert reverting.delta_star == sympy.Rational(9, 11) and reverting.enforce == "1/3, 1/3"
    assert reverting.one_shot_gains(9 / 11 + 1e-6).gain.max() <= 1e-12
    assert reverting.one_shot_gains(9 / 11 - 1e-6).query("state == 'punish 1'").gain.max() > 0
    with pytest.raises(GameError, match="not a stage Nash equilibrium"):
        sustainability(COURNOT, HALF_MONOPOLY, punishment=("1/2", "1/2"), periods=1, enforce=("1/4", "1/4"))


def test_grim_punishment_that_is_no_stage_equilibrium_is_not_subgame_perfect():
    """Grim trigger with the harsh output for ever: the path needs delta >= 1/9, but in the
    punishment each firm gains 1/16 a period by best-responding, at every delta.  No discount
    factor makes the profile subgame perfect, and the result says so."""
    grim = sustainability(COURNOT, HALF_MONOPOLY, punishment=("1/2", "1/2"))
    assert grim.cooperative_delta_star == sympy.Rational(1, 9)
    assert grim.delta_star is None and all(v is None for v in grim.critical.values())
    for delta in (0.2, 0.5, 0.9, 0.999):
        gains = grim.one_shot_gains(delta)
        assert gains.query("state == 'punish'").gain.min() > 0
        assert grim.classify(delta) == "sustained only by a non-credible threat"
        assert not grim.holds(delta)
    assert "not subgame perfect at any discount factor" in grim.summary()
    assert grim.classify(0.05) == "not sustainable"


def test_a_stage_equilibrium_target_needs_no_repetition():
    """Cournot output as the target: delta* = 0 whatever the punishment, and the verdict says the
    repetition explains nothing."""
    result = sustainability(COURNOT, ("1/3", "1/3"), punishment=("1/2", "1/2"))
    assert result.delta_star == 0 and result.classify(0.0) == "one-shot equilibrium"
    assert "repetition explains nothing" in result.summary()


def _random_stage(draw_payoffs, shape):
    a = [[draw_payoffs[(0, r, c)] for c in range(shape[1])] for r in range(shape[0])]
    b = [[draw_payoffs[(1, r, c)] for c in range(shape[1])] for r in range(shape[0])]
    return NormalFormGame.from_arrays(a, b)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_state_verdict_agrees_with_the_numeric_automaton(data):
    """Property, on random 2x2 to 3x3 stage games with a random target and punishment, grim or of
    1-2 periods, restarted or reverting to a pure stage equilibrium: at random discount factors the
    closed-form verdict (credible, non-credible, not sustainable, one-shot) equals the one read off
    the numerically solved automaton's one-shot gains.  A formula that checks the cooperative
    state alone fails this test."""
    import itertools

    import numpy as np

    shape = (data.draw(st.integers(2, 3)), data.draw(st.integers(2, 3)))
    values = data.draw(st.lists(st.integers(-6, 6), min_size=2 * shape[0] * shape[1],
                                max_size=2 * shape[0] * shape[1]))
    payoffs = dict(zip(itertools.product(range(2), range(shape[0]), range(shape[1])), values, strict=True))
    game = _random_stage(payoffs, shape)
    cells = list(itertools.product(range(shape[0]), range(shape[1])))
    target = data.draw(st.sampled_from(cells))
    punish = data.draw(st.sampled_from(cells))
    periods = data.draw(st.sampled_from([None, 1, 2]))
    stage_nash = [c for c in cells if game.is_nash(game.pure_profile(c), tol=0)]
    enforce = data.draw(st.sampled_from(["restart", *stage_nash]))
    result = sustainability(game, target, punishment=punish, periods=periods, enforce=enforce)
    one_shot = game.is_nash(game.pure_profile(target), tol=0)
    for delta in data.draw(st.lists(st.floats(0.01, 0.99), min_size=3, max_size=3)):
        gains = result.one_shot_gains(delta)
        if np.min(np.abs(gains.gain)) < 1e-7:
            continue  # too close to a boundary for floating point to say
        coop = gains.query("state == 'cooperate'").gain.max() <= 0
        rest = gains.query("state != 'cooperate'").gain.max() <= 0
        expected = ("one-shot equilibrium" if one_shot else "not sustainable" if not coop else
                    "sustained by a credible punishment" if rest else "sustained only by a non-credible threat")
        assert result.classify(F(delta)) == expected
        assert result.holds(F(delta)) == (one_shot or (coop and rest))

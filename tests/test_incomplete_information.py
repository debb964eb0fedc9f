"""Bayesian games (Harsanyi transformation) and signaling games (perfect Bayesian equilibria)."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from negotiation.engine.bayesian import BayesianGame, SignalingGame
from negotiation.engine.solvers.tree import solve_tree

# Beer-quiche (Cho and Kreps 1987, QJE 102): the weak type (prior 1/10) prefers quiche,
# the strong type beer; each breakfast preference is worth 1 and avoiding a duel 2.  The
# receiver gains 1 by duelling the weak type and 1 by leaving the strong one alone.
BEER_QUICHE = SignalingGame(
    ("weak", "strong"), (F(1, 10), F(9, 10)), ("beer", "quiche"), ("duel", "no duel"),
    [[[0, 2], [1, 3]], [[1, 3], [0, 2]]],
    [[[1, 0], [1, 0]], [[0, 1], [0, 1]]],
    title="Beer-quiche",
)


def test_beer_quiche_has_both_pooling_equilibria_and_the_intuitive_criterion_keeps_beer():
    """Cho and Kreps (1987): two pooling equilibria, each deterring the other breakfast with a
    duel backed by the off-path belief P(weak) >= 1/2; only beer pooling is intuitive."""
    found = BEER_QUICHE.perfect_bayesian()
    assert sorted(eq.sender["weak"] for eq in found) == ["beer", "quiche"]
    assert all(eq.kind == "pooling" for eq in found)
    beer = next(eq for eq in found if eq.sender["weak"] == "beer")
    assert beer.receiver == {"beer": "no duel", "quiche": "duel"}
    assert beer.beliefs["beer"] == {"weak": F(1, 10), "strong": F(9, 10)}  # Bayes' rule on the path
    assert beer.off_path == {"quiche": "P(weak) in [1/2, 1]"}
    assert beer.payoffs == {"weak": 2, "strong": 3, "receiver": F(9, 10)}
    assert [eq.sender["weak"] for eq in BEER_QUICHE.perfect_bayesian(intuitive=True)] == ["beer"]


def test_signaling_equilibria_are_equilibria_of_the_tree():
    tree = BEER_QUICHE.to_tree()
    assert tree.has_perfect_recall()
    tree_payoffs = {eq.payoffs for eq in solve_tree(tree, "pure")}
    for eq in BEER_QUICHE.perfect_bayesian():
        expected_sender = sum(p * eq.payoffs[t] for t, p in zip(BEER_QUICHE.types, BEER_QUICHE.prior, strict=True))
        assert (expected_sender, eq.payoffs["receiver"]) in tree_payoffs


def test_job_market_signaling_separates_under_the_intuitive_criterion():
    """A two-type discrete version of Spence (1973): productivity 1 or 2, the firm pays the wage
    it expects the worker to be worth (2 when P(high) >= 1/2), education costs the low type 3/2
    and the high type 1/2, and the prior puts 2/3 on the low type.  Pooling on no education
    (wage 1) is a perfect Bayesian equilibrium but fails the intuitive criterion: only the high
    type could gain from educating.  The separating equilibrium passes it."""
    game = SignalingGame(
        ("low", "high"), (F(2, 3), F(1, 3)), ("no education", "education"), ("wage 1", "wage 2"),
        [[[1, 2], [F(-1, 2), F(1, 2)]], [[1, 2], [F(1, 2), F(3, 2)]]],
        [[[0, -1], [0, -1]], [[-1, 0], [-1, 0]]],
    )
    found = {eq.kind: eq for eq in game.perfect_bayesian()}
    assert set(found) == {"pooling", "separating"}
    assert found["separating"].sender == {"low": "no education", "high": "education"}
    assert found["separating"].intuitive and not found["pooling"].intuitive
    assert found["pooling"].off_path == {"education": "P(low) in [1/2, 1]"}


def test_bayesian_game_hand_solved():
    """Player 1 does not know whether player 2 is a hawk (fights whatever happens) or a dove
    (yields to a fighter, fights a yielder), each with probability 1/2.  Fighting a hawk costs
    player 1 2; so does fighting a fighting dove.  By hand: if player 1 fought, the dove would
    yield and player 1 would rather yield (1/2 > 0); so player 1 yields and both types fight.
    A mix would need the dove to fight with probability -1/3: the equilibrium is unique."""
    u1 = np.empty((2, 2, 2), dtype=object)  # [P2 type][a1][a2]
    u2 = np.empty((2, 2, 2), dtype=object)
    for t, both_fight in enumerate((1, -2)):  # hawk, dove
        u1[t] = [[-2, 2], [0, 1]]
        u2[t] = [[both_fight, 0], [2, 1]]
    payoffs = np.stack([u1, u2])[:, None]  # P1 has one type
    game = BayesianGame(("P1", "P2"), (("only",), ("hawk", "dove")), (("fight", "yield"),) * 2,
                        [[F(1, 2), F(1, 2)]], payoffs, "Hawk or dove")
    (eq,) = game.equilibria()
    assert eq["P1"]["only"] == {"fight": 0, "yield": 1}
    assert eq["P2"] == {"hawk": {"fight": 1, "yield": 0}, "dove": {"fight": 1, "yield": 0}}
    tree = game.to_tree()
    assert {e.payoffs for e in solve_tree(tree, "all")} == {(0, 2)}
    assert not game.is_equilibrium({"P1": {"only": {"fight": 1, "yield": 0}},
                                    "P2": {"hawk": {"fight": 1, "yield": 0}, "dove": {"fight": 0, "yield": 1}}})


def test_bad_incomplete_information_games_are_refused():
    with pytest.raises(ValueError, match="prior"):
        SignalingGame(("a", "b"), (F(1, 2), F(1, 3)), ("m",), ("r",), [[[0]], [[0]]], [[[0]], [[0]]])
    with pytest.raises(ValueError, match="shape"):
        BayesianGame(("A", "B"), (("x",), ("y",)), (("a",), ("b",)), [[1]], np.zeros((2, 1, 1, 2, 1)))

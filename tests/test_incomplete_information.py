"""Bayesian games (Harsanyi transformation) and signaling games (perfect Bayesian equilibria)."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation.engine.bayesian import BayesianGame, SignalingGame
from negotiation.engine.solvers.tree import is_equilibrium, solve_tree

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


def _behavior(game, eq):
    """A mixed PBE as a behaviour profile of the signaling game's tree."""
    out = {(0, t): tuple(eq.sender[t][m] for m in game.messages) for t in game.types}
    out |= {(1, f"after {m}"): tuple(eq.receiver[m][a] for a in game.responses) for m in game.messages}
    return out


def test_hybrid_equilibrium_of_beer_quiche_with_a_likely_weak_type():
    """Beer-quiche (Cho and Kreps 1987) with P(weak) = 2/3: no pure PBE survives (pooling on beer
    would be met by a duel, and the weak type would switch), and by hand the unique PBE is
    hybrid: the strong type drinks beer, the weak type mixes 1/2-1/2 so that P(weak | beer) =
    1/2 leaves the receiver indifferent, the receiver duels a beer drinker with probability 1/2
    so that the weak type is indifferent (1 = 2(1 - 1/2)), and always duels a quiche eater."""
    likely_weak = SignalingGame(BEER_QUICHE.types, (F(2, 3), F(1, 3)), BEER_QUICHE.messages,
                                BEER_QUICHE.responses, BEER_QUICHE.sender_payoffs, BEER_QUICHE.receiver_payoffs)
    assert likely_weak.perfect_bayesian() == []
    (eq,) = likely_weak.perfect_bayesian_mixed()
    assert eq.kind == "hybrid" and eq.exact
    assert eq.sender == {"weak": {"beer": F(1, 2), "quiche": F(1, 2)}, "strong": {"beer": 1, "quiche": 0}}
    assert eq.receiver == {"beer": {"duel": F(1, 2), "no duel": F(1, 2)}, "quiche": {"duel": 1, "no duel": 0}}
    assert eq.beliefs["beer"] == {"weak": F(1, 2), "strong": F(1, 2)}
    assert eq.payoffs == {"weak": 1, "strong": 2, "receiver": F(2, 3)}
    assert is_equilibrium(likely_weak.to_tree(), _behavior(likely_weak, eq))


def test_mixed_enumeration_contains_every_pure_pbe_and_each_is_a_tree_equilibrium():
    """Every pure PBE reappears among the behaviour-strategy ones (as degenerate mixes), the
    intuitive criterion agrees, and each equilibrium is a Nash equilibrium of the tree."""
    job = SignalingGame(
        ("low", "high"), (F(2, 3), F(1, 3)), ("no education", "education"), ("wage 1", "wage 2"),
        [[[1, 2], [F(-1, 2), F(1, 2)]], [[1, 2], [F(1, 2), F(3, 2)]]],
        [[[0, -1], [0, -1]], [[-1, 0], [-1, 0]]],
    )
    for game in (BEER_QUICHE, job):
        mixed = game.perfect_bayesian_mixed()
        for pure in game.perfect_bayesian():
            match = [m for m in mixed
                     if all(m.sender[t][pure.sender[t]] == 1 for t in game.types)
                     and all(m.receiver[msg][pure.receiver[msg]] == 1 for msg in game.messages)]
            assert len(match) == 1 and match[0].intuitive == pure.intuitive
        for eq in mixed:
            assert is_equilibrium(game.to_tree(), _behavior(game, eq))
        assert [eq.kind for eq in game.perfect_bayesian_mixed(intuitive=True)] and all(
            eq.intuitive for eq in game.perfect_bayesian_mixed(intuitive=True))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([(2, 2, 2), (2, 2, 3), (3, 2, 2)]))
def test_random_signaling_games_mixed_pbe_are_tree_equilibria(seed, shape):
    """Property: on seeded random signaling games every behaviour-strategy PBE found is a Nash
    equilibrium of the tree, and every pure PBE is among them."""
    rng = np.random.default_rng(seed)
    n_t, n_m, n_a = shape
    prior = [F(int(k), 1) for k in rng.integers(1, 4, n_t)]
    prior = tuple(p / sum(prior) for p in prior)
    game = SignalingGame(tuple(f"t{k}" for k in range(n_t)), prior, tuple(f"m{k}" for k in range(n_m)),
                         tuple(f"a{k}" for k in range(n_a)), rng.integers(-3, 4, (n_t, n_m, n_a)).tolist(),
                         rng.integers(-3, 4, (n_t, n_m, n_a)).tolist())
    mixed = game.perfect_bayesian_mixed()
    assert mixed  # a finite signaling game has a PBE
    tree = game.to_tree()
    for eq in mixed:
        assert is_equilibrium(tree, _behavior(game, eq))
    for pure in game.perfect_bayesian():
        assert any(all(m.sender[t][pure.sender[t]] == 1 for t in game.types)
                   and all(m.receiver[msg][pure.receiver[msg]] == 1 for msg in game.messages) for m in mixed)

"""Conditions of pure subgame-perfect and perfect Bayesian profiles of parametric trees: known
answers, and agreement with backward induction and with the signaling-game solver."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation.engine.bayesian import SignalingGame
from negotiation.engine.expressions import symbol
from negotiation.engine.extensive import ExtensiveFormGame, chance, decision, leaf
from negotiation.engine.sequential import tree_conditions, verify_profile
from negotiation.engine.symbolic import threshold
from negotiation.errors import GameError


def _entry() -> ExtensiveFormGame:
    """Selten's (1978) entry game: fighting costs the incumbent c."""
    return ExtensiveFormGame(("Entrant", "Incumbent"), decision("Entrant", {
        "out": leaf(0, 2),
        "in": decision("Incumbent", {"fight": leaf(-1, "-c"), "share": leaf(1, 1)}, infoset="incumbent"),
    }, infoset="entrant"), parameters=("c",))


def test_entry_deterrence_threat_is_not_credible():
    """(out, fight) is a Nash equilibrium whatever c, but subgame perfect only if fighting pays the
    incumbent, -c >= 1 (Selten 1978, *Theory and Decision* 9, 127-159): the off-path condition says so."""
    game = _entry()
    conds = tree_conditions(game, {"entrant": "out", "incumbent": "fight"})
    off = next(c for c in conds if c.at == "incumbent")
    assert off.on_path is False and sympy.simplify(off.margin - (-symbol("c") - 1)) == 0
    assert threshold(off, "c").holds == sympy.Interval(-sympy.oo, -1)
    assert not verify_profile(game.at(c=2), {"entrant": "out", "incumbent": "fight"})
    assert verify_profile(game.at(c=-2), {"entrant": "out", "incumbent": "fight"})
    share = tree_conditions(game, {"entrant": "in", "incumbent": "share"})
    assert all(c.on_path for c in share) and all(c.holds({"c": 2}) for c in share)


def _beer_quiche(prior: str) -> ExtensiveFormGame:
    """Beer-quiche (Cho and Kreps 1987, *QJE* 102, 179-221) with P(strong) a parameter: breakfast
    preference worth 1, avoiding the duel 2; the receiver wants to duel the weak type only."""
    def reply(kind: str, meal: str) -> object:
        pref = int((kind == "strong") == (meal == "beer"))
        wins = int(kind == "weak")
        return decision("Receiver", {"duel": leaf(pref, wins), "no duel": leaf(pref + 2, 1 - wins)},
                        infoset=f"after {meal}", name=f"{kind}/{meal}")

    return ExtensiveFormGame(("Sender", "Receiver"), chance({
        kind: (p, decision("Sender", {meal: reply(kind, meal) for meal in ("beer", "quiche")}, infoset=kind))
        for kind, p in (("strong", prior), ("weak", f"1 - {prior}"))
    }), parameters=("p",))


POOL_BEER = {"strong": "beer", "weak": "beer", "after beer": "no duel", "after quiche": "duel"}


def test_beer_quiche_pooling_needs_a_likely_strong_type_and_a_suspicious_belief():
    """Pooling on beer: the receiver keeps the peace after beer iff P(strong) >= 1/2 (Bayes' rule on
    the path: 2p - 1 >= 0), and duels after quiche iff the off-path belief P(weak | quiche) >= 1/2."""
    game = _beer_quiche("p")
    conds = tree_conditions(game, POOL_BEER, beliefs={"after quiche": {"weak/quiche": "3/4", "strong/quiche": "1/4"}})
    peace = next(c for c in conds if c.at == "after beer")
    assert peace.on_path and sympy.simplify(peace.margin - (2 * symbol("p") - 1)) == 0
    duel = next(c for c in conds if c.at == "after quiche")
    assert duel.on_path is False and duel.margin == sympy.Rational(1, 2)
    assert all(c.holds({"p": F(9, 10)}) for c in conds) and not peace.holds({"p": F(2, 5)})
    with pytest.raises(GameError, match="off the path of play: state the beliefs"):
        tree_conditions(game, POOL_BEER)
    with pytest.raises(GameError, match="sum to 1"):
        tree_conditions(game, POOL_BEER, beliefs={"after quiche": {"weak/quiche": "1/2", "strong/quiche": "1/4"}})
    with pytest.raises(GameError, match="on the path of play"):
        tree_conditions(game, POOL_BEER, beliefs={"after beer": {"weak/beer": 1, "strong/beer": 0}})
    assert verify_profile(game.at(p=F(9, 10)), POOL_BEER)


# ---------------------------------------------------------------- properties
def _random_tree(draw, depth: int, players: tuple[str, ...], counter: list[int]) -> object:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        pays = [draw(st.sampled_from(["t", "-t", "2*t - 1", "0", "1", "-1", "3", "t/2"])) for _ in players]
        return leaf(*pays)
    if draw(st.integers(0, 4)) == 0:
        return chance({"l": ("q", _random_tree(draw, depth - 1, players, counter)),
                       "r": ("1 - q", _random_tree(draw, depth - 1, players, counter))})
    counter[0] += 1
    label = f"n{counter[0]}"
    who = draw(st.sampled_from(players))
    return decision(who, {a: _random_tree(draw, depth - 1, players, counter) for a in ("a", "b")}, infoset=label)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_conditions_agree_with_backward_induction(data):
    """Property, on random perfect-information trees with chance moves, payoffs and chance
    probabilities in parameters t and q: at random values a pure profile meets every condition
    exactly when backward induction lists it among the subgame-perfect equilibria (and it is Nash).
    A check of the on-path conditions alone fails this test."""
    root = _random_tree(data.draw, 3, ("A", "B"), [0])
    if root.is_leaf:
        return
    game = ExtensiveFormGame(("A", "B"), root, parameters=("t", "q"))
    labels = sorted({k[1]: k for k in game.infosets})
    actions = {label: data.draw(st.sampled_from(["a", "b"])) for label in labels}
    conds = tree_conditions(game, actions)
    for _ in range(3):
        values = {"t": F(data.draw(st.integers(-4, 4)), 2), "q": F(data.draw(st.integers(1, 4)), 5)}
        symbolic = all(c.holds(values) for c in conds)
        assert symbolic == verify_profile(game.at(values), actions)


def _signaling(rng: np.random.Generator) -> SignalingGame:
    shape = (2, 2, 2)
    return SignalingGame(("t1", "t2"), (F(1, 3), F(2, 3)), ("m1", "m2"), ("r1", "r2"),
                         rng.integers(-3, 4, shape), rng.integers(-3, 4, shape))


def test_signaling_trees_agree_with_the_signaling_solver():
    """On 40 seeded random 2x2x2 signaling games: every pure PBE the signaling-game solver finds meets
    the tree conditions with its supporting beliefs; and a profile that uses both messages (beliefs
    by Bayes' rule everywhere) meets them exactly when the solver lists it."""
    rng = np.random.default_rng(2024)
    for _ in range(40):
        sg = _signaling(rng)
        tree = sg.to_tree()
        found = sg.perfect_bayesian()
        listed = set()
        for eq in found:
            actions = {**eq.sender, **{f"after {m}": r for m, r in eq.receiver.items()}}
            used = set(eq.sender.values())
            beliefs = {f"after {m}": {f"{t}/{m}": eq.beliefs[m][t] for t in sg.types}
                       for m in sg.messages if m not in used}
            assert all(c.holds({}) for c in tree_conditions(tree, actions, beliefs))
            listed.add(tuple(sorted(actions.items())))
        for send in itertools.permutations(sg.messages):
            for replies in itertools.product(sg.responses, repeat=2):
                actions = {"t1": send[0], "t2": send[1], "after m1": replies[0], "after m2": replies[1]}
                ok = all(c.holds({}) for c in tree_conditions(tree, actions))
                assert ok == (tuple(sorted(actions.items())) in listed)

"""Extensive-form games: known answers, .efg round trips, Kuhn's theorem, pygambit cross-checks."""

from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation import ExtensiveFormGame, catalog, chance, decision, leaf, solve_tree
from negotiation.cli import main
from negotiation.engine.families import kuhn_poker
from negotiation.engine.solvers.tree import is_equilibrium
from negotiation.errors import GameError, SolverError
from negotiation.io import format_efg
from negotiation.io.efg import parse_efg, to_tree
from tests.conftest import gambit_lcp_payoffs, gambit_payoffs


def named(game, eq):
    return {p: {s: {a: v for a, v in acts.items()} for s, acts in sets.items()}
            for p, sets in game.named(eq.behavior).items()}


def test_entry_deterrence_spe_against_the_non_credible_threat():
    """Selten (1978), the chain store paradox, one stage: the only subgame-perfect equilibrium is
    (in, cooperate); (out, fight) is a Nash equilibrium only because of a threat the incumbent
    would not carry out."""
    game = catalog.load("entry-deterrence")
    (spe,) = solve_tree(game, "spe").equilibria
    assert named(game, spe) == {"Entrant": {"start": {"out": 0, "in": 1}},
                                "Incumbent": {"entered": {"cooperate": 1, "fight": 0}}}
    assert spe.payoffs == (2, 2)
    nash = solve_tree(game, "all").equilibria
    threat = [eq for eq in nash if eq.behavior[(1, "entered")] == (0, 1)]
    assert len(threat) == 1 and threat[0].payoffs == (1, 5)
    assert is_equilibrium(game, threat[0].behavior)
    assert not is_equilibrium(game, threat[0].behavior, subgame_perfect=True)


def test_centipede_unravels():
    """McKelvey and Palfrey (1992), Figure 1: backward induction takes at every node."""
    game = catalog.load("centipede")
    result = solve_tree(game, "spe")
    assert result.algorithm == "backward induction"
    (spe,) = result.equilibria
    assert all(probs == (1, 0) for probs in spe.behavior.values())  # "take" everywhere
    assert spe.payoffs == (F(2, 5), F(1, 10))
    assert result.path(spe) == [{"actions": ["take"], "probability": "1"}]


def test_kuhn_poker_value_is_minus_one_eighteenth():
    """Kuhn (1950): the first player's value is -1/18."""
    game = catalog.load("kuhn-poker")
    assert game.has_perfect_recall() and not game.is_perfect_information()
    (eq,) = solve_tree(game, "one").equilibria
    assert eq.payoffs == (F(-1, 18), F(1, 18))
    nf, _ = game.strategic_form()
    assert nf.shape == (27, 64)  # reduced: 3 plans per card for P1, 4 per card for P2
    assert np.array_equal(kuhn_poker(3).strategic_form()[0].payoffs, nf.payoffs)  # the family's 3-card member
    pytest.importorskip("pygambit")
    assert gambit_lcp_payoffs(catalog.path("kuhn-poker"))[0] == F(-1, 18)


def test_ties_give_every_pure_subgame_perfect_equilibrium():
    game = ExtensiveFormGame(("A", "B"), decision("A", {
        "l": decision("B", {"x": leaf(1, 0), "y": leaf(0, 0)}, infoset="after l"),
        "r": leaf(F(1, 2), 1),
    }, infoset="root"))
    spe = solve_tree(game, "spe").equilibria
    # B is indifferent: x makes A go left, y makes A go right.
    assert {(eq.behavior[(1, "after l")], eq.behavior[(0, "root")]) for eq in spe} == {((1, 0), (1, 0)),
                                                                                      ((0, 1), (0, 1))}


def test_imperfect_information_subgames_are_solved_bottom_up():
    """A simultaneous-move subgame (matching pennies) after an outside option: the subgame's
    mixed equilibrium (value 0) makes the outside option 1/2 better."""
    pennies = decision("A", {
        "heads": decision("B", {"heads": leaf(1, -1), "tails": leaf(-1, 1)}, infoset="guess"),
        "tails": decision("B", {"heads": leaf(-1, 1), "tails": leaf(1, -1)}, infoset="guess"),
    }, infoset="play")
    game = ExtensiveFormGame(("A", "B"), decision("A", {"outside": leaf(F(1, 2), 0), "enter": pennies},
                                                  infoset="start"))
    (spe,) = solve_tree(game, "spe").equilibria
    assert spe.behavior[(0, "start")] == (1, 0)
    assert spe.behavior[(0, "play")] == (F(1, 2), F(1, 2)) and spe.behavior[(1, "guess")] == (F(1, 2), F(1, 2))
    assert solve_tree(game, "spe").algorithm == "subgames solved bottom-up"


@pytest.mark.parametrize("name", ["entry-deterrence", "centipede", "kuhn-poker"])
def test_efg_round_trip(name, tmp_path):
    game = catalog.load(name)
    text = format_efg(game, catalog.provenance(name))
    again = to_tree(parse_efg(text))
    assert format_efg(again, catalog.provenance(name)) == text
    assert again.infosets == game.infosets
    assert text == catalog.path(name).read_text(encoding="utf-8")


def _random_tree(rng, depth, counter):
    if depth <= 0 or rng.random() < 0.2:
        return leaf(*(int(v) for v in rng.integers(0, 4, 2)))
    player = ("A", "B")[depth % 2]
    if depth >= 2 and rng.random() < 0.3:  # a simultaneous move: the other player's nodes share a set
        counter[0] += 1
        other = ("A", "B")[(depth + 1) % 2]
        return decision(player, {a: decision(other, {b: _random_tree(rng, depth - 2, counter) for b in "lr"},
                                             infoset=f"s{counter[0]}") for a in "ud"})
    if rng.random() < 0.15:
        return chance({"h": (F(1, 3), _random_tree(rng, depth - 1, counter)),
                       "t": (F(2, 3), _random_tree(rng, depth - 1, counter))})
    return decision(player, {a: _random_tree(rng, depth - 1, counter) for a in "xy"})


def test_equilibrium_payoffs_agree_with_pygambit_on_random_trees(tmp_path):
    gbt = pytest.importorskip("pygambit")
    rng = np.random.default_rng(np.random.SeedSequence(55))
    compared = 0
    for k in range(60):
        game = ExtensiveFormGame(("A", "B"), _random_tree(rng, 3, [0]))
        if len({key[0] for key in game.infosets}) < 2:
            continue
        ours = {eq.payoffs for eq in solve_tree(game, "all")}
        path = tmp_path / f"t{k}.efg"
        path.write_text(format_efg(game))
        theirs_game = gbt.read_efg(str(path))
        theirs = {gambit_payoffs(eq) for eq in gbt.nash.enummixed_solve(theirs_game, rational=True).equilibria}
        assert ours == theirs, format_efg(game)
        for eq in solve_tree(game, "spe"):
            assert is_equilibrium(game, eq.behavior, subgame_perfect=True)
        compared += 1
    assert compared >= 30


def test_kuhn_conversions_preserve_outcome_distributions():
    game = catalog.load("kuhn-poker")
    _, plans = game.strategic_form()
    rng = np.random.default_rng(np.random.SeedSequence(3))
    for _ in range(5):
        behavior = {}
        for key, actions in game.infosets.items():
            w = [F(int(v), 10) for v in rng.integers(1, 10, len(actions))]
            behavior[key] = [x / sum(w) for x in w]
        mixed = game.mixed_from_behavior(plans, behavior)
        assert all(sum(m) == 1 for m in mixed)
        assert game.behavior_from_mixed(plans, mixed) == behavior
        # The outcome distribution of the mixed profile, summed over pairs of plans.
        total = {}
        for p1, w1 in zip(plans[0], mixed[0], strict=True):
            for p2, w2 in zip(plans[1], mixed[1], strict=True):
                pure = {k: [int(b == a) for b in range(len(game.infosets[k]))] for k, a in {**p1, **p2}.items()}
                for leaf_path, prob in game.outcome_distribution(pure).items():
                    total[leaf_path] = total.get(leaf_path, 0) + w1 * w2 * prob
        expected = game.outcome_distribution(behavior)
        assert {k: v for k, v in total.items() if v} == {k: v for k, v in expected.items() if v}


def test_imperfect_recall_and_bad_trees_are_refused():
    forgetful = ExtensiveFormGame(("A",), decision("A", {
        "x": decision("A", {"l": leaf(1), "r": leaf(0)}, infoset="later"),
        "y": decision("A", {"l": leaf(0), "r": leaf(1)}, infoset="later"),
    }, infoset="first"))
    assert not forgetful.has_perfect_recall()
    with pytest.raises(SolverError, match="perfect recall"):
        solve_tree(forgetful, "spe")
    with pytest.raises(GameError, match="not a distribution"):
        ExtensiveFormGame(("A",), chance({"a": (F(1, 2), leaf(1)), "b": (F(1, 3), leaf(0))}))
    with pytest.raises(GameError, match="needs 2 payoffs"):
        ExtensiveFormGame(("A", "B"), decision("A", {"x": leaf(1), "y": leaf(1, 2)}))
    with pytest.raises(GameError, match="has actions"):
        ExtensiveFormGame(("A", "B"), decision("A", {
            "x": decision("B", {"l": leaf(1, 1), "r": leaf(0, 0)}, infoset="s"),
            "y": decision("B", {"l": leaf(1, 1), "m": leaf(0, 0)}, infoset="s"),
        }))


def test_cli_solves_a_tree_to_behaviour_json(capsys):
    assert main(["solve", str(catalog.path("entry-deterrence")), "--method", "spe", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (eq,) = data["equilibria"]
    assert eq["behavior"]["Incumbent"]["entered"] == {"cooperate": "1", "fight": "0"}
    assert eq["payoffs"] == {"Entrant": "2", "Incumbent": "2"}
    assert eq["path"] == [{"actions": ["in", "cooperate"], "probability": "1"}]
    assert main(["solve", "centipede"]) == 0 and "backward induction" in capsys.readouterr().out
    assert main(["solve", "chicken", "--method", "spe"]) == 2
    assert "applies to game trees" in capsys.readouterr().err


def test_reduced_strategic_form_preserves_equilibrium_payoffs():
    """Reduction only merges strategies that differ where the player's own moves exclude play,
    so the equilibrium payoffs of the reduced and the full strategic form coincide."""
    from negotiation import solve
    from negotiation.io.efg import strategic_form

    rng = np.random.default_rng(np.random.SeedSequence(7))
    compared = 0
    for _ in range(40):
        game = ExtensiveFormGame(("A", "B"), _random_tree(rng, 3, [0]))
        if len({key[0] for key in game.infosets}) < 2:
            continue
        reduced, _ = game.strategic_form()
        full = strategic_form(parse_efg(format_efg(game)))
        assert np.prod(reduced.shape) <= np.prod(full.shape)
        pays = [{tuple(eq.payoffs.values()) for eq in solve(nf, "all", exact=True)} for nf in (reduced, full)]
        assert pays[0] == pays[1]
        compared += 1
    assert compared >= 20


def test_symbolic_tree_payoffs():
    """Payoffs as expressions of a leverage parameter: the threat to retaliate is credible (and
    deters the advance in the subgame-perfect equilibrium) exactly while retaliating costs
    Turkey no more than acquiescing, i.e. cost <= 1."""
    from negotiation import ParametricGame, conditions

    crisis = ExtensiveFormGame(("Regime", "Turkey"), decision("Regime", {
        "halt": leaf(0, 0),
        "advance": decision("Turkey", {"retaliate": leaf(-2, "-cost"), "acquiesce": leaf(1, -1)},
                            infoset="after advance"),
    }, infoset="start"), parameters=("cost",))
    assert crisis.is_symbolic
    nf, _ = crisis.strategic_form()
    assert isinstance(nf, ParametricGame)
    (_, turkey) = conditions(nf, ("advance", "retaliate"))
    assert str(turkey.margin) == "1 - cost"
    for cost in (F(1, 4), F(3, 4), F(5, 4), 2):
        spe = solve_tree(crisis.at(cost=cost), "spe").equilibria
        halts = {eq.behavior[(0, "start")] for eq in spe}
        assert halts == ({(1, 0)} if cost < 1 else {(0, 1)})
    with pytest.raises(SolverError, match="at chosen values"):
        solve_tree(crisis)
    with pytest.raises(GameError, match="unknown parameter 'cots'"):
        ExtensiveFormGame(("A",), leaf("cots"), parameters=("cost",))


def test_sequence_form_solves_zero_sum_trees_beyond_the_strategic_form():
    """Kuhn (1950): the three-card value -1/18 from the sequence-form LPs; a 13-card version,
    whose reduced strategic form has 3**13 x 4**13 profiles, is solved and checked by best
    responses on the tree; the four-card value agrees with pygambit's sequence-form LCP."""
    from negotiation.errors import BudgetError

    (eq,) = solve_tree(catalog.load("kuhn-poker"), "sequence").equilibria
    assert eq.payoffs[0] == pytest.approx(-1 / 18, abs=1e-9)
    big = kuhn_poker(13)
    with pytest.raises(BudgetError):
        big.strategic_form()
    (eq13,) = solve_tree(big, "sequence").equilibria
    assert eq13.payoffs[0] == pytest.approx(-eq13.payoffs[1]) and eq13.payoffs[0] < 0
    pytest.importorskip("pygambit")
    four = kuhn_poker(4)
    (eq4,) = solve_tree(four, "sequence").equilibria
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/kuhn4.efg"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(format_efg(four))
        assert eq4.payoffs[0] == pytest.approx(float(gambit_lcp_payoffs(path)[0]), abs=1e-9)


def test_sequence_form_lcp_finds_verified_equilibria_of_general_sum_trees(tmp_path):
    """Lemke on the sequence-form LCP (Koller, Megiddo and von Stengel 1996): on seeded random
    general-sum trees every result has exact payoffs and zero regret in the reduced strategic
    form; on Kuhn poker it gives the value -1/18 (Kuhn 1950) exactly; a raked 13-card poker, far
    beyond the strategic form, is solved and checked by best responses on the tree; on the raked
    4-card poker the equilibrium payoffs equal pygambit's sequence-form LCP exactly."""
    from negotiation.engine.solvers.sequence import sequence_form_lcp

    poker = catalog.load("kuhn-poker")
    assert poker.expected_payoffs(sequence_form_lcp(poker))[0] == F(-1, 18)
    rng = np.random.default_rng(np.random.SeedSequence(5))
    solved = 0
    for _ in range(80):
        game = ExtensiveFormGame(("A", "B"), _random_tree(rng, 4, [0]))
        if not game.has_perfect_recall() or len({sum(nd.payoffs) for _, nd in game.walk() if nd.is_leaf}) == 1:
            continue
        (eq,) = solve_tree(game, "sequence").equilibria
        assert all(isinstance(v, F) for v in eq.payoffs)
        assert is_equilibrium(game, eq.behavior)
        solved += 1
    assert solved > 40
    # A general-sum poker: a rake of 1/10 of each pot leaves the table, so the game is not zero-sum.
    raked = solve_tree(kuhn_poker(13, rake=F(1, 10)), "sequence")
    assert "Lemke" in raked.algorithm and sum(raked.equilibria[0].payoffs) < 0
    # Gambit's lcp_solve follows the same path (KMvS, covering vector 1) to the same equilibrium.
    pytest.importorskip("pygambit")
    four = kuhn_poker(4, rake=F(1, 10))
    (eq4,) = solve_tree(four, "sequence").equilibria
    path = tmp_path / "raked4.efg"
    path.write_text(format_efg(four))
    assert eq4.payoffs == gambit_lcp_payoffs(path)


def test_plan_counts_match_the_listed_plans():
    for name in ("entry-deterrence", "centipede", "kuhn-poker"):
        game = catalog.load(name)
        for i in range(game.n_players):
            assert game.plan_count(i) == len(game.plans(i))
    assert kuhn_poker(13).plan_count(0) == 3**13 and kuhn_poker(13).plan_count(1) == 4**13


# ------------------------------------------------------------------ trees at scale
def _chain(n: int):
    """A centipede-like chain of n decision nodes with no ties: the mover at node k stops for
    (k + 1/4, k + 3/4) or passes on; the last pass gives (n, n + 1/2)."""
    from negotiation.engine.extensive import decision, leaf

    node = leaf(n, F(2 * n + 1, 2))
    for k in range(n, 0, -1):
        node = decision("AB"[k % 2], {"stop": leaf(k + F(1, 4), k + F(3, 4)), "go": node}, infoset=f"n{k}")
    return node


def test_backward_induction_is_linear_and_iterative():
    """A chain of 1,500 decision nodes (once a RecursionError) and a tree of 2^14 leaves are solved
    by one bottom-up pass; the chain's equilibrium equals a direct computation from its end (the
    mover at node k stops iff stopping gives it at least the value of passing on)."""
    import random

    from negotiation.engine.extensive import decision, leaf

    chain = ExtensiveFormGame(("A", "B"), _chain(1500))
    (eq,) = solve_tree(chain, "spe").equilibria
    value, stops = (F(1500), F(3001, 2)), {}
    for k in range(1500, 0, -1):
        i = 1 if k % 2 else 0  # the mover at node k: "AB"[k % 2]
        stop = (k + F(1, 4), k + F(3, 4))
        stops[k] = stop[i] >= value[i]
        value = stop if stops[k] else value
    assert tuple(eq.payoffs) == value
    assert all((eq.behavior[(1 if k % 2 else 0, f"n{k}")][0] == 1) == stops[k] for k in range(1, 1501))
    rnd = random.Random(7)
    labels = iter(range(10**6))

    def build(d: int):
        if d == 0:
            return leaf(rnd.randint(0, 10**9), rnd.randint(0, 10**9))
        label = f"n{next(labels)}"
        return decision("AB"[d % 2], {"l": build(d - 1), "r": build(d - 1)}, infoset=label)

    big = ExtensiveFormGame(("A", "B"), build(14))
    result = solve_tree(big, "spe")
    assert len(result) == 1 and result.algorithm == "backward induction"


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_linear_backward_induction_agrees_with_the_subgame_enumeration(seed):
    """Property: on random perfect-information trees with chance moves and distinct payoffs, the
    linear pass returns the same unique equilibrium as solving every subgame bottom-up."""
    import random

    from negotiation.engine.extensive import chance, decision, leaf
    from negotiation.engine.solvers import tree as tree_solver

    rnd = random.Random(seed)
    labels = iter(range(10**6))
    values = iter(rnd.sample(range(10**6), 4000))

    def build(d: int):
        if d == 0 or rnd.random() < 0.2:
            return leaf(next(values), next(values))
        if rnd.random() < 0.2:
            return chance({"h": (F(1, 3), build(d - 1)), "t": (F(2, 3), build(d - 1))})
        label = f"n{next(labels)}"
        return decision(rnd.choice("AB"), {a: build(d - 1) for a in "xyz"[: rnd.randint(2, 3)]}, infoset=label)

    game = ExtensiveFormGame(("A", "B"), build(4))
    if game.root.is_leaf:
        return
    fast = tree_solver._backward_induction(game)
    if fast is None:  # a tie after a chance average: nothing to compare
        return
    slow = tree_solver._spe(game, ())
    assert len(slow) == 1
    payoffs, behavior = slow[0]
    assert tuple(payoffs) == tuple(fast[0])
    full = tree_solver._complete(game, behavior)
    assert all(tuple(full[k]) == tuple(v) for k, v in fast[1].items())

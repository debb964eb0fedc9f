"""The graph model for conflict resolution: stability tables and their interrelationships."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation.engine.gmcr import CONCEPTS, GraphModel, parse_statement
from negotiation.errors import GameError


def _two_by_two(first: list[str], second: list[str]) -> GraphModel:
    """Two DMs with one option each ("A defects", "B defects"), ranked explicitly."""
    return GraphModel.from_options({"A": ["a"], "B": ["b"]}, rankings={"A": first, "B": second})


def test_prisoners_dilemma_in_graph_form():
    """The prisoner's dilemma in graph form (each prefers defecting on a cooperator, then mutual
    cooperation, mutual defection, being defected on).  Mutual defection is the only Nash
    equilibrium; mutual cooperation is also a general and a symmetric metaequilibrium, Howard's
    (1971, *Paradoxes of Rationality*) resolution of the dilemma, and sequentially stable
    (Fraser and Hipel 1984, *Conflict Analysis*): a defection is answered by the other's
    defection, which the defector likes less and the answerer more.  Definitions as in Fang,
    Hipel and Kilgour (1993, ch. 3)."""
    pd_ = _two_by_two(["a", "-", "a & b", "b"], ["b", "-", "a & b", "a"])
    labels = {k + 1: pd_.state_label(k) for k in range(4)}
    assert labels == {1: "-", 2: "b", 3: "a", 4: "a & b"}
    assert pd_.equilibria("Nash") == [4]
    for concept in ("GMR", "SMR", "SEQ"):
        assert pd_.equilibria(concept) == [1, 4]
    table = pd_.stability()
    assert list(table.columns[:3]) == ["state", "a", "b"] and table["Nash equilibrium"].tolist() == [0, 0, 0, 1]


def test_chicken_in_graph_form():
    """In chicken (defecting on a cooperator, mutual cooperation, being defected on, and
    mutual defection last) the two 'one swerves' states are Nash equilibria; mutual
    cooperation is GMR and SMR stable (a defection can be answered by the crash) but not
    SEQ stable, because the crash is no improvement for the one who would cause it."""
    chicken = _two_by_two(["a", "-", "b", "a & b"], ["b", "-", "a", "a & b"])
    assert chicken.equilibria("Nash") == [2, 3]
    assert chicken.equilibria("GMR") == [1, 2, 3]
    assert chicken.equilibria("SMR") == [1, 2, 3]
    assert chicken.equilibria("SEQ") == [2, 3]


def test_option_prioritization_and_irreversibility():
    """Option prioritization scores a state 2^(K-k) per satisfied statement (Fang et al. 2003)."""
    model = GraphModel.from_options(
        {"Turkey": ["escalate"], "Russia": ["press"]},
        preferences={"Turkey": ["not press", "not escalate", "escalate iff press"],
                     "Russia": ["not escalate", "press"]},
        infeasible=[])
    # Turkey scores '-' 4+2+1, 'escalate' 4, 'press' 2 and 'escalate & press' 1.
    assert [[model.state_label(k) for k in tier] for tier in model.tiers[0]] == [
        ["-"], ["escalate"], ["press"], ["escalate & press"]]
    assert model.equilibria("Nash") == [2]  # Russia presses, Turkey holds: Russia's best
    one_way = GraphModel.from_options({"A": ["a"], "B": ["b"]}, rankings={"A": ["-", "a", "b", "a & b"],
                                      "B": ["-", "a", "b", "a & b"]}, irreversible={"a": "forward"})
    a_only = one_way.states.index((True, False))
    assert one_way.moves(0, a_only) == []


def test_statement_errors_name_the_problem():
    with pytest.raises(GameError, match="unknown option 'c'"):
        parse_statement("a and c", ["a", "b"])
    with pytest.raises(GameError, match="missing"):
        parse_statement("(a or b", ["a", "b"])
    with pytest.raises(GameError, match="unexpected"):
        parse_statement("a; import os", ["a"])
    with pytest.raises(GameError, match="missing \\[4\\]"):
        _two_by_two(["a", "-", "b"], ["b", "-", "a", "a & b"])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 3), st.integers(0, 2**31 - 1))
def test_stability_interrelationships(n_dms, seed):
    """Fang, Hipel and Kilgour (1989), EJOR 41, 86-100: Nash-stable states are SMR- and
    SEQ-stable, and those are GMR-stable, for every DM, on random conflicts."""
    rng = np.random.default_rng(seed)
    names = [f"d{k}" for k in range(n_dms)]
    options = {dm: [f"{dm}o{j}" for j in range(int(rng.integers(1, 3)))] for dm in names}
    all_options = [o for dm in names for o in options[dm]]
    infeasible = [f"{all_options[0]} and {all_options[-1]}"] if rng.random() < 0.3 else []
    base = GraphModel.from_options(options, preferences={dm: [all_options[0]] for dm in names}, infeasible=infeasible)
    n_states = len(base.states)
    rankings = {}
    for dm in names:
        order = [int(k) + 1 for k in rng.permutation(n_states)]
        tiers, k = [], 0
        while k < len(order):
            size = int(rng.integers(1, 3))
            tiers.append(order[k:k + size])
            k += size
        rankings[dm] = tiers
    model = GraphModel.from_options(options, rankings=rankings, infeasible=infeasible)
    for k in range(n_states):
        for i in range(n_dms):
            s = {c: model.is_stable(k, i, c) for c in CONCEPTS}
            assert not s["Nash"] or (s["SMR"] and s["SEQ"])
            assert not s["SMR"] or s["GMR"]
            assert not s["SEQ"] or s["GMR"]


def test_three_dms_sanction_by_a_legal_sequence_of_two_moves():
    """With three DMs the others answer by legal sequences (no DM twice in a row; Fang, Hipel and
    Kilgour 1993, ch. 3).  Here A's only improvement from '-' is to take a; neither B nor C alone
    can then hurt A, but B followed by C reaches 'a & b & c', which A likes less than '-': the
    status quo is GMR-stable for A, and SEQ-stable only if each sanctioning move improves its
    mover (it does for B; for C only in the first variant)."""
    rest = ["b", "c", "b & c"]

    def model(c_likes_the_sanction: bool) -> GraphModel:
        c_rank = ["a & b & c", "a & b"] if c_likes_the_sanction else ["a & b", "a & b & c"]
        return GraphModel.from_options(
            {"A": ["a"], "B": ["b"], "C": ["c"]},
            rankings={"A": ["a", "a & b", "a & c", "-", "a & b & c", *rest],
                      "B": ["a & b", "a", "a & c", "-", "a & b & c", *rest],
                      "C": [*c_rank, "a", "a & c", "-", *rest]})

    for variant in (True, False):
        m = model(variant)
        status_quo = m.states.index((False, False, False))
        assert not m.is_stable(status_quo, 0, "Nash")
        assert m.is_stable(status_quo, 0, "GMR") and m.is_stable(status_quo, 0, "SMR")
        assert m.is_stable(status_quo, 0, "SEQ") is variant
        # Without the legal sequence (B and C each moving once) there would be no sanction.
        after = m.states.index((True, False, False))
        singles = {t for j in (1, 2) for t in m.moves(j, after)}
        assert all(m._rank(0)[t] < m._rank(0)[status_quo] for t in singles)

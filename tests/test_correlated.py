"""Correlated equilibria: Aumann's chicken, obedience, and the mediator's recommendations."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation import NormalFormGame, solve
from negotiation.engine.correlated import correlated_equilibrium, is_correlated_equilibrium
from negotiation.errors import SolverError

CD = (("C", "D"), ("C", "D"))
CHICKEN = NormalFormGame.from_arrays([[6, 2], [7, 0]], [[6, 7], [2, 0]], players=("Row", "Col"), strategies=CD)


def test_aumanns_correlated_equilibrium_of_chicken():
    """Aumann (1974), Section 4: in chicken with payoffs 6/6, 2/7, 7/2, 0/0 the mediator that
    draws (C,C), (C,D), (D,C) with probability 1/3 each gives (5, 5), outside the convex hull of
    the Nash payoffs (7,2), (2,7), (14/3,14/3), whose welfare is at most 28/3 < 10."""
    third = F(1, 3)
    aumann = np.array([[third, third], [third, 0]], dtype=object)
    assert is_correlated_equilibrium(CHICKEN, aumann)
    payoff = [sum(CHICKEN.payoffs[(i, *c)] * aumann[c] for c in np.ndindex(2, 2)) for i in range(2)]
    assert payoff == [5, 5]
    nash = [tuple(eq.payoffs.values()) for eq in solve(CHICKEN, "all", exact=True)]
    assert sorted(nash) == [(2, 7), (F(14, 3), F(14, 3)), (7, 2)]
    assert max(sum(p) for p in nash) < sum(payoff)
    # The welfare-maximising correlated equilibrium does better still: (C,C) half the time.
    best = correlated_equilibrium(CHICKEN)
    assert best.exact and best.payoffs == {"Row": F(21, 4), "Col": F(21, 4)}
    assert best.distribution.tolist() == [[F(1, 2), F(1, 4)], [F(1, 4), 0]]
    # The mediator's recommendation, as the party hears it.
    assert best.recommend("Row", "C") == {("C",): F(2, 3), ("D",): F(1, 3)}
    assert best.recommend("Row", "D") == {("C",): 1}
    assert (best.obedience().gain <= 0).all()
    assert set(best.to_frame().columns) == {"Row", "Col", "probability"}
    # One party's best: Row's favourite correlated equilibrium is its favourite Nash equilibrium.
    assert correlated_equilibrium(CHICKEN, "Row").payoffs["Row"] == 7


def test_prisoners_dilemma_has_only_mutual_defection():
    pd_ = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]], strategies=CD)
    ce = correlated_equilibrium(pd_)
    assert ce.distribution.tolist() == [[0, 0], [0, 1]]
    with pytest.raises(SolverError, match="neither"):
        correlated_equilibrium(pd_, "Nobody")


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.integers(0, 2**31 - 1))
def test_correlated_equilibria_obey_and_contain_nash(m, n, seed):
    """Properties: every returned distribution passes the obedience check; every Nash equilibrium
    (as a product distribution) is a correlated equilibrium, so the best CE welfare is at least
    the best Nash welfare; and CE are coarse CE, so the best CCE welfare is at least as high."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(-4, 5, size=(2, m, n))
    game = NormalFormGame.from_arrays(a.astype(int).tolist(), b.astype(int).tolist())
    weights = rng.integers(0, 4, size=(m, n))
    for objective in ("welfare", "P1", weights):
        ce = correlated_equilibrium(game, objective)
        assert is_correlated_equilibrium(game, ce.distribution, tol=1e-7)
    best_ce = sum(correlated_equilibrium(game).payoffs.values())
    for eq in solve(game, "all", exact=True):
        x, y = eq.profile.probabilities
        product = np.outer(x, y)
        assert is_correlated_equilibrium(game, product)
        assert float(best_ce) >= float(sum(eq.payoffs.values())) - 1e-9
    cce = correlated_equilibrium(game, coarse=True)
    assert is_correlated_equilibrium(game, cce.distribution, coarse=True, tol=1e-7)
    assert float(sum(cce.payoffs.values())) >= float(best_ce) - 1e-9

"""Properties of the equilibrium set that must hold for every game (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation import NormalFormGame, solve
from tests.conftest import as_key


@st.composite
def bimatrix(draw, low=0, high=4, max_size=4):
    m = draw(st.integers(1, max_size))
    n = draw(st.integers(1, max_size))
    cells = st.integers(low, high)
    a = np.array(draw(st.lists(cells, min_size=m * n, max_size=m * n))).reshape(m, n)
    b = np.array(draw(st.lists(cells, min_size=m * n, max_size=m * n))).reshape(m, n)
    return a, b


def eq_set(a, b):
    return {as_key(eq.profile) for eq in solve(NormalFormGame.from_arrays(a, b), "all", exact=True)}


@settings(max_examples=80, deadline=None)
@given(bimatrix())
def test_every_equilibrium_has_zero_regret_and_no_duplicates(game):
    a, b = game
    result = solve(NormalFormGame.from_arrays(a, b), "all", exact=True)
    assert len(result) >= 1
    assert all(eq.regret == 0 for eq in result)
    assert len({as_key(eq.profile) for eq in result}) == len(result)
    floats = solve(NormalFormGame.from_arrays(a, b), "all")
    assert all(float(eq.regret) <= 1e-9 * floats.game.payoff_scale() for eq in floats)


@settings(max_examples=60, deadline=None)
@given(bimatrix(), st.integers(1, 5), st.integers(-7, 7), st.integers(1, 5), st.integers(-7, 7))
def test_invariant_under_positive_affine_transforms(game, s1, c1, s2, c2):
    a, b = game
    assert eq_set(a, b) == eq_set(s1 * a + c1, s2 * b + c2)


@settings(max_examples=60, deadline=None)
@given(bimatrix(), st.randoms(use_true_random=False))
def test_invariant_under_strategy_permutations(game, rnd):
    a, b = game
    rows = list(range(a.shape[0]))
    cols = list(range(a.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    permuted = eq_set(a[np.ix_(rows, cols)], b[np.ix_(rows, cols)])
    mapped = {(tuple(x[r] for r in rows), tuple(y[c] for c in cols)) for x, y in eq_set(a, b)}
    assert permuted == mapped


@settings(max_examples=60, deadline=None)
@given(bimatrix(low=-1000, high=1000, max_size=5))
def test_nondegenerate_games_have_an_odd_number_of_equilibria(game):
    a, b = game
    result = solve(NormalFormGame.from_arrays(a, b), "all", exact=True)
    if result.degenerate is False:
        assert len(result) % 2 == 1
        assert not result.has_continuum


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=3), st.data())
def test_exact_deviation_payoffs_equal_the_sum_over_cells(shape, data):
    """Rational payoffs and strategies: the contraction over one common denominator gives
    each pure strategy's payoff exactly as the sum over the others' cells does."""
    import itertools
    from fractions import Fraction

    from negotiation.engine.numbers import exact_array
    from negotiation.engine.profile import deviation_payoffs

    rational = st.fractions(min_value=-5, max_value=5, max_denominator=12)
    size = len(shape) * int(np.prod(shape))
    payoffs = exact_array(np.array(data.draw(st.lists(rational, min_size=size, max_size=size)),
                                   dtype=object).reshape(len(shape), *shape))
    sigma = []
    for s in shape:
        weights = data.draw(st.lists(st.integers(1, 9), min_size=s, max_size=s))
        sigma.append(exact_array(np.array([Fraction(w, sum(weights)) for w in weights], dtype=object)))
    for i in range(len(shape)):
        expected = [sum((payoffs[(i, *cell[:i], t, *cell[i + 1:])]
                         * np.prod([sigma[j][cell[j]] for j in range(len(shape)) if j != i])
                         for cell in itertools.product(*(range(s) for s in shape))
                         if cell[i] == 0), Fraction(0)) for t in range(shape[i])]
        assert list(deviation_payoffs(payoffs, sigma, i)) == expected

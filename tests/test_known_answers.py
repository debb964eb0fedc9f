"""Known answers from published sources, each cited where it is used."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from negotiation import NormalFormGame, catalog, solve
from tests.conftest import as_key


def keys(result):
    return {as_key(eq.profile) for eq in result}


def test_von_stengel_2007_example_3_3():
    """von Stengel (2007), Algorithmic Game Theory ch. 3, game (3.3): one pure and two
    mixed equilibria, given in Section 3.2."""
    game = NormalFormGame.from_arrays([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    result = solve(game, "all", exact=True)
    assert keys(result) == {
        ((1, 0, 0), (1, 0)),
        ((F(4, 5), F(1, 5), 0), (F(2, 3), F(1, 3))),
        ((0, F(1, 3), F(2, 3)), (F(1, 3), F(2, 3))),
    }
    assert result.degenerate is False
    assert not result.has_continuum
    for label in range(5):  # Lemke-Howson from every label ends at one of them
        assert keys(solve(game, "one", exact=True, label=label)) <= keys(result)


def test_von_stengel_2007_degenerate_game_3_18():
    """von Stengel (2007), Section 3.6, game (3.18): vertex a = (1,0,0) with the edge of Q
    between r = (2/3, 1/3) and s = (1, 0) is one component of equilibria."""
    game = catalog.load("stengel-degenerate")
    result = solve(game, "all", exact=True)
    assert result.degenerate is True
    assert result.has_continuum
    comp = [c for c in result.components if len(c) > 1]
    assert len(comp) == 1
    ends = {as_key(result[k].profile) for k in comp[0]}
    assert ends == {((1, 0, 0), (F(2, 3), F(1, 3))), ((1, 0, 0), (1, 0))}
    # the isolated equilibrium of (3.3) survives the change of b_15
    assert ((0, F(1, 3), F(2, 3)), (F(1, 3), F(2, 3))) in keys(result)
    # every point of the segment is an equilibrium, exactly
    for t in (F(0), F(1, 7), F(1, 2), F(1)):
        y = (F(2, 3) + t / 3, F(1, 3) - t / 3)
        assert game.is_nash([(1, 0, 0), y])


def test_lemke_howson_survives_the_degenerate_step():
    """von Stengel (2007), Section 3.6: in (3.18), plain LH from missing label 1 can fail
    after dropping label 5; lexicographic pivoting must end at an equilibrium."""
    game = catalog.load("stengel-degenerate")
    for label in range(5):
        result = solve(game, "one", exact=True, label=label)
        assert len(result) == 1 and result[0].regret == 0


def test_von_stengel_1999_six_by_six_has_75_equilibria():
    """von Stengel, B. (1999). New maximal numbers of equilibria in bimatrix games.
    Discrete & Computational Geometry 21, 557-568: a nondegenerate 6x6 game with 75
    equilibria (payoffs as distributed with Gambit, contrib/games/stengel.nfg)."""
    flat = [
        9504, 72336, -111771, -461736, 397584, 1227336, 171204, -1718376, 1303104, 1303104, 737154,
        -453420, -660, 48081, 31680, -300036, -113850, 774576, -45936, -1039236, -453420, 737154,
        -227040, -227040, 19976, 29216, -130944, -178761, 451176, 451176, 208626, -586476, 1227336,
        397584, 774576, -113850, -20526, 14124, 168124, -84436, -586476, 208626, -263076, -263076,
        -1718376, 171204, -1039236, -45936, 1776, 1776, -8514, -8976, 29216, 19976, 14124, -20526,
        72336, 9504, 48081, -660, -8976, -8514, 52764, 52764, -178761, -130944, -84436, 168124,
        -461736, -111771, -300036, 31680,
    ]
    pairs = np.array(flat).reshape(6, 6, 2)  # contingencies with player 1 fastest
    a = pairs[:, :, 0].T
    b = pairs[:, :, 1].T
    result = solve(NormalFormGame.from_arrays(a, b), "all", exact=True)
    assert len(result) == 75
    assert result.degenerate is False
    assert len(result) % 2 == 1


def test_shapley_game_unique_uniform_equilibrium():
    """Shapley, L. S. (1964). Some topics in two-person games. In Dresher, Shapley and
    Tucker (eds), Advances in Game Theory, Annals of Mathematics Studies 52, 1-28: the 3x3
    game on which fictitious play cycles has the unique equilibrium (1/3,1/3,1/3) twice."""
    a = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    b = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    result = solve(NormalFormGame.from_arrays(a, b), "all", exact=True)
    third = (F(1, 3),) * 3
    assert keys(result) == {(third, third)}


def test_chicken_two_pure_one_mixed():
    """Rapoport and Chammah (1966): chicken has two pure equilibria and one mixed."""
    result = solve(catalog.load("chicken"), "all", exact=True)
    pure = [eq for eq in result if eq.profile.is_pure()]
    assert len(result) == 3 and len(pure) == 2
    assert ((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2))) in keys(result)
    assert {as_key(eq.profile) for eq in solve(catalog.load("chicken"), "pure")} == {
        ((1, 0), (0, 1)),
        ((0, 1), (1, 0)),
    }


def test_matching_pennies_unique_mixed_and_value_zero():
    """Osborne and Rubinstein (1994), Example 17.1: value 0, both mix 1/2."""
    game = catalog.load("matching-pennies")
    half = ((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)))
    assert keys(solve(game, "all", exact=True)) == {half}
    zs = solve(game, "zero_sum", exact=True)
    assert keys(zs) == {half} and zs.details["value"] == 0
    approx = solve(game, "zero_sum")
    assert abs(approx.details["value"]) < 1e-9
    assert np.allclose(approx[0].profile.probabilities[0], [0.5, 0.5])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Axelrod (1984), ch. 1: mutual defection only.
        ("prisoners-dilemma", {((0, 1), (0, 1))}),
        # Skyrms (2004), ch. 1: two pure equilibria and stag with probability 3/4.
        ("stag-hunt", {((1, 0), (1, 0)), ((0, 1), (0, 1)), ((F(3, 4), F(1, 4)), (F(3, 4), F(1, 4)))}),
        # Osborne and Rubinstein (1994), Example 15.3.
        ("battle-of-the-sexes", {((1, 0), (1, 0)), ((0, 1), (0, 1)), ((F(2, 3), F(1, 3)), (F(1, 3), F(2, 3)))}),
    ],
)
def test_classic_catalog_games(name, expected):
    assert keys(solve(catalog.load(name), "all", exact=True)) == expected


def test_nau_gomez_canovas_hansen_2004_section_5():
    """Nau, Gomez Canovas and Hansen (2004), IJGT 32, Section 5: three pure equilibria,
    partly mixed equilibria, and a continuum of completely mixed equilibria.

    The partly mixed equilibria (player 3 mixing) lie on segments that end at the pure
    equilibria; they are reported as continua on their supports, like the completely
    mixed one, instead of being dropped."""
    game = catalog.load("nau-2x2x2")
    result = solve(game, "all", exact=True)
    assert {as_key(eq.profile) for eq in result} == {
        ((1, 0), (0, 1), (1, 0)),
        ((0, 1), (1, 0), (1, 0)),
        ((0, 1), (0, 1), (0, 1)),
    }
    assert result.has_continuum
    supports = sorted(tuple(len(s) for s in c.supports.values()) for c in result.continua)
    assert supports == [(1, 1, 2), (1, 1, 2), (2, 2, 2)]
    for cont in result.continua:
        assert cont.points
        for point in cont.points:
            assert game.regret(point.profile) == 0
    # The partly mixed extreme point: player 3 plays its second strategy with 3/4.
    assert game.is_nash([(1, 0), (0, 1), (F(1, 4), F(3, 4))])
    assert not game.is_nash([(1, 0), (0, 1), (F(1, 5), F(4, 5))])


def test_three_player_irrational_equilibrium_reported_precisely():
    """McKelvey and McLennan (1997), 'The maximal number of regular totally mixed Nash
    equilibria', JET 72: generic 2x2x2 games can have irrational equilibria; a game whose
    completely mixed equilibrium solves p^2 = 1/2 must be reported to high precision."""
    # Player 1 indifferent iff q*r = 1/2 ... built so that p = q = r = 1/sqrt(2).
    payoffs = np.zeros((3, 2, 2, 2), dtype=object)
    for a in range(2):
        for b in range(2):
            for c in range(2):
                # u_i(second) - u_i(first) = (prob others play first)^2 - 1/2 for a cyclic game
                payoffs[0, a, b, c] = F(1) if (a == 1 and b == 0 and c == 0) else (F(1, 2) if a == 0 else 0)
                payoffs[1, a, b, c] = F(1) if (b == 1 and c == 0 and a == 0) else (F(1, 2) if b == 0 else 0)
                payoffs[2, a, b, c] = F(1) if (c == 1 and a == 0 and b == 0) else (F(1, 2) if c == 0 else 0)
    game = NormalFormGame(payoffs)
    result = solve(game, "all", exact=True)
    mixed = [eq for eq in result if eq.precise]
    assert mixed, result
    target = 2 ** -0.5
    for eq in mixed:
        for player in game.players:
            assert abs(float(eq.profile[player]["s1"]) - target) < 1e-12
            assert eq.precise[player]["s1"].startswith("0.70710678118654752440084436210484903928")


def _keys(result) -> list[tuple[float, ...]]:
    import numpy as np

    return sorted(tuple(np.round(np.concatenate([np.asarray(v, dtype=float) for v in e.profile.probabilities]), 8))
                  for e in result.equilibria)


def test_exact_enumeration_on_qhull_supports_equals_exact_integer_pivoting():
    """On seeded integer games, 2x2 to 9x9, with payoffs in 0..99 (nondegenerate as a rule: qhull's
    vertices name the supports, each equilibrium is solved in rationals) and in 0..2 (often
    degenerate: integer pivoting), solve(..., exact=True) returns exactly the equilibria of
    integer pivoting over every basis (bimatrix.extreme_equilibria), Fraction by Fraction."""
    import numpy as np

    from negotiation import NormalFormGame, solve
    from negotiation.engine.solvers import bimatrix

    rng = np.random.default_rng(405)
    qhull_used = 0
    for k in range(60):
        m, n = int(rng.integers(2, 10)), int(rng.integers(2, 10))
        high = 100 if k % 2 else 3
        game = NormalFormGame(rng.integers(0, high, size=(2, m, n)), exact=True)
        result = solve(game, "all", exact=True)
        qhull_used += "qhull" in result.algorithm
        a, b = game.bimatrix()
        pivoted = {tuple(map(tuple, pair)) for pair in bimatrix.extreme_equilibria(a, b).pairs}
        assert {tuple(map(tuple, e.profile.probabilities)) for e in result.equilibria} == pivoted, (k, result.algorithm)
    assert qhull_used >= 20


def test_float_enumeration_by_qhull_agrees_with_exact_pivoting():
    """On seeded random games, 2x2 to 9x9 with normal payoffs (nondegenerate with probability one)
    and with payoffs in 0..2 (often degenerate, where qhull hands over to exact pivoting), the float
    solve equals the exact one, equilibrium by equilibrium."""
    import numpy as np

    from negotiation import NormalFormGame, solve

    rng = np.random.default_rng(404)
    fast_used = 0
    for k in range(60):
        m, n = int(rng.integers(2, 10)), int(rng.integers(2, 10))
        a, b = (rng.normal(size=(m, n)), rng.normal(size=(m, n))) if k % 2 else \
            (rng.integers(0, 3, (m, n)), rng.integers(0, 3, (m, n)))
        game = NormalFormGame.from_arrays(a, b)
        quick, exact = solve(game, "all"), solve(game, "all", exact=True)
        fast_used += "qhull" in quick.algorithm
        assert _keys(quick) == _keys(exact), (k, quick.algorithm)
    assert fast_used >= 25

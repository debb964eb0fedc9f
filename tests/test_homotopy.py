"""The n-player enumeration: a batched multihomogeneous homotopy whose equilibria are certified
by an interval Krawczyk test, against the exact Groebner-basis path and Gambit's enumpoly."""

from __future__ import annotations

import numpy as np
import pytest

from negotiation import NormalFormGame, solve
from negotiation.engine.numbers import exact_array
from negotiation.engine.solvers import certify, homotopy, polynomial
from tests.conftest import gambit_probabilities

ROOT_SEED = 20261203


def _games(shape: tuple[int, ...], count: int, offset: int = 0):
    for child in np.random.SeedSequence(ROOT_SEED + offset).spawn(count):
        yield np.random.default_rng(child).normal(size=(len(shape), *shape))


@pytest.mark.parametrize(("shape", "bound"), [((2, 2, 2), 2), ((3, 3, 3), 10), ((2, 2, 2, 2), 9)])
def test_paths_per_full_support_are_the_mckelvey_mclennan_bounds(shape, bound):
    """McKelvey and McLennan (1997), 'The maximal number of regular totally mixed Nash
    equilibria', JET 72, 411-425: at most 2 in 2x2x2 games, 10 in 3x3x3 and 9 in 2x2x2x2."""
    assert len(homotopy.assignments(tuple(s - 1 for s in shape))) == bound


@pytest.mark.parametrize("free", [(1, 2, 2), (3, 3, 3), (1, 1, 1, 1, 1), (2, 1, 0), (3, 1, 1), (2, 2, 1, 1)])
def test_paths_are_the_multihomogeneous_bezout_number(free):
    """The number of start solutions is the coefficient of prod x_j^d_j in
    prod_i (sum_{j != i, d_j > 0} x_j)^d_i, expanded here by sympy."""
    import sympy as sp

    xs = sp.symbols(f"x0:{len(free)}")
    poly = sp.Integer(1)
    for i, d in enumerate(free):
        poly *= sum((xs[j] for j in range(len(free)) if j != i and free[j] > 0), sp.Integer(0)) ** d
    monomial = sp.Mul(*(x**d for x, d in zip(xs, free, strict=True)))
    assert len(homotopy.assignments(free)) == sp.Poly(sp.expand(poly), *xs).coeff_monomial(monomial)


def _keys(solutions) -> set[tuple[float, ...]]:
    return {tuple(round(float(v), 7) for vec in sol.sigma for v in vec) for sol in solutions}


@pytest.mark.parametrize("shape", [(2, 2, 2), (2, 2, 3), (2, 3, 3)])
def test_the_homotopy_finds_exactly_the_equilibria_of_groebner_bases(shape):
    """Seeded generic games: the certified homotopy equilibria are the exact solver's, one for one."""
    for payoffs in _games(shape, 6, offset=sum(shape)):
        fast, fast_continua, hard = polynomial.enumerate_equilibria(payoffs)
        slow, slow_continua, _ = polynomial.enumerate_equilibria(payoffs, groebner_only=True)
        assert hard == 0 and not fast_continua and not slow_continua
        assert _keys(fast) == _keys(slow)
        assert len(fast) == len(_keys(fast))


@pytest.mark.parametrize("shape", [(3, 3, 3), (2, 2, 2, 2)])
def test_every_enumpoly_equilibrium_is_found_and_ours_are_verified(shape):
    """20 seeded games of each shape, normal payoffs: each equilibrium of Gambit's enumpoly is
    one of ours; enumpoly misses some of ours, which pass the independent regret check."""
    gbt = pytest.importorskip("pygambit")
    ours_total = theirs_total = 0
    for payoffs in _games(shape, 20, offset=len(shape)):
        game = NormalFormGame(payoffs)
        result = solve(game, "all")
        assert "Groebner" not in result.algorithm and not result.continua
        ours = [np.concatenate(e.profile.probabilities).astype(float) for e in result]
        for e in result:
            assert float(game.regret(e.profile)) <= 1e-9 * game.payoff_scale()
        theirs = gbt.nash.enumpoly_solve(gbt.StrategicGame.from_arrays(*payoffs)).equilibria
        for eq in theirs:
            vec = np.array([float(v) for row in gambit_probabilities(eq) for v in row])
            assert any(np.allclose(vec, mine, atol=1e-6) for mine in ours), (payoffs, vec)
        ours_total += len(ours)
        theirs_total += len(theirs)
    assert ours_total >= theirs_total > 20


def test_the_krawczyk_test_proves_a_root_and_refuses_a_point_beside_it():
    """On seeded generic 2x2x2 games, the box around each totally mixed equilibrium is certified
    and holds it; a box around a point 1e-4 away is refused."""
    checked = 0
    for payoffs in _games((2, 2, 2), 10, offset=3):
        system = certify.SupportSystem(certify.enclose(exact_array(payoffs)), ((0, 1), (0, 1), (0, 1)))
        for eq in solve(NormalFormGame(payoffs), "all"):
            x = np.concatenate([np.asarray(v, dtype=float) for v in eq.profile.probabilities])
            if x.min() <= 0:
                continue
            box = system.certify(x)
            assert box is not None and np.all(box.lo < x) and np.all(x < box.hi)
            assert system.certify(x + 1e-4) is None
            checked += 1
    assert checked >= 3


def test_degenerate_games_go_to_groebner_bases_and_keep_their_continua():
    """Integer payoffs in 0..2: ties make support systems singular; those profiles are solved
    exactly, and the answer equals the Groebner-only oracle's."""
    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 99))
    seen_hard = 0
    for _ in range(6):
        payoffs = rng.integers(0, 3, size=(3, 2, 2, 2))
        fast, fast_continua, hard = polynomial.enumerate_equilibria(payoffs, digits=True)
        slow, slow_continua, _ = polynomial.enumerate_equilibria(payoffs, digits=True, groebner_only=True)
        seen_hard += hard
        assert _keys(fast) == _keys(slow)
        assert {c.supports for c in fast_continua} == {c.supports for c in slow_continua}
    assert seen_hard > 0


def test_exact_mode_recognises_rational_equilibria_and_refines_irrational_ones():
    """A generic integer 2x2x2 game: in exact mode each certified equilibrium is either exact
    (a rational checked exactly on its support system, regret exactly 0) or given to 50 digits."""
    for payoffs in _games((2, 2, 2), 8, offset=7):
        game = NormalFormGame(np.round(payoffs * 10).astype(int))
        result = solve(game, "all", exact=True)
        for eq in result:
            if eq.precise:
                assert all(len(v) >= 40 for row in eq.precise.values() for v in row.values())
            else:
                assert eq.regret == 0


def test_conditional_dominance_matches_its_definition():
    """Seeded games with ties (payoffs 0..2), in floats and in exact rationals: a profile is
    pruned iff some support strategy earns strictly less than another strategy of its player
    in every cell of the others' supports (Porter, Nudelman and Shoham 2008)."""
    import itertools

    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 5))
    for shape in ((3, 3, 3), (2, 3, 2, 2), (4, 2, 3)):
        payoffs = rng.integers(0, 3, size=(len(shape), *shape)).astype(float)
        layout = polynomial._layout(shape)
        choices, grid = layout.choices, layout.grid
        for values in (payoffs, exact_array(payoffs)):
            pruned = polynomial._dominated(values, layout)
            for row, flag in zip(grid, pruned, strict=True):
                supports = [choices[i][c] for i, c in enumerate(row)]
                beaten = False
                for i, own in enumerate(supports):
                    cells = list(itertools.product(*(supports[j] if j != i else [None] for j in range(len(shape)))))
                    def pay(t, cell, i=i, values=values):
                        return values[(i, *(t if c is None else c for c in cell))]
                    beaten |= any(all(pay(b, cell) > pay(a, cell) for cell in cells)
                                  for a in own for b in range(shape[i]))
                assert flag == beaten, supports
            assert 0 < pruned.sum() < len(grid)


def test_compiled_gains_match_the_deviation_payoffs():
    """The screen's compiled best gain off the support equals the one from each player's
    deviation payoffs (profile.deviation_payoffs), on random endpoints and supports of
    games of unequal sizes."""
    from negotiation.engine.profile import deviation_payoffs
    from negotiation.engine.solvers._track import best_gains

    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 9))
    for shape in ((2, 3, 2), (3, 2, 2, 2), (4, 4)):
        n, s = len(shape), max(shape)
        payoffs = rng.normal(size=(n, *shape))
        inside = np.zeros((30, n, s), dtype=bool)
        for path in range(30):
            for j, size in enumerate(shape):
                inside[path, j, rng.choice(size, size=rng.integers(1, size + 1), replace=False)] = True
        real = np.where(inside, rng.normal(size=(30, n, s)), 0.0)
        got = best_gains(payoffs.reshape(n, -1), np.array(shape), real, inside)
        for path in range(30):
            sigma = [real[path, j, :size] for j, size in enumerate(shape)]
            want = -np.inf
            for i, size in enumerate(shape):
                values = deviation_payoffs(payoffs, sigma, i)
                first = values[np.flatnonzero(inside[path, i, :size])[0]]
                for a in np.flatnonzero(~inside[path, i, :size]):
                    want = max(want, values[a] - first)
            assert got[path] == pytest.approx(want, rel=1e-12, abs=1e-12)


def _sorted_points(ends: homotopy.Endpoints, profile: int) -> np.ndarray:
    points = ends.points[ends.owner == profile].reshape(-1, ends.points[0].size)
    keys = [tuple(np.round(np.concatenate([row.real, row.imag]), 5)) for row in points]
    return points[sorted(range(len(points)), key=keys.__getitem__)]


@pytest.mark.parametrize(("shape", "profile"), [
    ((2, 2, 2), ((0, 1), (0, 1), (0, 1))),
    ((3, 3, 3), ((0, 2), (1, 2), (0, 1))),
    ((2, 3, 2, 2), ((1,), (0, 2), (0, 1), (0, 1))),
])
def test_the_quadratic_of_three_mixed_players_has_the_paths_endpoints(shape, profile):
    """The closed-form roots (module _quadratic) of a profile with three mixed players of two
    strategies are the endpoints of its two homotopy paths, real or complex, on seeded games."""
    for payoffs in _games(shape, 8, offset=40 + len(shape)):
        quadratic = homotopy.track(payoffs, [profile], polynomial.HOMOTOPY_SEED)
        paths = homotopy.track(payoffs, [profile], polynomial.HOMOTOPY_SEED, closed=False)
        assert quadratic.complete[0] and paths.complete[0]
        assert np.allclose(_sorted_points(quadratic, 0), _sorted_points(paths, 0), atol=1e-8)


def test_a_degenerate_quadratic_is_left_to_the_paths():
    """A 2x2x2 game where player 2 is indifferent everywhere (its condition vanishes): the
    elimination is refused, and the profile's answer (a continuum) is the Groebner oracle's."""
    from negotiation.engine.solvers._quadratic import solve_profiles

    payoffs = next(_games((2, 2, 2), 1, offset=61))
    payoffs[1] = 0.0
    sup = np.array([[[0, 1], [0, 1], [0, 1]]])
    _, solved, _ = solve_profiles(payoffs.reshape(3, -1), 3, 2, sup, np.array([[2, 2, 2]]))
    assert not solved[0]
    fast, fast_continua, _ = polynomial.enumerate_equilibria(payoffs)
    slow, slow_continua, _ = polynomial.enumerate_equilibria(payoffs, groebner_only=True)
    assert _keys(fast) == _keys(slow)
    assert {c.supports for c in fast_continua} == {c.supports for c in slow_continua}


def test_the_batched_krawczyk_test_agrees_with_one_point_at_a_time():
    """certify_all on the equilibria of seeded 2x2x2x2 games and on points 1e-5 beside them
    gives, point for point, the verdict of SupportSystem.certify."""
    verdicts = []
    for payoffs in _games((2, 2, 2, 2), 6, offset=71):
        enclosure = certify.enclose(exact_array(payoffs))
        for eq in solve(NormalFormGame(payoffs), "all"):
            vectors = np.array([np.asarray(v, dtype=float) for v in eq.profile.probabilities])
            inside = vectors > 0
            supports = tuple(tuple(np.flatnonzero(row).tolist()) for row in inside)
            system = certify.SupportSystem(enclosure, supports)
            if not system.mixed:
                continue
            for shift in (0.0, 1e-5):
                points = vectors + shift * inside
                x = np.concatenate([points[j, list(supports[j])] for j in system.mixed])
                single = system.certify(x) is not None
                batch = certify.certify_all(enclosure, inside[None], points[None])[0]
                assert batch == single
                verdicts.append(batch)
    assert True in verdicts and False in verdicts


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 2), (2, 2, 2, 2), (5,)])
def test_batched_payoffs_and_regrets_equal_the_one_profile_contraction(shape):
    """Seeded random profiles: the batched contraction equals payoffs_and_regrets, profile by profile."""
    from negotiation.engine.profile import batch_payoffs_and_regrets, payoffs_and_regrets

    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 81))
    payoffs = rng.normal(size=(len(shape), *shape))
    sigmas = [rng.dirichlet(np.ones(size), size=7) for size in shape]
    values, regrets = batch_payoffs_and_regrets(payoffs, sigmas)
    for e in range(7):
        one_values, one_regrets = payoffs_and_regrets(payoffs, [sigma[e] for sigma in sigmas])
        assert np.allclose(values[e], one_values, rtol=0, atol=1e-12)
        assert np.allclose(regrets[e], one_regrets, rtol=0, atol=1e-12)


def test_the_batched_verification_refuses_a_profile_that_is_no_equilibrium():
    """_verified on float games: a profile with positive regret is a bug (VerificationError),
    a vector that is no distribution is refused with its player named."""
    from negotiation.engine.solvers import _verified
    from negotiation.errors import GameError, VerificationError

    game = NormalFormGame(next(_games((2, 2, 2), 1, offset=91)))
    good = [[e.profile.probabilities[i].tolist() for i in range(3)] for e in solve(game, "all")]
    assert len(_verified(game, good + good, 1e-9)) == len(good)  # duplicates dropped
    with pytest.raises(VerificationError, match="regret"):
        _verified(game, [*good, [[1.0, 0.0], [0.5, 0.5], [0.3, 0.7]]], 1e-9)
    with pytest.raises(GameError, match="not a distribution"):
        _verified(game, [[[0.5, 0.6], [0.5, 0.5], [0.3, 0.7]]], 1e-9)


def test_the_screen_sorts_endpoints_by_what_can_be_said_for_sure():
    """Hand-made endpoints of the full-support profile of a 2x2x2 game, one profile each: an
    interior real one is a candidate; one on the simplex's boundary, a nonreal one without its
    conjugate and a nearly real one are unclear (their profiles go to Groebner bases); a
    paired nonreal one and one with a clearly negative probability are no equilibria."""
    payoffs = next(_games((2, 2, 2), 1, offset=101))
    interior = np.array([[0.3, 0.7], [0.6, 0.4], [0.5, 0.5]], dtype=complex)
    points = np.stack([interior, interior, interior + 0.2j * np.array([1, -1]), interior + 0.2j * np.array([1, -1]),
                       interior + 1e-8j * np.array([1, -1]), interior])
    points[1, 0] = [0.0, 1.0]
    points[5, 1] = [1.3, -0.3]
    count = len(points)
    ends = homotopy.Endpoints(np.arange(count), np.ones((count, 3, 2), dtype=bool), points,
                              np.array([False, False, True, False, False, False]), np.ones(count, dtype=bool),
                              ("",) * count)
    verdict = polynomial._screen(payoffs, ends, 1.0)
    assert [None if v is None else v.tolist() for v in verdict] == [[0], None, [], None, None, []]

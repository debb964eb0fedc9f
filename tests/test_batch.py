"""Batched solvers agree with negotiation.solve on seeded random and degenerate batches."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import first_idlib

from negotiation import NormalFormGame, solve
from negotiation.engine import batch
from negotiation.engine.symbolic import regime_masks


def reference(payoffs: np.ndarray) -> set[tuple]:
    """Extreme equilibria from the exact vertex enumeration of negotiation.solve."""
    game = NormalFormGame(payoffs.astype(int) if np.all(payoffs == np.round(payoffs)) else payoffs)
    result = solve(game, "all", exact=True)
    return {key(np.array([float(v) for v in vec]) for vec in eq.profile.probabilities) for eq in result}


def key(vectors) -> tuple:
    return tuple(np.round(np.concatenate(list(vectors)), 8) + 0.0)


def found(result: batch.BatchEquilibria, g: int) -> set[tuple]:
    sel = result.game == g
    return {key(vs) for vs in zip(*(s[sel] for s in result.strategies), strict=True)}


@pytest.mark.parametrize(
    ("shape", "high", "n_games", "seed"),
    [((2, 2), 2, 400, 1), ((2, 2), 4, 400, 2), ((2, 3), 3, 200, 3), ((3, 3), 3, 150, 4),
     ((3, 3), 1000, 100, 5), ((2, 5), 2, 60, 6), ((4, 4), 2, 40, 7), ((3, 4), 5, 60, 8)],
)
def test_batched_bimatrix_solvers_agree_with_solve(shape, high, n_games, seed):
    """Small integer payoffs make most of these games degenerate (ties, continua)."""
    rng = np.random.default_rng(seed)
    payoffs = rng.integers(0, high, size=(n_games, 2, *shape)).astype(float)
    result = batch.solve_batch(payoffs)
    general = batch.bimatrix_equilibria(payoffs)
    degenerate = 0
    for g in range(n_games):
        expected = reference(payoffs[g])
        assert found(result, g) == expected, (g, payoffs[g])
        assert found(general, g) == expected, (g, payoffs[g])
        degenerate += solve(NormalFormGame(payoffs[g].astype(int)), "all", exact=True).degenerate
    assert np.all(result.regret <= 1e-9 * high)
    if high <= 3:
        assert degenerate > n_games // 4  # the batch really exercises degenerate games


@pytest.mark.parametrize(("size", "high", "seed"), [(6, 3, 1), (7, 2, 2), (8, 100, 3), (5, 2, 4)])
def test_vertex_enumeration_of_one_larger_game_agrees_with_solve(size, high, seed):
    rng = np.random.default_rng(seed)
    for _ in range(4):
        a, b = rng.integers(0, high, size=(2, size, size)).astype(float)
        result = batch.vertex_enumeration(a, b)
        assert found(result, 0) == reference(np.stack([a, b]))


def test_float_2x2_batch_agrees_with_the_general_batch_solver():
    rng = np.random.default_rng(9)
    payoffs = rng.normal(size=(3000, 2, 2, 2))
    fast, general = batch.equilibria_2x2(payoffs), batch.bimatrix_equilibria(payoffs)
    assert np.array_equal(fast.counts(), general.counts())
    for g in range(0, 3000, 97):
        assert found(fast, g) == found(general, g)


@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 2, 2), (2, 2, 2, 2)])
def test_pure_batch_agrees_with_solve_pure(shape):
    rng = np.random.default_rng(len(shape))
    payoffs = rng.integers(0, 3, size=(60, len(shape), *shape))
    mask = batch.pure_equilibria(payoffs)
    for g in range(60):
        result = solve(NormalFormGame(payoffs[g]), "pure", exact=True)
        cells = {tuple(int(np.argmax(v)) for v in eq.profile.probabilities) for eq in result}
        assert cells == {tuple(c) for c in np.argwhere(mask[g])}
    frame = batch.pure_frame(mask, tuple(f"P{i}" for i in range(len(shape))),
                             tuple(tuple(f"s{k}" for k in range(s)) for s in shape))
    assert len(frame) == int(mask.sum())


def test_symbolic_fast_path_agrees_with_the_batched_solver():
    """The regime map from the Nash conditions alone matches solving every point."""
    idlib = first_idlib()
    rng = np.random.default_rng(12)
    for name in ("escalation", "refugee"):
        game = idlib.game(name)
        values = {k: rng.uniform(float(p.bounds[0]), float(p.bounds[1]), 20_000) for k, p in idlib.parameters.items()}
        masks = regime_masks(game, values)
        tensor = game.tensor(values)
        solved = batch.equilibria_2x2(tensor)
        pure = batch.pure_equilibria(tensor, 1e-9)
        for cell in game.profiles():
            label = "/".join(game.strategies[i][k] for i, k in enumerate(cell))
            assert np.array_equal(masks[label], pure[(slice(None), *cell)])
        x, y = solved.strategies
        interior = (x[:, 0] > 0) & (x[:, 0] < 1) & (y[:, 0] > 0) & (y[:, 0] < 1)
        has_mixed = np.zeros(20_000, dtype=bool)
        has_mixed[solved.game[interior]] = True
        assert np.array_equal(masks["mixed"], has_mixed)
        assert masks["mixed"].any() or name == "refugee"


def test_bad_batches_are_refused():
    with pytest.raises(ValueError, match="shape"):
        batch.solve_batch(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        batch.solve_batch(np.full((1, 2, 2, 2), np.nan))

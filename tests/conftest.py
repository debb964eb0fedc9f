"""Shared helpers: the pygambit oracle and exact comparison of equilibrium sets."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest


def as_key(profile) -> tuple:
    """A hashable exact key of a MixedProfile (or of nested probability sequences)."""
    vectors = profile.probabilities if hasattr(profile, "probabilities") else profile
    return tuple(tuple(Fraction(v) for v in vec) for vec in vectors)


def gambit_enummixed(a: np.ndarray, b: np.ndarray) -> set[tuple]:
    """Gambit's extreme equilibria (enummixed, rational), as exact keys."""
    gbt = pytest.importorskip("pygambit")
    game = gbt.Game.from_arrays(np.asarray(a, dtype=int), np.asarray(b, dtype=int))
    result = gbt.nash.enummixed_solve(game, rational=True)
    return {
        tuple(tuple(Fraction(str(eq[s])) for s in player.strategies) for player in game.players)
        for eq in result.equilibria
    }

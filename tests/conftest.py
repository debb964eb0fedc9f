"""Shared helpers: the pygambit oracle and exact comparison of equilibrium sets.

pygambit 17 addresses players and strategies by their labels (``str``): ``game.players``
iterates player labels, ``game.get_strategies(player)`` lists a player's strategy labels,
``profile[player][strategy]`` is a probability and ``profile.payoffs[player]`` a payoff.
The helpers below read such objects in the game's order of players and strategies.
"""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import settings

# The default suite is deterministic: the same examples on every run and every machine (a failure
# found by exploring is kept as an @example).  HYPOTHESIS_PROFILE=explore draws new examples.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def as_key(profile) -> tuple:
    """A hashable exact key of a MixedProfile (or of nested probability sequences)."""
    vectors = profile.probabilities if hasattr(profile, "probabilities") else profile
    return tuple(tuple(Fraction(v) for v in vec) for vec in vectors)


def gambit_game(*arrays):
    """A pygambit strategic game with these integer payoff arrays, one per player."""
    gbt = pytest.importorskip("pygambit")
    return gbt.StrategicGame.from_arrays(*(np.asarray(a, dtype=int) for a in arrays))


def gambit_probabilities(profile) -> tuple[tuple[Fraction, ...], ...]:
    """A pygambit mixed strategy profile's probabilities, exactly, one tuple per player
    (players and strategies in the game's order); floats are converted without rounding."""
    game = profile.game
    return tuple(tuple(Fraction(profile[p][s]) for s in game.get_strategies(p)) for p in game.players)


def gambit_payoffs(profile) -> tuple[Fraction, ...]:
    """The expected payoffs of a pygambit mixed strategy or behavior profile, exactly,
    in the game's order of players."""
    payoffs = profile.payoffs
    return tuple(Fraction(payoffs[p]) for p in profile.game.players)


def gambit_cell_payoffs(game, index) -> tuple[Fraction, ...]:
    """The payoffs of a pygambit game (strategic or, in its reduced strategic form, a tree)
    at the pure profile with these strategy indices, exactly, in the game's order of players."""
    players = list(game.players)
    contingency = {p: game.get_strategies(p)[k] for p, k in zip(players, index, strict=True)}
    payoffs = game.get_payoffs(contingency)
    return tuple(Fraction(payoffs[p]) for p in players)


def gambit_lcp_payoffs(path) -> tuple[Fraction, ...]:
    """The equilibrium payoffs pygambit's sequence-form LCP (lcp_solve, rational) finds
    in the .efg file at ``path``, exactly."""
    gbt = pytest.importorskip("pygambit")
    result = gbt.nash.lcp_solve(gbt.read_efg(str(path)), rational=True)
    assert result.success and result.equilibrium is not None
    return gambit_payoffs(result.equilibrium)


def gambit_enummixed(a: np.ndarray, b: np.ndarray) -> set[tuple]:
    """Gambit's extreme equilibria (enummixed, rational), as exact keys."""
    gbt = pytest.importorskip("pygambit")
    result = gbt.nash.enummixed_solve(gambit_game(a, b), rational=True)
    return {gambit_probabilities(eq) for eq in result.equilibria}


# The first version of the Idlib model, a parametric scenario the engine tests use (the case itself
# is games/idlib-2020.yaml, tested in test_idlib_case.py).
FIRST_IDLIB = os.path.join(os.path.dirname(__file__), "data", "idlib-first.yaml")


def first_idlib():
    from negotiation.domain.scenario import load_scenario

    return load_scenario(FIRST_IDLIB)

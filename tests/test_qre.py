"""Logit QRE: McKelvey and Palfrey's asymmetric matching pennies, convergence to Nash, and MLE."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from negotiation import NormalFormGame
from negotiation.engine.qre import estimate_lambda, logit_qre
from negotiation.errors import SolverError
from tests.conftest import gambit_game, gambit_probabilities

# An asymmetric matching pennies game (Ochs 1995; McKelvey and Palfrey 1995, GEB 10, Section 4): Row gets 9 or 1 on the
# diagonal, Column wins off it.  The Nash equilibrium is Row (1/2, 1/2), Column (1/10, 9/10).
AMP = NormalFormGame.from_arrays([[9, 0], [0, 1]], [[0, 1], [1, 0]], players=("Row", "Col"))


def _logit_residual(game: NormalFormGame, lam: float, profile) -> float:
    """Independent check: each mix equals the logit response to the others."""
    worst = 0.0
    u = np.asarray(game.payoffs, dtype=float)
    for i in range(game.n_players):
        t = u[i]
        for j in reversed(range(game.n_players)):
            if j != i:
                t = np.tensordot(t, profile[j], axes=([j], [0]))
        z = np.exp(lam * (t - t.max()))
        worst = max(worst, float(np.max(np.abs(z / z.sum() - profile[i]))))
    return worst


def test_asymmetric_matching_pennies_own_payoff_effect():
    """McKelvey and Palfrey (1995), Section 4: along the logit branch Row plays its 9-payoff
    strategy with probability above 1/2 (the own-payoff effect seen in the experiments), and
    the branch converges to the mixed Nash equilibrium."""
    branch = logit_qre(AMP)
    assert branch.lambdas[0] == 0 and branch.lambdas[-1] >= 1e5
    assert all(p[0][0] > 0.5 for p in branch.profiles[1:])
    # The logit response amplifies errors by lambda (times the payoff range 9): judge relative to it.
    assert all(_logit_residual(AMP, lam, p) < 1e-9 * (1 + 9 * lam)
               for lam, p in zip(branch.lambdas, branch.profiles, strict=True))
    assert branch.limit is not None and branch.limit_distance < 1e-4
    assert [float(v) for v in branch.limit.profile.probabilities[1]] == pytest.approx([0.1, 0.9])
    frame = branch.to_frame()
    assert set(frame.columns) == {"point", "lambda", "player", "strategy", "probability"}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(2, 2), (2, 3), (3, 3), (2, 2, 2)]), st.integers(0, 2**31 - 1))
@example((2, 2, 2), 92476877)  # a fold near lambda = 130 where large steps once jumped to another branch
def test_qre_converges_to_a_nash_equilibrium(shape, seed):
    """Property (McKelvey and Palfrey 1995, Theorem 2): the principal branch approaches a Nash
    equilibrium; its last point has (scaled) regret near zero and lies near an equilibrium
    found by the exact solver."""
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.normal(size=(len(shape), *shape)))
    branch = logit_qre(game, lambda_max=1e5)
    last = branch.profiles[-1]
    assert branch.limit_regret < 1e-3 * game.payoff_scale()
    assert branch.limit is not None and branch.limit_distance < 1e-3  # nondegenerate: a vertex
    lam = float(branch.lambdas[-1])
    assert _logit_residual(game, lam, last) < 1e-9 * (1 + lam * game.payoff_scale())


def test_degenerate_games_end_inside_a_continuum():
    """In a degenerate game the branch may end inside a continuum of equilibria, away from
    every extreme one: no vertex is claimed as the limit, and the last point is an equilibrium."""
    game = NormalFormGame.from_arrays([[1, 1], [0, 0]], [[2, 2], [0, 1]])  # Row's first strategy dominates;
    branch = logit_qre(game)                                               # Column is then indifferent
    assert branch.limit is None and branch.limit_distance > 0.4
    assert branch.limit_regret < 1e-9
    assert branch.profiles[-1][1] == pytest.approx([0.5, 0.5], abs=1e-6)


def test_maximum_likelihood_recovers_lambda():
    """Counts drawn (seeded) from the QRE at lambda = 2 give an estimate within 3 standard
    errors; expected counts give lambda back to 1e-6."""
    branch = logit_qre(AMP, lambda_max=50)
    truth = branch.at(2.0)
    exact = estimate_lambda(AMP, [1000 * p for p in truth], branch=branch)
    assert exact.estimate == pytest.approx(2.0, abs=1e-6)
    rng = np.random.default_rng(np.random.SeedSequence(1995))
    counts = [rng.multinomial(500, p) for p in truth]
    fit = estimate_lambda(AMP, counts, branch=branch)
    assert abs(fit.estimate - 2.0) < 3 * fit.standard_error and 0 < fit.standard_error < 1
    with pytest.raises(SolverError, match="one entry per strategy"):
        estimate_lambda(AMP, [[1, 2, 3], [1, 2]], branch=branch)


def test_qre_and_estimates_agree_with_pygambit():
    """Cross-check on seeded random games: the QRE at given lambdas equals pygambit's
    logit_solve_lambda (same principal branch) and the maximum-likelihood lambda equals
    pygambit's logit_estimate on the same counts."""
    gbt = pytest.importorskip("pygambit")
    rng = np.random.default_rng(np.random.SeedSequence(523))
    for shape in ((2, 2), (3, 3), (2, 4)):
        a, b = rng.integers(-5, 6, size=(2, *shape))
        game = NormalFormGame.from_arrays(a.tolist(), b.tolist())
        theirs_game = gambit_game(a, b)
        branch = logit_qre(game, lambda_max=50)
        for lam in (0.3, 1.0, 4.0):
            (qre,) = gbt.qre.logit_solve_lambda(theirs_game, lam)
            theirs = np.array([float(v) for probs in gambit_probabilities(qre.profile) for v in probs])
            assert np.concatenate(branch.at(lam)) == pytest.approx(theirs, abs=1e-8)
        counts = [rng.multinomial(300, p) for p in branch.at(1.5)]
        data = theirs_game.mixed_strategy_profile([[float(c) for c in row] for row in counts], rational=False)
        assert estimate_lambda(game, counts, branch=branch).estimate == pytest.approx(
            gbt.qre.logit_estimate(data).lam, abs=1e-6)


def test_estimates_at_the_end_of_the_branch_and_points_between_traced_ones():
    """Choices that match the Nash equilibrium exactly keep the likelihood rising: the estimate
    is the end of the branch, with an infinite standard error; and the QRE between traced points
    is reached by continuation, however far apart the points are."""
    pd_ = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    branch = logit_qre(pd_, lambda_max=100)
    fit = estimate_lambda(pd_, [[0, 50], [0, 50]], branch=branch)
    assert fit.estimate == branch.lambdas[-1] and fit.standard_error == float("inf")
    for lam in np.linspace(0, float(branch.lambdas[-1]), 17):
        assert _logit_residual(pd_, lam, branch.at(lam)) < 1e-9 * (1 + 5 * lam)
    with pytest.raises(SolverError, match="outside the traced branch"):
        branch.at(1e9)

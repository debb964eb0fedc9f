"""Logit QRE: McKelvey and Palfrey's asymmetric matching pennies, convergence to Nash, and MLE."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation import NormalFormGame
from negotiation.engine.qre import estimate_lambda, logit_qre
from negotiation.errors import SolverError

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
    assert all(_logit_residual(AMP, lam, p) < 1e-9 for lam, p in zip(branch.lambdas, branch.profiles, strict=True))
    assert branch.limit is not None and branch.limit_distance < 1e-4
    assert [float(v) for v in branch.limit.profile.probabilities[1]] == pytest.approx([0.1, 0.9])
    frame = branch.to_frame()
    assert set(frame.columns) == {"point", "lambda", "player", "strategy", "probability"}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(2, 2), (2, 3), (3, 3), (2, 2, 2)]), st.integers(0, 2**31 - 1))
def test_qre_converges_to_a_nash_equilibrium(shape, seed):
    """Property (McKelvey and Palfrey 1995, Theorem 2): the principal branch approaches a Nash
    equilibrium; its last point has (scaled) regret near zero and lies near an equilibrium
    found by the exact solver."""
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.normal(size=(len(shape), *shape)))
    branch = logit_qre(game, lambda_max=1e5)
    last = branch.profiles[-1]
    assert float(game.regret(game.profile(last))) < 1e-3 * game.payoff_scale()
    assert branch.limit is not None and branch.limit_distance < 1e-2
    assert _logit_residual(game, float(branch.lambdas[-1]), last) < 1e-6


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

"""Logit quantal response equilibrium: tracing, the limiting Nash equilibrium, and estimation.

In a logit QRE each party plays each strategy with probability proportional to
``exp(lambda * expected payoff)`` (McKelvey and Palfrey 1995, *Games and Economic
Behavior* 10, 6-38).  At ``lambda = 0`` play is uniform; as ``lambda`` grows the
principal branch of the correspondence leads to a Nash equilibrium (the logit
tracing selection; McKelvey and Palfrey 1995, Theorem 2).

The branch is followed by predictor-corrector continuation on ``H(w, lambda) = 0`` in
the log-probabilities ``w`` (asymptotically the branch is a straight line in these
coordinates, so the steps can grow geometrically):

    sum_j exp(w_ij) = 1,    w_ij - w_i0 = lambda (U_ij(exp w) - U_i0(exp w)),

stepping along the tangent (the Jacobian's null vector) and correcting by Newton's
method on the arclength-augmented system (Allgower and Georg 1990, *Numerical
Continuation Methods*, ch. 2; Turocy 2005, *Games and Economic Behavior* 51, 243-263),
so the path is followed through turning points in ``lambda``.  Every point is checked
against the logit fixed-point equations before it is kept.

:func:`estimate_lambda` fits ``lambda`` to observed choice counts by maximum likelihood
on the traced branch, with a standard error from the observed information.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from negotiation.engine.game import NormalFormGame
from negotiation.errors import SolverError, VerificationError

LIMIT_TOLERANCE = 1e-3


def _blocks(shape: Sequence[int]) -> list[slice]:
    out, start = [], 0
    for n in shape:
        out.append(slice(start, start + n))
        start += n
    return out


def _expected(u: np.ndarray, sigma: list[np.ndarray], i: int, skip: int | None = None) -> np.ndarray:
    """Player ``i``'s payoff tensor contracted with every other player's mix (except ``skip``)."""
    t = u[i]
    for j in reversed(range(len(sigma))):
        if j != i and j != skip:
            t = np.tensordot(t, sigma[j], axes=([j], [0]))
    return t


class _System:
    """The logit equations and their Jacobian for a game with float payoffs ``u``."""

    def __init__(self, u: np.ndarray) -> None:
        self.u = u
        self.shape = u.shape[1:]
        self.blocks = _blocks(self.shape)
        self.n = sum(self.shape)
        self.spread = float(u.max() - u.min()) or 1.0

    def scale(self, lam: float) -> float:
        """Size of the terms of the equations at ``lam``: residuals are judged relative to it,
        since log-probabilities of dominated strategies grow like ``lam`` times a payoff gap."""
        return 1.0 + abs(lam) * self.spread

    def sigma(self, w: np.ndarray) -> list[np.ndarray]:
        return [np.exp(w[b]) for b in self.blocks]

    def profile(self, w: np.ndarray) -> list[np.ndarray]:
        """The mixed profile at ``w``, each mix renormalised (the sums are 1 up to the tolerance)."""
        return [p / p.sum() for p in self.sigma(w)]

    def values(self, sigma: list[np.ndarray]) -> list[np.ndarray]:
        return [_expected(self.u, sigma, i) for i in range(len(sigma))]

    def residual(self, w: np.ndarray, lam: float) -> np.ndarray:
        sigma = self.sigma(w)
        vals = self.values(sigma)
        out = np.empty(self.n)
        for i, b in enumerate(self.blocks):
            out[b.start] = sigma[i].sum() - 1.0
            out[b.start + 1:b.stop] = w[b][1:] - w[b][0] - lam * (vals[i][1:] - vals[i][0])
        return out

    def jacobian(self, w: np.ndarray, lam: float) -> np.ndarray:
        """Derivatives with respect to ``w`` and to ``lambda`` (last column)."""
        sigma = self.sigma(w)
        vals = self.values(sigma)
        jac = np.zeros((self.n, self.n + 1))
        k = len(sigma)
        for i, b in enumerate(self.blocks):
            jac[b.start, b] = sigma[i]
            for r in range(1, self.shape[i]):
                row = b.start + r
                jac[row, b.start + r] += 1.0
                jac[row, b.start] -= 1.0
                jac[row, -1] = -(vals[i][r] - vals[i][0])
            for j in range(k):
                if j == i:
                    continue
                # d U_i(a_i) / d sigma_j(a_j): the tensor without contracting i and j.
                t = _expected(self.u, sigma, i, skip=j)  # axes (i, j) in increasing order
                cross = t if i < j else t.T  # rows: i's strategies, columns: j's strategies
                diff = cross[1:] - cross[0]
                jac[b.start + 1:b.stop, self.blocks[j]] -= lam * diff * sigma[j]
        return jac


@dataclass(frozen=True)
class QREBranch:
    """The principal branch of logit QRE, from ``lambda = 0`` to ``lambda_max``.

    Attributes
    ----------
    lambdas : ndarray
        The precision ``lambda`` at each point (not necessarily monotone: the branch
        may turn back).
    profiles : list of list of ndarray
        The QRE mixed profile at each point.
    limit : Equilibrium or None
        The extreme Nash equilibrium the branch approaches: the one the solver finds
        within ``LIMIT_TOLERANCE`` (in probability) of the last point.  ``None`` when
        the equilibria cannot be enumerated, or when the branch ends inside a
        continuum of equilibria of a degenerate game rather than at a vertex of it; the
        last point is then itself (nearly) an equilibrium: see ``limit_regret``.
    limit_distance : float
        Largest difference in probability between the last point and the nearest
        extreme equilibrium.
    limit_regret : float
        The largest gain from a unilateral deviation at the last point.
    """

    game: NormalFormGame = field(repr=False)
    lambdas: np.ndarray
    profiles: list[list[np.ndarray]] = field(repr=False)
    limit: Any = None
    limit_distance: float = float("nan")
    limit_regret: float = float("nan")
    _logs: list[np.ndarray] = field(repr=False, default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per point, player and strategy, with the probability."""
        rows = []
        for k, (lam, prof) in enumerate(zip(self.lambdas, self.profiles, strict=True)):
            for i, name in enumerate(self.game.players):
                for s, p in zip(self.game.strategies[i], prof[i], strict=True):
                    rows.append({"point": k, "lambda": float(lam), "player": name, "strategy": s,
                                 "probability": float(p)})
        return pd.DataFrame(rows)

    def at(self, lam: float) -> list[np.ndarray]:
        """The QRE at ``lambda`` on this branch.

        Continued in ``lambda`` from the traced point that starts the first segment of the
        branch containing ``lambda`` (Euler predictor, Newton corrector, step halving).
        """
        if not 0 <= lam <= self.lambdas.max():
            raise SolverError(f"lambda={lam:g} is outside the traced branch [0, {self.lambdas.max():g}]")
        system = _System(np.asarray(self.game.payoffs, dtype=float))
        k = next(k for k in range(len(self.lambdas) - 1)
                 if min(self.lambdas[k], self.lambdas[k + 1]) <= lam <= max(self.lambdas[k], self.lambdas[k + 1]))
        w, cur = self._logs[k], float(self.lambdas[k])
        step = lam - cur
        while cur != lam:
            target = lam if abs(step) >= abs(lam - cur) else cur + step
            jac = system.jacobian(w, cur)
            guess = w - np.linalg.solve(jac[:, :-1], jac[:, -1] * (target - cur))
            found = _newton_fixed(system, guess, target)
            if found is None:
                step /= 2
                if abs(step) < 1e-12 * max(1.0, abs(lam)):
                    raise SolverError(f"could not follow the branch to lambda={lam:g}")
                continue
            w, cur, step = found, target, lam - target
        return system.profile(w)


def _newton_fixed(system: _System, w: np.ndarray, lam: float, tol: float = 1e-12) -> np.ndarray | None:
    """Newton's method at fixed ``lambda``; ``None`` if it does not converge."""
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(30):
            r = system.residual(w, lam)
            if not np.all(np.isfinite(r)):
                return None
            if np.max(np.abs(r)) < tol * system.scale(lam):
                return w
            try:
                w = w - np.linalg.solve(system.jacobian(w, lam)[:, :-1], r)
            except np.linalg.LinAlgError:
                return None
    return None


def logit_qre(game: NormalFormGame, lambda_max: float = 1e5, max_steps: int = 20_000,
              tol: float = 1e-10) -> QREBranch:
    """Trace the principal branch of logit QRE (see the module docstring).

    Parameters
    ----------
    game : NormalFormGame
    lambda_max : float
        Where to stop (``lambda`` multiplies payoffs in the game's own units).
    max_steps : int
    tol : float
        Residual tolerance of the corrector, relative to ``1 + lambda * payoff range``
        (the size of the equations' terms); every kept point satisfies the logit
        equations to it.

    Examples
    --------
    >>> pennies = NormalFormGame.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> branch = logit_qre(pennies, lambda_max=100)
    >>> [round(float(p), 6) for p in branch.profiles[-1][0]]
    [0.5, 0.5]
    """
    u = np.asarray(game.payoffs, dtype=float)
    system = _System(u)
    w = np.concatenate([np.full(n, -np.log(n)) for n in game.shape])
    lambdas, profiles, logs = [0.0], [system.profile(w)], [w]
    y = np.append(w, 0.0)
    h = 0.05
    tangent = _tangent(system, y, None)
    for _ in range(max_steps):
        lam = y[-1]
        while True:  # a step is kept when the corrector stays close and the curve turns little along it
            pred = y + h * tangent
            corrected = _correct(system, pred, tangent, tol)
            if corrected is not None and np.linalg.norm(corrected - pred) < 0.5 * h + 1e-9:
                after = _tangent(system, corrected, tangent)
                if after @ tangent >= _MIN_COS:
                    break
            h *= 0.5
            if h < 1e-12:
                raise SolverError(f"QRE tracing stalled at lambda={lam:g}")
        y, tangent = corrected, after
        lam = float(y[-1])
        if lam < 0:
            raise SolverError("QRE tracing left the principal branch (lambda turned negative)")
        if np.max(np.abs(system.residual(y[:-1], lam))) > 1e3 * tol * system.scale(lam):
            raise VerificationError("a traced QRE point fails the logit equations")
        lambdas.append(lam)
        profiles.append(system.profile(y[:-1]))
        logs.append(y[:-1])
        h *= 1.5
        if lam >= lambda_max:
            break
    else:
        raise SolverError(f"QRE tracing did not reach lambda={lambda_max:g} in {max_steps} steps")
    limit, distance = _limit(game, profiles[-1])
    regret = float(game.as_float().regret(game.as_float().profile(profiles[-1])))
    return QREBranch(game, np.array(lambdas), profiles, limit, distance, regret, logs)


_MIN_COS = 0.95  # successive tangents at most about 18 degrees apart: no jumping between branches at a fold


def _tangent(system: _System, y: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """The unit tangent of the branch at ``y``, oriented along ``previous`` (at the start: growing lambda)."""
    tangent = np.linalg.svd(system.jacobian(y[:-1], float(y[-1])))[2][-1]
    reference = tangent[-1] if previous is None else tangent @ previous
    return tangent if reference > 0 else -tangent


def _correct(system: _System, y: np.ndarray, tangent: np.ndarray, tol: float) -> np.ndarray | None:
    """Newton on ``H(y) = 0`` plus ``tangent . (y - y0) = 0`` (pseudo-arclength); ``None`` if it
    fails, and the caller then shortens the step (overflow on a too-long step is expected)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _newton_arclength(system, y, tangent, tol)


def _newton_arclength(system: _System, y: np.ndarray, tangent: np.ndarray, tol: float) -> np.ndarray | None:
    y0 = y.copy()
    for _ in range(12):
        lam = float(y[-1])
        r = np.append(system.residual(y[:-1], lam), tangent @ (y - y0))
        if not np.all(np.isfinite(r)):
            return None
        if np.max(np.abs(r)) < tol * system.scale(lam):
            return y
        jac = np.vstack([system.jacobian(y[:-1], lam), tangent])
        try:
            y = y - np.linalg.solve(jac, r)
        except np.linalg.LinAlgError:
            return None
    return None


def _limit(game: NormalFormGame, last: list[np.ndarray]) -> tuple[Any, float]:
    from negotiation.engine.solvers import solve

    try:
        equilibria = solve(game, "all").equilibria
    except SolverError:
        return None, float("nan")
    best, gap = None, float("inf")
    for eq in equilibria:
        d = max(float(np.max(np.abs(np.asarray(p, dtype=float) - q))) for p, q in
                zip(eq.profile.probabilities, last, strict=True))
        if d < gap:
            best, gap = eq, d
    return (best if gap <= LIMIT_TOLERANCE else None), gap


# ------------------------------------------------------------------ estimation
@dataclass(frozen=True)
class LambdaEstimate:
    """Maximum-likelihood ``lambda`` with its standard error and the fitted QRE."""

    estimate: float
    standard_error: float
    log_likelihood: float
    profile: list[np.ndarray] = field(repr=False)


def estimate_lambda(game: NormalFormGame, counts: Sequence[Sequence[float]], lambda_max: float = 100.0,
                    branch: QREBranch | None = None) -> LambdaEstimate:
    """Fit the logit precision to observed choice counts by maximum likelihood.

    The log-likelihood ``sum n_ij log p_ij(lambda)`` is evaluated along the principal
    branch, maximised by Brent's method around the best traced point, and the standard
    error is ``1 / sqrt(-d2 logL / d lambda2)`` (McKelvey and Palfrey 1995, Section 5).
    If the likelihood still rises at ``lambda_max`` the estimate is that end, with an
    infinite standard error.

    Parameters
    ----------
    game : NormalFormGame
    counts : one sequence per player
        How often each strategy was chosen.
    lambda_max : float
        The largest ``lambda`` considered.
    branch : QREBranch, optional
        A branch already traced for this game.

    """
    data = [np.asarray(c, dtype=float) for c in counts]
    if len(data) != game.n_players or any(len(c) != n for c, n in zip(data, game.shape, strict=True)):
        raise SolverError(f"counts need one entry per strategy of each player: shape {game.shape}")
    if any(np.any(c < 0) for c in data) or sum(c.sum() for c in data) == 0:
        raise SolverError("counts must be non-negative and not all zero")
    branch = branch or logit_qre(game, lambda_max=lambda_max)

    def loglik(profile: list[np.ndarray]) -> float:
        """``sum n log p``, with ``0 log 0 = 0`` (a strategy never chosen and never played)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(sum(np.where(c > 0, c * np.log(p), 0.0).sum() for c, p in zip(data, profile, strict=True)))

    values = [loglik(p) for p in branch.profiles]
    k = len(values) - 1 - int(np.argmax(values[::-1]))  # the last of tied maxima (a saturated likelihood)
    at = branch.at
    if k == len(values) - 1:  # still rising at the end: the data look like equilibrium play
        lam_end = float(branch.lambdas[k])
        return LambdaEstimate(lam_end, float("inf"), values[k], at(lam_end))
    lo, hi = sorted((float(branch.lambdas[max(k - 1, 0)]), float(branch.lambdas[k + 1])))
    res = minimize_scalar(lambda lam: -loglik(at(lam)), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    lam_hat = float(res.x)
    step = 1e-4 * max(1.0, lam_hat)
    f0, fp, fm = loglik(at(lam_hat)), loglik(at(lam_hat + step)), loglik(at(max(lam_hat - step, 0.0)))
    curvature = (fp - 2 * f0 + fm) / step**2
    se = float(1 / np.sqrt(-curvature)) if curvature < 0 else float("inf")
    return LambdaEstimate(lam_hat, se, f0, at(lam_hat))

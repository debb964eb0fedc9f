"""Numerical equilibria of larger n-player games.

Minimises McKelvey's Lyapunov function from several seeded starting points, then
polishes each candidate by Newton's method on the indifference equations of its
support.  It finds *some* equilibria, not necessarily all; the caller records that.

References
----------
McKelvey, R. D. (1998). A Liapunov function for Nash equilibria. Caltech SSWP 953.
McKelvey, R. D. and McLennan, A. (1996). Computation of equilibria in finite games.
*Handbook of Computational Economics* 1, ch. 2.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, root

from negotiation.deadline import steps
from negotiation.engine.profile import deviation_payoffs, player_regrets


def _split(z: np.ndarray, shape: tuple[int, ...]) -> list[np.ndarray]:
    out, k = [], 0
    for s in shape:
        out.append(z[k : k + s])
        k += s
    return out


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max())
    return e / e.sum()


def _liap(payoffs: np.ndarray, sigma: list[np.ndarray]) -> float:
    total = 0.0
    for i in range(len(sigma)):
        dev = deviation_payoffs(payoffs, sigma, i)
        total += float(np.sum(np.maximum(dev - dev @ sigma[i], 0.0) ** 2))
    return total


def _polish(payoffs: np.ndarray, sigma: list[np.ndarray], threshold: float = 1e-4) -> list[np.ndarray]:
    """Newton's method on the support equations found from an approximate equilibrium."""
    supports = [np.flatnonzero(s > threshold) for s in sigma]
    sizes = [len(s) for s in supports]

    def build(z: np.ndarray) -> list[np.ndarray]:
        out, k = [], 0
        for sup, size, shape in zip(supports, sizes, payoffs.shape[1:], strict=True):
            vec = np.zeros(shape)
            vec[sup] = z[k : k + size]
            out.append(vec)
            k += size
        return out

    def equations(z: np.ndarray) -> np.ndarray:
        sig = build(z)
        eqs = []
        for i, sup in enumerate(supports):
            dev = deviation_payoffs(payoffs, sig, i)[sup]
            eqs += list(dev[1:] - dev[0])
            eqs.append(sig[i].sum() - 1.0)
        return np.array(eqs)

    z0 = np.concatenate([s[sup] for s, sup in zip(sigma, supports, strict=True)])
    sol = root(equations, z0, method="hybr", tol=1e-14)
    if not sol.success or np.any(sol.x < -1e-12):
        return sigma
    return [np.clip(v, 0.0, None) / np.clip(v, 0.0, None).sum() for v in build(sol.x)]


def lyapunov_equilibria(
    payoffs: np.ndarray, starts: int, rng: np.random.Generator, tol: float
) -> list[list[np.ndarray]]:
    """Distinct approximate equilibria found from ``starts`` random starting points.

    Parameters
    ----------
    payoffs : float ndarray of shape (n, s_1, ..., s_n), scaled to unit range
    starts : int
    rng : numpy Generator
        The only source of randomness.
    tol : float
        Maximum regret of a returned profile.
    """
    shape = payoffs.shape[1:]
    found: list[list[np.ndarray]] = []
    for _ in steps(range(starts), "starting points"):
        z0 = rng.normal(size=sum(shape))

        def objective(z: np.ndarray) -> float:
            return _liap(payoffs, [_softmax(v) for v in _split(z, shape)])

        res = minimize(objective, z0, method="BFGS", options={"gtol": 1e-12, "maxiter": 2000})
        sigma = _polish(payoffs, [_softmax(v) for v in _split(res.x, shape)])
        if max(player_regrets(payoffs, sigma)) > tol:
            continue
        if not any(all(np.allclose(a, b, atol=1e-6) for a, b in zip(sigma, f, strict=True)) for f in found):
            found.append(sigma)
    return found

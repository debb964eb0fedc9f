"""All pure-strategy equilibria, vectorised over the payoff tensor."""

from __future__ import annotations

import numpy as np


def pure_equilibria(payoffs: np.ndarray) -> np.ndarray:
    """Indices of every pure Nash equilibrium.

    A cell is an equilibrium when, for every player ``i``, its payoff equals the
    maximum of ``payoffs[i]`` along player ``i``'s own axis.  Works for any number of
    players, on float or exact (object) arrays; ties are compared exactly.

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n)

    Returns
    -------
    ndarray of shape (k, n)
        One row of strategy indices per equilibrium, in lexicographic order.
    """
    n = payoffs.shape[0]
    stable = np.ones(payoffs.shape[1:], dtype=bool)
    for i in range(n):
        best = payoffs[i].max(axis=i, keepdims=True)
        stable &= np.asarray(payoffs[i] == best, dtype=bool)
    return np.argwhere(stable)

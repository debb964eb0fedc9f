"""Correlated and coarse correlated equilibria: what a mediator can recommend.

A mediator draws a profile from a distribution ``p`` and tells each party only its own
part.  ``p`` is a correlated equilibrium when no party, told ``a``, gains by playing
``a'`` instead (Aumann 1974, *Journal of Mathematical Economics* 1, 67-96):

    sum over a_-i of p(a, a_-i) [u_i(a', a_-i) - u_i(a, a_-i)] <= 0   for all i, a, a'.

A coarse correlated equilibrium only asks that no party prefers to ignore the mediator
altogether and commit to some ``a'`` beforehand (Moulin and Vial 1978, *International
Journal of Game Theory* 7, 201-221).  Both sets are polytopes; an objective is optimised
over them by linear programming (HiGHS).  With exact payoffs the solution is rounded to
nearby fractions and kept exact when the exact obedience check passes; every returned
distribution passes that check (exact, or within a tolerance for float games).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from negotiation.engine.game import NormalFormGame
from negotiation.errors import SolverError, VerificationError


def _gains(game: NormalFormGame, coarse: bool) -> tuple[np.ndarray, list[tuple[str, str, str]]]:
    """Rows of the incentive constraints ``G p <= 0`` and their labels (player, told, deviation)."""
    u = game.payoffs
    cells = list(np.ndindex(*game.shape))
    rows, labels = [], []
    for i, name in enumerate(game.players):
        strategies = game.strategies[i]
        if coarse:
            for b in range(game.shape[i]):
                rows.append([u[(i, *c[:i], b, *c[i + 1:])] - u[(i, *c)] for c in cells])
                labels.append((name, "(any)", strategies[b]))
            continue
        for a, b in itertools.permutations(range(game.shape[i]), 2):
            rows.append([(u[(i, *c[:i], b, *c[i + 1:])] - u[(i, *c)]) if c[i] == a else 0 for c in cells])
            labels.append((name, strategies[a], strategies[b]))
    return np.array(rows, dtype=object if game.exact else float), labels


@dataclass(frozen=True)
class CorrelatedEquilibrium:
    """A (coarse) correlated equilibrium: the mediator's distribution over profiles.

    Attributes
    ----------
    game : NormalFormGame
    distribution : ndarray
        ``distribution[a]`` is the probability of recommending profile ``a`` (Fractions
        when ``exact``).
    coarse : bool
    objective : str
        What was optimised.
    exact : bool
    """

    game: NormalFormGame = field(repr=False)
    distribution: np.ndarray
    coarse: bool
    objective: str
    exact: bool

    @property
    def payoffs(self) -> dict[str, Any]:
        """Each party's expected payoff under the recommendation."""
        return {name: sum(self.game.payoffs[(i, *c)] * self.distribution[c] for c in np.ndindex(*self.game.shape))
                for i, name in enumerate(self.game.players)}

    def recommend(self, player: str, action: str) -> dict[tuple[str, ...], Any]:
        """What ``player``, told to play ``action``, believes the others were told.

        Returns the conditional distribution over the others' recommended strategies
        (empty if ``action`` is never recommended).
        """
        i = self.game.players.index(player)
        a = self.game.strategies[i].index(action)
        total = sum(self.distribution[c] for c in np.ndindex(*self.game.shape) if c[i] == a)
        if not total:
            return {}
        out = {}
        for c in np.ndindex(*self.game.shape):
            if c[i] == a and self.distribution[c]:
                others = tuple(self.game.strategies[j][k] for j, k in enumerate(c) if j != i)
                out[others] = self.distribution[c] / total
        return out

    def obedience(self) -> pd.DataFrame:
        """Every incentive constraint with its gain (``<= 0``: obeying is at least as good)."""
        rows, labels = _gains(self.game, self.coarse)
        flat = self.distribution.reshape(-1)
        gains = rows @ flat
        return pd.DataFrame([{"player": p, "told": t, "deviation": d, "gain": g}
                             for (p, t, d), g in zip(labels, gains, strict=True)])

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per profile recommended with positive probability."""
        rows = []
        for c in np.ndindex(*self.game.shape):
            if self.distribution[c]:
                row = {name: self.game.strategies[i][k] for i, (name, k) in enumerate(zip(self.game.players, c,
                                                                                          strict=True))}
                row["probability"] = self.distribution[c]
                rows.append(row)
        return pd.DataFrame(rows)


def is_correlated_equilibrium(game: NormalFormGame, distribution: Any, coarse: bool = False,
                              tol: float = 1e-9) -> bool:
    """Whether ``distribution`` (shaped like the game's profiles) satisfies every incentive constraint."""
    dist = np.asarray(distribution, dtype=object if game.exact else float)
    if dist.shape != game.shape:
        raise SolverError(f"the distribution has shape {dist.shape}; the game's profiles {game.shape}")
    flat = dist.reshape(-1)
    if any(v < 0 for v in flat) or (sum(flat) != 1 if game.exact else abs(float(sum(flat)) - 1) > tol):
        return False
    rows, _ = _gains(game, coarse)
    gains = rows @ flat
    if game.exact and all(isinstance(v, Fraction | int) for v in flat):
        return all(g <= 0 for g in gains)
    return bool(np.all(np.asarray(gains, dtype=float) <= tol * game.payoff_scale()))


def correlated_equilibrium(game: NormalFormGame, objective: str | Mapping[str, Any] | Sequence[Any] = "welfare",
                           coarse: bool = False) -> CorrelatedEquilibrium:
    """The (coarse) correlated equilibrium that maximises an objective.

    Parameters
    ----------
    game : NormalFormGame
    objective : ``"welfare"``, a player's name, ``{player: weight}`` or an array
        ``"welfare"`` maximises the sum of payoffs; a name, that party's payoff; a
        mapping, the weighted sum; an array shaped like the profiles, ``sum p(a) c(a)``.
    coarse : bool
        Coarse correlated equilibria instead.

    Examples
    --------
    >>> chicken = NormalFormGame.from_arrays([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> correlated_equilibrium(chicken).payoffs
    {'P1': Fraction(21, 4), 'P2': Fraction(21, 4)}
    """
    cells = list(np.ndindex(*game.shape))
    u = np.asarray(game.payoffs, dtype=float)
    if isinstance(objective, str) and objective == "welfare":
        c = u.sum(axis=0).reshape(-1)
        label = "welfare"
    elif isinstance(objective, str):
        if objective not in game.players:
            raise SolverError(f"objective {objective!r} is neither 'welfare' nor a player; "
                              f"players: {list(game.players)}")
        c = u[game.players.index(objective)].reshape(-1)
        label = f"{objective}'s payoff"
    elif isinstance(objective, Mapping):
        unknown = set(objective) - set(game.players)
        if unknown:
            raise SolverError(f"objective weights name unknown players {sorted(unknown)}")
        c = sum(float(w) * u[game.players.index(p)] for p, w in objective.items()).reshape(-1)
        label = "weighted payoffs"
    else:
        c = np.asarray(objective, dtype=float)
        if c.shape != game.shape:
            raise SolverError(f"an objective array needs the profiles' shape {game.shape}, not {c.shape}")
        c = c.reshape(-1)
        label = "given objective"
    rows, _ = _gains(game, coarse)
    res = linprog(-c, A_ub=np.asarray(rows, dtype=float), b_ub=np.zeros(len(rows)), A_eq=np.ones((1, len(cells))),
                  b_eq=[1.0], bounds=[(0, None)] * len(cells), method="highs-ds")
    if res.status != 0:  # pragma: no cover - the polytope contains every Nash equilibrium
        raise SolverError(f"the correlated-equilibrium LP failed: {res.message}")
    x = np.clip(res.x, 0.0, None)
    x = x / x.sum()
    if game.exact:
        approx = [Fraction(v).limit_denominator(10**6) for v in x]
        approx[int(np.argmax(x))] += 1 - sum(approx)
        dist = np.empty(len(cells), dtype=object)
        dist[:] = approx
        dist = dist.reshape(game.shape)
        if is_correlated_equilibrium(game, dist, coarse) and abs(float(c @ np.asarray(approx, dtype=float))
                                                                  - float(c @ x)) <= 1e-9 * max(1.0, abs(c).max()):
            return CorrelatedEquilibrium(game, dist, coarse, label, True)
    dist = x.reshape(game.shape)
    if not is_correlated_equilibrium(game.as_float() if game.exact else game, dist, coarse, tol=1e-7):
        raise VerificationError("the correlated-equilibrium LP returned a distribution that fails obedience")
    return CorrelatedEquilibrium(game, dist, coarse, label, False)
